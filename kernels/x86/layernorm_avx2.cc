// AVX2 LayerNorm: two passes over the row in float (mean, then the mean of
// squared deviations), then y = (x - mean) * rstd * gamma + beta.
// Two passes rather than E[x^2] - mean^2 because the latter cancels
// catastrophically when |mean| >> stddev (common after residual adds).
#include <cmath>

#include "kernels/x86/avx2.h"
#include "kernels/x86/avx2_math.h"

namespace edgeattn {

void f32_layernorm_ukernel__avx2(size_t rows, size_t cols, const float* x, size_t x_stride,
                                 const float* gamma, const float* beta, float eps, float* y,
                                 size_t y_stride) {
  const size_t tail = cols & 7;
  const __m256i mask = avx2_tail_mask(tail);
  const __m256 fmask = _mm256_castsi256_ps(mask);
  for (size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * x_stride;
    float* yr = y + r * y_stride;

    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    __m256 s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
    size_t c = 0;
    for (; c + 32 <= cols; c += 32) {
      s0 = _mm256_add_ps(s0, _mm256_loadu_ps(xr + c));
      s1 = _mm256_add_ps(s1, _mm256_loadu_ps(xr + c + 8));
      s2 = _mm256_add_ps(s2, _mm256_loadu_ps(xr + c + 16));
      s3 = _mm256_add_ps(s3, _mm256_loadu_ps(xr + c + 24));
    }
    for (; c + 8 <= cols; c += 8) s0 = _mm256_add_ps(s0, _mm256_loadu_ps(xr + c));
    if (tail != 0) s1 = _mm256_add_ps(s1, _mm256_maskload_ps(xr + c, mask));
    const float mean =
        avx2_hsum(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3))) /
        static_cast<float>(cols);
    const __m256 vmean = _mm256_set1_ps(mean);

    s0 = s1 = s2 = s3 = _mm256_setzero_ps();
    c = 0;
    for (; c + 32 <= cols; c += 32) {
      const __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(xr + c), vmean);
      const __m256 d1 = _mm256_sub_ps(_mm256_loadu_ps(xr + c + 8), vmean);
      const __m256 d2 = _mm256_sub_ps(_mm256_loadu_ps(xr + c + 16), vmean);
      const __m256 d3 = _mm256_sub_ps(_mm256_loadu_ps(xr + c + 24), vmean);
      s0 = _mm256_fmadd_ps(d0, d0, s0);
      s1 = _mm256_fmadd_ps(d1, d1, s1);
      s2 = _mm256_fmadd_ps(d2, d2, s2);
      s3 = _mm256_fmadd_ps(d3, d3, s3);
    }
    for (; c + 8 <= cols; c += 8) {
      const __m256 d = _mm256_sub_ps(_mm256_loadu_ps(xr + c), vmean);
      s0 = _mm256_fmadd_ps(d, d, s0);
    }
    if (tail != 0) {
      // Masked-off lanes load as 0, so 0 - mean must be masked back to 0.
      const __m256 d =
          _mm256_and_ps(_mm256_sub_ps(_mm256_maskload_ps(xr + c, mask), vmean), fmask);
      s1 = _mm256_fmadd_ps(d, d, s1);
    }
    const float var =
        avx2_hsum(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3))) /
        static_cast<float>(cols);
    const __m256 rstd = _mm256_set1_ps(1.0f / sqrtf(var + eps));

    c = 0;
    for (; c + 8 <= cols; c += 8) {
      const __m256 n = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(xr + c), vmean), rstd);
      _mm256_storeu_ps(yr + c, _mm256_fmadd_ps(n, _mm256_loadu_ps(gamma + c),
                                               _mm256_loadu_ps(beta + c)));
    }
    if (tail != 0) {
      const __m256 n =
          _mm256_mul_ps(_mm256_sub_ps(_mm256_maskload_ps(xr + c, mask), vmean), rstd);
      _mm256_maskstore_ps(yr + c, mask,
                          _mm256_fmadd_ps(n, _mm256_maskload_ps(gamma + c, mask),
                                          _mm256_maskload_ps(beta + c, mask)));
    }
  }
}

}  // namespace edgeattn
