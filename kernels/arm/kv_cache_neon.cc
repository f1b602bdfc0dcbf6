// NEON KV cache row writers, bit-identical to reference/kv_cache.cc:
//   f32_to_f16_row: AArch64 FCVTN (vcvt_f16_f32) under the default FPCR
//     (round to nearest even, no flush-to-zero, default-NaN off: NaN quieted
//     keeping the top payload bits, like the scalar encoder). armv7 does not
//     assume -mfpu=neon-fp16 (and NEON there flushes subnormals), so it uses
//     the scalar encoder (reference/f16_encode.h) for every element.
//   f32_quantize_row_q8: one row of f32_qd8_quantize_ukernel__neon
//     (arm/quant_neon.cc) without padding, through the same loops
//     (arm/neon_quant.h, which explains the rounding and armv7's flush-to-zero).
#include <cstring>

#include "kernels/arm/neon.h"
#include "kernels/arm/neon_quant.h"
#include "kernels/reference/f16_encode.h"

namespace edgeattn {

void f32_to_f16_row_ukernel__neon(size_t n, const float* src, uint16_t* dst) {
  size_t i = 0;
#if defined(__aarch64__)
  for (; i + 8 <= n; i += 8) {
    const float16x4_t lo = vcvt_f16_f32(vld1q_f32(src + i));
    const float16x8_t h = vcvt_high_f16_f32(lo, vld1q_f32(src + i + 4));
    vst1q_u16(dst + i, vreinterpretq_u16_f16(h));
  }
  for (; i + 4 <= n; i += 4) {
    vst1_u16(dst + i, vreinterpret_u16_f16(vcvt_f16_f32(vld1q_f32(src + i))));
  }
#endif
  for (; i < n; ++i) dst[i] = f32_to_fp16_bits(src[i]);
}

float f32_quantize_row_q8_ukernel__neon(size_t n, const float* src, int8_t* dst) {
  const float amax = neon_absmax(n, src);
  if (!(amax >= kQd8MinAmax)) {
    std::memset(dst, 0, n);
    return 0.0f;
  }
  neon_quantize_q8(n, src, 127.0f / amax, dst);
  return amax / 127.0f;
}

}  // namespace edgeattn
