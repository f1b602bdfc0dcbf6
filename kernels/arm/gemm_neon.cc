// NEON GEMMs for linear layers with weights used in place, W row-major [N, K]:
//   qd8_qc8w_gemm_ukernel_4x4__neon: int8 x int8 -> int32 with
//     SMULL + SMLAL (two products summed in int16: |p| <= 2 * 127 * 127 = 32258
//     < 32767 because neither operand is -128) + SADALP into int32;
//   f32_f16w_gemm_ukernel_4x4__neon: fp16 weights widened to fp32
//     (fp16_neon.h), fp32 multiply-add.
// Tiles: 4 rows x 4 channels on AArch64 (16 accumulators of 32 registers);
// armv7 has 16 q registers and uses 2 x 4. Rows and channels left over use
// smaller tiles. The int8 epilogue is the reference's
// float(acc) * (x_scale * w_scale) [+ bias] in scalar float
// (-ffp-contract=off), so that entry is bit-identical to the reference.
#include <cstring>

#include "kernels/arm/fp16_neon.h"
#include "kernels/arm/neon.h"
#include "kernels/arm/neon_math.h"

namespace edgeattn {

namespace {

#if defined(__aarch64__)
constexpr size_t kMR = 4;
inline int32_t hsum_s32(int32x4_t v) { return vaddvq_s32(v); }
#else
constexpr size_t kMR = 2;
inline int32_t hsum_s32(int32x4_t v) {
  const int32x2_t s = vadd_s32(vget_low_s32(v), vget_high_s32(v));
  return vget_lane_s32(vpadd_s32(s, s), 0);
}
#endif
constexpr size_t kNR = 4;

template <size_t MR, size_t NR>
inline void qd8_step(int32x4_t (&acc)[MR][NR], const int8_t* x, size_t row_bytes, size_t i,
                     const int8x16_t (&wv)[NR]) {
  for (size_t r = 0; r < MR; ++r) {
    const int8x16_t xv = vld1q_s8(x + r * row_bytes + i);
    for (size_t c = 0; c < NR; ++c) {
      int16x8_t p = vmull_s8(vget_low_s8(xv), vget_low_s8(wv[c]));
      p = vmlal_s8(p, vget_high_s8(xv), vget_high_s8(wv[c]));
      acc[r][c] = vpadalq_s16(acc[r][c], p);
    }
  }
}

template <size_t MR, size_t NR>
inline void qd8_tile(size_t k, const int8_t* x, size_t row_bytes, const int8_t* w,
                     int32_t (&out)[MR][NR]) {
  int32x4_t acc[MR][NR];
  for (size_t r = 0; r < MR; ++r)
    for (size_t c = 0; c < NR; ++c) acc[r][c] = vdupq_n_s32(0);
  const size_t k16 = k & ~static_cast<size_t>(15);
  int8x16_t wv[NR];
  for (size_t i = 0; i < k16; i += 16) {
    for (size_t c = 0; c < NR; ++c) wv[c] = vld1q_s8(w + c * k + i);
    qd8_step<MR, NR>(acc, x, row_bytes, i, wv);
  }
  if (k16 < k) {
    // K tail: weights copied into a zeroed block (nothing past a weight row
    // is read); x rows are padded to 32 bytes, so the x load is in bounds.
    for (size_t c = 0; c < NR; ++c) {
      int8_t buf[16] = {};
      std::memcpy(buf, w + c * k + k16, k - k16);
      wv[c] = vld1q_s8(buf);
    }
    qd8_step<MR, NR>(acc, x, row_bytes, k16, wv);
  }
  for (size_t r = 0; r < MR; ++r)
    for (size_t c = 0; c < NR; ++c) out[r][c] = hsum_s32(acc[r][c]);
}

template <size_t MR, size_t NR>
inline void qd8_block(size_t n0, size_t k, const int8_t* xq, size_t row_bytes,
                      const float* x_scales, const int8_t* w, const float* w_scales,
                      const float* bias, float* y, size_t y_stride) {
  int32_t acc[MR][NR];
  qd8_tile<MR, NR>(k, xq, row_bytes, w + n0 * k, acc);
  for (size_t r = 0; r < MR; ++r) {
    for (size_t c = 0; c < NR; ++c) {
      float v = static_cast<float>(acc[r][c]) * (x_scales[r] * w_scales[n0 + c]);
      if (bias != nullptr) v = v + bias[n0 + c];
      y[r * y_stride + n0 + c] = v;
    }
  }
}

template <size_t MR>
inline void qd8_rows(size_t n, size_t k, const int8_t* xq, size_t row_bytes,
                     const float* x_scales, const int8_t* w, const float* w_scales,
                     const float* bias, float* y, size_t y_stride) {
  size_t c = 0;
  for (; c + kNR <= n; c += kNR)
    qd8_block<MR, kNR>(c, k, xq, row_bytes, x_scales, w, w_scales, bias, y, y_stride);
  for (; c < n; ++c)
    qd8_block<MR, 1>(c, k, xq, row_bytes, x_scales, w, w_scales, bias, y, y_stride);
}

template <size_t MR, size_t NR>
inline void f16_step(float32x4_t (&acc)[MR][NR], const float* x, size_t x_stride, size_t i,
                     const uint16x8_t (&wh)[NR]) {
  float32x4_t wlo[NR], whi[NR];
  for (size_t c = 0; c < NR; ++c) neon_f16_to_f32x8(wh[c], &wlo[c], &whi[c]);
  for (size_t r = 0; r < MR; ++r) {
    const float32x4_t x0 = vld1q_f32(x + r * x_stride + i);
    const float32x4_t x1 = vld1q_f32(x + r * x_stride + i + 4);
    for (size_t c = 0; c < NR; ++c) {
      acc[r][c] = neon_fma(acc[r][c], x0, wlo[c]);
      acc[r][c] = neon_fma(acc[r][c], x1, whi[c]);
    }
  }
}

template <size_t MR, size_t NR>
inline void f16_tile(size_t k, const float* x, size_t x_stride, const uint16_t* w,
                     float (&out)[MR][NR]) {
  float32x4_t acc[MR][NR];
  for (size_t r = 0; r < MR; ++r)
    for (size_t c = 0; c < NR; ++c) acc[r][c] = vdupq_n_f32(0.0f);
  const size_t k8 = k & ~static_cast<size_t>(7);
  uint16x8_t wh[NR];
  for (size_t i = 0; i < k8; i += 8) {
    for (size_t c = 0; c < NR; ++c) wh[c] = vld1q_u16(w + c * k + i);
    f16_step<MR, NR>(acc, x, x_stride, i, wh);
  }
  if (k8 < k) {
    // K tail: zero-padded copies of the last k - k8 elements of x and w.
    const size_t left = k - k8;
    for (size_t c = 0; c < NR; ++c) {
      uint16_t buf[8] = {};
      std::memcpy(buf, w + c * k + k8, left * sizeof(uint16_t));
      wh[c] = vld1q_u16(buf);
    }
    float xbuf[MR * 8] = {};
    for (size_t r = 0; r < MR; ++r) std::memcpy(xbuf + r * 8, x + r * x_stride + k8, left * sizeof(float));
    f16_step<MR, NR>(acc, xbuf, 8, 0, wh);
  }
  for (size_t r = 0; r < MR; ++r) {
    size_t c = 0;
    for (; c + 4 <= NR; c += 4) {
      float s[4];
      vst1q_f32(s, neon_hsum4(acc[r][c], acc[r][c + 1], acc[r][c + 2], acc[r][c + 3]));
      for (size_t j = 0; j < 4; ++j) out[r][c + j] = s[j];
    }
    for (; c < NR; ++c) out[r][c] = neon_hsum(acc[r][c]);
  }
}

template <size_t MR, size_t NR>
inline void f16_block(size_t n0, size_t k, const float* x, size_t x_stride, const uint16_t* w,
                      const float* bias, float* y, size_t y_stride) {
  float acc[MR][NR];
  f16_tile<MR, NR>(k, x, x_stride, w + n0 * k, acc);
  for (size_t r = 0; r < MR; ++r) {
    for (size_t c = 0; c < NR; ++c) {
      float v = acc[r][c];
      if (bias != nullptr) v = v + bias[n0 + c];
      y[r * y_stride + n0 + c] = v;
    }
  }
}

template <size_t MR>
inline void f16_rows(size_t n, size_t k, const float* x, size_t x_stride, const uint16_t* w,
                     const float* bias, float* y, size_t y_stride) {
  size_t c = 0;
  for (; c + kNR <= n; c += kNR) f16_block<MR, kNR>(c, k, x, x_stride, w, bias, y, y_stride);
  for (; c < n; ++c) f16_block<MR, 1>(c, k, x, x_stride, w, bias, y, y_stride);
}

}  // namespace

void qd8_qc8w_gemm_ukernel_4x4__neon(size_t m, size_t n, size_t k, const int8_t* xq,
                                     const float* x_scales, const int8_t* w,
                                     const float* w_scales, const float* bias, float* y,
                                     size_t y_stride) {
  const size_t rb = qd8_row_bytes(k);
  size_t r = 0;
  for (; r + kMR <= m; r += kMR) {
    qd8_rows<kMR>(n, k, xq + r * rb, rb, x_scales + r, w, w_scales, bias, y + r * y_stride,
                  y_stride);
  }
  for (; r < m; ++r) {
    qd8_rows<1>(n, k, xq + r * rb, rb, x_scales + r, w, w_scales, bias, y + r * y_stride,
                y_stride);
  }
}

void f32_f16w_gemm_ukernel_4x4__neon(size_t m, size_t n, size_t k, const float* x,
                                     size_t x_stride, const uint16_t* w, const float* bias,
                                     float* y, size_t y_stride) {
  size_t r = 0;
  for (; r + kMR <= m; r += kMR) {
    f16_rows<kMR>(n, k, x + r * x_stride, x_stride, w, bias, y + r * y_stride, y_stride);
  }
  for (; r < m; ++r) {
    f16_rows<1>(n, k, x + r * x_stride, x_stride, w, bias, y + r * y_stride, y_stride);
  }
}

}  // namespace edgeattn
