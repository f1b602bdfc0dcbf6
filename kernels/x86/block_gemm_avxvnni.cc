// AVX-VNNI kernels for block-quantized weights (format 1.9):
//   q8b_i4bw_gemm_ukernel_1x8__avxvnni    x I4Blocks (ggml Q4_1);
//   q8b_i8bw_gemm_ukernel_1x8__avxvnni    x I8Blocks (ggml Q8_0).
// block_gemm_avx512vnni.cc's lane sums with the VEX encoding of VPDPBUSD
// (Alder Lake and later, Zen 5), on x86/block_gemm_x86.h's loops with the
// avx2 tiles (16 ymm registers: decode m rows x 4 weight rows, prefill 1 row
// x 8 packed columns, 2 x 4 row tiles past the packed path's K); the lane
// sums are x86/block_gemm_vnni_dot.h's. The table's quantizer is
// the avx2 one. Not run on the machine these were written on (Zen 4 has
// AVX512-VNNI but not AVX-VNNI): only the intrinsic differs from the tested
// avx512vnni instantiation of the same loops.
#include "kernels/x86/block_gemm_x86.h"
#include "kernels/x86/block_gemm_vnni_dot.h"
#include "kernels/x86/vnni.h"

namespace edgeattn {
namespace {

struct Vex {
  static __m256i dpbusd(__m256i acc, __m256i u8, __m256i s8) { return _mm256_dpbusd_avx_epi32(acc, u8, s8); }
};

// The avx2 tiles (16 ymm registers).
using Gemm = BlockGemm<VnniDot<Vex, /*MR=*/2, /*NR=*/4, /*DECODE_NR=*/4, /*PACK_MR=*/1>>;

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
