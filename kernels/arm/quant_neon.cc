// NEON quantization helpers: dynamic per-row int8 quantization (qd8),
// fp16 -> fp32 rows. Bit-identical to the reference
// (kernels/reference/quant.cc): max/abs/clamp are exact, x * inv is one
// multiply, and rounding is to nearest even (AArch64 FCVTNS; armv7 adds and
// subtracts 1.5 * 2^23, exact RNE for |v| <= 2^22).
//
// armv7 NEON flushes subnormals to zero. For quantize that never matters:
// a flushed x or x * inv is < 0.5 in magnitude and rounds to 0 anyway, and a
// subnormal amax is below the 2^-100 floor.
#include <cmath>
#include <cstring>

#include "kernels/arm/fp16_neon.h"
#include "kernels/arm/neon.h"
#include "kernels/arm/neon_math.h"
#include "runtime/core/half.h"

namespace edgeattn {

namespace {

inline int8_t quantize_one(float x, float inv) {
  const float v = std::fmin(std::fmax(x * inv, -127.0f), 127.0f);
  return static_cast<int8_t>(std::nearbyint(v));
}

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

void f32_qd8_quantize_ukernel__neon(size_t rows, size_t k, const float* x, size_t x_stride,
                                    int8_t* xq, float* scales) {
  const size_t row_bytes = qd8_row_bytes(k);
  for (size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * x_stride;
    int8_t* qr = xq + r * row_bytes;
    float32x4_t m0 = vdupq_n_f32(0.0f), m1 = vdupq_n_f32(0.0f);
    size_t i = 0;
    for (; i + 8 <= k; i += 8) {
      m0 = vmaxq_f32(m0, vabsq_f32(vld1q_f32(xr + i)));
      m1 = vmaxq_f32(m1, vabsq_f32(vld1q_f32(xr + i + 4)));
    }
    float amax = neon_hmax(vmaxq_f32(m0, m1));
    for (; i < k; ++i) amax = std::fmax(amax, std::fabs(xr[i]));
    if (!(amax >= kQd8MinAmax)) {
      scales[r] = 0.0f;
      std::memset(qr, 0, row_bytes);
      continue;
    }
    scales[r] = amax / 127.0f;
    const float inv_s = 127.0f / amax;
    const float32x4_t inv = vdupq_n_f32(inv_s);
    i = 0;
    for (; i + 16 <= k; i += 16) {
      const int16x8_t lo = vcombine_s16(vqmovn_s32(quantize4(xr + i, inv)),
                                        vqmovn_s32(quantize4(xr + i + 4, inv)));
      const int16x8_t hi = vcombine_s16(vqmovn_s32(quantize4(xr + i + 8, inv)),
                                        vqmovn_s32(quantize4(xr + i + 12, inv)));
      vst1q_s8(qr + i, vcombine_s8(vqmovn_s16(lo), vqmovn_s16(hi)));
    }
    for (; i < k; ++i) qr[i] = quantize_one(xr[i], inv_s);
    for (; i < row_bytes; ++i) qr[i] = 0;
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
