// Transcriber on Whisper tiny.en against CTranslate2's own Whisper runtime
// (tests/reference/make_whisper_ct2_fixture.py, float32): the encoder output
// on beckett.wav and the greedy token ids of beckett.wav and six clips.
//
// CTranslate2 was fed the float64 numpy log-mel (tests/reference/whisper_mel.py);
// here the runtime's own frontend computes it (max |diff| to that mel
// 1.9e-5, runtime/audio/log_mel.h), so these checks cover frontend, encoder
// and decoder together.
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "runtime/audio/wav_reader.h"
#include "runtime/tasks/transcriber.h"
#include "tests/support/model_gate.h"
#include "tests/support/model_paths.h"
#include "tests/support/models.h"

EDGEATTN_TEST_MODELS(kWhisperTinyEnCt2, kWhisperAudio);

namespace edgeattn {
namespace {

const std::string kFixtures = std::string(EDGEATTN_SOURCE_DIR) + "/tests/fixtures/whisper/";

const Model& whisper(const std::string& dtype) { return testing::whisper_tiny_en(dtype); }

std::vector<uint8_t> read_file(const std::string& path) { return testing::read_bytes(path); }

// The mono samples of a WAV file, through the runtime's reader (the files
// carry chunks after the data, e.g. beckett.wav's LIST).
std::vector<float> read_samples(const std::string& path, uint32_t* rate) {
  const std::vector<uint8_t> bytes = read_file(path);
  WavLimits limits;
  limits.max_seconds = 600;
  Result<WavFile> wav = WavFile::parse(Span<const uint8_t>(bytes.data(), bytes.size()), limits);
  REQUIRE_MESSAGE(wav.is_ok(), wav.status().message());
  std::vector<float> samples(wav->info().frames);
  REQUIRE(wav->decode_mono(0, Span<float>(samples.data(), samples.size())).is_ok());
  *rate = wav->info().sample_rate;
  return samples;
}

std::string wav_path(const std::string& rel) {
  if (rel.rfind("clips/", 0) == 0) return kFixtures + rel;
  return testing::find_model(rel);
}

nlohmann::json reference() {
  std::ifstream in(kFixtures + "whisper_ct2_reference.json");
  REQUIRE(in);
  return nlohmann::json::parse(in);
}

// Lower-case words without punctuation (openai-whisper's English
// normalizer, reduced to what these transcripts need).
std::vector<std::string> words_of(const std::string& text) {
  std::vector<std::string> words;
  std::string w;
  for (char ch : text + " ") {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '\'') {
      w += static_cast<char>(std::tolower(c));
    } else if (!w.empty()) {
      words.push_back(w);
      w.clear();
    }
  }
  return words;
}

// Word error rate: word-level Levenshtein distance / reference words.
double word_error_rate(const std::string& reference, const std::string& hypothesis) {
  const std::vector<std::string> r = words_of(reference), h = words_of(hypothesis);
  std::vector<size_t> prev(h.size() + 1), cur(h.size() + 1);
  for (size_t j = 0; j <= h.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= r.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= h.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r[i - 1] == h[j - 1] ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return r.empty() ? 0.0 : static_cast<double>(prev[h.size()]) / r.size();
}

std::string transcribe_file(Transcriber& t, const std::string& path) {
  std::vector<uint8_t> wav = read_file(path);
  Status s = t.transcribe_wav(Span<const uint8_t>(wav.data(), wav.size()));
  REQUIRE_MESSAGE(s.is_ok(), s.message());
  return std::string(t.text());
}

TEST_CASE("word_error_rate counts substitutions, insertions and deletions") {
  CHECK(word_error_rate("Fail again. Fail better.", " fail again, fail better") == 0.0);
  CHECK(word_error_rate("a b c d", "a x c d") == doctest::Approx(0.25));
  CHECK(word_error_rate("a b c d", "a b c d e") == doctest::Approx(0.25));
  CHECK(word_error_rate("a b c d", "a c d") == doctest::Approx(0.25));
}

// CTranslate2's encoder output rows kept in the fixture, [rows, width].
std::vector<float> ct2_encoder_rows(const nlohmann::json& enc) {
  const size_t rows = enc["rows"], width = enc["width"];
  const std::vector<uint8_t> bytes = read_file(kFixtures + enc["file"].get<std::string>());
  REQUIRE(bytes.size() == rows * width * sizeof(float));
  std::vector<float> v(rows * width);
  std::memcpy(v.data(), bytes.data(), bytes.size());
  return v;
}

// The window's encoder output vs the clip's oracle: CTranslate2's rows,
// except where the fixture keeps the float64 encoder's row
// (encoder_f64_rows: CTranslate2's own float32 is more than 1e-4 off
// there). Returns the max |diff| over the rows where CTranslate2 is the
// oracle; *exact_diff gets the max over the float64 rows (0 if none).
double encoder_max_diff(const Transcriber& t, const nlohmann::json& clip, double* exact_diff) {
  const nlohmann::json& enc = clip["encoder"];
  const TensorView out = t.encoder_output();  // [1, 1500, 384]
  const size_t stride = enc["row_stride"], rows = enc["rows"], width = enc["width"];
  const std::vector<float> ct2 = ct2_encoder_rows(enc);
  const nlohmann::json exact = clip.value("encoder_f64_rows", nlohmann::json::object());
  REQUIRE(out.shape[1] == 1500);
  REQUIRE(out.shape[2] == static_cast<int64_t>(width));
  const float* got = static_cast<const float*>(out.data);
  double max_diff = 0;
  *exact_diff = 0;
  for (size_t r = 0; r < rows; ++r) {
    const float* row = got + r * stride * width;
    const std::string key = std::to_string(r * stride);
    for (size_t c = 0; c < width; ++c) {
      if (exact.contains(key)) {
        const double want = exact[key][c].get<double>();
        *exact_diff = std::max(*exact_diff, std::fabs(double(row[c]) - want));
        if (c == 0) MESSAGE("row " << key << ": CTranslate2's float32 is off the float64 encoder; compared with it");
      } else {
        max_diff = std::max(max_diff, std::fabs(double(row[c]) - ct2[r * width + c]));
      }
    }
  }
  return max_diff;
}

// The decoder alone, from CTranslate2's encoder output of the clip (the
// fixture keeps every row for beckett): greedy ids equal CTranslate2's.
void check_decoder_from_ct2(Transcriber& t, const nlohmann::json& clip) {
  const nlohmann::json& enc = clip["encoder"];
  REQUIRE(enc["row_stride"] == 1);
  const std::vector<float> states = ct2_encoder_rows(enc);  // [1500, 384]
  int32_t ids[448];
  size_t n = 0;
  CHECK(t.decode_states(Span<const float>(states.data(), states.size() - 1), false, Span<int32_t>(ids, 448), &n)
            .code() == StatusCode::kInvalidArgument);
  REQUIRE(t.decode_states(Span<const float>(states.data(), states.size()), false, Span<int32_t>(ids, 448), &n).is_ok());
  CHECK(std::vector<int32_t>(ids, ids + n) == clip["ids"].get<std::vector<int32_t>>());
}

// Transcribes the clip and re-decodes its (only) window without timestamps:
// the greedy ids and the text must be CTranslate2's.
void check_clip(Transcriber& t, const nlohmann::json& clip) {
  CAPTURE(clip["name"].get<std::string>());
  int32_t ids[448];
  size_t n = 0;
  const std::string text = transcribe_file(t, wav_path(clip["wav"]));
  REQUIRE(t.decode_window(false, Span<int32_t>(ids, 448), &n).is_ok());
  CHECK(std::vector<int32_t>(ids, ids + n) == clip["ids"].get<std::vector<int32_t>>());
  CHECK(text == clip["text"].get<std::string>());
  const TranscribeStats& st = t.last_stats();
  MESSAGE(clip["name"].get<std::string>() << ": '" << text << "' RTF " << st.real_time_factor() << ", encoder "
                                         << st.encoder_ms << " ms, decoder " << st.decoder_tokens << " tokens in "
                                         << st.decoder_ms << " ms");
}

// Runs everywhere (under qemu with cross-test.sh --full; issue #14: the
// aarch64 transcript is x86's). Under emulation (quick mode) the decoder runs from CTranslate2's
// encoder output: the 30-s encoder takes minutes of qemu (-cpu max and
// cortex-a53 alike), so the ARM encoder is checked on the tiny Whisper of
// runtime_encoder_decoder_test there, and on this model once per CI run by
// targets/cross-test.sh's whisper_check (the WAV to text with the demo).
TEST_CASE("beckett.wav, fp32: encoder output (max |diff| <= 1e-3), greedy ids and transcript equal CTranslate2's") {
  const nlohmann::json ref = reference();
  const nlohmann::json& beckett = ref["clips"][0];
  REQUIRE(beckett["name"] == "beckett");
  CHECK(beckett["text"] == " Ever tried, ever failed. No matter, try again. Fail again. Fail better.");
  auto t = Transcriber::create(whisper("fp32"), TranscriberOptions());
  REQUIRE_MESSAGE(t.is_ok(), t.status().message());
  check_decoder_from_ct2(**t, beckett);
  if (testing::quick_mode()) return;
  check_clip(**t, beckett);
  // From our own log-mel (within 1e-4 of the float64 one, log_mel tests):
  // reported only.
  double exact = 0;
  const double own = encoder_max_diff(**t, beckett, &exact);
  MESSAGE("encoder from our mel: max |diff| " << own << " vs CTranslate2, " << exact << " vs float64 (its rows)");
  // The check: fed the same mel as CTranslate2, max |diff| <= 1e-3.
  const nlohmann::json& m = beckett["mel"];
  const std::vector<uint8_t> bytes = read_file(kFixtures + m["file"].get<std::string>());
  const size_t frames = m["frames"];
  REQUIRE(bytes.size() == frames * 80 * sizeof(float));
  std::vector<float> mel(3000 * 80, m["pad_value"].get<float>());
  std::memcpy(mel.data(), bytes.data(), bytes.size());
  REQUIRE((*t)->encode(Span<const float>(mel.data(), mel.size())).is_ok());
  const double diff = encoder_max_diff(**t, beckett, &exact);
  MESSAGE("encoder from CTranslate2's mel, all 1500 x 384 values (up to " << beckett["encoder"]["max_abs"].get<double>()
                                                                          << "): max |diff| " << diff
                                                                          << " vs CTranslate2, " << exact
                                                                          << " vs float64 on its rows");
  CHECK(diff <= 1e-3);
  // Row 76 holds a chaotic value (column 354, 2.8547 in float64): fp32
  // rounding in any order moves it by ~1e-3 (CTranslate2 -7.9e-4; ours
  // +9.6e-4 with XNNPACK's AVX-512 GEMM, -1.6e-3 on the reference kernels),
  // and noise of 1e-6 on the mel moves CTranslate2's by 1.5e-4. There the
  // oracle is float64 (whisper_encoder_f64.py); checked within 2.5 x
  // CTranslate2's own error, 1e-3 is a WARN (the other rows carry the bar).
  WARN(exact <= 1e-3);
  CHECK(exact <= 2e-3);
}

TEST_CASE("the clips, fp32: greedy token ids equal CTranslate2's") {
  if (testing::quick_mode()) return;  // under qemu: beckett above only
  const nlohmann::json ref = reference();
  auto t = Transcriber::create(whisper("fp32"), TranscriberOptions());
  REQUIRE_MESSAGE(t.is_ok(), t.status().message());
  size_t checked = 0;
  for (const nlohmann::json& clip : ref["clips"]) {
    if (clip["name"] == "beckett") continue;
    check_clip(**t, clip);
    if (testing::subset_mode() && ++checked == 2) break;  // sanitizers: two clips
  }
}
}  // namespace
}  // namespace edgeattn

