// Inline helpers shared by the block-quantized GEMMs (format 1.9) of
// arm/block_gemm_neon.cc and arm/block_gemm_neondot.cc: the float half of
// kernels.h's contract (block scales, the eight lane FMAs, the I4 offset
// term, the lane tree, bias and store). The two files differ only in how
// they get the exact int32 lane sums. Every function here has internal
// linkage and no ISA extension, so the dot-product file inlines them under
// its own target without sharing armv8.2 code with other translation units.
//
// Bit-identity with kernels/reference/block_gemm.cc:
//   - d = half(w.d) * xd is one scalar multiply; each lane update
//     fma(d, float(lane), acc) is a fused vector FMA (AArch64 FMLA, armv7
//     VFPv4 VFMA), i.e. one rounding, as std::fma; lane sums are exact in
//     float (|sum| < 2^24); the lane tree is the reference's order.
//   - armv7 NEON always flushes subnormals to zero (and rounds to nearest).
//     Nothing subnormal reaches a vector float operation here: half values
//     (d, m of W; xd, xs from f32_q8b_quantize) are multiples of 2^-24, so
//     every product d * lane and m * xs is a multiple of 2^-48 computed
//     exactly, and so is every accumulator (a sum of such multiples rounded
//     to float stays one: below 2^-24 it is exact, above it the float grid
//     is coarser than 2^-48). Hence every value is 0 or >= 2^-48 in
//     magnitude, far above float's subnormals (< 2^-126). The bias, which
//     may be subnormal, is added in scalar VFP code, which does not flush
//     (Linux's FPSCR default), exactly as the reference.
//   - armv7 without VFPv4 (-mfpu=neon; the build prefers neon-vfpv4) has no
//     fused vector FMA and VMLA rounds twice: there each lane takes a scalar
//     std::fma instead (slow, but the same bits).
//   - One exception: a NaN from NaN/inf scales (never written by the
//     converter) stays a NaN, but armv7 NEON returns the default NaN where
//     the reference's scalar code may keep another payload.
//
// Example (one block of one output, lanes from the caller's integer code):
//   acc_lo = neon_block_fma(acc_lo, vcvtq_f32_s32(lanes_0_3), d);
//   acc_hi = neon_block_fma(acc_hi, vcvtq_f32_s32(lanes_4_7), d);
#pragma once

#include <arm_neon.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "kernels/arm/fp16_neon.h"
#include "runtime/core/weight_blocks.h"

