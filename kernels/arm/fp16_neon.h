// IEEE binary16 -> binary32 for the NEON kernels (4 lanes), exact.
//   AArch64: FCVTL (vcvt_f32_f16), which handles subnormals and quiets NaNs
//            keeping the payload, like the reference.
//   armv7:   the half-conversion instruction needs -mfpu=neon-fp16, which the
//            armv7 build does not assume, so integer NEON code instead:
//            normal and inf/NaN by rebiasing the exponent field, subnormal and
//            zero as float(mantissa) * 2^-24 (exact; the result is a normal
//            float, so NEON's flush-to-zero never applies).
// Only include this from NEON translation units.
//
// Example:
//   float32x4_t w = neon_f16_to_f32(vld1_u16(src));
#pragma once

#include <arm_neon.h>

namespace edgeattn {

static inline float32x4_t neon_f16_to_f32(uint16x4_t h) {
#if defined(__aarch64__)
  return vcvt_f32_f16(vreinterpret_f16_u16(h));
#else
  const uint32x4_t u = vmovl_u16(h);
  const uint32x4_t sign = vshlq_n_u32(vandq_u32(u, vdupq_n_u32(0x8000u)), 16);
  const uint32x4_t em = vandq_u32(u, vdupq_n_u32(0x7fffu));
  uint32x4_t bits = vaddq_u32(vshlq_n_u32(em, 13), vdupq_n_u32(112u << 23));
  // exp == 31: rebias again (to 255) and quiet NaNs.
  const uint32x4_t infnan = vcgeq_u32(em, vdupq_n_u32(0x7c00u));
  const uint32x4_t nan = vcgtq_u32(em, vdupq_n_u32(0x7c00u));
  bits = vaddq_u32(bits, vandq_u32(infnan, vdupq_n_u32(112u << 23)));
  bits = vorrq_u32(bits, vandq_u32(nan, vdupq_n_u32(0x00400000u)));
  // exp == 0: mantissa * 2^-24.
  const uint32x4_t sub = vcltq_u32(em, vdupq_n_u32(0x0400u));
  const float32x4_t subf = vmulq_f32(vcvtq_f32_u32(em), vdupq_n_f32(5.9604644775390625e-8f));
  bits = vbslq_u32(sub, vreinterpretq_u32_f32(subf), bits);
  return vreinterpretq_f32_u32(vorrq_u32(bits, sign));
#endif
}

static inline void neon_f16_to_f32x8(uint16x8_t h, float32x4_t* lo, float32x4_t* hi) {
#if defined(__aarch64__)
  *lo = vcvt_f32_f16(vreinterpret_f16_u16(vget_low_u16(h)));
  *hi = vcvt_high_f32_f16(vreinterpretq_f16_u16(h));
#else
  *lo = neon_f16_to_f32(vget_low_u16(h));
  *hi = neon_f16_to_f32(vget_high_u16(h));
#endif
}

}  // namespace edgeattn
