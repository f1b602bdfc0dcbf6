// Reference activation epilogue: y = act(x * pre_scale + pre_shift) *
// post_scale + post_shift, every step in double and one rounding at the end
// (the oracle is more accurate than any float kernel it checks).
// Sigmoid goes through e = exp(-|v|), which never overflows (see silu_mul.cc).
#include <cmath>

#include "kernels/reference/portable_math.h"
#include "kernels/reference/reference.h"

namespace edgeattn {

namespace {

double sigmoid(double v) {
  const double e = portable_exp(-std::fabs(v));
  return v >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
}

double activate(double v, const ActivationParams& p) {
  switch (p.kind) {
    case ActKind::kNone: return v;
    case ActKind::kRelu: return v > 0.0 ? v : 0.0;
    case ActKind::kRelu6: return v > 0.0 ? (v < 6.0 ? v : 6.0) : 0.0;
    case ActKind::kSigmoid: return sigmoid(v);
    case ActKind::kHardSigmoid: {
      const double h = static_cast<double>(p.alpha) * v + static_cast<double>(p.beta);
      return h > 0.0 ? (h < 1.0 ? h : 1.0) : 0.0;
    }
    case ActKind::kHardSwish: {
      const double r = v + 3.0;
      return v * (r > 0.0 ? (r < 6.0 ? r : 6.0) : 0.0) / 6.0;
    }
    case ActKind::kSilu: return v * sigmoid(v);
    case ActKind::kGelu: return 0.5 * v * (1.0 + portable_erf(v * 0.70710678118654752440));
  }
  return v;
}

}  // namespace

void f32_activation_ukernel__reference(size_t n, const float* x, float* y, const ActivationParams& p) {
  for (size_t i = 0; i < n; ++i) {
    const double v = static_cast<double>(x[i]) * p.pre_scale + p.pre_shift;
    y[i] = static_cast<float>(activate(v, p) * p.post_scale + p.post_shift);
  }
}

}  // namespace edgeattn
