// AVX2 KV cache row writers, bit-identical to reference/kv_cache.cc:
//   f32_to_f16_row: F16C VCVTPS2PH with _MM_FROUND_TO_NEAREST_INT (IEEE RNE,
//     subnormal halves, overflow to inf, NaN quieted keeping the top payload
//     bits; independent of MXCSR.RC). The < 8 element tail uses the scalar
//     encoder (reference/f16_encode.h), which rounds identically.
//   f32_quantize_row_q8: one row of f32_qd8_quantize_ukernel__avx2 (x86/quant_avx2.cc)
//     without padding, through the same loops (x86/avx2_quant.h): every step
//     is exact or one IEEE operation, and _mm256_cvtps_epi32 rounds to
//     nearest even under the default MXCSR.
#include <cstring>

#include "kernels/reference/f16_encode.h"
#include "kernels/x86/avx2.h"
#include "kernels/x86/avx2_quant.h"

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
  const float amax = avx2_absmax(n, src);
  if (!(amax >= kQd8MinAmax)) {
    std::memset(dst, 0, n);
    return 0.0f;
  }
  avx2_quantize_q8(n, src, 127.0f / amax, dst);
  return amax / 127.0f;
}

}  // namespace edgeattn
