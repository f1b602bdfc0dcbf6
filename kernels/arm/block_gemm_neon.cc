// NEON kernels for block-quantized weights (format 1.9, I4Blocks / I8Blocks;
// AArch64 and armv7 with -mfpu=neon-vfpv4), bit-identical to
// kernels/reference/block_gemm.cc:
//   f32_q8b_quantize_ukernel__neon: arm/neon_quant.h's absmax and rounding
//     loops (shared with f32_qd8_quantize) per block of 32; d and s rounded
//     to binary16 by FCVTN/FCVTL (AArch64) or the portable encoder (armv7).
//   q8b_i{4,8}bw_gemm_ukernel_2x2__neon: per block, the 8 lane sums of 4
//     products each with SMULL + SMLAL + SADDLP, then the float part of
//     arm/neon_block_gemm.h (which explains the bit-identity, armv7's
//     flush-to-zero included).
// The lane sums: lane l needs products 4l .. 4l + 3 of the block. x's and
// W's 32 values are both split by UZP on 16-bit pairs into "even" pairs
// (values 0,1, 4,5, .., 12,13 | 16,17, .., 28,29) and "odd" pairs
// (2,3, .., 14,15 | 18,19, .., 30,31). SMULL on the even halves plus SMLAL
// on the odd ones gives int16 [p0+p2, p1+p3, p4+p6, ..], and SADDLP adds
// neighbours into int32 [p0+..+p3, p4+..+p7, ..]: lanes 0-3 from the low
// halves, 4-7 from the high ones. Two products fit int16: |x| <= 127 (the
// quantizer clamps), |w| <= 128, 2 * 128 * 127 = 32512.
// Tiles: AArch64 2 rows x 2 columns, rows left over 1 x 4 (decoding, m = 1);
// armv7 (16 q registers) 1 x 2; leftover columns 1-column tiles. Chosen from
// GCC 12's output: on AArch64, 4 x 2 and 3 x 2 already spill accumulators in
// the block loop (the scheduler keeps several columns' products live), 2 x 2
// and 1 x 4 do not; on armv7, 1 x 2 spills two accumulators, 2 x 2 and
// 1 x 4 many more. W is read in place, once per row tile.
#include <cstring>
#include <type_traits>

#include "kernels/arm/neon.h"
#include "kernels/arm/neon_block_gemm.h"
#include "kernels/arm/neon_quant.h"
#include "kernels/reference/f16_encode.h"
#include "runtime/core/half.h"
#include "runtime/core/weight_blocks.h"

