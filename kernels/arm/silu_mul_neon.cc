// NEON SwiGLU gate: y = gate * sigmoid(gate) * up, sigmoid through
// e = exp(-|g|) so it never overflows (see silu_mul_avx2.cc).
#include "kernels/arm/neon.h"
#include "kernels/arm/neon_math.h"

namespace edgeattn {

namespace {

inline float32x4_t silu_mul4(float32x4_t g, float32x4_t u) {
  const float32x4_t one = vdupq_n_f32(1.0f);
  const float32x4_t e = neon_exp(vnegq_f32(vabsq_f32(g)));
  const float32x4_t num = vbslq_f32(vcltq_f32(g, vdupq_n_f32(0.0f)), e, one);
  const float32x4_t sigmoid = neon_div(num, vaddq_f32(one, e));
  return vmulq_f32(vmulq_f32(g, sigmoid), u);
}

}  // namespace

void f32_silu_mul_ukernel__neon(size_t n, const float* gate, const float* up, float* y) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const float32x4_t y0 = silu_mul4(vld1q_f32(gate + i), vld1q_f32(up + i));
    const float32x4_t y1 = silu_mul4(vld1q_f32(gate + i + 4), vld1q_f32(up + i + 4));
    vst1q_f32(y + i, y0);
    vst1q_f32(y + i + 4, y1);
  }
  for (; i + 4 <= n; i += 4) vst1q_f32(y + i, silu_mul4(vld1q_f32(gate + i), vld1q_f32(up + i)));
  if (i < n) {
    const size_t r = n - i;
    neon_store_partial(y + i, r,
                       silu_mul4(neon_load_partial(gate + i, r), neon_load_partial(up + i, r)));
  }
}

}  // namespace edgeattn
