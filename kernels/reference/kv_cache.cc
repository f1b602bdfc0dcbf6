// Reference KV cache row writers: f32 -> fp16 (IEEE, round to nearest even)
// and symmetric int8 with one scale per row. The formulas are in kernels.h;
// the ISA versions are bit-identical.
#include <cmath>

#include "kernels/reference/f16_encode.h"
#include "kernels/reference/reference.h"

namespace edgeattn {

void f32_to_f16_row_ukernel__reference(size_t n, const float* src, uint16_t* dst) {
  for (size_t i = 0; i < n; ++i) dst[i] = f32_to_fp16_bits(src[i]);
}

// One row of f32_qd8_quantize (reference/quant.cc) without the padding.
float f32_quantize_row_q8_ukernel__reference(size_t n, const float* src, int8_t* dst) {
  float amax = 0.0f;
  for (size_t i = 0; i < n; ++i) amax = std::fmax(amax, std::fabs(src[i]));
  if (!(amax >= kQd8MinAmax)) {
    for (size_t i = 0; i < n; ++i) dst[i] = 0;
    return 0.0f;
  }
  const float inv = 127.0f / amax;
  for (size_t i = 0; i < n; ++i) {
    const float v = std::fmin(std::fmax(src[i] * inv, -127.0f), 127.0f);
    dst[i] = static_cast<int8_t>(std::nearbyint(v));  // default rounding mode: RNE
  }
  return amax / 127.0f;
}

}  // namespace edgeattn
