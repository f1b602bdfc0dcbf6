// AVX2 exact GELU: y = 0.5 x (1 + erf(x / sqrt(2))) with avx2_erf
// (~1.5e-7 absolute error), so |y - gelu(x)| <~ 1e-7 |x|.
#include "kernels/x86/avx2.h"
#include "kernels/x86/avx2_math.h"

namespace edgeattn {

namespace {

inline __m256 gelu8(__m256 x) {
  const __m256 half_x = _mm256_mul_ps(x, _mm256_set1_ps(0.5f));
  const __m256 e = avx2_erf(_mm256_mul_ps(x, _mm256_set1_ps(0.70710678118654752f)));
  return _mm256_fmadd_ps(half_x, e, half_x);  // 0.5x + 0.5x * erf
}

}  // namespace

void f32_gelu_ukernel__avx2(size_t n, const float* x, float* y) {
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256 y0 = gelu8(_mm256_loadu_ps(x + i));
    const __m256 y1 = gelu8(_mm256_loadu_ps(x + i + 8));
    _mm256_storeu_ps(y + i, y0);
    _mm256_storeu_ps(y + i + 8, y1);
  }
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, gelu8(_mm256_loadu_ps(x + i)));
  if (i < n) {
    const __m256i mask = avx2_tail_mask(n - i);
    _mm256_maskstore_ps(y + i, mask, gelu8(_mm256_maskload_ps(x + i, mask)));
  }
}

}  // namespace edgeattn
