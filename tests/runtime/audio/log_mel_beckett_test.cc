// LogMel on beckett.wav (issue #14's test recording, ../shared/models/whisper)
// against tests/reference/whisper_mel.py: the 10-s file as one window, and
// beckett 4 times (40 s) through signal_max() + compute_window() at seek
// 2000 frames (transcribe.py's second-window path). Tolerance as in
// log_mel_test.cc.
#include <doctest/doctest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "tests/runtime/audio/log_mel_check.h"
#include "tests/support/model_gate.h"

EDGEATTN_TEST_MODELS(edgeattn::testing::kWhisperAudio);

using namespace edgeattn::testing::audio;

TEST_CASE("beckett.wav and beckett x4 at seek 2000 equal the float64 reference") {
  const std::vector<float> b = decode_16k(edgeattn::testing::require_model("whisper/beckett.wav"));
  const nlohmann::json manifest = read_json(source_path("tests/fixtures/whisper/mel_reference.json"));
  int checked = 0;
  for (const auto& entry : manifest["mels"]) {
    const std::string name = entry["name"];
    std::vector<float> x;
    if (name == "beckett") {
      x = b;
    } else if (name == "beckett_x4_seek2000") {
      for (int i = 0; i < 4; ++i) x.insert(x.end(), b.begin(), b.end());
    } else {
      continue;
    }
    CAPTURE(name);
    const double diff = check_window(entry, x);
    std::printf("log_mel %-28s max |diff| %.2e\n", name.c_str(), diff);
    ++checked;
  }
  CHECK(checked == 2);
}
