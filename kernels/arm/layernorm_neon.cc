// NEON LayerNorm: two float passes (mean, then mean squared deviation), then
// y = (x - mean) * rstd * gamma + beta. See layernorm_avx2.cc for why two
// passes.
#include <cmath>

#include "kernels/arm/neon.h"
#include "kernels/arm/neon_math.h"

namespace edgeattn {

void f32_layernorm_ukernel__neon(size_t rows, size_t cols, const float* x, size_t x_stride,
                                 const float* gamma, const float* beta, float eps, float* y,
                                 size_t y_stride) {
  for (size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * x_stride;
    float* yr = y + r * y_stride;
    const size_t tail = cols & 3;
    const size_t c4 = cols - tail;

    float32x4_t s0 = vdupq_n_f32(0.0f), s1 = s0, s2 = s0, s3 = s0;
    size_t c = 0;
    for (; c + 16 <= cols; c += 16) {
      s0 = vaddq_f32(s0, vld1q_f32(xr + c));
      s1 = vaddq_f32(s1, vld1q_f32(xr + c + 4));
      s2 = vaddq_f32(s2, vld1q_f32(xr + c + 8));
      s3 = vaddq_f32(s3, vld1q_f32(xr + c + 12));
    }
    for (; c < c4; c += 4) s0 = vaddq_f32(s0, vld1q_f32(xr + c));
    float sum = neon_hsum(vaddq_f32(vaddq_f32(s0, s1), vaddq_f32(s2, s3)));
    for (; c < cols; ++c) sum += xr[c];
    const float mean = sum / static_cast<float>(cols);
    const float32x4_t vmean = vdupq_n_f32(mean);

    s0 = s1 = s2 = s3 = vdupq_n_f32(0.0f);
    c = 0;
    for (; c + 16 <= cols; c += 16) {
      const float32x4_t d0 = vsubq_f32(vld1q_f32(xr + c), vmean);
      const float32x4_t d1 = vsubq_f32(vld1q_f32(xr + c + 4), vmean);
      const float32x4_t d2 = vsubq_f32(vld1q_f32(xr + c + 8), vmean);
      const float32x4_t d3 = vsubq_f32(vld1q_f32(xr + c + 12), vmean);
      s0 = neon_fma(s0, d0, d0);
      s1 = neon_fma(s1, d1, d1);
      s2 = neon_fma(s2, d2, d2);
      s3 = neon_fma(s3, d3, d3);
    }
    for (; c < c4; c += 4) {
      const float32x4_t d = vsubq_f32(vld1q_f32(xr + c), vmean);
      s0 = neon_fma(s0, d, d);
    }
    float sq = neon_hsum(vaddq_f32(vaddq_f32(s0, s1), vaddq_f32(s2, s3)));
    for (; c < cols; ++c) sq += (xr[c] - mean) * (xr[c] - mean);
    const float rstd = 1.0f / sqrtf(sq / static_cast<float>(cols) + eps);
    const float32x4_t vrstd = vdupq_n_f32(rstd);

    for (c = 0; c < c4; c += 4) {
      const float32x4_t n = vmulq_f32(vsubq_f32(vld1q_f32(xr + c), vmean), vrstd);
      vst1q_f32(yr + c, neon_fma(vld1q_f32(beta + c), n, vld1q_f32(gamma + c)));
    }
    for (; c < cols; ++c) yr[c] = (xr[c] - mean) * rstd * gamma[c] + beta[c];
  }
}

}  // namespace edgeattn