namespace edgeattn {

namespace {

#if defined(__aarch64__)
constexpr size_t kMR = 2;
constexpr size_t kNR = 2;
constexpr size_t kNR1 = 4;  // columns per tile for the rows left over (m = 1: decoding)
#else
constexpr size_t kMR = 1;
constexpr size_t kNR = 2;
constexpr size_t kNR1 = 2;
#endif

// ---- f32_q8b_quantize ------------------------------------------------------

// sum of the 32 codes of a block (|sum| <= 32 * 127, exact in int16).
int32_t block_code_sum(const int8_t* q) {
  const int16x8_t s = vaddq_s16(vpaddlq_s8(vld1q_s8(q)), vpaddlq_s8(vld1q_s8(q + 16)));
#if defined(__aarch64__)
  return vaddlvq_s16(s);
#else
  const int64x2_t s2 = vpaddlq_s32(vpaddlq_s16(s));
  return static_cast<int32_t>(vgetq_lane_s64(s2, 0) + vgetq_lane_s64(s2, 1));
#endif
}

// xd = f16(d), xs = f16(s): AArch64 FCVTN / FCVTL under the default FPCR
// (round to nearest even, no flush; see arm/kv_cache_neon.cc), armv7 the
// reference's portable encoder (no fp16 conversion assumed there).
void round_to_halves(float d, float s, float* xd, float* xs) {
#if defined(__aarch64__)
  const float32x4_t v = vsetq_lane_f32(s, vdupq_n_f32(d), 1);
  const float32x4_t r = vcvt_f32_f16(vcvt_f16_f32(v));
  *xd = vgetq_lane_f32(r, 0);
  *xs = vgetq_lane_f32(r, 1);
#else
  *xd = half_to_float(f32_to_fp16_bits(d));
  *xs = half_to_float(f32_to_fp16_bits(s));
#endif
}

// ---- q8b GEMMs ---------------------------------------------------------------

// 32 values of a block split into 16-bit pairs (see the file comment).
struct Pairs {
  int8x16_t even;  // values 0,1, 4,5, 8,9, 12,13, 16,17, 20,21, 24,25, 28,29
  int8x16_t odd;   // values 2,3, 6,7, 10,11, 14,15, 18,19, 22,23, 26,27, 30,31
};

// first = values 0..15, second = values 16..31.
inline Pairs split_pairs(int8x16_t first, int8x16_t second) {
  const int16x8x2_t u = vuzpq_s16(vreinterpretq_s16_s8(first), vreinterpretq_s16_s8(second));
  return {vreinterpretq_s8_s16(u.val[0]), vreinterpretq_s8_s16(u.val[1])};
}

inline Pairs weight_pairs(const I4Block& b) {
  const uint8x16_t raw = vld1q_u8(b.codes);  // byte j: code j | code j + 16 << 4
  const uint8x16_t lo = vandq_u8(raw, vdupq_n_u8(0x0F));
  const uint8x16_t hi = vshrq_n_u8(raw, 4);
  return split_pairs(vreinterpretq_s8_u8(lo), vreinterpretq_s8_u8(hi));  // codes 0..15 fit int8
}

inline Pairs weight_pairs(const I8Block& b) { return split_pairs(vld1q_s8(b.q), vld1q_s8(b.q + 16)); }

// The exact lane sums: lo = lanes 0-3, hi = lanes 4-7.
inline void lane_sums(const Pairs& x, const Pairs& w, int32x4_t* lo, int32x4_t* hi) {
  int16x8_t p = vmull_s8(vget_low_s8(x.even), vget_low_s8(w.even));
  p = vmlal_s8(p, vget_low_s8(x.odd), vget_low_s8(w.odd));
  *lo = vpaddlq_s16(p);
#if defined(__aarch64__)
  // SMULL2 / SMLAL2 read the high halves in place (GCC otherwise copies them out).
  int16x8_t q = vmull_high_s8(x.even, w.even);
  q = vmlal_high_s8(q, x.odd, w.odd);
#else
  int16x8_t q = vmull_s8(vget_high_s8(x.even), vget_high_s8(w.even));
  q = vmlal_s8(q, vget_high_s8(x.odd), vget_high_s8(w.odd));
#endif
  *hi = vpaddlq_s16(q);
}

// The integer half of arm/neon_block_gemm.h's tile: SMULL / SMLAL on pairs.
struct SmullLanes {
  using W = Pairs;
  using X = Pairs;
  static Pairs weights(const I4Block& b) { return weight_pairs(b); }
  static Pairs weights(const I8Block& b) { return weight_pairs(b); }
  static Pairs activations(const int8_t* xb) { return split_pairs(vld1q_s8(xb), vld1q_s8(xb + 16)); }
  static void sums(const Pairs& x, const Pairs& w, int32x4_t* lo, int32x4_t* hi) { lane_sums(x, w, lo, hi); }
};

}  // namespace

void f32_q8b_quantize_ukernel__neon(size_t rows, size_t k, const float* x, size_t x_stride, int8_t* xq, float* xd,
                                    float* xs) {
  const size_t blocks = k / kWeightBlock;
  for (size_t r = 0; r < rows; ++r) {
    for (size_t b = 0; b < blocks; ++b) {
      const float* v = x + r * x_stride + b * kWeightBlock;
      int8_t* q = xq + r * k + b * kWeightBlock;
      float* d_out = xd + r * blocks + b;
      float* s_out = xs + r * blocks + b;
      const float amax = neon_absmax(kWeightBlock, v);
      if (!(amax >= kQd8MinAmax)) {
        std::memset(q, 0, kWeightBlock);
        *d_out = 0.0f;
        *s_out = 0.0f;
        continue;
      }
      neon_quantize_q8(kWeightBlock, v, 127.0f / amax, q);
      const float d = amax / 127.0f;
      round_to_halves(d, d * static_cast<float>(block_code_sum(q)), d_out, s_out);
    }
  }
}

void q8b_i4bw_gemm_ukernel_2x2__neon(size_t m, size_t n, size_t k, const int8_t* xq, const float* xd,
                                     const float* xs, const void* w, const float* bias, float* y, size_t y_stride) {
  neon_block_gemm<SmullLanes, I4Block, kMR, kNR, kNR1>(m, n, k, xq, xd, xs, w, bias, y, y_stride);
}

void q8b_i8bw_gemm_ukernel_2x2__neon(size_t m, size_t n, size_t k, const int8_t* xq, const float* xd,
                                     const float* xs, const void* w, const float* bias, float* y, size_t y_stride) {
  neon_block_gemm<SmullLanes, I8Block, kMR, kNR, kNR1>(m, n, k, xq, xd, xs, w, bias, y, y_stride);
}

}  // namespace edgeattn
