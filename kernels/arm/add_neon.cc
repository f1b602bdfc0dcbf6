// NEON elementwise add. Bit-exact with the reference (IEEE addition).
#include "kernels/arm/neon.h"
#include "kernels/arm/neon_math.h"

namespace edgeattn {

void f32_add_ukernel__neon(size_t n, const float* a, const float* b, float* y) {
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    // All loads before the stores: y may alias a or b.
    const float32x4_t s0 = vaddq_f32(vld1q_f32(a + i), vld1q_f32(b + i));
    const float32x4_t s1 = vaddq_f32(vld1q_f32(a + i + 4), vld1q_f32(b + i + 4));
    const float32x4_t s2 = vaddq_f32(vld1q_f32(a + i + 8), vld1q_f32(b + i + 8));
    const float32x4_t s3 = vaddq_f32(vld1q_f32(a + i + 12), vld1q_f32(b + i + 12));
    vst1q_f32(y + i, s0);
    vst1q_f32(y + i + 4, s1);
    vst1q_f32(y + i + 8, s2);
    vst1q_f32(y + i + 12, s3);
  }
  for (; i + 4 <= n; i += 4) vst1q_f32(y + i, vaddq_f32(vld1q_f32(a + i), vld1q_f32(b + i)));
  for (; i < n; ++i) y[i] = a[i] + b[i];
}

}  // namespace edgeattn
