// Inline NEON int8 quantization loops shared by arm/quant_neon.cc
// (f32_qd8_quantize, f32_qs8_quantize) and arm/kv_cache_neon.cc
// (f32_quantize_row_q8), so the three kernels run the same code and stay
// bit-identical to the reference formula q = rne(clamp(x * inv, -127, 127)):
// abs, max and clamp are exact, x * inv is one multiply, and rounding is to
// nearest even (AArch64 FCVTNS; armv7 adds and subtracts 1.5 * 2^23, exact
// RNE for |v| <= 2^22, and v is clamped to 127).
//
// armv7 NEON flushes subnormals to zero. That never changes a result: a
// flushed x or x * inv is < 0.5 in magnitude (while |inv| <= 2^125) and
// rounds to 0 anyway, and a subnormal amax is below the qd8 2^-100 floor.
//
// Example (one qd8 row):
//   const float amax = neon_absmax(k, xr);
//   neon_quantize_q8(k, xr, 127.0f / amax, qr);
#pragma once

#include <arm_neon.h>

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "kernels/arm/neon_math.h"

namespace edgeattn {

static inline int32x4_t neon_round_to_int(float32x4_t v) {
#if defined(__aarch64__)
  return vcvtnq_s32_f32(v);
#else
  const float32x4_t magic = vdupq_n_f32(12582912.0f);  // 1.5 * 2^23
  return vcvtq_s32_f32(vsubq_f32(vaddq_f32(v, magic), magic));
#endif
}

static inline int32x4_t neon_quantize4(const float* x, float32x4_t inv) {
  float32x4_t v = vmulq_f32(vld1q_f32(x), inv);
  v = vminq_f32(vmaxq_f32(v, vdupq_n_f32(-127.0f)), vdupq_n_f32(127.0f));
  return neon_round_to_int(v);
}

// max |x[i]| over i < n (0 for n = 0). max is exact, so the order does not
// matter.
static inline float neon_absmax(size_t n, const float* x) {
  float32x4_t m0 = vdupq_n_f32(0.0f), m1 = vdupq_n_f32(0.0f);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    m0 = vmaxq_f32(m0, vabsq_f32(vld1q_f32(x + i)));
    m1 = vmaxq_f32(m1, vabsq_f32(vld1q_f32(x + i + 4)));
  }
  float amax = neon_hmax(vmaxq_f32(m0, m1));
  for (; i < n; ++i) amax = std::fmax(amax, std::fabs(x[i]));
  return amax;
}

// q[i] = rne(clamp(x[i] * inv, -127, 127)) for i < n; writes exactly n bytes.
static inline void neon_quantize_q8(size_t n, const float* x, float inv_s, int8_t* q) {
  const float32x4_t inv = vdupq_n_f32(inv_s);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const int16x8_t lo = vcombine_s16(vqmovn_s32(neon_quantize4(x + i, inv)),
                                      vqmovn_s32(neon_quantize4(x + i + 4, inv)));
    const int16x8_t hi = vcombine_s16(vqmovn_s32(neon_quantize4(x + i + 8, inv)),
                                      vqmovn_s32(neon_quantize4(x + i + 12, inv)));
    vst1q_s8(q + i, vcombine_s8(vqmovn_s16(lo), vqmovn_s16(hi)));
  }
  for (; i < n; ++i) {  // the reference expression for the < 16 element tail
    const float v = std::fmin(std::fmax(x[i] * inv_s, -127.0f), 127.0f);
    q[i] = static_cast<int8_t>(std::nearbyint(v));
  }
}

}  // namespace edgeattn