namespace edgeattn {
namespace {

std::vector<float> beckett_16k() {
  uint32_t rate = 0;
  std::vector<float> samples = read_samples(wav_path("whisper/beckett.wav"), &rate);
  REQUIRE(rate == 16000);
  return samples;
}

TEST_CASE("long audio: beckett x4 (40 s) with timestamps") {
  if (testing::subset_mode()) return;  // two windows: natively only
  std::vector<float> one = beckett_16k();
  std::vector<float> four;
  for (int i = 0; i < 4; ++i) four.insert(four.end(), one.begin(), one.end());
  TranscriberOptions o;
  o.max_audio_seconds = 45;
  o.timestamps = true;
  auto t = Transcriber::create(whisper("fp32"), o);
  REQUIRE_MESSAGE(t.is_ok(), t.status().message());
  Status s = (*t)->transcribe(Span<const float>(four.data(), four.size()), 16000);
  REQUIRE_MESSAGE(s.is_ok(), s.message());
  std::string expected;
  for (int i = 0; i < 4; ++i) expected += " Ever tried, ever failed. No matter, try again. Fail again. Fail better.";
  const std::string text((*t)->text());
  const double wer = word_error_rate(expected, text);
  MESSAGE("40 s, " << (*t)->last_stats().windows << " windows, WER " << wer << ": " << text);
  CHECK(wer <= 0.05);
  CHECK((*t)->last_stats().windows >= 2);
  double last_end = 0.0;
  for (const TranscriptSegment& seg : (*t)->segments()) {
    CAPTURE(std::string((*t)->text().substr(seg.text_offset, seg.text_size)));
    CHECK(seg.start_seconds >= last_end - 1e-9);
    CHECK(seg.end_seconds > seg.start_seconds);
    CHECK(seg.end_seconds <= four.size() / 16000.0 + 0.02);
    last_end = seg.end_seconds;
  }
  CHECK((*t)->segments().size() >= 8);
}

// Word errors of `hypotheses` against `references`, over all their words.
double corpus_wer(const std::vector<std::string>& references, const std::vector<std::string>& hypotheses) {
  double errors = 0;
  size_t words = 0;
  for (size_t i = 0; i < references.size(); ++i) {
    const size_t n = words_of(references[i]).size();
    errors += word_error_rate(references[i], hypotheses[i]) * n;
    words += n;
  }
  return words ? errors / words : 0.0;
}

// fp16 must match fp32; int8 (with the KV cache and cross K/V in f32, and in
// int8 as bench/whisper_compare.sh runs it) within the 2 % WER of
// fp32. These synthetic clips are hard for tiny.en (fp32 itself is often
// wrong), so rounding the weights flips borderline words: one clip
// (clip17) decides most of it (2 or 5 word errors of 199). CTranslate2's own
// int8 is further from its float32 (3.5 %, the fixture); ours must not be.
TEST_CASE("fp16 and int8: beckett's transcript (fp16 exact, int8 every word), WER vs fp32 over the clips, sizes") {
  if (testing::subset_mode()) return;  // two more conversions: natively only
  const nlohmann::json ref = reference();
  // Our fp32 transcripts are CTranslate2's (the test case above).
  std::vector<std::string> fp32_text, peer_int8;
  for (const nlohmann::json& clip : ref["clips"]) {
    fp32_text.push_back(clip["text"]);
    peer_int8.push_back(clip["int8_text"]);
  }
  const double peer_wer = corpus_wer(fp32_text, peer_int8);
  const double fp32_bytes = static_cast<double>(whisper("fp32").file_size());
  struct Config {
    const char* dtype;
    KvCacheDType kv;
  };
  for (const Config c : {Config{"fp16", KvCacheDType::kF32}, Config{"int8", KvCacheDType::kF32},
                         Config{"int8", KvCacheDType::kI8}}) {
    const bool fp16 = std::string(c.dtype) == "fp16";
    const std::string name = std::string(c.dtype) + (c.kv == KvCacheDType::kI8 ? " (KV int8)" : "");
    CAPTURE(name);
    TranscriberOptions o;
    o.kv_dtype = c.kv;
    auto t = Transcriber::create(whisper(c.dtype), o);
    REQUIRE_MESSAGE(t.is_ok(), t.status().message());
    std::vector<std::string> texts;
    for (const nlohmann::json& clip : ref["clips"]) {
      texts.push_back(transcribe_file(**t, wav_path(clip["wav"])));
      if (clip["name"] == "beckett") {
        const std::string beckett = " Ever tried, ever failed. No matter, try again. Fail again. Fail better.";
        // With int8 weights "No matter, try" vs "No matter. Try" is a
        // borderline token: two exact-GELU kernels of equal accuracy (0.39
        // of the kernel test's bound) chose differently. The words must
        // still all be right; fp16 must be fp32's text to the character.
        if (!fp16) {
          CHECK(word_error_rate(beckett, texts.back()) == 0.0);
        } else {
          CHECK(texts.back() == beckett);
        }
      }
      if (texts.back() != fp32_text[texts.size() - 1]) MESSAGE(name << ": '" << texts.back() << "' vs fp32 '" << fp32_text[texts.size() - 1] << "'");
    }
    const double ratio = whisper(c.dtype).file_size() / fp32_bytes;
    MESSAGE(name << ": size " << ratio << " x fp32");
    CHECK(ratio <= (fp16 ? 0.52 : 0.30));
    const double wer = corpus_wer(fp32_text, texts);
    MESSAGE(name << ": WER vs fp32 " << wer << " (CTranslate2 int8 vs float32: " << peer_wer << ") over "
                 << texts.size() << " clips");
    CHECK(wer <= (fp16 ? 0.0 : 0.02));
    CHECK(wer <= peer_wer);
  }
}

}  // namespace
}  // namespace edgeattn
