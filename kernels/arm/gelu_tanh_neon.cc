// NEON GPT-2 "gelu_new": y = x * sigmoid(2u), u = sqrt(2/pi)(x + 0.044715 x^3),
// with e = exp(-|2u|) so exp never overflows:
//   x >= 0: y = x / (1 + e);   x < 0: y = x * e / (1 + e).
// Same algorithm and edge cases as gelu_tanh_avx2.cc. armv7 differences: no
// fused multiply-add (vmlaq) and a Newton-refined reciprocal for the divide
// (neon_div), and armv7 NEON flushes denormals to zero, so denormal x give
// 0 instead of ~x/2 (an error below 1e-38).
#include "kernels/arm/neon.h"
#include "kernels/arm/neon_math.h"

namespace edgeattn {

namespace {

inline float32x4_t gelu_tanh4(float32x4_t x) {
  const float32x4_t one = vdupq_n_f32(1.0f);
  // 2u = x * (2c + 2c * 0.044715 * x^2), c = sqrt(2/pi).
  const float32x4_t x2 = vmulq_f32(x, x);
  const float32x4_t p =
      neon_fma(vdupq_n_f32(1.5957691216057308f), x2, vdupq_n_f32(0.07135481627260025f));
  const float32x4_t two_u = vmulq_f32(x, p);  // same sign as x
  const float32x4_t e = neon_exp(vnegq_f32(vabsq_f32(two_u)));
  // Numerator e where x's sign bit is set, else 1.
  const uint32x4_t negative =
      vreinterpretq_u32_s32(vshrq_n_s32(vreinterpretq_s32_f32(x), 31));
  const float32x4_t num = vbslq_f32(negative, e, one);
  return neon_div(vmulq_f32(x, num), vaddq_f32(one, e));
}

}  // namespace

void f32_gelu_tanh_ukernel__neon(size_t n, const float* x, float* y) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const float32x4_t y0 = gelu_tanh4(vld1q_f32(x + i));
    const float32x4_t y1 = gelu_tanh4(vld1q_f32(x + i + 4));
    vst1q_f32(y + i, y0);
    vst1q_f32(y + i + 4, y1);
  }
  for (; i + 4 <= n; i += 4) vst1q_f32(y + i, gelu_tanh4(vld1q_f32(x + i)));
  if (i < n) neon_store_partial(y + i, n - i, gelu_tanh4(neon_load_partial(x + i, n - i)));
}

}  // namespace edgeattn
