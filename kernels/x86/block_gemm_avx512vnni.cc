// AVX512-VNNI kernels for block-quantized weights (format 1.9):
//   q8b_i4bw_gemm_ukernel_3x8__avx512vnni    x I4Blocks (ggml Q4_1);
//   q8b_i8bw_gemm_ukernel_3x8__avx512vnni    x I8Blocks (ggml Q8_0).
// x86/block_gemm_x86.h's loops with 32 vector registers: decode (m <= 3) m
// rows x 4 weight rows per tile, prefill (m >= 4) 3 rows x 8 packed columns
// (the named tile: 24 lane accumulators), 4 x 4 row tiles past the packed
// path's K. The lane sums come from VPDPBUSD on ymm (AVX512VL;
// x86/block_gemm_vnni_dot.h), the same exact integers, so the results are
// the reference's bits (the float steps are block_gemm_x86.h's). ymm, not zmm (not
// tried): Zen 4 executes a 512-bit VPDPBUSD or FMA as two 256-bit halves, so
// 16 outputs per zmm would save instructions but not execution slots there;
// the packed 3 x 8 loop already issues one VPDPBUSD, one convert and one FMA
// per 8 lane sums. The table's quantizer is the avx2 one.
#include "kernels/x86/block_gemm_x86.h"
#include "kernels/x86/block_gemm_vnni_dot.h"
#include "kernels/x86/vnni.h"

namespace edgeattn {
namespace {

struct Evex {
  static __m256i dpbusd(__m256i acc, __m256i u8, __m256i s8) { return _mm256_dpbusd_epi32(acc, u8, s8); }
};

// Measured on Zen 4: decode 4 weight rows beat 2 and 8; packed 3 rows beat
// 1, 2 and 4 (which spills); rows tiles 4 x 4 beat 4 x 2/3/5, 3 x 4, 2 x 4.
using Gemm = BlockGemm<VnniDot<Evex, /*MR=*/4, /*NR=*/4, /*DECODE_NR=*/4, /*PACK_MR=*/3>>;

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
