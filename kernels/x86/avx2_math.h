// Inline AVX2+FMA helpers shared by the *_avx2.cc kernels: tail masks,
// horizontal reductions, and vectorized exp and erf.
//
// Only include this from files compiled with -mavx2 -mfma -mf16c (see
// kernels/CMakeLists.txt); everything is `static inline` so no out-of-line
// AVX2 code can leak into baseline translation units.
//
// Accuracy (measured against double-precision libm over [-10, 10] with a
// 1e-5 step, see tests/kernels/elementwise_test.cc):
//   avx2_exp: Cephes polynomial, <= 2 ulp; inputs below -126 ln 2 return 0.
//   avx2_erf: <= 1.5e-7 absolute (about 2 ulp of 1.0).
//
// Example:
//   __m256 e = avx2_exp(_mm256_loadu_ps(x));
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

namespace edgeattn {

// Mask with the first n lanes set (0 <= n <= 8) for maskload/maskstore tails.
static inline __m256i avx2_tail_mask(size_t n) {
  static const int32_t kMaskTable[16] = {-1, -1, -1, -1, -1, -1, -1, -1,
                                         0,  0,  0,  0,  0,  0,  0,  0};
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kMaskTable + 8 - n));
}

static inline float avx2_hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

static inline float avx2_hmax(__m256 v) {
  __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_max_ps(s, _mm_movehl_ps(s, s));
  s = _mm_max_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

// Sums of 4 vectors at once: lane i of the result is hsum(v_i).
static inline __m128 avx2_hsum4(__m256 v0, __m256 v1, __m256 v2, __m256 v3) {
  const __m256 s01 = _mm256_hadd_ps(v0, v1);
  const __m256 s23 = _mm256_hadd_ps(v2, v3);
  const __m256 s = _mm256_hadd_ps(s01, s23);
  return _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
}

// exp(x), Cephes expf: x = n ln2 + r with |r| <= ln2/2, exp(r) by a degree-6
// polynomial, 2^n built in the exponent bits. x is clamped to
// [-126 ln2, 127.5 ln2) so 2^n stays a normal float; below the range the result
// is flushed to 0 (softmax relies on exp(-inf) == 0). Above it saturates
// near 2^127: callers only pass x <= 0.
static inline __m256 avx2_exp(__m256 x) {
  const __m256 kLo = _mm256_set1_ps(-87.336544750553f);  // -126 ln 2
  const __m256 kHi = _mm256_set1_ps(88.0f);
  const __m256 kLog2e = _mm256_set1_ps(1.44269504088896341f);
  // ln 2 split in two so n * kLn2Hi is exact for |n| <= 2^9.
  const __m256 kLn2Hi = _mm256_set1_ps(0.693359375f);
  const __m256 kLn2Lo = _mm256_set1_ps(-2.12194440e-4f);
  const __m256 underflow = _mm256_cmp_ps(x, kLo, _CMP_LT_OQ);
  x = _mm256_min_ps(_mm256_max_ps(x, kLo), kHi);
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, kLog2e),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, kLn2Hi, x);
  r = _mm256_fnmadd_ps(n, kLn2Lo, r);
  __m256 p = _mm256_set1_ps(1.9875691500e-4f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
  // exp(r) = 1 + r + r^2 * p(r); exp(0) is exactly 1.
  p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), r);
  p = _mm256_add_ps(p, _mm256_set1_ps(1.0f));
  const __m256i e = _mm256_slli_epi32(
      _mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  const __m256 y = _mm256_mul_ps(p, _mm256_castsi256_ps(e));
  return _mm256_andnot_ps(underflow, y);
}

