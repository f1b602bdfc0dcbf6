// NEON SSRU recurrence (kernels.h documents the op), vectorized over width
// like x86/ssru_avx2.cc: column blocks outside, steps inside, the block's
// state in registers across steps (only the final multiply-add of a step
// depends on the previous step).
//
// Per lane, Marian's formula with the vector exp (neon_math.h):
//   e = exp(-|f|);  g = (f > 0 ? 1 : e) / (1 + e)
//   c = (1 - g) * x + g * c   (fused on AArch64 / VFPv4);  h = max(c, +0)
// exp(-|f|) never overflows and flushes to 0 below -87.3, so g is exactly
// 0 or 1 there, never NaN. armv7 divides through a refined reciprocal
// estimate (neon_div, ~1 ulp) and flushes subnormals (g or c below 2^-126),
// both well inside the tolerance (kernels/README.md, "SSRU").
// h = vmaxq(c, +0): FMAX orders -0 below +0, so c = -0 gives +0 like
// Marian's `c > 0 ? c : 0`.
// Every lane does the same operations whatever the block, tail or number of
// steps per call (built with -ffp-contract=off), so splitting the steps over
// calls gives the same bits.
#include "kernels/arm/neon.h"
#include "kernels/arm/neon_math.h"

namespace edgeattn {

namespace {

// One step of one 4-column vector: returns the new state.
inline float32x4_t ssru_step4(float32x4_t c, float32x4_t x, float32x4_t f) {
  const float32x4_t one = vdupq_n_f32(1.0f);
  const float32x4_t e = neon_exp(vnegq_f32(vabsq_f32(f)));  // exp(-|f|)
  const uint32x4_t positive = vcgtq_f32(f, vdupq_n_f32(0.0f));
  const float32x4_t g = neon_div(vbslq_f32(positive, one, e), vaddq_f32(one, e));
  return neon_fma(vmulq_f32(vsubq_f32(one, g), x), g, c);
}

inline float32x4_t relu4(float32x4_t c) { return vmaxq_f32(c, vdupq_n_f32(0.0f)); }

// All steps for kVecs full vectors of columns starting at x, f, c, h.
template <size_t kVecs>
void ssru_block(size_t steps, const float* x, size_t x_stride, const float* f, size_t f_stride,
                float* c, float* h, size_t h_stride) {
  float32x4_t state[kVecs];
  for (size_t v = 0; v < kVecs; ++v) state[v] = vld1q_f32(c + 4 * v);
  for (size_t t = 0; t < steps; ++t) {
    const float* xt = x + t * x_stride;
    const float* ft = f + t * f_stride;
    float* ht = h + t * h_stride;
    for (size_t v = 0; v < kVecs; ++v) {
      state[v] = ssru_step4(state[v], vld1q_f32(xt + 4 * v), vld1q_f32(ft + 4 * v));
      vst1q_f32(ht + 4 * v, relu4(state[v]));
    }
  }
  for (size_t v = 0; v < kVecs; ++v) vst1q_f32(c + 4 * v, state[v]);
}

// The last n < 4 columns through zero-padded partial loads and stores
// (padding lanes: f = 0, g = 1/2, finite; never stored).
void ssru_tail(size_t steps, size_t n, const float* x, size_t x_stride, const float* f,
               size_t f_stride, float* c, float* h, size_t h_stride) {
  float32x4_t state = neon_load_partial(c, n);
  for (size_t t = 0; t < steps; ++t) {
    state = ssru_step4(state, neon_load_partial(x + t * x_stride, n),
                       neon_load_partial(f + t * f_stride, n));
    neon_store_partial(h + t * h_stride, n, relu4(state));
  }
  neon_store_partial(c, n, state);
}

}  // namespace

void f32_ssru_ukernel__neon(size_t steps, size_t width, const float* x, size_t x_stride,
                            const float* f, size_t f_stride, float* c, float* h,
                            size_t h_stride) {
  size_t i = 0;
  // 16 columns per block: four independent exp/divide chains per step.
  for (; i + 16 <= width; i += 16) {
    ssru_block<4>(steps, x + i, x_stride, f + i, f_stride, c + i, h + i, h_stride);
  }
  for (; i + 4 <= width; i += 4) {
    ssru_block<1>(steps, x + i, x_stride, f + i, f_stride, c + i, h + i, h_stride);
  }
  if (i < width) {
    ssru_tail(steps, width - i, x + i, x_stride, f + i, f_stride, c + i, h + i, h_stride);
  }
}

}  // namespace edgeattn
