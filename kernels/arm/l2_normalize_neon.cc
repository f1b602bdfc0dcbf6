// NEON L2 normalization: float sum of squares, then y = x * (1 / max(norm, eps)).
#include <cmath>

#include "kernels/arm/neon.h"
#include "kernels/arm/neon_math.h"

namespace edgeattn {

void f32_l2_normalize_ukernel__neon(size_t rows, size_t cols, const float* x, float eps,
                                    float* y) {
  for (size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    float* yr = y + r * cols;
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
    float sq = neon_hsum(vaddq_f32(vaddq_f32(a0, a1), vaddq_f32(a2, a3)));
    for (; c < cols; ++c) sq += xr[c] * xr[c];
    float norm = sqrtf(sq);
    if (norm < eps) norm = eps;
    const float inv = 1.0f / norm;
    const float32x4_t vinv = vdupq_n_f32(inv);
    for (c = 0; c + 4 <= cols; c += 4) vst1q_f32(yr + c, vmulq_f32(vld1q_f32(xr + c), vinv));
    for (; c < cols; ++c) yr[c] = xr[c] * inv;
  }
}

}  // namespace edgeattn
