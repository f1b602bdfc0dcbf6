// NEON KV cache row writers, bit-identical to reference/kv_cache.cc:
//   f32_to_f16_row: AArch64 FCVTN (vcvt_f16_f32) under the default FPCR
//     (round to nearest even, no flush-to-zero, default-NaN off: NaN quieted
//     keeping the top payload bits, like the scalar encoder). armv7 does not
//     assume -mfpu=neon-fp16 (and NEON there flushes subnormals), so it uses
//     the scalar encoder (reference/f16_encode.h) for every element.
//   f32_quantize_row_q8: one row of f32_qd8_quantize_ukernel__neon
//     (arm/quant_neon.cc) without padding; rounding to nearest even is FCVTNS
//     on AArch64, +- 1.5 * 2^23 on armv7 (exact for |v| <= 127). armv7's
//     flush-to-zero only affects values that round to 0 anyway, and a
//     subnormal amax is below the kQd8MinAmax floor.
#include <cmath>
#include <cstring>

#include "kernels/arm/neon.h"
#include "kernels/arm/neon_math.h"
#include "kernels/reference/f16_encode.h"

namespace edgeattn {

namespace {

inline int32x4_t round_to_int(float32x4_t v) {
#if defined(__aarch64__)
  return vcvtnq_s32_f32(v);
#else
  const float32x4_t magic = vdupq_n_f32(12582912.0f);  // 1.5 * 2^23
  return vcvtq_s32_f32(vsubq_f32(vaddq_f32(v, magic), magic));
#endif
}

inline int32x4_t quantize4(const float* x, float32x4_t inv) {
  float32x4_t v = vmulq_f32(vld1q_f32(x), inv);
  v = vminq_f32(vmaxq_f32(v, vdupq_n_f32(-127.0f)), vdupq_n_f32(127.0f));
  return round_to_int(v);
}

}  // namespace

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
  float32x4_t m0 = vdupq_n_f32(0.0f), m1 = vdupq_n_f32(0.0f);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    m0 = vmaxq_f32(m0, vabsq_f32(vld1q_f32(src + i)));
    m1 = vmaxq_f32(m1, vabsq_f32(vld1q_f32(src + i + 4)));
  }
  float amax = neon_hmax(vmaxq_f32(m0, m1));
  for (; i < n; ++i) amax = std::fmax(amax, std::fabs(src[i]));
  if (!(amax >= kQd8MinAmax)) {
    std::memset(dst, 0, n);
    return 0.0f;
  }
  const float inv_s = 127.0f / amax;
  const float32x4_t inv = vdupq_n_f32(inv_s);
  i = 0;
  for (; i + 16 <= n; i += 16) {
    const int16x8_t lo = vcombine_s16(vqmovn_s32(quantize4(src + i, inv)),
                                      vqmovn_s32(quantize4(src + i + 4, inv)));
    const int16x8_t hi = vcombine_s16(vqmovn_s32(quantize4(src + i + 8, inv)),
                                      vqmovn_s32(quantize4(src + i + 12, inv)));
    vst1q_s8(dst + i, vcombine_s8(vqmovn_s16(lo), vqmovn_s16(hi)));
  }
  for (; i < n; ++i) {
    const float v = std::fmin(std::fmax(src[i] * inv_s, -127.0f), 127.0f);
    dst[i] = static_cast<int8_t>(std::nearbyint(v));
  }
  return amax / 127.0f;
}

}  // namespace edgeattn
