// Inline AVX2+FMA helpers shared by the *_avx2.cc kernels: tail masks,
// horizontal reductions, and vectorized exp and GELU.
//
// Only include this from files compiled with -mavx2 -mfma -mf16c (see
// kernels/CMakeLists.txt); everything is `static inline` so no out-of-line
// AVX2 code can leak into baseline translation units.
//
// Accuracy (measured against double-precision libm over [-10, 10] with a
// 1e-5 step, see tests/kernels/elementwise_test.cc):
//   avx2_exp: Cephes polynomial, <= 2 ulp; inputs below -126 ln 2 return 0.
//   avx2_gelu: |y - gelu(x)| <= 5e-8 |x| + rounding (0.31 of the kernel
//   test's 3e-7 max(1, |x|) bound).
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

// dst[c * ds + r] = src[r * ss + c] for r, c < 8 (unaligned rows): unpack
// pairs of rows, shuffle pairs of pairs, then swap 128-bit halves.
static inline void avx2_transpose_8x8(const float* src, size_t ss, float* dst, size_t ds) {
  __m256 t[8], u[8];
  for (int k = 0; k < 8; k += 2) {
    const __m256 a = _mm256_loadu_ps(src + k * ss);
    const __m256 b = _mm256_loadu_ps(src + (k + 1) * ss);
    t[k] = _mm256_unpacklo_ps(a, b);  // [a0 b0 a1 b1 | a4 b4 a5 b5]
    t[k + 1] = _mm256_unpackhi_ps(a, b);  // [a2 b2 a3 b3 | a6 b6 a7 b7]
  }
  for (int k = 0; k < 8; k += 4) {  // columns c | c + 4 of rows k..k+3
    u[k] = _mm256_shuffle_ps(t[k], t[k + 2], 0x44);
    u[k + 1] = _mm256_shuffle_ps(t[k], t[k + 2], 0xEE);
    u[k + 2] = _mm256_shuffle_ps(t[k + 1], t[k + 3], 0x44);
    u[k + 3] = _mm256_shuffle_ps(t[k + 1], t[k + 3], 0xEE);
  }
  for (int c = 0; c < 4; ++c) {
    _mm256_storeu_ps(dst + c * ds, _mm256_permute2f128_ps(u[c], u[c + 4], 0x20));
    _mm256_storeu_ps(dst + (c + 4) * ds, _mm256_permute2f128_ps(u[c], u[c + 4], 0x31));
  }
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

// gelu(x) = x Phi(x) from g(a) = Phi(-a) = erfc(a / sqrt 2) / 2 at a = |x|:
// Phi(x) = g for x < 0 and 1 - g for x >= 0, so with q = x g,
//   y = q (x < 0),  y = x - q (x >= 0).
// g on [0, 6) is 8 intervals of 0.75, one degree-6 polynomial each in
// u = a 8/6 - interval (u in [0, 1)), the interval's coefficients picked per
// lane by vpermps from kGeluTail; g = 0 from a = 6 (g(6) = 1e-9, so
// |x| g < 1e-8 |x| past it, and gelu(x) is exactly x or -0 there).
// scripts/gen_gelu_table.py fits the table and bounds its float error:
// |g error| <= 5e-8, i.e. |y - gelu(x)| <= 5e-8 |x| + rounding, 0.31 of the
// kernel test's 3e-7 max(1, |x|) (measured: tests/kernels/elementwise_test.cc).
// Absolute, not relative to y: like an erf-based GELU, y = x Phi(x) is a
// tiny value for x << 0 and carries ~1e-7 |x| of error there.
// About 20 operations per vector instead of ~45 for an erfc from exp and a
// reciprocal (kernels_bench gelu/: 0.74 -> 2.3 G elements/s on Zen 4).
// Printed by scripts/gen_gelu_table.py (g abs err 5.0e-08, gelu worst
// ratio 0.305 at x = 1.2058):
alignas(32) static const float kGeluTail[7][8] = {  // [power][interval]
    {5.000000000e-01f, 2.266273350e-01f, 6.680720299e-02f, 1.222447678e-02f, 1.349898055e-03f, 8.841692761e-05f, 3.397614137e-06f, 7.604591445e-08f},
    {-2.992078364e-01f, -2.258518040e-01f, -9.713809192e-02f, -2.380510978e-02f, -3.323885147e-03f, -2.644112683e-04f, -1.198182144e-05f, -3.092573309e-07f},
    {1.881102435e-05f, 6.350085139e-02f, 5.463825539e-02f, 2.009126544e-02f, 3.739396110e-03f, 3.713013721e-04f, 2.013042285e-05f, 6.032647093e-07f},
    {2.793335356e-02f, 9.384254925e-03f, -1.136876177e-02f, -9.102919139e-03f, -2.493429696e-03f, -3.203146916e-04f, -2.101321115e-05f, -7.306496173e-07f},
    {3.527454974e-04f, -7.596297655e-03f, -1.974709332e-03f, 2.048675437e-03f, 1.054862165e-03f, 1.824805222e-04f, 1.446257374e-05f, 5.751717822e-07f},
    {-2.923573367e-03f, 5.115607055e-04f, 1.501529943e-03f, -5.137042899e-05f, -2.720449702e-04f, -6.532410771e-05f, -6.122483228e-06f, -2.712394291e-07f},
    {4.538458306e-04f, 2.313022560e-04f, -2.409500157e-04f, -5.512314601e-05f, 3.362114876e-05f, 1.124924620e-05f, 1.203004786e-06f, 5.765357614e-08f},
};

// kN vectors at once, every step over all of them before the next: one
// vector is a chain of ~15 dependent operations, and interleaved chains
// keep the ports busy where a loop over single vectors waits on latency.
template <int kN>
static inline void avx2_gelu_n(__m256* v) {
  const __m256 limit = _mm256_set1_ps(6.0f);
  __m256 u[kN], p[kN], inside[kN];
  __m256i interval[kN];
  for (int j = 0; j < kN; ++j) {
    const __m256 a = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), v[j]);
    inside[j] = _mm256_cmp_ps(a, limit, _CMP_LT_OQ);  // false for NaN too: g = 0, y = NaN from x
    const __m256 s = _mm256_mul_ps(_mm256_min_ps(a, limit), _mm256_set1_ps(8.0f / 6.0f));
    interval[j] = _mm256_cvttps_epi32(s);  // 0..8; 8 (a = 6, masked off) wraps to 0 in vpermps
    u[j] = _mm256_sub_ps(s, _mm256_cvtepi32_ps(interval[j]));
    p[j] = _mm256_permutevar8x32_ps(_mm256_load_ps(kGeluTail[6]), interval[j]);
  }
  for (int c = 5; c >= 0; --c) {
    for (int j = 0; j < kN; ++j) {
      p[j] = _mm256_fmadd_ps(p[j], u[j], _mm256_permutevar8x32_ps(_mm256_load_ps(kGeluTail[c]), interval[j]));
    }
  }
  for (int j = 0; j < kN; ++j) {
    const __m256 q = _mm256_mul_ps(v[j], _mm256_and_ps(p[j], inside[j]));
    v[j] = _mm256_blendv_ps(_mm256_sub_ps(v[j], q), q, v[j]);  // x's sign bit picks q
  }
}

static inline __m256 avx2_gelu(__m256 x) {
  avx2_gelu_n<1>(&x);
  return x;
}

}  // namespace edgeattn
