// Reference LayerNorm: two-pass mean/variance accumulated in double.
// Two passes (not Welford, not E[x^2]-E[x]^2) because it is the textbook
// definition and cannot lose precision when |mean| >> stddev.
#include "kernels/reference/reference.h"

#include <cmath>

namespace edgeattn {

void f32_layernorm_ukernel__reference(size_t rows, size_t cols, const float* x,
                                      size_t x_stride, const float* gamma,
                                      const float* beta, float eps, float* y,
                                      size_t y_stride) {
  for (size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * x_stride;
    float* yr = y + r * y_stride;
    double sum = 0.0;
    for (size_t c = 0; c < cols; ++c) sum += xr[c];
    const double mean = sum / static_cast<double>(cols);
    double sq = 0.0;
    for (size_t c = 0; c < cols; ++c) {
      const double d = xr[c] - mean;
      sq += d * d;
    }
    const double var = sq / static_cast<double>(cols);  // biased, as in PyTorch
    const double rstd = 1.0 / std::sqrt(var + static_cast<double>(eps));
    // Writing yr[c] after reading xr[c] keeps x == y (in place) correct.
    for (size_t c = 0; c < cols; ++c) {
      yr[c] = static_cast<float>((xr[c] - mean) * rstd * gamma[c] + beta[c]);
    }
  }
}

}  // namespace edgeattn
