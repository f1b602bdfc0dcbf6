// NEON exact GELU: y = 0.5 x (1 + erf(x / sqrt(2))) with neon_gelu.
#include "kernels/arm/neon.h"
#include "kernels/arm/neon_math.h"

namespace edgeattn {

namespace {

inline float32x4_t gelu4(float32x4_t x) { return neon_gelu(x); }

}  // namespace

void f32_gelu_ukernel__neon(size_t n, const float* x, float* y) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const float32x4_t y0 = gelu4(vld1q_f32(x + i));
    const float32x4_t y1 = gelu4(vld1q_f32(x + i + 4));
    vst1q_f32(y + i, y0);
    vst1q_f32(y + i + 4, y1);
  }
  for (; i + 4 <= n; i += 4) vst1q_f32(y + i, gelu4(vld1q_f32(x + i)));
  if (i < n) neon_store_partial(y + i, n - i, gelu4(neon_load_partial(x + i, n - i)));
}

}  // namespace edgeattn
