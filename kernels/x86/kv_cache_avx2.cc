// AVX2 KV cache row writers, bit-identical to reference/kv_cache.cc:
//   f32_to_f16_row: F16C VCVTPS2PH with _MM_FROUND_TO_NEAREST_INT (IEEE RNE,
//     subnormal halves, overflow to inf, NaN quieted keeping the top payload
//     bits; independent of MXCSR.RC). The < 8 element tail uses the scalar
//     encoder (reference/f16_encode.h), which rounds identically.
//   f32_quantize_row_q8: one row of f32_qd8_quantize_ukernel__avx2 (x86/quant_avx2.cc)
//     without padding; every step is exact or one IEEE operation, and
//     _mm256_cvtps_epi32 rounds to nearest even under the default MXCSR.
#include <cmath>
#include <cstring>

#include "kernels/reference/f16_encode.h"
#include "kernels/x86/avx2.h"
#include "kernels/x86/avx2_math.h"

namespace edgeattn {

void f32_to_f16_row_ukernel__avx2(size_t n, const float* src, uint16_t* dst) {
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m128i h0 = _mm256_cvtps_ph(_mm256_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT);
    const __m128i h1 = _mm256_cvtps_ph(_mm256_loadu_ps(src + i + 8), _MM_FROUND_TO_NEAREST_INT);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i), h0);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i + 8), h1);
  }
  for (; i + 8 <= n; i += 8) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i),
                     _mm256_cvtps_ph(_mm256_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT));
  }
  for (; i < n; ++i) dst[i] = f32_to_fp16_bits(src[i]);
}

float f32_quantize_row_q8_ukernel__avx2(size_t n, const float* src, int8_t* dst) {
  const __m256 abs_mask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
  __m256 m0 = _mm256_setzero_ps(), m1 = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    m0 = _mm256_max_ps(m0, _mm256_and_ps(abs_mask, _mm256_loadu_ps(src + i)));
    m1 = _mm256_max_ps(m1, _mm256_and_ps(abs_mask, _mm256_loadu_ps(src + i + 8)));
  }
  for (; i < n; i += 8) {
    const size_t left = n - i < 8 ? n - i : 8;
    const __m256 v = _mm256_maskload_ps(src + i, avx2_tail_mask(left));  // masked lanes = 0
    m0 = _mm256_max_ps(m0, _mm256_and_ps(abs_mask, v));
  }
  const float amax = avx2_hmax(_mm256_max_ps(m0, m1));
  if (!(amax >= kQd8MinAmax)) {
    std::memset(dst, 0, n);
    return 0.0f;
  }
  const float inv_s = 127.0f / amax;
  const __m256 inv = _mm256_set1_ps(inv_s);
  const __m256 lo = _mm256_set1_ps(-127.0f), hi = _mm256_set1_ps(127.0f);
  const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  i = 0;
  for (; i + 32 <= n; i += 32) {
    __m256i q[4];
    for (size_t j = 0; j < 4; ++j) {
      __m256 v = _mm256_mul_ps(_mm256_loadu_ps(src + i + 8 * j), inv);
      v = _mm256_min_ps(_mm256_max_ps(v, lo), hi);
      q[j] = _mm256_cvtps_epi32(v);
    }
    // packs works per 128-bit lane; the permute restores element order.
    const __m256i b = _mm256_packs_epi16(_mm256_packs_epi32(q[0], q[1]),
                                         _mm256_packs_epi32(q[2], q[3]));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i), _mm256_permutevar8x32_epi32(b, order));
  }
  for (; i < n; ++i) {
    const float v = std::fmin(std::fmax(src[i] * inv_s, -127.0f), 127.0f);
    dst[i] = static_cast<int8_t>(_mm_cvtss_si32(_mm_set_ss(v)));  // RNE
  }
  return amax / 127.0f;
}

}  // namespace edgeattn
