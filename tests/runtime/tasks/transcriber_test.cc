// Transcriber on Whisper tiny.en against CTranslate2's own Whisper runtime
// (tests/reference/make_whisper_ct2_fixture.py, float32): the encoder output
// on beckett.wav and the greedy token ids of beckett.wav and six clips.
//
// CTranslate2 was fed the float64 numpy log-mel (tests/reference/whisper_mel.py);
// here the runtime's own frontend computes it (max |diff| to that mel
// 1.9e-5, runtime/audio/log_mel.h), so these checks cover frontend, encoder
// and decoder together.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "converter/convert.h"
#include "runtime/tasks/transcriber.h"
#include "tests/support/model_gate.h"
#include "tests/support/model_paths.h"
#include "tests/support/models.h"

EDGEATTN_TEST_MODELS(kWhisperTinyEnCt2, kWhisperAudio);

namespace edgeattn {
namespace {

const std::string kFixtures = std::string(EDGEATTN_SOURCE_DIR) + "/tests/fixtures/whisper/";

const Model& whisper(const std::string& dtype) {
  static std::unique_ptr<Model> models[3];
  const int i = dtype == "fp32" ? 0 : dtype == "fp16" ? 1 : 2;
  if (!models[i]) {
    models[i] = testing::convert_and_load(testing::find_model("whisper-tiny.en-ct2"), "",
                                          testing::temp_dir("whisper") + "/whisper-" + dtype + ".eatn", dtype);
  }
  return *models[i];
}

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in, "cannot open " << path);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
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

TEST_CASE("fp32 encoder output equals CTranslate2's on beckett.wav (max |diff| <= 1e-3)") {
  const nlohmann::json ref = reference();
  const nlohmann::json& beckett = ref["clips"][0];
  REQUIRE(beckett["name"] == "beckett");
  TranscriberOptions o;
  auto t = Transcriber::create(whisper("fp32"), o);
  REQUIRE_MESSAGE(t.is_ok(), t.status().message());
  std::vector<uint8_t> wav = read_file(wav_path(beckett["wav"]));
  // Decode through the public path, then re-run the window's encoder.
  REQUIRE((*t)->transcribe_wav(Span<const uint8_t>(wav.data(), wav.size())).is_ok());
  const TensorView out = (*t)->encoder_output();  // [1, 1500, 384]
  const nlohmann::json& enc = beckett["encoder"];
  const size_t stride = enc["row_stride"], rows = enc["rows"], width = enc["width"];
  const std::vector<uint8_t> bytes = read_file(kFixtures + enc["file"].get<std::string>());
  REQUIRE(bytes.size() == rows * width * sizeof(float));
  const float* expected = reinterpret_cast<const float*>(bytes.data());
  const float* got = static_cast<const float*>(out.data);
  REQUIRE(out.shape[1] == 1500);
  REQUIRE(out.shape[2] == static_cast<int64_t>(width));
  double max_diff = 0;
  for (size_t r = 0; r < rows; ++r) {
    for (size_t c = 0; c < width; ++c) {
      max_diff = std::max(max_diff, std::fabs(double(got[r * stride * width + c]) - expected[r * width + c]));
    }
  }
  MESSAGE("encoder max |diff| vs CTranslate2: " << max_diff << " (values up to " << enc["max_abs"].get<double>() << ")");
  CHECK(max_diff <= 1e-3);
}

TEST_CASE("fp32 greedy token ids equal CTranslate2's; beckett's transcript is exact") {
  const nlohmann::json ref = reference();
  TranscriberOptions o;
  auto t = Transcriber::create(whisper("fp32"), o);
  REQUIRE_MESSAGE(t.is_ok(), t.status().message());
  for (const nlohmann::json& clip : ref["clips"]) {
    CAPTURE(clip["name"].get<std::string>());
    std::vector<uint8_t> wav = read_file(wav_path(clip["wav"]));
    Status s = (*t)->transcribe_wav(Span<const uint8_t>(wav.data(), wav.size()));
    REQUIRE_MESSAGE(s.is_ok(), s.message());
    int32_t ids[448];
    size_t n = 0;
    REQUIRE((*t)->decode_window(false, Span<int32_t>(ids, 448), &n).is_ok());
    CHECK(std::vector<int32_t>(ids, ids + n) == clip["ids"].get<std::vector<int32_t>>());
    CHECK(std::string((*t)->text()) == clip["text"].get<std::string>());
    const TranscribeStats& st = (*t)->last_stats();
    MESSAGE(clip["name"].get<std::string>() << ": '" << std::string((*t)->text()) << "' RTF " << st.real_time_factor()
                                           << ", encoder " << st.encoder_ms << " ms, decoder " << st.decoder_tokens
                                           << " tokens in " << st.decoder_ms << " ms");
  }
}

}  // namespace
}  // namespace edgeattn
