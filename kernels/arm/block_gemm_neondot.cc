// q8b_i{4,8}bw_gemm_ukernel_2x2__neondot: the block-quantized GEMMs
// (format 1.9) with SDOT (Armv8.2 dot product). AArch64 only; in the
// neon_dotprod and neon_fp16 tables. The armv8.2-a+dotprod instructions are
// enabled by the pragma below, after every #include but one (as
// arm/gemm_neondot.cc), so no inline function of a header is compiled for
// armv8.2 and shared with other translation units; arm/neon_block_gemm.h,
// included after it, has only internal-linkage functions.
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

#include "kernels/arm/fp16_neon.h"
#include "kernels/arm/neon.h"
#include "runtime/core/weight_blocks.h"

#if defined(__aarch64__)
#pragma GCC push_options
#pragma GCC target("arch=armv8.2-a+dotprod")
// After the pragma, unlike every other include: its tile template (internal
// linkage, anonymous namespace) is instantiated with SdotLanes and must be
// built for armv8.2 so SDOT inlines into it. Everything it includes with
// external linkage (weight_blocks.h, fp16_neon.h) was included above.
#include "kernels/arm/neon_block_gemm.h"

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

// The integer half of arm/neon_block_gemm.h's tile: one SDOT per half block.
struct SdotLanes {
  using W = Halves;
  using X = Halves;
  static Halves weights(const I4Block& b) { return weight_halves(b); }
  static Halves weights(const I8Block& b) { return weight_halves(b); }
  static Halves activations(const int8_t* xb) { return {vld1q_s8(xb), vld1q_s8(xb + 16)}; }
  static void sums(const Halves& x, const Halves& w, int32x4_t* lo, int32x4_t* hi) {
    *lo = vdotq_s32(vdupq_n_s32(0), x.first, w.first);    // lanes 0-3
    *hi = vdotq_s32(vdupq_n_s32(0), x.second, w.second);  // lanes 4-7
  }
};

}  // namespace

void q8b_i4bw_gemm_ukernel_2x2__neondot(size_t m, size_t n, size_t k, const int8_t* xq, const float* xd,
                                        const float* xs, const void* w, const float* bias, float* y,
                                        size_t y_stride) {
  neon_block_gemm<SdotLanes, I4Block, kDotMR, kDotNR, kDotNR1>(m, n, k, xq, xd, xs, w, bias, y, y_stride);
}

void q8b_i8bw_gemm_ukernel_2x2__neondot(size_t m, size_t n, size_t k, const int8_t* xq, const float* xd,
                                        const float* xs, const void* w, const float* bias, float* y,
                                        size_t y_stride) {
  neon_block_gemm<SdotLanes, I8Block, kDotMR, kDotNR, kDotNR1>(m, n, k, xq, xd, xs, w, bias, y, y_stride);
}

}  // namespace edgeattn

#pragma GCC pop_options
#endif  // __aarch64__
