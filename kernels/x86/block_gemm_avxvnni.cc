// AVX-VNNI kernels for block-quantized weights (format 1.9):
//   q8b_i4bw_gemm_ukernel_1x8__avxvnni    x I4Blocks (ggml Q4_1);
//   q8b_i8bw_gemm_ukernel_1x8__avxvnni    x I8Blocks (ggml Q8_0).
// block_gemm_avx512vnni.cc's lane sums with the VEX encoding of VPDPBUSD
// (Alder Lake and later, Zen 5), on x86/block_gemm_x86.h's loops with the
// avx2 tiles (16 ymm registers: decode m rows x 4 weight rows, prefill 1 row
// x 8 packed columns, 2 x 4 row tiles past the packed path's K). See
// block_gemm_avx512vnni.cc for the I8 excess terms. The table's quantizer is
// the avx2 one. Not run on the machine these were written on (Zen 4 has
// AVX512-VNNI but not AVX-VNNI): only the intrinsic differs from the tested
// avx512vnni instantiation of the same loops.
#include "kernels/x86/block_gemm_x86.h"
#include "kernels/x86/vnni.h"

namespace edgeattn {
namespace {

struct AvxVnniDot {
  static constexpr size_t kMr = 2, kNr = 4, kDecodeNr = 4, kPackMr = 1;

  static __m256i i4_lanes(__m256i codes, __m256i x) {
    return _mm256_dpbusd_avx_epi32(_mm256_setzero_si256(), codes, x);
  }

  struct I8W {
    __m256i biased;  // w + 128, read unsigned
  };
  struct I8X {
    __m256i x, excess;  // excess: -128 * (the lane's 4 x)
  };
  static I8W i8_weights(__m256i w) { return {_mm256_xor_si256(w, _mm256_set1_epi8(-128))}; }
  static I8X i8_activations(__m256i x) {
    const __m256i plus = _mm256_dpbusd_avx_epi32(_mm256_setzero_si256(), _mm256_set1_epi8(-128), x);
    return {x, _mm256_sub_epi32(_mm256_setzero_si256(), plus)};
  }
  static __m256i i8_lanes(const I8W& w, const I8X& x) { return _mm256_dpbusd_avx_epi32(x.excess, w.biased, x.x); }

  // The packed path turns the sides around: x + 128 (xor 0x80) is the
  // unsigned operand and w the signed one, so the excess 128 * (the lane's
  // 4 w) is the weights' and computed once, when packing.
  struct I8P {
    __m256i w, excess;  // excess: -128 * (the lane's 4 w)
  };
  static I8P i8_pack(__m256i w) {
    const __m256i plus = _mm256_dpbusd_avx_epi32(_mm256_setzero_si256(), _mm256_set1_epi8(-128), w);
    return {w, _mm256_sub_epi32(_mm256_setzero_si256(), plus)};
  }
  static __m256i i8p_lanes(const I8P& w, int32_t x4) {
    return _mm256_dpbusd_avx_epi32(w.excess, _mm256_xor_si256(_mm256_set1_epi32(x4), _mm256_set1_epi8(-128)), w.w);
  }
};

using Gemm = BlockGemm<AvxVnniDot>;

}  // namespace

void q8b_i4bw_gemm_ukernel_1x8__avxvnni(size_t m, size_t n, size_t k, const int8_t* xq, const float* xd,
                                        const float* xs, const void* w, const float* bias, float* y,
                                        size_t y_stride) {
  Gemm::gemm<I4Block>({m, n, k, xq, xd, xs, w, bias, y, y_stride});
}

void q8b_i8bw_gemm_ukernel_1x8__avxvnni(size_t m, size_t n, size_t k, const int8_t* xq, const float* xd,
                                        const float* xs, const void* w, const float* bias, float* y,
                                        size_t y_stride) {
  (void)xs;  // I8Blocks have no offset term
  Gemm::gemm<I8Block>({m, n, k, xq, xd, nullptr, w, bias, y, y_stride});
}

}  // namespace edgeattn
