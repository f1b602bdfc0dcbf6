// AVX2 elementwise add. Bit-exact with the reference (IEEE addition).
#include "kernels/x86/avx2.h"
#include "kernels/x86/avx2_math.h"

namespace edgeattn {

void f32_add_ukernel__avx2(size_t n, const float* a, const float* b, float* y) {
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    // All loads before the stores: y may alias a or b.
    const __m256 s0 = _mm256_add_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
    const __m256 s1 = _mm256_add_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8));
    const __m256 s2 =
        _mm256_add_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16));
    const __m256 s3 =
        _mm256_add_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24));
    _mm256_storeu_ps(y + i, s0);
    _mm256_storeu_ps(y + i + 8, s1);
    _mm256_storeu_ps(y + i + 16, s2);
    _mm256_storeu_ps(y + i + 24, s3);
  }
  for (; i + 8 <= n; i += 8) {
    _mm256_storeu_ps(y + i, _mm256_add_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i)));
  }
  if (i < n) {
    const __m256i mask = avx2_tail_mask(n - i);
    _mm256_maskstore_ps(y + i, mask,
                        _mm256_add_ps(_mm256_maskload_ps(a + i, mask),
                                      _mm256_maskload_ps(b + i, mask)));
  }
}

}  // namespace edgeattn
