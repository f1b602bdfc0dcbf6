// q8b_i{4,8}bw_gemm_ukernel_2x2__neondot: the block-quantized GEMMs
// (format 1.9) with SDOT (Armv8.2 dot product). AArch64 only; in the
// neon_dotprod and neon_fp16 tables. The armv8.2-a+dotprod instructions are
// enabled by the pragma below, after every #include (as arm/gemm_neondot.cc),
// so no inline function of a header is compiled for armv8.2 and shared with
// other translation units; arm/neon_block_gemm.h's helpers have internal
// linkage and no extension, and inline into this file's functions.
//
// SDOT sums 4 neighbouring int8 products per int32 lane, which is exactly
// kernels.h's lane l = products 4l .. 4l + 3: one SDOT on values 0..15 of a
// block gives lanes 0-3, one on values 16..31 lanes 4-7, no shuffles. I4
// codes (0..15) are valid signed int8, so the nibbles go in unchanged:
// byte j's low nibble is code j, its high nibble code j + 16. The float part
// is arm/neon_block_gemm.h's (shared with arm/block_gemm_neon.cc), so the
// results are the reference's bits. Tiles as block_gemm_neon.cc's AArch64
// ones (larger ones spill accumulators): 2 rows x 2 columns, rows left over
// 1 x 4, leftover columns 1.
#include <arm_neon.h>

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "kernels/arm/neon.h"
#include "kernels/arm/neon_block_gemm.h"
#include "runtime/core/weight_blocks.h"

#if defined(__aarch64__)
#pragma GCC push_options
#pragma GCC target("arch=armv8.2-a+dotprod")

namespace edgeattn {

namespace {

constexpr size_t kDotMR = 2;
constexpr size_t kDotNR = 2;
constexpr size_t kDotNR1 = 4;  // columns per tile for the rows left over (m = 1: decoding)

// A block's 32 values in two vectors: values 0..15 and 16..31.
struct Halves {
  int8x16_t first;
  int8x16_t second;
};

inline Halves weight_halves(const I4Block& b) {
  const uint8x16_t raw = vld1q_u8(b.codes);
  return {vreinterpretq_s8_u8(vandq_u8(raw, vdupq_n_u8(0x0F))), vreinterpretq_s8_u8(vshrq_n_u8(raw, 4))};
}

inline Halves weight_halves(const I8Block& b) { return {vld1q_s8(b.q), vld1q_s8(b.q + 16)}; }

// y [MR, NR] for rows xq [MR, k] (xd / xs [MR, blocks], rows `blocks`
// apart) and W's columns w [NR, blocks] (rows `blocks` blocks apart); bias
// and y at the tile's first column.
template <typename Block, size_t MR, size_t NR>
void dot_tile(size_t blocks, const int8_t* xq, const float* xd, const float* xs, const Block* w,
              const float* bias, float* y, size_t y_stride) {
  constexpr bool kI4 = std::is_same<Block, I4Block>::value;
  const size_t k = blocks * kWeightBlock;
  float32x4_t acc[MR][NR][2];
  float32x4_t accm[MR];
  for (size_t r = 0; r < MR; ++r) {
    accm[r] = vdupq_n_f32(0.0f);
    for (size_t c = 0; c < NR; ++c) acc[r][c][0] = acc[r][c][1] = vdupq_n_f32(0.0f);
  }
  for (size_t b = 0; b < blocks; ++b) {
    float32x4_t dv, mw;
    neon_block_scales<NR>(w + b, blocks, &dv, &mw);
    float dw[4];
    vst1q_f32(dw, dv);
    Halves wh[NR];
    for (size_t c = 0; c < NR; ++c) wh[c] = weight_halves(w[c * blocks + b]);
    for (size_t r = 0; r < MR; ++r) {
      const int8_t* xb = xq + r * k + b * kWeightBlock;
      const int8x16_t x0 = vld1q_s8(xb), x1 = vld1q_s8(xb + 16);
      const float xdr = xd[r * blocks + b];
      for (size_t c = 0; c < NR; ++c) {
        const int32x4_t lo = vdotq_s32(vdupq_n_s32(0), x0, wh[c].first);    // lanes 0-3
        const int32x4_t hi = vdotq_s32(vdupq_n_s32(0), x1, wh[c].second);   // lanes 4-7
        const float d = dw[c] * xdr;
        acc[r][c][0] = neon_block_fma(acc[r][c][0], vcvtq_f32_s32(lo), d);
        acc[r][c][1] = neon_block_fma(acc[r][c][1], vcvtq_f32_s32(hi), d);
      }
      if constexpr (kI4) accm[r] = neon_block_fma(accm[r], mw, xs[r * blocks + b]);
    }
  }
  neon_block_store<kI4, MR, NR>(acc, accm, bias, y, y_stride);
}

// MR rows against all n columns: NR-column tiles, then single columns.
template <typename Block, size_t MR, size_t NR>
void dot_rows(size_t n, size_t blocks, const int8_t* xq, const float* xd, const float* xs, const Block* w,
              const float* bias, float* y, size_t y_stride) {
  size_t c = 0;
  for (; c + NR <= n; c += NR) {
    dot_tile<Block, MR, NR>(blocks, xq, xd, xs, w + c * blocks, bias != nullptr ? bias + c : nullptr, y + c,
                            y_stride);
  }
  for (; c < n; ++c) {
    dot_tile<Block, MR, 1>(blocks, xq, xd, xs, w + c * blocks, bias != nullptr ? bias + c : nullptr, y + c,
                           y_stride);
  }
}

template <typename Block>
void dot_gemm(size_t m, size_t n, size_t k, const int8_t* xq, const float* xd, const float* xs, const void* w,
              const float* bias, float* y, size_t y_stride) {
  const size_t blocks = k / kWeightBlock;
  const Block* wb = static_cast<const Block*>(w);
  // xs is unused (and may be null) with I8Blocks: never offset a null pointer.
  auto xs_at = [&](size_t r) { return xs != nullptr ? xs + r * blocks : nullptr; };
  size_t r = 0;
  for (; r + kDotMR <= m; r += kDotMR) {
    dot_rows<Block, kDotMR, kDotNR>(n, blocks, xq + r * k, xd + r * blocks, xs_at(r), wb, bias, y + r * y_stride,
                                    y_stride);
  }
  for (; r < m; ++r) {
    dot_rows<Block, 1, kDotNR1>(n, blocks, xq + r * k, xd + r * blocks, xs_at(r), wb, bias, y + r * y_stride,
                                y_stride);
  }
}

}  // namespace

void q8b_i4bw_gemm_ukernel_2x2__neondot(size_t m, size_t n, size_t k, const int8_t* xq, const float* xd,
                                        const float* xs, const void* w, const float* bias, float* y,
                                        size_t y_stride) {
  dot_gemm<I4Block>(m, n, k, xq, xd, xs, w, bias, y, y_stride);
}

void q8b_i8bw_gemm_ukernel_2x2__neondot(size_t m, size_t n, size_t k, const int8_t* xq, const float* xd,
                                        const float* xs, const void* w, const float* bias, float* y,
                                        size_t y_stride) {
  dot_gemm<I8Block>(m, n, k, xq, xd, xs, w, bias, y, y_stride);
}

}  // namespace edgeattn

#pragma GCC pop_options
#endif  // __aarch64__
