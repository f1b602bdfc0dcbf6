// AVX2+FMA SSRU recurrence (kernels.h documents the op), vectorized over
// width. The columns are independent, so the loop runs column blocks outside
// and steps inside: a block's state stays in registers for all steps, and
// only the final FMA of each step depends on the previous one (the sigmoid
// depends on f alone), so successive steps overlap in the pipeline.
//
// Per lane, Marian's formula with the vector exp (avx2_math.h, <= 2 ulp):
//   e = exp(-|f|);  g = (f > 0 ? 1 : e) / (1 + e)
//   c = fma(g, c, (1 - g) * x);  h = max(c, +0)
// exp(-|f|) never overflows; below -87.3 it flushes to 0, so g is exactly
// 0 or 1 there (the reference's g = 1 or a subnormal), never NaN.
// _mm256_max_ps(c, +0) returns its second operand for c = -0, so h is +0
// there like Marian's `c > 0 ? c : 0`.
// Every lane does the same operations whatever the block, tail or number of
// steps per call, so splitting the steps over calls gives the same bits.
#include "kernels/x86/avx2.h"
#include "kernels/x86/avx2_math.h"

namespace edgeattn {

namespace {

// One step of one 8-column vector: returns the new state.
inline __m256 ssru_step8(__m256 c, __m256 x, __m256 f) {
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 e = avx2_exp(_mm256_or_ps(f, _mm256_set1_ps(-0.0f)));  // exp(-|f|)
  const __m256 positive = _mm256_cmp_ps(f, _mm256_setzero_ps(), _CMP_GT_OQ);
  const __m256 g = _mm256_div_ps(_mm256_blendv_ps(e, one, positive), _mm256_add_ps(one, e));
  return _mm256_fmadd_ps(g, c, _mm256_mul_ps(_mm256_sub_ps(one, g), x));
}

// All steps for kVecs full vectors of columns starting at x, f, c, h.
template <size_t kVecs>
void ssru_block(size_t steps, const float* x, size_t x_stride, const float* f, size_t f_stride,
                float* c, float* h, size_t h_stride) {
  __m256 state[kVecs];
  for (size_t v = 0; v < kVecs; ++v) state[v] = _mm256_loadu_ps(c + 8 * v);
  for (size_t t = 0; t < steps; ++t) {
    const float* xt = x + t * x_stride;
    const float* ft = f + t * f_stride;
    float* ht = h + t * h_stride;
    for (size_t v = 0; v < kVecs; ++v) {
      state[v] = ssru_step8(state[v], _mm256_loadu_ps(xt + 8 * v), _mm256_loadu_ps(ft + 8 * v));
      _mm256_storeu_ps(ht + 8 * v, _mm256_max_ps(state[v], _mm256_setzero_ps()));
    }
  }
  for (size_t v = 0; v < kVecs; ++v) _mm256_storeu_ps(c + 8 * v, state[v]);
}

// The last n < 8 columns: masked loads (masked lanes read as 0, so f = 0
// gives g = 1/2 there, finite) and masked stores (nothing past the row).
void ssru_tail(size_t steps, size_t n, const float* x, size_t x_stride, const float* f,
               size_t f_stride, float* c, float* h, size_t h_stride) {
  const __m256i mask = avx2_tail_mask(n);
  __m256 state = _mm256_maskload_ps(c, mask);
  for (size_t t = 0; t < steps; ++t) {
    state = ssru_step8(state, _mm256_maskload_ps(x + t * x_stride, mask),
                       _mm256_maskload_ps(f + t * f_stride, mask));
    _mm256_maskstore_ps(h + t * h_stride, mask, _mm256_max_ps(state, _mm256_setzero_ps()));
  }
  _mm256_maskstore_ps(c, mask, state);
}

}  // namespace

void f32_ssru_ukernel__avx2(size_t steps, size_t width, const float* x, size_t x_stride,
                            const float* f, size_t f_stride, float* c, float* h,
                            size_t h_stride) {
  size_t i = 0;
  // 32 columns per block: four independent exp/divide chains per step.
  for (; i + 32 <= width; i += 32) {
    ssru_block<4>(steps, x + i, x_stride, f + i, f_stride, c + i, h + i, h_stride);
  }
  for (; i + 8 <= width; i += 8) {
    ssru_block<1>(steps, x + i, x_stride, f + i, f_stride, c + i, h + i, h_stride);
  }
  if (i < width) {
    ssru_tail(steps, width - i, x + i, x_stride, f + i, f_stride, c + i, h + i, h_stride);
  }
}

}  // namespace edgeattn
