// Reference quantization helpers: dynamic per-row int8 quantization of
// activations (qd8), static int8 quantization with a fixed multiplier (qs8)
// and fp16 row conversion.
//
// Formula (the ISA kernels reproduce it bit for bit, see kernels.h):
//   amax = max |x|  (float, exact)
//   amax < 2^-100 (including 0): scale = 0 and the row is all zeros
//   scale = amax / 127.0f;  inv = 127.0f / amax
//   q = rne(min(max(x * inv, -127), 127))
// Multiplying by the reciprocal rather than dividing by scale keeps the
// per-element operation a single correctly rounded multiply on every ISA
// (armv7 NEON has no vector divide). The 2^-100 floor keeps inv finite and
// normal (<= 127 * 2^100), so every table rounds the same numbers; rows that
// small contribute < 2^-100 * |w| to any output anyway.
#include <cmath>

#include "runtime/core/half.h"
#include "kernels/reference/reference.h"

namespace edgeattn {

namespace {

// q[i] = rne(clamp(x[i] * inv, -127, 127)) for i < k, then zeros up to
// row_bytes: the element formula qd8 (inv = 127 / amax) and qs8
// (inv = multiplier) share.
void quantize_row(size_t k, size_t row_bytes, const float* x, float inv, int8_t* q) {
  for (size_t i = 0; i < k; ++i) {
    const float v = std::fmin(std::fmax(x[i] * inv, -127.0f), 127.0f);
    q[i] = static_cast<int8_t>(std::nearbyint(v));  // default rounding mode: RNE
  }
  for (size_t i = k; i < row_bytes; ++i) q[i] = 0;
}

}  // namespace

void f32_qd8_quantize_ukernel__reference(size_t rows, size_t k, const float* x,
                                         size_t x_stride, int8_t* xq, float* scales) {
  const size_t row_bytes = qd8_row_bytes(k);
  for (size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * x_stride;
    int8_t* qr = xq + r * row_bytes;
    float amax = 0.0f;
    for (size_t i = 0; i < k; ++i) amax = std::fmax(amax, std::fabs(xr[i]));
    if (!(amax >= kQd8MinAmax)) {
      scales[r] = 0.0f;
      for (size_t i = 0; i < row_bytes; ++i) qr[i] = 0;
      continue;
    }
    scales[r] = amax / 127.0f;
    quantize_row(k, row_bytes, xr, 127.0f / amax, qr);
  }
}

void f32_qs8_quantize_ukernel__reference(size_t rows, size_t k, const float* x, size_t x_stride,
                                         float multiplier, int8_t* xq) {
  const size_t row_bytes = qd8_row_bytes(k);
  for (size_t r = 0; r < rows; ++r) {
    quantize_row(k, row_bytes, x + r * x_stride, multiplier, xq + r * row_bytes);
  }
}

void f16_to_f32_rows_ukernel__reference(size_t n, const uint16_t* src, float* dst) {
  for (size_t i = 0; i < n; ++i) dst[i] = half_to_float(src[i]);
}

}  // namespace edgeattn
