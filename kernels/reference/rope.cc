// Reference rotary position embedding, in float and in llama2.c's order:
//   x0' = x0 * cos - x1 * sin;   x1' = x0 * sin + x1 * cos
// so a decoder on this table reproduces llama2.c bit for bit.
#include "kernels/reference/reference.h"

namespace edgeattn {

void f32_rope_ukernel__reference(float* x, size_t n_tokens, size_t token_stride,
                                 size_t n_heads, size_t head_dim, size_t rotary_dim,
                                 size_t pos0, const float* cos_sin, RopeStyle style) {
  const size_t half = rotary_dim / 2;
  for (size_t t = 0; t < n_tokens; ++t) {
    // Row pos of the table holds `half` (cos, sin) pairs.
    const float* cs = cos_sin + (pos0 + t) * rotary_dim;
    for (size_t h = 0; h < n_heads; ++h) {
      float* xh = x + t * token_stride + h * head_dim;
      for (size_t i = 0; i < half; ++i) {
        const float c = cs[2 * i];
        const float s = cs[2 * i + 1];
        // Interleaved pairs (x[2i], x[2i+1]); half pairs (x[i], x[i + half]).
        float* p0 = style == RopeStyle::kInterleaved ? xh + 2 * i : xh + i;
        float* p1 = style == RopeStyle::kInterleaved ? xh + 2 * i + 1 : xh + i + half;
        const float v0 = *p0;
        const float v1 = *p1;
        *p0 = v0 * c - v1 * s;
        *p1 = v0 * s + v1 * c;
      }
    }
  }
}

}  // namespace edgeattn
