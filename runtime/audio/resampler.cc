// Windowed-sinc polyphase resampler (design in resampler.h).
#include "runtime/audio/resampler.h"

#include <cmath>
#include <cstring>

namespace edgeattn {
namespace {

constexpr double kPi = 3.14159265358979323846;
// Kaiser design for A = 100 dB (see resampler.h).
constexpr double kKaiserBeta = 10.06;
// Half-width in samples of the lower rate: (A - 7.95) / (14.36 * 0.05) / 2.
constexpr double kHalfWidthLowerSamples = 64.1;
// Cutoff as a fraction of the lower Nyquist: middle of the 0.90..1.00 transition.
constexpr double kCutoffOfNyquist = 0.95;

uint64_t gcd(uint64_t a, uint64_t b) {
  while (b != 0) {
    const uint64_t t = a % b;
    a = b;
    b = t;
  }
  return a;
}

// Modified Bessel function of the first kind, order 0 (power series).
double bessel_i0(double x) {
  double sum = 1.0, term = 1.0;
  const double q = x * x / 4.0;
  for (int k = 1; k < 200; ++k) {
    term *= q / (static_cast<double>(k) * k);
    sum += term;
    if (term < 1e-21 * sum) break;
  }
  return sum;
}

// The prototype at t input samples: 2c sinc(2ct) * kaiser(t / half_width).
double prototype(double t, double cutoff, double half_width) {
  const double r = t / half_width;
  if (r <= -1.0 || r >= 1.0) return 0.0;
  const double x = 2.0 * cutoff * t;
  const double sinc = x == 0.0 ? 1.0 : std::sin(kPi * x) / (kPi * x);
  const double window = bessel_i0(kKaiserBeta * std::sqrt(1.0 - r * r)) / bessel_i0(kKaiserBeta);
  return 2.0 * cutoff * sinc * window;
}

// Dot product with four accumulators (lets the compiler keep several sums in
// flight; the order is fixed, so results do not depend on the build).
inline float dot(const float* x, const float* h, size_t n) {
  float a0 = 0.0f, a1 = 0.0f, a2 = 0.0f, a3 = 0.0f;
  size_t k = 0;
  for (; k + 4 <= n; k += 4) {
    a0 += x[k] * h[k];
    a1 += x[k + 1] * h[k + 1];
    a2 += x[k + 2] * h[k + 2];
    a3 += x[k + 3] * h[k + 3];
  }
  for (; k < n; ++k) a0 += x[k] * h[k];
  return (a0 + a1) + (a2 + a3);
}

// The same where taps fall outside [0, n_in): those samples are zero.
inline float dot_clipped(const float* in, size_t n_in, int64_t start, const float* h, size_t n) {
  float acc = 0.0f;
  for (size_t k = 0; k < n; ++k) {
    const int64_t idx = start + static_cast<int64_t>(k);
    if (idx >= 0 && idx < static_cast<int64_t>(n_in)) acc += in[idx] * h[k];
  }
  return acc;
}

}  // namespace

Result<Resampler> Resampler::create(uint32_t in_rate, uint32_t out_rate) {
  EA_ENSURE(in_rate >= kMinRate && in_rate <= kMaxRate && out_rate >= kMinRate && out_rate <= kMaxRate,
            StatusCode::kInvalidArgument, "resampler: rates %u -> %u Hz, each must be in %u..%u", in_rate,
            out_rate, kMinRate, kMaxRate);
  Resampler rs;
  rs.in_rate_ = in_rate;
  rs.out_rate_ = out_rate;
  const uint64_t g = gcd(in_rate, out_rate);
  rs.up_ = out_rate / g;
  rs.down_ = in_rate / g;
  if (in_rate == out_rate) return rs;
  rs.exact_ = rs.up_ <= kMaxPhases;
  rs.phases_ = rs.exact_ ? static_cast<uint32_t>(rs.up_) : kMaxPhases;
  const double lower = in_rate < out_rate ? in_rate : out_rate;
  const double cutoff = kCutoffOfNyquist * 0.5 * lower / in_rate;  // cycles per input sample
  const double half_width = kHalfWidthLowerSamples * in_rate / lower;
  rs.half_ = static_cast<size_t>(std::ceil(half_width));
  rs.taps_ = 2 * rs.half_;
  EA_RETURN_IF_ERROR(rs.table_.resize((static_cast<size_t>(rs.phases_) + 1) * rs.taps_, "resampler filter table"));
  for (size_t p = 0; p <= rs.phases_; ++p) {
    const double phase = static_cast<double>(p) / rs.phases_;
    float* row = rs.table_.data() + p * rs.taps_;  // [taps]: tap j weights input i + j - H + 1
    double sum = 0.0;
    for (size_t j = 0; j < rs.taps_; ++j) {
      const double k = static_cast<double>(j) - static_cast<double>(rs.half_) + 1.0;
      const double h = prototype(phase - k, cutoff, half_width);
      row[j] = static_cast<float>(h);
      sum += h;
    }
    // DC gain exactly 1 for every phase (no ripple at 0 Hz between phases).
    for (size_t j = 0; j < rs.taps_; ++j) row[j] = static_cast<float>(row[j] / sum);
  }
  return rs;
}

size_t Resampler::output_frames(size_t input_frames) const {
  const uint64_t n = static_cast<uint64_t>(input_frames);
  return static_cast<size_t>((n * up_ + down_ - 1) / down_);
}

Status Resampler::process(Span<const float> in, size_t first_output, Span<float> out) const {
  const size_t total = output_frames(in.size());
  EA_ENSURE(first_output <= total && out.size() <= total - first_output, StatusCode::kInvalidArgument,
            "resampler: outputs [%zu, %zu + %zu) past the %zu outputs of %zu input frames", first_output,
            first_output, out.size(), total, in.size());
  if (in_rate_ == out_rate_) {
    if (!out.empty()) std::memcpy(out.data(), in.data() + first_output, out.size() * sizeof(float));
    return Status::ok();
  }
  const float* table = table_.data();
  for (size_t j = 0; j < out.size(); ++j) {
    const uint64_t pos = static_cast<uint64_t>(first_output + j) * down_;  // input time * L
    const uint64_t i = pos / up_;
    const uint64_t rem = pos % up_;
    uint64_t p = rem;
    float frac = 0.0f;
    if (!exact_) {
      const uint64_t scaled = rem * phases_;
      p = scaled / up_;
      frac = static_cast<float>(static_cast<double>(scaled % up_) / static_cast<double>(up_));
    }
    const int64_t start = static_cast<int64_t>(i) - static_cast<int64_t>(half_) + 1;
    const bool inside = start >= 0 && static_cast<uint64_t>(start) + taps_ <= in.size();
    const float* row = table + p * taps_;
    float y = inside ? dot(in.data() + start, row, taps_) : dot_clipped(in.data(), in.size(), start, row, taps_);
    if (frac != 0.0f) {
      const float* next = row + taps_;
      const float y1 =
          inside ? dot(in.data() + start, next, taps_) : dot_clipped(in.data(), in.size(), start, next, taps_);
      y += frac * (y1 - y);
    }
    out[j] = y;
  }
  return Status::ok();
}

}  // namespace edgeattn
