// AVX2 quantization helpers: dynamic per-row int8 quantization (qd8),
// static int8 quantization with a fixed multiplier (qs8), fp16 -> fp32 rows.
// All bit-identical to the reference (kernels/reference/quant.cc documents
// the formula): the loops are x86/avx2_quant.h's, shared with
// f32_quantize_row_q8, where every step is a single IEEE operation or an
// exact one (max, abs, clamp, conversion).
#include <cstring>

#include "runtime/core/half.h"
#include "kernels/x86/avx2.h"
#include "kernels/x86/avx2_quant.h"

namespace edgeattn {

void f32_qd8_quantize_ukernel__avx2(size_t rows, size_t k, const float* x, size_t x_stride,
                                    int8_t* xq, float* scales) {
  const size_t row_bytes = qd8_row_bytes(k);
  for (size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * x_stride;
    int8_t* qr = xq + r * row_bytes;
    const float amax = avx2_absmax(k, xr);
    if (!(amax >= kQd8MinAmax)) {
      scales[r] = 0.0f;
      std::memset(qr, 0, row_bytes);
      continue;
    }
    scales[r] = amax / 127.0f;
    avx2_quantize_q8(k, xr, 127.0f / amax, qr);
    std::memset(qr + k, 0, row_bytes - k);
  }
}

void f32_qs8_quantize_ukernel__avx2(size_t rows, size_t k, const float* x, size_t x_stride,
                                    float multiplier, int8_t* xq) {
  const size_t row_bytes = qd8_row_bytes(k);
  for (size_t r = 0; r < rows; ++r) {
    int8_t* qr = xq + r * row_bytes;
    avx2_quantize_q8(k, x + r * x_stride, multiplier, qr);
    std::memset(qr + k, 0, row_bytes - k);
  }
}

void f16_to_f32_rows_ukernel__avx2(size_t n, const uint16_t* src, float* dst) {
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m128i h0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i));
    const __m128i h1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i + 8));
    _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(h0));
    _mm256_storeu_ps(dst + i + 8, _mm256_cvtph_ps(h1));
  }
  for (; i + 8 <= n; i += 8) {
    _mm256_storeu_ps(dst + i,
                     _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i))));
  }
  for (; i < n; ++i) dst[i] = half_to_float(src[i]);
}

}  // namespace edgeattn