namespace edgeattn {
namespace {

// acc[i] + a[i] * b rounded once (std::fma's bits, see above).
inline float32x4_t neon_block_fma(float32x4_t acc, float32x4_t a, float b) {
#if defined(__aarch64__) || defined(__ARM_FEATURE_FMA)
  return vfmaq_f32(acc, a, vdupq_n_f32(b));
#else
  float accs[4], as[4];
  vst1q_f32(accs, acc);
  vst1q_f32(as, a);
  for (size_t i = 0; i < 4; ++i) accs[i] = std::fma(as[i], b, accs[i]);
  return vld1q_f32(accs);
#endif
}

// Lane c < NR: the binary16 field (d or m) of block w[c * stride] as a float
// (exact, fp16_neon.h); lanes >= NR are 0. NR <= 4.
template <size_t NR, typename Block>
inline float32x4_t neon_block_halves(const Block* w, size_t stride, const uint16_t Block::*field) {
  static_assert(NR <= 4, "one half per lane");
  uint64_t bits = 0;
  for (size_t c = 0; c < NR; ++c) bits |= static_cast<uint64_t>(w[c * stride].*field) << (16 * c);
  return neon_f16_to_f32(vcreate_u16(bits));
}

// The scales of blocks w[c * stride], c < NR <= 4, as floats: d in lane c of
// *d and (I4Blocks) m in lane c of *m; lanes >= NR are never used. For
// NR <= 2 an I4 block's adjacent d and m (one little-endian 32-bit word)
// share one conversion: armv7's integer fp16 widening costs about as much
// as a column's lane sums.
template <size_t NR>
inline void neon_block_scales(const I4Block* w, size_t stride, float32x4_t* d, float32x4_t* m) {
  if constexpr (NR <= 2) {
    uint64_t bits = 0;
    for (size_t c = 0; c < NR; ++c) {
      uint32_t dm;  // d | m << 16
      std::memcpy(&dm, &w[c * stride], sizeof dm);
      bits |= static_cast<uint64_t>(dm) << (32 * c);
    }
    const float32x4_t f = neon_f16_to_f32(vcreate_u16(bits));  // [d0, m0, d1, m1]
    const float32x4x2_t u = vuzpq_f32(f, f);                    // [d0, d1, ..], [m0, m1, ..]
    *d = u.val[0];
    *m = u.val[1];
  } else {
    *d = neon_block_halves<NR>(w, stride, &I4Block::d);
    *m = neon_block_halves<NR>(w, stride, &I4Block::m);
  }
}

template <size_t NR>
inline void neon_block_scales(const I8Block* w, size_t stride, float32x4_t* d, float32x4_t* m) {
  *d = neon_block_halves<NR>(w, stride, &I8Block::d);
  *m = vdupq_n_f32(0.0f);
}

// ((a0 + a4) + (a2 + a6)) + ((a1 + a5) + (a3 + a7)) for lo = a0..a3,
// hi = a4..a7: the reference's lane_tree (ggml's hsum_float_8).
inline float neon_block_lane_tree(float32x4_t lo, float32x4_t hi) {
  const float32x4_t s = vaddq_f32(lo, hi);                              // [a0+a4, a1+a5, a2+a6, a3+a7]
  const float32x2_t t = vadd_f32(vget_low_f32(s), vget_high_f32(s));  // [s0+s2, s1+s3]
  return vget_lane_f32(t, 0) + vget_lane_f32(t, 1);
}

// y[r, c] for an MR x NR tile from its lane accumulators acc [MR][NR][2]
// (lanes 0-3, 4-7) and, with kOffset (I4Blocks), the offset accumulators
// accm [MR] (column c in lane c). bias and y point at the tile's first
// column; bias may be nullptr.
template <bool kOffset, size_t MR, size_t NR>
inline void neon_block_store(const float32x4_t (&acc)[MR][NR][2], const float32x4_t (&accm)[MR],
                             const float* bias, float* y, size_t y_stride) {
  for (size_t r = 0; r < MR; ++r) {
    float offset[4];
    vst1q_f32(offset, accm[r]);
    for (size_t c = 0; c < NR; ++c) {
      float v = neon_block_lane_tree(acc[r][c][0], acc[r][c][1]);
      if (kOffset) v = v + offset[c];
      if (bias != nullptr) v = v + bias[c];
      y[r * y_stride + c] = v;
    }
  }
}

// One tile, y [MR, NR] for rows xq [MR, k] (xd / xs [MR, blocks], rows
// `blocks` apart) and W's columns w [NR, blocks] (rows `blocks` blocks
// apart); bias and y at the tile's first column. `Lanes` is the file's
// integer half: its W / X are a block's weights / activations prepared
// once per tile row / column (weights(block), activations(32 int8 codes)),
// and sums(x, w, &lo, &hi) gives the exact lane sums 0-3 and 4-7.
template <class Lanes, typename Block, size_t MR, size_t NR>
void neon_block_tile(size_t blocks, const int8_t* xq, const float* xd, const float* xs, const Block* w,
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
    typename Lanes::W wp[NR];
    for (size_t c = 0; c < NR; ++c) wp[c] = Lanes::weights(w[c * blocks + b]);
    for (size_t r = 0; r < MR; ++r) {
      const typename Lanes::X xp = Lanes::activations(xq + r * k + b * kWeightBlock);
      const float xdr = xd[r * blocks + b];
      for (size_t c = 0; c < NR; ++c) {
        int32x4_t lo, hi;
        Lanes::sums(xp, wp[c], &lo, &hi);
        const float d = dw[c] * xdr;
        acc[r][c][0] = neon_block_fma(acc[r][c][0], vcvtq_f32_s32(lo), d);
        acc[r][c][1] = neon_block_fma(acc[r][c][1], vcvtq_f32_s32(hi), d);
      }
      if constexpr (kI4) accm[r] = neon_block_fma(accm[r], mw, xs[r * blocks + b]);
    }
  }
  neon_block_store<kI4, MR, NR>(acc, accm, bias, y, y_stride);
}

// The loops around the tile, written once for both files: rows in tiles of
// MR (NR columns at a time, then the columns left one by one); the rows left
// over one at a time, NR1 columns per tile (m = 1: decoding).
template <class Lanes, typename Block, size_t MR, size_t NR>
void neon_block_rows(size_t n, size_t blocks, const int8_t* xq, const float* xd, const float* xs, const Block* w,
                     const float* bias, float* y, size_t y_stride) {
  size_t c = 0;
  for (; c + NR <= n; c += NR) {
    neon_block_tile<Lanes, Block, MR, NR>(blocks, xq, xd, xs, w + c * blocks, bias != nullptr ? bias + c : nullptr,
                                          y + c, y_stride);
  }
  for (; c < n; ++c) {
    neon_block_tile<Lanes, Block, MR, 1>(blocks, xq, xd, xs, w + c * blocks, bias != nullptr ? bias + c : nullptr,
                                         y + c, y_stride);
  }
}

template <class Lanes, typename Block, size_t MR, size_t NR, size_t NR1>
void neon_block_gemm(size_t m, size_t n, size_t k, const int8_t* xq, const float* xd, const float* xs, const void* w,
                     const float* bias, float* y, size_t y_stride) {
  const size_t blocks = k / kWeightBlock;
  const Block* wb = static_cast<const Block*>(w);
  // xs is unused (and may be null) with I8Blocks: never offset a null pointer.
  auto xs_at = [&](size_t r) { return xs != nullptr ? xs + r * blocks : nullptr; };
  size_t r = 0;
  for (; r + MR <= m; r += MR) {
    neon_block_rows<Lanes, Block, MR, NR>(n, blocks, xq + r * k, xd + r * blocks, xs_at(r), wb, bias,
                                          y + r * y_stride, y_stride);
  }
  for (; r < m; ++r) {
    neon_block_rows<Lanes, Block, 1, NR1>(n, blocks, xq + r * k, xd + r * blocks, xs_at(r), wb, bias,
                                          y + r * y_stride, y_stride);
  }
}

}  // namespace
}  // namespace edgeattn
