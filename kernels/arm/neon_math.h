// Inline NEON helpers shared by the *_neon.cc kernels: FMA, reductions,
// division, partial loads for tails, and vectorized exp and GELU.
//
// AArch64 has instructions armv7 NEON lacks (vaddvq_f32, vmaxvq_f32,
// vdivq_f32, vrndnq_f32, vpaddq_f32, and fused vfmaq_f32 is only guaranteed
// with VFPv4); each helper uses them on AArch64 and falls back on armv7.
// exp is kernels/x86/avx2_math.h's algorithm (see there for the accuracy
// argument); GELU is not: x86 picks polynomial coefficients per lane with
// one vpermps from an 8-interval table, which NEON has no one-instruction
// float gather for, so neon_gelu computes erfc from exp (same error class).
//
// Example:
//   float32x4_t e = neon_exp(vld1q_f32(x));
#pragma once

#include <arm_neon.h>

#include <cstddef>
#include <cstdint>

namespace edgeattn {

// acc + a * b (fused where the hardware has it).
static inline float32x4_t neon_fma(float32x4_t acc, float32x4_t a, float32x4_t b) {
#if defined(__aarch64__) || defined(__ARM_FEATURE_FMA)
  return vfmaq_f32(acc, a, b);
#else
  return vmlaq_f32(acc, a, b);
#endif
}

// acc - a * b.
static inline float32x4_t neon_fms(float32x4_t acc, float32x4_t a, float32x4_t b) {
#if defined(__aarch64__) || defined(__ARM_FEATURE_FMA)
  return vfmsq_f32(acc, a, b);
#else
  return vmlsq_f32(acc, a, b);
#endif
}

// dst[c * ds + r] = src[r * ss + c] for r, c < 4: vtrn pairs of rows, then
// recombine their halves.
static inline void neon_transpose_4x4(const float* src, size_t ss, float* dst, size_t ds) {
  const float32x4x2_t t01 = vtrnq_f32(vld1q_f32(src), vld1q_f32(src + ss));  // [a0 b0 a2 b2], [a1 b1 a3 b3]
  const float32x4x2_t t23 = vtrnq_f32(vld1q_f32(src + 2 * ss), vld1q_f32(src + 3 * ss));
  vst1q_f32(dst, vcombine_f32(vget_low_f32(t01.val[0]), vget_low_f32(t23.val[0])));
  vst1q_f32(dst + ds, vcombine_f32(vget_low_f32(t01.val[1]), vget_low_f32(t23.val[1])));
  vst1q_f32(dst + 2 * ds, vcombine_f32(vget_high_f32(t01.val[0]), vget_high_f32(t23.val[0])));
  vst1q_f32(dst + 3 * ds, vcombine_f32(vget_high_f32(t01.val[1]), vget_high_f32(t23.val[1])));
}

static inline float neon_hsum(float32x4_t v) {
#if defined(__aarch64__)
  return vaddvq_f32(v);
#else
  float32x2_t s = vadd_f32(vget_low_f32(v), vget_high_f32(v));
  s = vpadd_f32(s, s);
  return vget_lane_f32(s, 0);
#endif
}

static inline float neon_hmax(float32x4_t v) {
#if defined(__aarch64__)
  return vmaxvq_f32(v);
#else
  float32x2_t s = vmax_f32(vget_low_f32(v), vget_high_f32(v));
  s = vpmax_f32(s, s);
  return vget_lane_f32(s, 0);
#endif
}

// Lane i of the result is hsum(v_i).
static inline float32x4_t neon_hsum4(float32x4_t v0, float32x4_t v1, float32x4_t v2,
                                     float32x4_t v3) {
#if defined(__aarch64__)
  return vpaddq_f32(vpaddq_f32(v0, v1), vpaddq_f32(v2, v3));
#else
  const float32x2_t s0 = vpadd_f32(vget_low_f32(v0), vget_high_f32(v0));
  const float32x2_t s1 = vpadd_f32(vget_low_f32(v1), vget_high_f32(v1));
  const float32x2_t s2 = vpadd_f32(vget_low_f32(v2), vget_high_f32(v2));
  const float32x2_t s3 = vpadd_f32(vget_low_f32(v3), vget_high_f32(v3));
  return vcombine_f32(vpadd_f32(s0, s1), vpadd_f32(s2, s3));
#endif
}

// a / b. armv7 has no vector divide: reciprocal estimate refined by two
// Newton-Raphson steps (~1 ulp), then a multiply.
static inline float32x4_t neon_div(float32x4_t a, float32x4_t b) {
#if defined(__aarch64__)
  return vdivq_f32(a, b);
#else
  float32x4_t r = vrecpeq_f32(b);
  r = vmulq_f32(r, vrecpsq_f32(b, r));
  r = vmulq_f32(r, vrecpsq_f32(b, r));
  return vmulq_f32(a, r);
#endif
}

// Round to nearest integer (as float).
static inline float32x4_t neon_round(float32x4_t x) {
#if defined(__aarch64__)
  return vrndnq_f32(x);
#else
  // floor(x + 0.5): truncate, then step down where truncation rounded up.
  const float32x4_t y = vaddq_f32(x, vdupq_n_f32(0.5f));
  const float32x4_t t = vcvtq_f32_s32(vcvtq_s32_f32(y));
  const uint32x4_t too_big = vcgtq_f32(t, y);
  return vsubq_f32(t, vreinterpretq_f32_u32(vandq_u32(too_big, vreinterpretq_u32_f32(vdupq_n_f32(1.0f)))));
#endif
}

// First n (< 4) floats of p, zero-padded; and the matching partial store.
static inline float32x4_t neon_load_partial(const float* p, size_t n) {
  float buf[4] = {0.0f, 0.0f, 0.0f, 0.0f};
  for (size_t i = 0; i < n; ++i) buf[i] = p[i];
  return vld1q_f32(buf);
}

static inline void neon_store_partial(float* p, size_t n, float32x4_t v) {
  float buf[4];
  vst1q_f32(buf, v);
  for (size_t i = 0; i < n; ++i) p[i] = buf[i];
}

// exp(x): Cephes expf, same constants and clamping as avx2_exp. Inputs below
// -126 ln 2 return 0 (so exp(-inf) == 0); callers only pass x <= 0.
static inline float32x4_t neon_exp(float32x4_t x) {
  const float32x4_t kLo = vdupq_n_f32(-87.336544750553f);
  const uint32x4_t underflow = vcltq_f32(x, kLo);
  x = vminq_f32(vmaxq_f32(x, kLo), vdupq_n_f32(88.0f));
  const float32x4_t n = neon_round(vmulq_f32(x, vdupq_n_f32(1.44269504088896341f)));
  float32x4_t r = neon_fms(x, n, vdupq_n_f32(0.693359375f));
  r = neon_fms(r, n, vdupq_n_f32(-2.12194440e-4f));
  float32x4_t p = vdupq_n_f32(1.9875691500e-4f);
  p = neon_fma(vdupq_n_f32(1.3981999507e-3f), p, r);
  p = neon_fma(vdupq_n_f32(8.3334519073e-3f), p, r);
  p = neon_fma(vdupq_n_f32(4.1665795894e-2f), p, r);
  p = neon_fma(vdupq_n_f32(1.6666665459e-1f), p, r);
  p = neon_fma(vdupq_n_f32(5.0000001201e-1f), p, r);
  p = neon_fma(r, p, vmulq_f32(r, r));
  p = vaddq_f32(p, vdupq_n_f32(1.0f));
  const int32x4_t e = vshlq_n_s32(vaddq_s32(vcvtq_s32_f32(n), vdupq_n_s32(127)), 23);
  const float32x4_t y = vmulq_f32(p, vreinterpretq_f32_s32(e));
  return vreinterpretq_f32_u32(vbicq_u32(vreinterpretq_u32_f32(y), underflow));
}

// gelu(x) = 0.5 x (1 + erf(x / sqrt 2)) from erfc alone, one branch:
// z = min(|x| / sqrt 2, 16) (erfc(16) = 0 in float), q = 0.5 x erfc(z),
// y = q for x < 0 (0.5 x (1 - erf z)) and x - q for x >= 0 (0.5 x (2 -
// erfc z)). erfc(z) = t exp(-z^2 + R(t)), t = 1 / (1 + z/2), the Chebyshev
// fit from Numerical Recipes (erfcc, relative error < 1.2e-7 for every
// z >= 0), so no Taylor branch for small |x|: 1 - erfc is never formed.
static inline float32x4_t neon_gelu(float32x4_t x) {
  const float32x4_t one = vdupq_n_f32(1.0f);
  const float32x4_t z = vminq_f32(vmulq_f32(vabsq_f32(x), vdupq_n_f32(0.70710678118654752f)), vdupq_n_f32(16.0f));
  const float32x4_t t = neon_div(one, neon_fma(one, vdupq_n_f32(0.5f), z));
  float32x4_t p = vdupq_n_f32(0.17087277f);
  p = neon_fma(vdupq_n_f32(-0.82215223f), p, t);
  p = neon_fma(vdupq_n_f32(1.48851587f), p, t);
  p = neon_fma(vdupq_n_f32(-1.13520398f), p, t);
  p = neon_fma(vdupq_n_f32(0.27886807f), p, t);
  p = neon_fma(vdupq_n_f32(-0.18628806f), p, t);
  p = neon_fma(vdupq_n_f32(0.09678418f), p, t);
  p = neon_fma(vdupq_n_f32(0.37409196f), p, t);
  p = neon_fma(vdupq_n_f32(1.00002368f), p, t);
  p = neon_fma(vdupq_n_f32(-1.26551223f), p, t);
  const float32x4_t erfc = vmulq_f32(t, neon_exp(neon_fms(p, z, z)));
  const float32x4_t q = vmulq_f32(vmulq_f32(x, vdupq_n_f32(0.5f)), erfc);
  return vbslq_f32(vcltq_f32(x, vdupq_n_f32(0.0f)), q, vsubq_f32(x, q));
}

}  // namespace edgeattn
