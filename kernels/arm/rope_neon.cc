// NEON rotary embedding. vld2q/vst2q de-interleave and re-interleave the
// (even, odd) pairs for free, so both layouts share one rotation:
//   interleaved: x pairs and (cos, sin) pairs both come from vld2q;
//   half: x[i] and x[i + half] are plain loads, (cos, sin) from vld2q.
#include "kernels/arm/neon.h"
#include "kernels/arm/neon_math.h"

namespace edgeattn {

namespace {

inline void rotate(float32x4_t x0, float32x4_t x1, float32x4x2_t cs, float32x4_t* y0,
                   float32x4_t* y1) {
  // y0 = x0 cos - x1 sin; y1 = x0 sin + x1 cos
  *y0 = neon_fms(vmulq_f32(x0, cs.val[0]), x1, cs.val[1]);
  *y1 = neon_fma(vmulq_f32(x0, cs.val[1]), x1, cs.val[0]);
}

void rope_head(float* xh, size_t half, const float* cs, RopeStyle style) {
  size_t i = 0;
  if (style == RopeStyle::kInterleaved) {
    for (; i + 4 <= half; i += 4) {
      const float32x4x2_t x = vld2q_f32(xh + 2 * i);
      float32x4x2_t y;
      rotate(x.val[0], x.val[1], vld2q_f32(cs + 2 * i), &y.val[0], &y.val[1]);
      vst2q_f32(xh + 2 * i, y);
    }
  } else {
    for (; i + 4 <= half; i += 4) {
      float32x4_t y0, y1;
      rotate(vld1q_f32(xh + i), vld1q_f32(xh + i + half), vld2q_f32(cs + 2 * i), &y0, &y1);
      vst1q_f32(xh + i, y0);
      vst1q_f32(xh + i + half, y1);
    }
  }
  for (; i < half; ++i) {
    float* p0 = style == RopeStyle::kInterleaved ? xh + 2 * i : xh + i;
    float* p1 = style == RopeStyle::kInterleaved ? xh + 2 * i + 1 : xh + i + half;
    const float v0 = *p0, v1 = *p1;
    const float c = cs[2 * i], s = cs[2 * i + 1];
    *p0 = v0 * c - v1 * s;
    *p1 = v0 * s + v1 * c;
  }
}

}  // namespace

void f32_rope_ukernel__neon(float* x, size_t n_tokens, size_t token_stride, size_t n_heads,
                            size_t head_dim, size_t rotary_dim, size_t pos0,
                            const float* cos_sin, RopeStyle style) {
  const size_t half = rotary_dim / 2;
  for (size_t t = 0; t < n_tokens; ++t) {
    const float* cs = cos_sin + (pos0 + t) * rotary_dim;
    for (size_t h = 0; h < n_heads; ++h) {
      rope_head(x + t * token_stride + h * head_dim, half, cs, style);
    }
  }
}

}  // namespace edgeattn
