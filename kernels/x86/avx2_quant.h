// Inline AVX2 int8 quantization loops shared by x86/quant_avx2.cc
// (f32_qd8_quantize, f32_qs8_quantize) and x86/kv_cache_avx2.cc
// (f32_quantize_row_q8), so the three kernels run the same code and stay
// bit-identical to the reference formula q = rne(clamp(x * inv, -127, 127)):
// abs, max and clamp are exact, x * inv is one multiply (the including files
// are built with -ffp-contract=off, and there is no add to fuse anyway), and
// _mm256_cvtps_epi32 / _mm_cvtss_si32 round to nearest even under the
// default MXCSR.
//
// Only include this from files compiled with -mavx2 (kernels/CMakeLists.txt).
//
// Example (one qd8 row):
//   const float amax = avx2_absmax(k, xr);
//   avx2_quantize_q8(k, xr, 127.0f / amax, qr);
#pragma once

#include <immintrin.h>

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "kernels/x86/avx2_math.h"

namespace edgeattn {

// max |x[i]| over i < n (0 for n = 0). max is exact, so the order of the
// lanes does not matter.
static inline float avx2_absmax(size_t n, const float* x) {
  const __m256 abs_mask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
  __m256 m0 = _mm256_setzero_ps(), m1 = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    m0 = _mm256_max_ps(m0, _mm256_and_ps(abs_mask, _mm256_loadu_ps(x + i)));
    m1 = _mm256_max_ps(m1, _mm256_and_ps(abs_mask, _mm256_loadu_ps(x + i + 8)));
  }
  for (; i < n; i += 8) {
    const size_t left = n - i < 8 ? n - i : 8;
    const __m256 v = _mm256_maskload_ps(x + i, avx2_tail_mask(left));  // masked lanes = 0
    m0 = _mm256_max_ps(m0, _mm256_and_ps(abs_mask, v));
  }
  return avx2_hmax(_mm256_max_ps(m0, m1));
}

// q[i] = rne(clamp(x[i] * inv, -127, 127)) for i < n; writes exactly n bytes.
static inline void avx2_quantize_q8(size_t n, const float* x, float inv_s, int8_t* q) {
  const __m256 inv = _mm256_set1_ps(inv_s);
  const __m256 lo = _mm256_set1_ps(-127.0f), hi = _mm256_set1_ps(127.0f);
  const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    __m256i v32[4];
    for (size_t j = 0; j < 4; ++j) {
      __m256 v = _mm256_mul_ps(_mm256_loadu_ps(x + i + 8 * j), inv);
      v = _mm256_min_ps(_mm256_max_ps(v, lo), hi);
      v32[j] = _mm256_cvtps_epi32(v);
    }
    // packs works per 128-bit lane; the permute restores element order.
    const __m256i b = _mm256_packs_epi16(_mm256_packs_epi32(v32[0], v32[1]),
                                         _mm256_packs_epi32(v32[2], v32[3]));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(q + i), _mm256_permutevar8x32_epi32(b, order));
  }
  for (; i < n; ++i) {  // the reference expression for the < 32 element tail
    const float v = std::fmin(std::fmax(x[i] * inv_s, -127.0f), 127.0f);
    q[i] = static_cast<int8_t>(_mm_cvtss_si32(_mm_set_ss(v)));  // RNE
  }
}

}  // namespace edgeattn