// avx2_exp over kN vectors in place, each step over all of them (see
// avx2_gelu_n for why interleaving matters).
template <int kN>
static inline void avx2_exp_n(__m256* x) {
  const __m256 kLo = _mm256_set1_ps(-87.336544750553f);
  __m256 under[kN], n[kN], r[kN], p[kN];
  for (int j = 0; j < kN; ++j) {
    under[j] = _mm256_cmp_ps(x[j], kLo, _CMP_LT_OQ);
    const __m256 c = _mm256_min_ps(_mm256_max_ps(x[j], kLo), _mm256_set1_ps(88.0f));
    n[j] = _mm256_round_ps(_mm256_mul_ps(c, _mm256_set1_ps(1.44269504088896341f)),
                           _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    r[j] = _mm256_fnmadd_ps(n[j], _mm256_set1_ps(0.693359375f), c);
    r[j] = _mm256_fnmadd_ps(n[j], _mm256_set1_ps(-2.12194440e-4f), r[j]);
  }
  static constexpr float kP[6] = {1.9875691500e-4f, 1.3981999507e-3f, 8.3334519073e-3f,
                                  4.1665795894e-2f, 1.6666665459e-1f, 5.0000001201e-1f};
  for (int j = 0; j < kN; ++j) p[j] = _mm256_set1_ps(kP[0]);
  for (int c = 1; c < 6; ++c) {
    for (int j = 0; j < kN; ++j) p[j] = _mm256_fmadd_ps(p[j], r[j], _mm256_set1_ps(kP[c]));
  }
  for (int j = 0; j < kN; ++j) {
    p[j] = _mm256_add_ps(_mm256_fmadd_ps(p[j], _mm256_mul_ps(r[j], r[j]), r[j]), _mm256_set1_ps(1.0f));
    const __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n[j]), _mm256_set1_epi32(127)), 23);
    x[j] = _mm256_andnot_ps(under[j], _mm256_mul_ps(p[j], _mm256_castsi256_ps(e)));
  }
}

// erf(x), two branches blended per lane:
//   |x| < 1:  Taylor series x * P(x^2) to x^19 (truncation < 2e-9 at |x| = 1);
//   |x| >= 1: erfc(z) = t exp(-z^2 + R(t)), t = 1 / (1 + z/2), the Chebyshev
//             fit from Numerical Recipes (erfcc, relative error < 1.2e-7),
//             and erf = 1 - erfc. erfc <= 0.16 here, so the absolute error
//             stays ~1e-7; below |x| = 1 the subtraction would cancel, which
//             is why the Taylor branch exists.
static inline __m256 avx2_erf(__m256 x) {
  const __m256 kSign = _mm256_set1_ps(-0.0f);
  const __m256 z = _mm256_andnot_ps(kSign, x);
  const __m256 one = _mm256_set1_ps(1.0f);

  const __m256 x2 = _mm256_mul_ps(x, x);
  __m256 s = _mm256_set1_ps(-1.636584469e-07f);
  s = _mm256_fmadd_ps(s, x2, _mm256_set1_ps(1.646211437e-06f));
  s = _mm256_fmadd_ps(s, x2, _mm256_set1_ps(-1.492565036e-05f));
  s = _mm256_fmadd_ps(s, x2, _mm256_set1_ps(1.205533298e-04f));
  s = _mm256_fmadd_ps(s, x2, _mm256_set1_ps(-8.548327023e-04f));
  s = _mm256_fmadd_ps(s, x2, _mm256_set1_ps(5.223977625e-03f));
  s = _mm256_fmadd_ps(s, x2, _mm256_set1_ps(-2.686617065e-02f));
  s = _mm256_fmadd_ps(s, x2, _mm256_set1_ps(1.128379167e-01f));
  s = _mm256_fmadd_ps(s, x2, _mm256_set1_ps(-3.761263890e-01f));
  s = _mm256_fmadd_ps(s, x2, _mm256_set1_ps(1.128379167e+00f));
  const __m256 small = _mm256_mul_ps(x, s);

  const __m256 t = _mm256_div_ps(one, _mm256_fmadd_ps(_mm256_set1_ps(0.5f), z, one));
  __m256 p = _mm256_set1_ps(0.17087277f);
  p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(-0.82215223f));
  p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(1.48851587f));
  p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(-1.13520398f));
  p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(0.27886807f));
  p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(-0.18628806f));
  p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(0.09678418f));
  p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(0.37409196f));
  p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(1.00002368f));
  p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(-1.26551223f));
  const __m256 erfc = _mm256_mul_ps(t, avx2_exp(_mm256_fnmadd_ps(z, z, p)));
  // 1 - erfc carries z's sign back: or-ing x's sign bit into a positive value.
  const __m256 large = _mm256_or_ps(_mm256_sub_ps(one, erfc), _mm256_and_ps(x, kSign));

  return _mm256_blendv_ps(large, small, _mm256_cmp_ps(z, one, _CMP_LT_OQ));
}

