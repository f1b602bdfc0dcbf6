// AVX2 SwiGLU gate: y = gate * sigmoid(gate) * up.
// sigmoid goes through e = exp(-|g|) in (0, 1], which cannot overflow:
//   sigmoid(g) = 1 / (1 + e) for g >= 0,  e / (1 + e) for g < 0,
// so silu(-100) is a tiny negative number rather than -0 or NaN.
#include "kernels/x86/avx2.h"
#include "kernels/x86/avx2_math.h"

namespace edgeattn {

namespace {

inline __m256 silu_mul8(__m256 g, __m256 u) {
  const __m256 kSign = _mm256_set1_ps(-0.0f);
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 e = avx2_exp(_mm256_or_ps(g, kSign));  // exp(-|g|)
  const __m256 negative = _mm256_cmp_ps(g, _mm256_setzero_ps(), _CMP_LT_OQ);
  const __m256 num = _mm256_blendv_ps(one, e, negative);
  const __m256 sigmoid = _mm256_div_ps(num, _mm256_add_ps(one, e));
  return _mm256_mul_ps(_mm256_mul_ps(g, sigmoid), u);
}

}  // namespace

void f32_silu_mul_ukernel__avx2(size_t n, const float* gate, const float* up, float* y) {
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256 y0 = silu_mul8(_mm256_loadu_ps(gate + i), _mm256_loadu_ps(up + i));
    const __m256 y1 = silu_mul8(_mm256_loadu_ps(gate + i + 8), _mm256_loadu_ps(up + i + 8));
    _mm256_storeu_ps(y + i, y0);
    _mm256_storeu_ps(y + i + 8, y1);
  }
  for (; i + 8 <= n; i += 8) {
    _mm256_storeu_ps(y + i, silu_mul8(_mm256_loadu_ps(gate + i), _mm256_loadu_ps(up + i)));
  }
  if (i < n) {
    const __m256i mask = avx2_tail_mask(n - i);
    _mm256_maskstore_ps(y + i, mask,
                        silu_mul8(_mm256_maskload_ps(gate + i, mask),
                                  _mm256_maskload_ps(up + i, mask)));
  }
}

}  // namespace edgeattn
