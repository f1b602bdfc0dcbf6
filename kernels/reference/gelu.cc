// Reference exact GELU: x * Phi(x) = 0.5 * x * (1 + erf(x / sqrt(2))),
// evaluated in double. Double matters for x << 0, where 1 + erf(.) cancels:
// in float, GELU(-5) would keep only ~1 significant digit.
#include "kernels/reference/portable_math.h"
#include "kernels/reference/reference.h"

#include <cmath>

namespace edgeattn {

void f32_gelu_ukernel__reference(size_t n, const float* x, float* y) {
  const double kRsqrt2 = 0.70710678118654752440;
  for (size_t i = 0; i < n; ++i) {
    const double v = x[i];
    y[i] = static_cast<float>(0.5 * v * (1.0 + portable_erf(v * kRsqrt2)));
  }
}

}  // namespace edgeattn
