// NEON RMSNorm: same formula and order as the reference (ss/n + eps,
// 1/sqrtf, gamma * (scale * x)); only the sum of squares is reordered.
#include <cmath>

#include "kernels/arm/neon.h"
#include "kernels/arm/neon_math.h"

namespace edgeattn {

void f32_rmsnorm_ukernel__neon(size_t rows, size_t cols, const float* x, size_t x_stride,
                               const float* gamma, float eps, float* y, size_t y_stride) {
  for (size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * x_stride;
    float* yr = y + r * y_stride;
    float32x4_t a0 = vdupq_n_f32(0.0f), a1 = a0, a2 = a0, a3 = a0;
    size_t c = 0;
    for (; c + 16 <= cols; c += 16) {
      const float32x4_t v0 = vld1q_f32(xr + c);
      const float32x4_t v1 = vld1q_f32(xr + c + 4);
      const float32x4_t v2 = vld1q_f32(xr + c + 8);
      const float32x4_t v3 = vld1q_f32(xr + c + 12);
      a0 = neon_fma(a0, v0, v0);
      a1 = neon_fma(a1, v1, v1);
      a2 = neon_fma(a2, v2, v2);
      a3 = neon_fma(a3, v3, v3);
    }
    for (; c + 4 <= cols; c += 4) {
      const float32x4_t v = vld1q_f32(xr + c);
      a0 = neon_fma(a0, v, v);
    }
    if (c < cols) {
      const float32x4_t v = neon_load_partial(xr + c, cols - c);  // zero padded
      a1 = neon_fma(a1, v, v);
    }
    float ss = neon_hsum(vaddq_f32(vaddq_f32(a0, a1), vaddq_f32(a2, a3)));
    ss /= static_cast<float>(cols);
    ss += eps;
    const float32x4_t scale = vdupq_n_f32(1.0f / sqrtf(ss));
    c = 0;
    for (; c + 4 <= cols; c += 4) {
      vst1q_f32(yr + c, vmulq_f32(vld1q_f32(gamma + c), vmulq_f32(scale, vld1q_f32(xr + c))));
    }
    if (c < cols) {
      const size_t n = cols - c;
      neon_store_partial(yr + c, n,
                         vmulq_f32(neon_load_partial(gamma + c, n),
                                   vmulq_f32(scale, neon_load_partial(xr + c, n))));
    }
  }
}

}  // namespace edgeattn
