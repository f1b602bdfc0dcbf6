// AVX512-VNNI kernels for block-quantized weights (format 1.9):
//   q8b_i4bw_gemm_ukernel_3x8__avx512vnni    x I4Blocks (ggml Q4_1);
//   q8b_i8bw_gemm_ukernel_3x8__avx512vnni    x I8Blocks (ggml Q8_0).
// x86/block_gemm_x86.h's loops with 32 vector registers: decode (m <= 3) m
// rows x 4 weight rows per tile, prefill (m >= 4) 3 rows x 8 packed columns
// (the named tile: 24 lane accumulators), 4 x 4 row tiles past the packed
// path's K. The lane sums come from VPDPBUSD on ymm (AVX512VL), which
// multiplies u8 by s8 and adds each group of 4 into an int32 lane without
// saturation:
//   I4: the codes in [0, 15] are the unsigned operand as they are;
//   I8: the weights are made unsigned, w + 128 (xor 0x80), and the excess
//       128 * (the lane's 4 x) is the accumulator's start value, negated:
//       one VPDPBUSD per block of x (shared by the weight rows) and one per
//       output, against maddubs / sign / madd per output in the AVX2 form.
//       The packed path swaps the sides (see I8P).
// The lane sums are the same exact integers, so the results are the
// reference's bits (the float steps are the header's). ymm, not zmm (not
// tried): Zen 4 executes a 512-bit VPDPBUSD or FMA as two 256-bit halves, so
// 16 outputs per zmm would save instructions but not execution slots there;
// the packed 3 x 8 loop already issues one VPDPBUSD, one convert and one FMA
// per 8 lane sums. The table's quantizer is the avx2 one.
#include "kernels/x86/block_gemm_x86.h"
#include "kernels/x86/vnni.h"

namespace edgeattn {
namespace {

struct Avx512VnniDot {
  // Measured on Zen 4: decode 4 weight rows beat 2 and 8; packed 3 rows beat
  // 1, 2 and 4 (which spills); rows tiles 4 x 4 beat 4 x 2/3/5, 3 x 4, 2 x 4.
  static constexpr size_t kMr = 4, kNr = 4, kDecodeNr = 4, kPackMr = 3;

  static __m256i i4_lanes(__m256i codes, __m256i x) {
    return _mm256_dpbusd_epi32(_mm256_setzero_si256(), codes, x);
  }

  struct I8W {
    __m256i biased;  // w + 128, read unsigned
  };
  struct I8X {
    __m256i x, excess;  // excess: -128 * (the lane's 4 x)
  };
  static I8W i8_weights(__m256i w) { return {_mm256_xor_si256(w, _mm256_set1_epi8(-128))}; }
  static I8X i8_activations(__m256i x) {
    const __m256i plus = _mm256_dpbusd_epi32(_mm256_setzero_si256(), _mm256_set1_epi8(-128), x);
    return {x, _mm256_sub_epi32(_mm256_setzero_si256(), plus)};
  }
  static __m256i i8_lanes(const I8W& w, const I8X& x) { return _mm256_dpbusd_epi32(x.excess, w.biased, x.x); }

  // The packed path turns the sides around: x + 128 (xor 0x80) is the
  // unsigned operand and w the signed one, so the excess 128 * (the lane's
  // 4 w) is the weights' and computed once, when packing.
  struct I8P {
    __m256i w, excess;  // excess: -128 * (the lane's 4 w)
  };
  static I8P i8_pack(__m256i w) {
    const __m256i plus = _mm256_dpbusd_epi32(_mm256_setzero_si256(), _mm256_set1_epi8(-128), w);
    return {w, _mm256_sub_epi32(_mm256_setzero_si256(), plus)};
  }
  static __m256i i8p_lanes(const I8P& w, int32_t x4) {
    return _mm256_dpbusd_epi32(w.excess, _mm256_xor_si256(_mm256_set1_epi32(x4), _mm256_set1_epi8(-128)), w.w);
  }
};

using Gemm = BlockGemm<Avx512VnniDot>;

}  // namespace

void q8b_i4bw_gemm_ukernel_3x8__avx512vnni(size_t m, size_t n, size_t k, const int8_t* xq, const float* xd,
                                           const float* xs, const void* w, const float* bias, float* y,
                                           size_t y_stride) {
  Gemm::gemm<I4Block>({m, n, k, xq, xd, xs, w, bias, y, y_stride});
}

void q8b_i8bw_gemm_ukernel_3x8__avx512vnni(size_t m, size_t n, size_t k, const int8_t* xq, const float* xd,
                                           const float* xs, const void* w, const float* bias, float* y,
                                           size_t y_stride) {
  (void)xs;  // I8Blocks have no offset term
  Gemm::gemm<I8Block>({m, n, k, xq, xd, nullptr, w, bias, y, y_stride});
}

}  // namespace edgeattn
