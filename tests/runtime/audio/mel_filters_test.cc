// converter/mel_filters.cc (slaney_mel_filters) against
// tests/reference/whisper_mel.py's mel_filters(), librosa's formulas in
// float64 (stored as float32: rounding <= 1.9e-9 for values <= 0.032).
// Tolerance 1e-6: both are the same formula in double; the float32
// rounding of ours and of the fixture bound the difference by ~4e-9.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "converter/mel_filters.h"
#include "converter/source/convert_error.h"
#include "tests/runtime/audio/audio_test_util.h"

using namespace edgeattn::testing::audio;

TEST_CASE("Whisper's 80 x 201 Slaney filterbank equals the librosa-formula reference") {
  const std::vector<float> got = edgeattn::convert::slaney_mel_filters(16000, 400, 80);  // [80, 201]
  const std::vector<float> want = read_f32(source_path("tests/fixtures/whisper/mel_filters.f32"));
  REQUIRE(got.size() == 80 * 201);
  REQUIRE(want.size() == got.size());
  double diff = 0.0, peak = 0.0;
  for (size_t i = 0; i < got.size(); ++i) {
    diff = std::max(diff, std::fabs(static_cast<double>(got[i]) - want[i]));
    peak = std::max(peak, static_cast<double>(want[i]));
  }
  std::printf("mel filters: max |diff| %.2e (largest weight %.4f)\n", diff, peak);
  CHECK(diff <= 1e-6);
  // Structure that does not depend on the fixture: each triangle has unit
  // area in Hz ("slaney" norm): sum_k w[m][k] * 40 Hz ~ 1 for the
  // triangles wide enough to be sampled well by 40-Hz bins (above ~1 kHz).
  for (int m = 30; m < 80; ++m) {
    double area = 0.0;
    for (int k = 0; k < 201; ++k) area += got[m * 201 + k] * 40.0;
    CHECK(area == doctest::Approx(1.0).epsilon(0.05));
  }
}

TEST_CASE("bad arguments throw ConvertError") {
  CHECK_THROWS_AS(edgeattn::convert::slaney_mel_filters(0, 400, 80), edgeattn::convert::ConvertError);
  CHECK_THROWS_AS(edgeattn::convert::slaney_mel_filters(16000, 1, 80), edgeattn::convert::ConvertError);
  CHECK_THROWS_AS(edgeattn::convert::slaney_mel_filters(16000, 400, 0), edgeattn::convert::ConvertError);
}
