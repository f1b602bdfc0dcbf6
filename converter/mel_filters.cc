// Slaney mel filterbank as librosa computes it (see mel_filters.h).
#include "converter/mel_filters.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "converter/source/convert_error.h"

namespace edgeattn::convert {
namespace {

// librosa's Slaney scale: 3 mels per 200 Hz up to 1 kHz, then log steps of
// ln(6.4) / 27 per mel.
constexpr double kLinearHzPerMel = 200.0 / 3.0;
constexpr double kLogStartHz = 1000.0;
const double kLogStartMel = kLogStartHz / kLinearHzPerMel;
const double kLogStep = std::log(6.4) / 27.0;

double hz_to_mel(double hz) {
  if (hz >= kLogStartHz) return kLogStartMel + std::log(hz / kLogStartHz) / kLogStep;
  return hz / kLinearHzPerMel;
}

double mel_to_hz(double mel) {
  if (mel >= kLogStartMel) return kLogStartHz * std::exp(kLogStep * (mel - kLogStartMel));
  return kLinearHzPerMel * mel;
}

}  // namespace

std::vector<float> slaney_mel_filters(int sample_rate, int n_fft, int n_mels) {
  if (sample_rate <= 0 || n_fft < 2 || n_mels < 1 || n_mels > 1024) {
    throw_convert_error("mel filters", "sample rate " + std::to_string(sample_rate) + ", n_fft " +
                                           std::to_string(n_fft) + ", n_mels " + std::to_string(n_mels) +
                                           ": expects rate > 0, n_fft >= 2, n_mels 1..1024");
  }
  const int bins = n_fft / 2 + 1;
  // n_mels + 2 edges, evenly spaced in mel (np.linspace: start + i * step, last exact).
  std::vector<double> edges(n_mels + 2);  // [n_mels + 2] Hz
  const double lo = hz_to_mel(0.0), hi = hz_to_mel(sample_rate / 2.0);
  const double step = (hi - lo) / (n_mels + 1);
  for (int i = 0; i < n_mels + 2; ++i) edges[i] = mel_to_hz(i == n_mels + 1 ? hi : lo + i * step);
  std::vector<float> weights(static_cast<size_t>(n_mels) * bins);  // [n_mels, bins]
  for (int m = 0; m < n_mels; ++m) {
    const double left = edges[m], center = edges[m + 1], right = edges[m + 2];
    const double norm = 2.0 / (right - left);  // "slaney": unit area per triangle
    for (int k = 0; k < bins; ++k) {
      const double f = static_cast<double>(k) * sample_rate / n_fft;
      const double rising = (f - left) / (center - left);
      const double falling = (right - f) / (right - center);
      weights[static_cast<size_t>(m) * bins + k] = static_cast<float>(std::max(0.0, std::min(rising, falling)) * norm);
    }
  }
  return weights;
}

}  // namespace edgeattn::convert
