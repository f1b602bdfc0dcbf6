// AVX2 L2 normalization: float sum of squares in 4x8 partial sums, then one
// multiply by 1 / max(norm, eps) per element.
#include <cmath>

#include "kernels/x86/avx2.h"
#include "kernels/x86/avx2_math.h"

namespace edgeattn {

void f32_l2_normalize_ukernel__avx2(size_t rows, size_t cols, const float* x, float eps,
                                    float* y) {
  const size_t tail = cols & 7;
  const __m256i mask = avx2_tail_mask(tail);
  for (size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    float* yr = y + r * cols;
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
    __m256 a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
    size_t c = 0;
    for (; c + 32 <= cols; c += 32) {
      const __m256 v0 = _mm256_loadu_ps(xr + c);
      const __m256 v1 = _mm256_loadu_ps(xr + c + 8);
      const __m256 v2 = _mm256_loadu_ps(xr + c + 16);
      const __m256 v3 = _mm256_loadu_ps(xr + c + 24);
      a0 = _mm256_fmadd_ps(v0, v0, a0);
      a1 = _mm256_fmadd_ps(v1, v1, a1);
      a2 = _mm256_fmadd_ps(v2, v2, a2);
      a3 = _mm256_fmadd_ps(v3, v3, a3);
    }
    for (; c + 8 <= cols; c += 8) {
      const __m256 v = _mm256_loadu_ps(xr + c);
      a0 = _mm256_fmadd_ps(v, v, a0);
    }
    if (tail != 0) {
      const __m256 v = _mm256_maskload_ps(xr + c, mask);
      a1 = _mm256_fmadd_ps(v, v, a1);
    }
    float norm =
        sqrtf(avx2_hsum(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3))));
    if (norm < eps) norm = eps;
    const __m256 inv = _mm256_set1_ps(1.0f / norm);
    c = 0;
    for (; c + 8 <= cols; c += 8) {
      _mm256_storeu_ps(yr + c, _mm256_mul_ps(_mm256_loadu_ps(xr + c), inv));
    }
    if (tail != 0) {
      _mm256_maskstore_ps(yr + c, mask, _mm256_mul_ps(_mm256_maskload_ps(xr + c, mask), inv));
    }
  }
}

}  // namespace edgeattn
