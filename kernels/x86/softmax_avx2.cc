// AVX2 softmax over rows (KernelTable::f32_softmax), three passes per row
// instead of the reference's double-precision max / sum / second-exp passes:
//   1. max over the row (4 x 8 lanes, then 8, then a tail padded with -inf);
//   2. y[c] = avx2_exp(x[c] - max), summed in 4 x 8 float lanes, so the sum
//      of `cols` positive terms is split 32 ways: its rounding error grows
//      with cols / 32 rather than cols, and the 4 chains keep the exp
//      polynomials independent (ILP);
//   3. y[c] *= 1 / sum (one divide per row, a multiply per element).
// A row of PP-OCRv4's recognizer (6625 floats, 26 KB) stays in L1 across the
// passes. y may equal x: pass 2 writes y[c] only after reading x[c], and
// pass 3 reads only y. avx2_exp returns 0 below -126 ln 2, so -inf or -1e30
// entries give exactly 0 (the reference: 0 or a value below FLT_MIN).
#include <cmath>

#include "kernels/x86/avx2.h"
#include "kernels/x86/avx2_math.h"

namespace edgeattn {

namespace {

float row_max(size_t n, const float* x) {
  const __m256 neg_inf = _mm256_set1_ps(-INFINITY);
  __m256 m0 = neg_inf, m1 = neg_inf, m2 = neg_inf, m3 = neg_inf;
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    m0 = _mm256_max_ps(m0, _mm256_loadu_ps(x + i));
    m1 = _mm256_max_ps(m1, _mm256_loadu_ps(x + i + 8));
    m2 = _mm256_max_ps(m2, _mm256_loadu_ps(x + i + 16));
    m3 = _mm256_max_ps(m3, _mm256_loadu_ps(x + i + 24));
  }
  for (; i + 8 <= n; i += 8) m0 = _mm256_max_ps(m0, _mm256_loadu_ps(x + i));
  if (i < n) {
    // maskload zeroes the missing lanes; 0 could exceed an all-negative row's
    // max, so those lanes become -inf.
    const __m256i mask = avx2_tail_mask(n - i);
    m1 = _mm256_max_ps(m1, _mm256_blendv_ps(neg_inf, _mm256_maskload_ps(x + i, mask), _mm256_castsi256_ps(mask)));
  }
  return avx2_hmax(_mm256_max_ps(_mm256_max_ps(m0, m1), _mm256_max_ps(m2, m3)));
}

// y = exp(x - max) for n elements; returns their float sum.
float exp_and_sum(size_t n, const float* x, float max, float* y) {
  const __m256 vmax = _mm256_set1_ps(max);
  // Reads x[i, i + 8) before writing y[i, i + 8) and nothing else: in place safe.
  const auto exp8 = [&](size_t i) {
    const __m256 e = avx2_exp(_mm256_sub_ps(_mm256_loadu_ps(x + i), vmax));
    _mm256_storeu_ps(y + i, e);
    return e;
  };
  __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps(), s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    s0 = _mm256_add_ps(s0, exp8(i));
    s1 = _mm256_add_ps(s1, exp8(i + 8));
    s2 = _mm256_add_ps(s2, exp8(i + 16));
    s3 = _mm256_add_ps(s3, exp8(i + 24));
  }
  // Up to 3 leftover vectors and the tail each go to a different
  // accumulator, so no lane sums more than n / 32 + 1 terms.
  if (i + 8 <= n) s0 = _mm256_add_ps(s0, exp8(i)), i += 8;
  if (i + 8 <= n) s1 = _mm256_add_ps(s1, exp8(i)), i += 8;
  if (i + 8 <= n) s2 = _mm256_add_ps(s2, exp8(i)), i += 8;
  if (i < n) {
    // The missing lanes hold exp(0 - max), anything up to 2^127: mask them
    // out of the sum (maskstore leaves their y untouched).
    const __m256i mask = avx2_tail_mask(n - i);
    const __m256 e = avx2_exp(_mm256_sub_ps(_mm256_maskload_ps(x + i, mask), vmax));
    _mm256_maskstore_ps(y + i, mask, e);
    s3 = _mm256_add_ps(s3, _mm256_and_ps(e, _mm256_castsi256_ps(mask)));
  }
  return avx2_hsum(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
}

void scale_row(size_t n, float scale, float* y) {
  const __m256 vs = _mm256_set1_ps(scale);
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    _mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_loadu_ps(y + i), vs));
    _mm256_storeu_ps(y + i + 8, _mm256_mul_ps(_mm256_loadu_ps(y + i + 8), vs));
    _mm256_storeu_ps(y + i + 16, _mm256_mul_ps(_mm256_loadu_ps(y + i + 16), vs));
    _mm256_storeu_ps(y + i + 24, _mm256_mul_ps(_mm256_loadu_ps(y + i + 24), vs));
  }
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_loadu_ps(y + i), vs));
  if (i < n) {
    const __m256i mask = avx2_tail_mask(n - i);
    _mm256_maskstore_ps(y + i, mask, _mm256_mul_ps(_mm256_maskload_ps(y + i, mask), vs));
  }
}

}  // namespace

void f32_softmax_ukernel__avx2(size_t rows, size_t cols, const float* x, float* y) {
  for (size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    float* yr = y + r * cols;
    const float max = row_max(cols, xr);
    // sum >= 1 (the max's own term is exp(0) = 1), so 1 / sum is finite.
    const float sum = exp_and_sum(cols, xr, max, yr);
    scale_row(cols, 1.0f / sum, yr);
  }
}

}  // namespace edgeattn
