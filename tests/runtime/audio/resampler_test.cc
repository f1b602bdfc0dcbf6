// Resampler (runtime/audio/resampler.h) against the analytic signal: a sum
// of sines sampled at the input rate, resampled to 16 kHz, must equal the
// same sines sampled at 16 kHz (passband), and a tone between the lower
// Nyquist and the input Nyquist must vanish (stopband). The numbers printed
// here are the ones resampler.h states.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "runtime/audio/resampler.h"

namespace {

using edgeattn::Resampler;
using edgeattn::Span;

constexpr double kPi = 3.14159265358979323846;

std::vector<float> tone(double freq, double rate, size_t n, double phase = 0.3) {
  std::vector<float> x(n);
  for (size_t i = 0; i < n; ++i) x[i] = static_cast<float>(std::sin(2.0 * kPi * freq * i / rate + phase));
  return x;
}

std::vector<float> resample(const Resampler& rs, const std::vector<float>& in) {
  std::vector<float> out(rs.output_frames(in.size()));
  const edgeattn::Status s = rs.process(Span<const float>(in.data(), in.size()), 0, Span<float>(out.data(), out.size()));
  REQUIRE_MESSAGE(s.is_ok(), s.message());
  return out;
}

// Outputs far enough from both ends that the filter sees only signal.
struct Interior {
  size_t begin, end;
};
Interior interior(const Resampler& rs, size_t n_out) {
  const size_t margin = rs.taps() * 16000 / rs.in_rate() + 8;
  return {margin, n_out - margin};
}

constexpr uint32_t kRates[] = {8000, 11025, 22050, 44100, 48000};

}  // namespace

TEST_CASE("passband: sines below 0.9 of the lower Nyquist match the analytic sine at 16 kHz") {
  double worst_err = 0.0, worst_db = 0.0;
  for (uint32_t rate : kRates) {
    auto rs = Resampler::create(rate, 16000);
    REQUIRE_MESSAGE(rs.is_ok(), rs.status().message());
    const double edge = 0.9 * std::min(rate, 16000u) / 2.0;
    double rate_err = 0.0, rate_db = 0.0;
    for (double f = 50.0; f <= edge; f += edge / 23.0) {
      const size_t n = rate / 2;  // 0.5 s
      const std::vector<float> out = resample(*rs, tone(f, rate, n));
      const std::vector<float> want = tone(f, 16000.0, out.size());
      const Interior in = interior(*rs, out.size());
      double err = 0.0, yw = 0.0, ww = 0.0;
      for (size_t i = in.begin; i < in.end; ++i) {
        err = std::max(err, std::fabs(static_cast<double>(out[i]) - want[i]));
        yw += static_cast<double>(out[i]) * want[i];
        ww += static_cast<double>(want[i]) * want[i];
      }
      // Least-squares gain of the output against the analytic tone.
      const double gain_db = 20.0 * std::log10(yw / ww);
      rate_err = std::max(rate_err, err);
      rate_db = std::max(rate_db, std::fabs(gain_db));
    }
    std::printf("resampler %5u -> 16000: passband max |error| %.2e, amplitude ripple +-%.2e dB, %zu taps\n", rate,
                rate_err, rate_db, rs->taps());
    worst_err = std::max(worst_err, rate_err);
    worst_db = std::max(worst_db, rate_db);
  }
  // The Kaiser design (A = 100 dB) gives ripple ~1e-5; float coefficients
  // and accumulation add ~1e-6; the float input tone itself is rounded to
  // 6e-8. 5e-5 (-86 dB) and 5e-4 dB are the bounds resampler.h states, with margin.
  CHECK(worst_err < 5e-5);
  CHECK(worst_db < 5e-4);
}

TEST_CASE("stopband: tones from the lower Nyquist up are at least 80 dB down") {
  for (uint32_t rate : kRates) {
    auto rs = Resampler::create(rate, 16000);
    REQUIRE(rs.is_ok());
    double worst = 0.0;
    // Downsampling: input tones in [8 kHz, rate/2) would alias. Upsampling:
    // the images of input tones in [0.9 .. 1.0) of the input Nyquist land
    // above it; the error against the analytic tone at 16 kHz measures them
    // (a tone of the input band has no business above rate/2).
    const double lo = std::min(rate, 16000u) / 2.0;
    const double hi = rate / 2.0;
    if (rate > 16000) {
      for (double f = lo; f < hi; f += (hi - lo) / 37.0) {
        const std::vector<float> out = resample(*rs, tone(f, rate, rate / 2));
        const Interior in = interior(*rs, out.size());
        for (size_t i = in.begin; i < in.end; ++i) worst = std::max(worst, std::fabs(static_cast<double>(out[i])));
      }
    } else {
      // Upsampling: a tone at f has an image at rate - f; measure the output
      // content above the input Nyquist by removing the wanted tone.
      for (double f = 100.0; f < 0.9 * lo; f += 0.9 * lo / 17.0) {
        const std::vector<float> out = resample(*rs, tone(f, rate, rate / 2));
        const std::vector<float> want = tone(f, 16000.0, out.size());
        const Interior in = interior(*rs, out.size());
        for (size_t i = in.begin; i < in.end; ++i) worst = std::max(worst, std::fabs(static_cast<double>(out[i]) - want[i]));
      }
    }
    const double db = -20.0 * std::log10(std::max(worst, 1e-12));
    std::printf("resampler %5u -> 16000: stopband peak %.2e (%.1f dB down)\n", rate, worst, db);
    CHECK(db >= 80.0);
  }
}

TEST_CASE("equal rates copy; odd rates interpolate phases; chunks equal the whole") {
  auto same = Resampler::create(16000, 16000);
  REQUIRE(same.is_ok());
  const std::vector<float> x = tone(440.0, 16000.0, 1000);
  CHECK(resample(*same, x) == x);

  // 44101 Hz: L = 16000, M = 44101 (gcd 1): interpolated phase table.
  auto odd = Resampler::create(44101, 16000);
  REQUIRE(odd.is_ok());
  const std::vector<float> out = resample(*odd, tone(1000.0, 44101.0, 44101 / 2));
  const std::vector<float> want = tone(1000.0, 16000.0, out.size());
  const Interior in = interior(*odd, out.size());
  double err = 0.0;
  for (size_t i = in.begin; i < in.end; ++i) err = std::max(err, std::fabs(static_cast<double>(out[i]) - want[i]));
  std::printf("resampler 44101 -> 16000 (interpolated phases): 1 kHz max |error| %.2e\n", err);
  CHECK(err < 1e-4);

  // Any output range computed alone equals the same range of a whole run.
  auto rs = Resampler::create(44100, 16000);
  REQUIRE(rs.is_ok());
  const std::vector<float> sig = tone(3000.0, 44100.0, 10000);
  const std::vector<float> whole = resample(*rs, sig);
  std::vector<float> chunk(333);
  for (size_t first = 0; first < whole.size(); first += chunk.size()) {
    const size_t n = std::min(chunk.size(), whole.size() - first);
    REQUIRE(rs->process(Span<const float>(sig.data(), sig.size()), first, Span<float>(chunk.data(), n)).is_ok());
    for (size_t j = 0; j < n; ++j) CHECK(chunk[j] == whole[first + j]);
  }
  CHECK(whole.size() == (10000 * 160 + 440) / 441);
  float one[1];
  CHECK_FALSE(rs->process(Span<const float>(sig.data(), sig.size()), whole.size(), Span<float>(one, 1)).is_ok());
  CHECK_FALSE(Resampler::create(999, 16000).is_ok());
  CHECK_FALSE(Resampler::create(16000, 384001).is_ok());
}
