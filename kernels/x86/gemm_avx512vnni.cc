// qd8_qc8w_gemm_ukernel_4x4__avx512vnni: the int8 GEMM with 512-bit VPDPBUSD
// (AVX512-VNNI + AVX512BW). M >= 4: the blocked path of qd8_gemm_vnni.h,
// 8 rows x 16 channels (one zmm of channels). Fewer rows (decode): dot
// products along k, 64 k per instruction, 1 row x 8 channels. Masked loads read exactly [0, k) of every row, so W may end at the
// end of a mapping and the padding of x never counts. Algorithm and
// exactness: qd8_gemm_vnni.h.
#include "kernels/x86/qd8_gemm_vnni.h"
#include "kernels/x86/vnni.h"

namespace edgeattn {
namespace {

struct Zmm {
  using Vec = __m512i;
  static constexpr size_t kBytes = 64;
  static constexpr size_t kMr = 4, kNr = 4, kNr1 = 8;

  static Vec zero() { return _mm512_setzero_si512(); }
  static Vec ones_u8() { return _mm512_set1_epi8(1); }
  static Vec dpbusd(Vec acc, Vec u8, Vec s8) { return _mm512_dpbusd_epi32(acc, u8, s8); }
  static __mmask64 tail_mask(size_t i, size_t k) {
    const size_t left = k - i;
    return left >= 64 ? ~static_cast<__mmask64>(0) : (static_cast<__mmask64>(1) << left) - 1;
  }
  static Vec load_x(const int8_t* p, size_t i, size_t k) {
    return _mm512_maskz_loadu_epi8(tail_mask(i, k), p + i);
  }
  static Vec load_w(const int8_t* p, size_t i, size_t k) {
    return _mm512_xor_si512(_mm512_maskz_loadu_epi8(tail_mask(i, k), p + i), _mm512_set1_epi8(-128));
  }
  static __m256i to256(Vec v) {
    return _mm256_add_epi32(_mm512_castsi512_si256(v), _mm512_extracti64x4_epi64(v, 1));
  }

  // Blocked path: 16 channels per zmm, 8 rows per block.
  using Acc16 = __m512i;
  static constexpr size_t kPackMr = 8;
  static constexpr size_t kPackBlocks = 2;  // 16-channel blocks per tile (qd8_gemm_vnni.h)
  static Acc16 zero16() { return _mm512_setzero_si512(); }
  static Acc16 load16(const uint32_t* p) { return _mm512_load_si512(p); }
  static Acc16 bcast(const int8_t* p) {
    int32_t v;
    std::memcpy(&v, p, 4);
    return _mm512_set1_epi32(v);
  }
  static Acc16 dpbusd16(Acc16 acc, Acc16 w_u8, Acc16 x_s8) { return _mm512_dpbusd_epi32(acc, w_u8, x_s8); }
  // The blocked path's weight copy, 16 groups of 4 bytes of 16 channels:
  // dst[g * 16 + c] = bytes [4 g, 4 g + 4) of row c (rows k bytes apart),
  // xor 0x80 each, for g, c < 16: a 16 x 16 transpose of dwords (unpack
  // dwords, then qwords, then 128-bit lanes twice).
  static constexpr size_t kPackGroups = 16;
  static void pack_groups(const int8_t* w, size_t k, uint32_t* dst) {
    const __m512i flip = _mm512_set1_epi8(-128);
    __m512i t[16], u[16];
    for (size_t c = 0; c < 16; c += 2) {
      const __m512i a = _mm512_xor_si512(_mm512_loadu_si512(w + c * k), flip);
      const __m512i b = _mm512_xor_si512(_mm512_loadu_si512(w + (c + 1) * k), flip);
      t[c] = _mm512_unpacklo_epi32(a, b);      // per 128-bit lane L: a[4L] b[4L] a[4L+1] b[4L+1]
      t[c + 1] = _mm512_unpackhi_epi32(a, b);  // a[4L+2] b[4L+2] a[4L+3] b[4L+3]
    }
    for (size_t c = 0; c < 16; c += 4) {  // u[c + j], lane L: rows c..c+3 of group 4L + j
      u[c] = _mm512_unpacklo_epi64(t[c], t[c + 2]);
      u[c + 1] = _mm512_unpackhi_epi64(t[c], t[c + 2]);
      u[c + 2] = _mm512_unpacklo_epi64(t[c + 1], t[c + 3]);
      u[c + 3] = _mm512_unpackhi_epi64(t[c + 1], t[c + 3]);
    }
    for (size_t j = 0; j < 4; ++j) {
      const __m512i lo01 = _mm512_shuffle_i32x4(u[j], u[4 + j], 0x44);     // rows 0-3, 4-7: lanes 0, 1
      const __m512i lo23 = _mm512_shuffle_i32x4(u[j], u[4 + j], 0xEE);     // lanes 2, 3
      const __m512i hi01 = _mm512_shuffle_i32x4(u[8 + j], u[12 + j], 0x44);  // rows 8-11, 12-15
      const __m512i hi23 = _mm512_shuffle_i32x4(u[8 + j], u[12 + j], 0xEE);
      _mm512_store_si512(dst + (0 + j) * 16, _mm512_shuffle_i32x4(lo01, hi01, 0x88));   // group j
      _mm512_store_si512(dst + (4 + j) * 16, _mm512_shuffle_i32x4(lo01, hi01, 0xDD));   // group 4 + j
      _mm512_store_si512(dst + (8 + j) * 16, _mm512_shuffle_i32x4(lo23, hi23, 0x88));   // group 8 + j
      _mm512_store_si512(dst + (12 + j) * 16, _mm512_shuffle_i32x4(lo23, hi23, 0xDD));  // group 12 + j
    }
  }
  // y[c] = float(acc[c] - excess) * (x_scale * w_scales[c]) (+ bias[c]), c < cols.
  static void store16(Acc16 acc, int32_t excess, float x_scale, const float* w_scales, const float* bias,
                      float* y, size_t cols) {
    const __mmask16 m = cols >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << cols) - 1);
    const __m512i exact = _mm512_sub_epi32(acc, _mm512_set1_epi32(excess));
    __m512 v = _mm512_mul_ps(_mm512_cvtepi32_ps(exact),
                             _mm512_mul_ps(_mm512_set1_ps(x_scale), _mm512_maskz_loadu_ps(m, w_scales)));
    if (bias != nullptr) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, bias));
    _mm512_mask_storeu_ps(y, m, v);
  }
};

}  // namespace

void qd8_qc8w_gemm_ukernel_4x4__avx512vnni(size_t m, size_t n, size_t k, const int8_t* xq,
                                           const float* x_scales, const int8_t* w,
                                           const float* w_scales, const float* bias, float* y,
                                           size_t y_stride) {
  vnni::Gemm<Zmm>::gemm(m, n, k, xq, x_scales, w, w_scales, bias, y, y_stride);
}

}  // namespace edgeattn
