// qd8_qc8w_gemm_ukernel_4x4__neondot: the int8 GEMM with SDOT (Armv8.2
// dot product), 4 rows x 4 channels, 16 k per instruction. AArch64 only;
// dispatched when HWCAP_ASIMDDP is set. The instructions are enabled for this
// file's functions by the pragma below (after every #include, so no inline
// function from a header is compiled for armv8.2 and shared with other
// translation units). Same layouts, K tail and epilogue as gemm_neon.cc:
// bit-identical to the reference.
#include <arm_neon.h>

#include <cstring>

#include "kernels/arm/neon.h"

#if defined(__aarch64__)
#pragma GCC push_options
#pragma GCC target("arch=armv8.2-a+dotprod")

namespace edgeattn {

namespace {

constexpr size_t kDotMR = 4;
constexpr size_t kDotNR = 4;

template <size_t MR, size_t NR>
inline void dot_step(int32x4_t (&acc)[MR][NR], const int8_t* x, size_t row_bytes, size_t i,
                     const int8x16_t (&wv)[NR]) {
  for (size_t r = 0; r < MR; ++r) {
    const int8x16_t xv = vld1q_s8(x + r * row_bytes + i);
    for (size_t c = 0; c < NR; ++c) acc[r][c] = vdotq_s32(acc[r][c], xv, wv[c]);
  }
}

template <size_t MR, size_t NR>
inline void dot_block(size_t n0, size_t k, const int8_t* x, size_t row_bytes,
                      const float* x_scales, const int8_t* w, const float* w_scales,
                      const float* bias, float* y, size_t y_stride) {
  int32x4_t acc[MR][NR];
  for (size_t r = 0; r < MR; ++r)
    for (size_t c = 0; c < NR; ++c) acc[r][c] = vdupq_n_s32(0);
  const int8_t* wb = w + n0 * k;
  const size_t k16 = k & ~static_cast<size_t>(15);
  int8x16_t wv[NR];
  for (size_t i = 0; i < k16; i += 16) {
    for (size_t c = 0; c < NR; ++c) wv[c] = vld1q_s8(wb + c * k + i);
    dot_step<MR, NR>(acc, x, row_bytes, i, wv);
  }
  if (k16 < k) {
    for (size_t c = 0; c < NR; ++c) {
      int8_t buf[16] = {};
      std::memcpy(buf, wb + c * k + k16, k - k16);
      wv[c] = vld1q_s8(buf);
    }
    dot_step<MR, NR>(acc, x, row_bytes, k16, wv);
  }
  for (size_t r = 0; r < MR; ++r) {
    for (size_t c = 0; c < NR; ++c) {
      float v = static_cast<float>(vaddvq_s32(acc[r][c])) * (x_scales[r] * w_scales[n0 + c]);
      if (bias != nullptr) v = v + bias[n0 + c];
      y[r * y_stride + n0 + c] = v;
    }
  }
}

template <size_t MR>
inline void dot_rows(size_t n, size_t k, const int8_t* xq, size_t row_bytes,
                     const float* x_scales, const int8_t* w, const float* w_scales,
                     const float* bias, float* y, size_t y_stride) {
  size_t c = 0;
  for (; c + kDotNR <= n; c += kDotNR)
    dot_block<MR, kDotNR>(c, k, xq, row_bytes, x_scales, w, w_scales, bias, y, y_stride);
  for (; c < n; ++c)
    dot_block<MR, 1>(c, k, xq, row_bytes, x_scales, w, w_scales, bias, y, y_stride);
}

}  // namespace

void qd8_qc8w_gemm_ukernel_4x4__neondot(size_t m, size_t n, size_t k, const int8_t* xq,
                                        const float* x_scales, const int8_t* w,
                                        const float* w_scales, const float* bias, float* y,
                                        size_t y_stride) {
  const size_t rb = qd8_row_bytes(k);
  size_t r = 0;
  for (; r + kDotMR <= m; r += kDotMR) {
    dot_rows<kDotMR>(n, k, xq + r * rb, rb, x_scales + r, w, w_scales, bias, y + r * y_stride,
                     y_stride);
  }
  for (; r < m; ++r) {
    dot_rows<1>(n, k, xq + r * rb, rb, x_scales + r, w, w_scales, bias, y + r * y_stride,
                y_stride);
  }
}

}  // namespace edgeattn

#pragma GCC pop_options
#endif  // __aarch64__
