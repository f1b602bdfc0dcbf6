// AVX2 GPT-2 "gelu_new": y = 0.5 x (1 + tanh(u)), u = sqrt(2/pi)(x + 0.044715 x^3),
// evaluated as the equivalent logistic form y = x * sigmoid(2u) with
// e = exp(-|2u|) <= 1, so exp never overflows:
//   x >= 0: y = x / (1 + e);   x < 0: y = x * e / (1 + e).
// No subtraction cancels (the literal 1 + tanh(u) would for x << 0), so the
// result is accurate to a few ulp relative to |y|, degrading only as the
// function's own conditioning does for x << 0 (the float rounding of 2u is
// multiplied by |2u| through exp; see tests/kernels/gelu_tanh_test.cc).
//
// Edge cases: |x| > ~1e13 makes 2u = +-inf, e = exp(-inf) = 0 and y = x for
// x > 0, -0 for x < 0 (the true value underflows). avx2_exp flushes
// e below 2^-126 to 0, which returns -0 instead of a value <= 1.3e-37 for
// x in about [-10.2, -10]. NaN propagates through the final multiply by x
// (avx2_exp's clamp turns a NaN argument into a number); -inf gives NaN, as
// 0.5 * -inf * (1 + tanh(-inf)) does.
#include "kernels/x86/avx2.h"
#include "kernels/x86/avx2_math.h"

namespace edgeattn {

namespace {

inline __m256 gelu_tanh8(__m256 x) {
  const __m256 one = _mm256_set1_ps(1.0f);
  // 2u = x * (2c + 2c * 0.044715 * x^2), c = sqrt(2/pi).
  const __m256 x2 = _mm256_mul_ps(x, x);
  const __m256 p = _mm256_fmadd_ps(x2, _mm256_set1_ps(0.07135481627260025f),
                                   _mm256_set1_ps(1.5957691216057308f));
  const __m256 two_u = _mm256_mul_ps(x, p);  // same sign as x
  // -|2u|: set the sign bit.
  const __m256 e = avx2_exp(_mm256_or_ps(two_u, _mm256_set1_ps(-0.0f)));
  // Numerator e where x's sign bit is set (x < 0, and -0 where e = 1), else 1.
  const __m256 num = _mm256_blendv_ps(one, e, x);
  return _mm256_div_ps(_mm256_mul_ps(x, num), _mm256_add_ps(one, e));
}

}  // namespace

void f32_gelu_tanh_ukernel__avx2(size_t n, const float* x, float* y) {
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256 y0 = gelu_tanh8(_mm256_loadu_ps(x + i));
    const __m256 y1 = gelu_tanh8(_mm256_loadu_ps(x + i + 8));
    _mm256_storeu_ps(y + i, y0);
    _mm256_storeu_ps(y + i + 8, y1);
  }
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, gelu_tanh8(_mm256_loadu_ps(x + i)));
  if (i < n) {
    const __m256i mask = avx2_tail_mask(n - i);
    _mm256_maskstore_ps(y + i, mask, gelu_tanh8(_mm256_maskload_ps(x + i, mask)));
  }
}

}  // namespace edgeattn
