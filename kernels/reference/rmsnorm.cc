// Reference RMSNorm, computed exactly like llama2.c's rmsnorm():
//   ss = sum(x*x) in float, sequential; ss /= n; ss += eps; ss = 1/sqrtf(ss);
//   y = gamma * (ss * x)
// in that order and in float, so a decoder on this table reproduces llama2.c
// bit for bit. (Not double, unlike layernorm: exactness beats accuracy here.)
#include "kernels/reference/reference.h"

#include <cmath>

namespace edgeattn {

void f32_rmsnorm_ukernel__reference(size_t rows, size_t cols, const float* x,
                                    size_t x_stride, const float* gamma, float eps,
                                    float* y, size_t y_stride) {
  for (size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * x_stride;
    float* yr = y + r * y_stride;
    float ss = 0.0f;
    for (size_t c = 0; c < cols; ++c) ss += xr[c] * xr[c];
    ss /= static_cast<float>(cols);
    ss += eps;
    ss = 1.0f / sqrtf(ss);
    for (size_t c = 0; c < cols; ++c) yr[c] = gamma[c] * (ss * xr[c]);
  }
}

}  // namespace edgeattn
