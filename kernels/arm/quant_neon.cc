// NEON quantization helpers: dynamic per-row int8 quantization (qd8),
// static int8 quantization with a fixed multiplier (qs8), fp16 -> fp32 rows.
// Bit-identical to the reference (kernels/reference/quant.cc): the loops are
// arm/neon_quant.h's, shared with f32_quantize_row_q8 (why they round
// exactly like the reference, and why armv7's flush-to-zero does not matter,
// is explained there).
#include <cstring>

#include "kernels/arm/fp16_neon.h"
#include "kernels/arm/neon.h"
#include "kernels/arm/neon_quant.h"
#include "runtime/core/half.h"

namespace edgeattn {

void f32_qd8_quantize_ukernel__neon(size_t rows, size_t k, const float* x, size_t x_stride,
                                    int8_t* xq, float* scales) {
  const size_t row_bytes = qd8_row_bytes(k);
  for (size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * x_stride;
    int8_t* qr = xq + r * row_bytes;
    const float amax = neon_absmax(k, xr);
    if (!(amax >= kQd8MinAmax)) {
      scales[r] = 0.0f;
      std::memset(qr, 0, row_bytes);
      continue;
    }
    scales[r] = amax / 127.0f;
    neon_quantize_q8(k, xr, 127.0f / amax, qr);
    std::memset(qr + k, 0, row_bytes - k);
  }
}

void f32_qs8_quantize_ukernel__neon(size_t rows, size_t k, const float* x, size_t x_stride,
                                    float multiplier, int8_t* xq) {
  const size_t row_bytes = qd8_row_bytes(k);
  for (size_t r = 0; r < rows; ++r) {
    int8_t* qr = xq + r * row_bytes;
    neon_quantize_q8(k, x + r * x_stride, multiplier, qr);
    std::memset(qr + k, 0, row_bytes - k);
  }
}

void f16_to_f32_rows_ukernel__neon(size_t n, const uint16_t* src, float* dst) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    float32x4_t lo, hi;
    neon_f16_to_f32x8(vld1q_u16(src + i), &lo, &hi);
    vst1q_f32(dst + i, lo);
    vst1q_f32(dst + i + 4, hi);
  }
  for (; i < n; ++i) dst[i] = half_to_float(src[i]);
}

}  // namespace edgeattn