// gelu(x) = x Phi(x) = 0.5 x (1 + erf(x / sqrt 2)) from erfc alone, one
// branch for every lane. With z = |x| / sqrt 2:
//   x < 0:   0.5 x (1 - erf z) = 0.5 x erfc(z)           = q
//   x >= 0:  0.5 x (1 + erf z) = 0.5 x (2 - erfc(z)) = x - q
// and erfc(z) = t exp(-z^2 + R(t)) with the Numerical Recipes fit of
// avx2_erf (relative error < 1.2e-7 for every z >= 0). Relative error in q
// is what x < 0 needs (y is a small difference there), and for x >= 0 q
// <= x / 2 so its error stays ~1e-7 x. avx2_erf's Taylor branch, which
// only exists because 1 - erfc cancels below |x| = 1, is never needed. z is
// clamped to 16 (erfc(16) = 0 in float) so t and the exponent stay finite
// for |x| up to FLT_MAX; 1 / (1 + z/2) is rcp plus one Newton step (~2^-23
// relative).
//
// kN vectors at once, every step over all of them before the next: one
// vector is a chain of ~40 dependent operations, longer than the
// out-of-order window reaches, so a loop over single vectors runs at the
// chain's latency; kN = 4 interleaved chains run at the FMA ports' rate
// (kernels_bench gelu/: 0.75 -> 2.4 G elements/s on Zen 4).
template <int kN>
static inline void avx2_gelu_n(__m256* v) {
  const __m256 one = _mm256_set1_ps(1.0f);
  __m256 z[kN], t[kN], p[kN];
  for (int j = 0; j < kN; ++j) {
    z[j] = _mm256_min_ps(_mm256_mul_ps(_mm256_andnot_ps(_mm256_set1_ps(-0.0f), v[j]),
                                       _mm256_set1_ps(0.70710678118654752f)),
                         _mm256_set1_ps(16.0f));
    const __m256 d = _mm256_fmadd_ps(_mm256_set1_ps(0.5f), z[j], one);
    const __m256 t0 = _mm256_rcp_ps(d);
    t[j] = _mm256_mul_ps(t0, _mm256_fnmadd_ps(d, t0, _mm256_set1_ps(2.0f)));
  }
  static constexpr float kR[10] = {0.17087277f, -0.82215223f, 1.48851587f, -1.13520398f, 0.27886807f,
                                   -0.18628806f, 0.09678418f, 0.37409196f, 1.00002368f, -1.26551223f};
  for (int j = 0; j < kN; ++j) p[j] = _mm256_set1_ps(kR[0]);
  for (int c = 1; c < 10; ++c) {
    for (int j = 0; j < kN; ++j) p[j] = _mm256_fmadd_ps(p[j], t[j], _mm256_set1_ps(kR[c]));
  }
  for (int j = 0; j < kN; ++j) p[j] = _mm256_fnmadd_ps(z[j], z[j], p[j]);
  avx2_exp_n<kN>(p);
  for (int j = 0; j < kN; ++j) {
    const __m256 q = _mm256_mul_ps(_mm256_mul_ps(v[j], _mm256_set1_ps(0.5f)), _mm256_mul_ps(t[j], p[j]));
    v[j] = _mm256_blendv_ps(_mm256_sub_ps(v[j], q), q, v[j]);  // x's sign bit picks q
  }
}

static inline __m256 avx2_gelu(__m256 x) {
  avx2_gelu_n<1>(&x);
  return x;
}

}  // namespace edgeattn
