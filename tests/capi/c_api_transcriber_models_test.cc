// The C API's transcriber on Whisper tiny.en. Oracles: beckett.wav's known
// transcript, and the C++ Transcriber (runtime/tasks/transcriber.h) on the
// same file, whose text, segments and memory the C wrapper must reproduce
// exactly. The first case runs from C (capi_c_helpers.c) so the header is
// used from C99.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "capi/edgeattn.h"
#include "runtime/audio/wav_reader.h"
#include "runtime/model.h"
#include "runtime/tasks/transcriber.h"
#include "tests/capi/both_models.h"
#include "tests/capi/capi_c_helpers.h"
#include "tests/runtime/audio/audio_test_util.h"
#include "tests/support/model_gate.h"
#include "tests/support/model_paths.h"
#include "tests/support/models.h"

EDGEATTN_TEST_MODELS(kWhisperTinyEnCt2, kWhisperAudio, kStories260K);

namespace edgeattn {
namespace {

using testing::require_model;

// Whisper converted once (fp32), loaded through both APIs from one file.
const testing::BothModels& whisper() {
  static const testing::BothModels w = testing::load_both(require_model("whisper-tiny.en-ct2"), "", "capi_transcriber");
  return w;
}

const std::vector<uint8_t>& beckett() {
  static const std::vector<uint8_t> bytes = testing::audio::read_bytes(require_model("whisper/beckett.wav"));
  return bytes;
}

// A C transcriber that REQUIREs success and frees itself.
struct CTranscriber {
  explicit CTranscriber(const edgeattn_transcriber_options& o) {
    REQUIRE_MESSAGE(edgeattn_transcriber_create(whisper().c, &o, &handle) == EDGEATTN_OK, edgeattn_last_error());
  }
  ~CTranscriber() { edgeattn_transcriber_destroy(handle); }
  std::string text() const {
    size_t n = 0;
    const char* t = edgeattn_transcriber_text(handle, &n);
    return std::string(t, n);
  }
  edgeattn_transcriber* handle = nullptr;
};

TEST_CASE("C API transcriber: beckett.wav's transcript is exact from C, with consistent stats") {
  char text[512];
  size_t length = 0;
  edgeattn_transcribe_stats st;
  REQUIRE_MESSAGE(capi_transcriber_transcribe_wav(whisper().c, beckett().data(), beckett().size(), text, sizeof(text),
                                                  &length, &st) == EDGEATTN_OK,
                  edgeattn_last_error());
  CHECK(std::string(text, length) == testing::kBeckettTranscript);
  CHECK(st.audio_seconds == doctest::Approx(9.96).epsilon(0.001));
  CHECK(st.windows == 1);
  CHECK(st.decoder_tokens > 10);
  CHECK(st.encoder_ms > 0);
  CHECK(st.decoder_ms > 0);
  CHECK(st.total_ms >= st.encoder_ms + st.decoder_ms);
  CHECK(st.real_time_factor == doctest::Approx(st.total_ms / 1000.0 / st.audio_seconds));
  CHECK(st.decoder_tokens_per_second == doctest::Approx(st.decoder_tokens * 1000.0 / st.decoder_ms));
  CHECK(edgeattn_c_api_version() == 7);
}

TEST_CASE("C API transcriber: text, timed segments and memory equal the C++ Transcriber's") {
  edgeattn_transcriber_options o = edgeattn_transcriber_options_default();
  o.timestamps = 1;
  CTranscriber c(o);
  REQUIRE_MESSAGE(edgeattn_transcriber_transcribe_wav(c.handle, beckett().data(), beckett().size()) == EDGEATTN_OK,
                  edgeattn_last_error());
  TranscriberOptions co;
  co.timestamps = true;
  Result<std::unique_ptr<Transcriber>> cpp = Transcriber::create(*whisper().cpp, co);
  REQUIRE_MESSAGE(cpp.is_ok(), cpp.status().message());
  Transcriber& t = **cpp;
  REQUIRE(t.transcribe_wav(Span<const uint8_t>(beckett().data(), beckett().size())).is_ok());
  CHECK(c.text() == std::string(t.text()));
  REQUIRE(edgeattn_transcriber_segment_count(c.handle) == t.segments().size());
  CHECK(t.segments().size() >= 2);
  double last_end = 0;
  std::string joined;
  for (size_t i = 0; i < t.segments().size(); ++i) {
    double start = -1, end = -1;
    const char* piece = nullptr;
    size_t n = 0;
    REQUIRE(edgeattn_transcriber_segment(c.handle, i, &start, &end, &piece, &n) == EDGEATTN_OK);
    CHECK(start == t.segments()[i].start_seconds);
    CHECK(end == t.segments()[i].end_seconds);
    CHECK(start >= last_end);
    CHECK(end > start);
    last_end = end;
    joined.append(piece, n);
  }
  CHECK(joined == testing::kBeckettTranscript);
  double start, end;
  const char* piece;
  size_t n;
  CHECK(edgeattn_transcriber_segment(c.handle, t.segments().size(), &start, &end, &piece, &n) ==
        EDGEATTN_INVALID_ARGUMENT);
  CHECK(std::string(edgeattn_last_error()).find("segment") != std::string::npos);
  edgeattn_memory_stats enc, dec;
  size_t buffers = 0;
  REQUIRE(edgeattn_transcriber_memory(c.handle, &enc, &dec, &buffers) == EDGEATTN_OK);
  CHECK(enc.arena_bytes == t.encoder_memory().arena_bytes);
  CHECK(dec.arena_bytes == t.decoder_memory().arena_bytes);
  CHECK(dec.kv_cache_bytes == t.decoder_memory().kv_cache_bytes);
  CHECK(dec.sequence_bytes == t.decoder_memory().sequence_bytes);
  CHECK(dec.sequence_bytes > 0);
  CHECK(dec.sequence_bytes <= dec.persistent_bytes);
  CHECK(buffers == t.buffer_bytes());
  CHECK(edgeattn_transcriber_memory(c.handle, nullptr, nullptr, nullptr) == EDGEATTN_OK);
}

TEST_CASE("C API transcriber: transcribe takes mono samples at any rate") {
  Result<WavFile> wav = WavFile::parse(Span<const uint8_t>(beckett().data(), beckett().size()), WavLimits());
  REQUIRE(wav.is_ok());
  std::vector<float> samples(wav->info().frames);
  REQUIRE(wav->decode_mono(0, Span<float>(samples.data(), samples.size())).is_ok());
  CTranscriber c(edgeattn_transcriber_options_default());
  REQUIRE_MESSAGE(edgeattn_transcriber_transcribe(c.handle, samples.data(), samples.size(), wav->info().sample_rate) ==
                      EDGEATTN_OK,
                  edgeattn_last_error());
  CHECK(c.text() == testing::kBeckettTranscript);
  CHECK(edgeattn_transcriber_transcribe(c.handle, samples.data(), 0, 16000) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(std::string(edgeattn_last_error()) == "no samples");
  CHECK(c.text().empty());  // a failed call leaves no transcript
  CHECK(edgeattn_transcriber_transcribe(c.handle, samples.data(), samples.size(), 0) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(std::string(edgeattn_last_error()).find("sample rate 0 Hz") != std::string::npos);
  CHECK(edgeattn_transcriber_transcribe(c.handle, nullptr, 10, 16000) == EDGEATTN_INVALID_ARGUMENT);
}

TEST_CASE("C API transcriber: each bad WAV file gives its status code and the reader's message") {
  CTranscriber c(edgeattn_transcriber_options_default());
  REQUIRE(edgeattn_transcriber_transcribe_wav(c.handle, beckett().data(), beckett().size()) == EDGEATTN_OK);
  for (const testing::audio::BadWav& bad : testing::audio::bad_wavs()) {
    CAPTURE(bad.name);
    const edgeattn_status s = edgeattn_transcriber_transcribe_wav(c.handle, bad.bytes.data(), bad.bytes.size());
    const std::string message = edgeattn_last_error();
    CAPTURE(message);
    CHECK(static_cast<int>(s) == static_cast<int>(bad.code));
    CHECK(message.rfind("wav: ", 0) == 0);
    CHECK(message.find(bad.message) != std::string::npos);
    // The transcript of the earlier call is gone, not left readable.
    CHECK(c.text().empty());
    CHECK(edgeattn_transcriber_segment_count(c.handle) == 0);
  }
  CHECK(edgeattn_transcriber_transcribe_wav(c.handle, nullptr, 0) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(edgeattn_transcriber_transcribe_wav(c.handle, nullptr, 44) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(std::string(edgeattn_last_error()) == "wav is NULL with size 44");
  CHECK(edgeattn_transcriber_transcribe_wav(nullptr, beckett().data(), beckett().size()) == EDGEATTN_INVALID_ARGUMENT);
}

TEST_CASE("C API transcriber: the default options are the C++ TranscriberOptions' defaults") {
  const TranscriberOptions d;
  const edgeattn_transcriber_options o = edgeattn_transcriber_options_default();
  CHECK(o.max_audio_seconds == d.max_audio_seconds);
  CHECK(o.max_sample_rate == d.max_sample_rate);
  CHECK(o.timestamps == (d.timestamps ? 1 : 0));
  CHECK(o.threads == d.threads);
  CHECK(o.kernels == d.kernels);
  CHECK(o.kv_dtype == EDGEATTN_KV_F32);
  for (size_t i = 0; i < 8; ++i) CHECK(o.sample_rates[i] == d.sample_rates[i]);
}

TEST_CASE("C API transcriber: a text model and bad options are refused with a message naming them") {
  const std::string path = testing::temp_dir("capi_transcriber_stories") + "/s.eatn";
  testing::convert_and_load(require_model("stories260K/stories260K.bin"), require_model("stories260K/tok512.bin"), path);
  edgeattn_model* stories = nullptr;
  REQUIRE(edgeattn_model_load_file(path.c_str(), &stories) == EDGEATTN_OK);
  edgeattn_transcriber* t = nullptr;
  CHECK(edgeattn_transcriber_create(stories, nullptr, &t) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(t == nullptr);
  CHECK(std::string(edgeattn_last_error()).find("not a speech model") != std::string::npos);
  CHECK(std::string(edgeattn_last_error()).find("text-generation") != std::string::npos);
  edgeattn_model_destroy(stories);
  edgeattn_transcriber_options o = edgeattn_transcriber_options_default();
  o.max_audio_seconds = 0;
  CHECK(edgeattn_transcriber_create(whisper().c, &o, &t) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(std::string(edgeattn_last_error()).find("max_audio_seconds") != std::string::npos);
  o = edgeattn_transcriber_options_default();
  o.kv_dtype = static_cast<edgeattn_kv_dtype>(7);
  CHECK(edgeattn_transcriber_create(whisper().c, &o, &t) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(edgeattn_transcriber_create(nullptr, nullptr, &t) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(edgeattn_transcriber_create(whisper().c, nullptr, nullptr) == EDGEATTN_INVALID_ARGUMENT);
  size_t n = 99;
  CHECK(std::string(edgeattn_transcriber_text(nullptr, &n)).empty());
  CHECK(n == 0);
  CHECK(edgeattn_transcriber_segment_count(nullptr) == 0);
  edgeattn_transcriber_destroy(nullptr);
}

}  // namespace
}  // namespace edgeattn
