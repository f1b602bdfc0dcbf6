// qd8_qc8w_gemm_ukernel_2x4__avxvnni: the int8 GEMM with 256-bit VEX VPDPBUSD
// (AVX-VNNI). M >= 4: the blocked path of qd8_gemm_vnni.h, 4 rows x 16
// channels (two ymm). Fewer rows: dot products along k, 32 k per
// instruction, 2 rows x 4 channels per block, 1 row x 4 channels at M = 1.
// x rows are readable up to qd8_row_bytes(k) (a multiple of 32), so only
// the K tail needs care: its x bytes past k are zeroed in registers and its
// weight bytes are copied into a zeroed block, so nothing past a weight row
// is read. Algorithm and exactness: qd8_gemm_vnni.h.
#include "kernels/x86/qd8_gemm_vnni.h"
#include "kernels/x86/vnni.h"

namespace edgeattn {
namespace {

struct Ymm {
  using Vec = __m256i;
  static constexpr size_t kBytes = 32;
  static constexpr size_t kMr = 2, kNr = 4, kNr1 = 4;

  static Vec zero() { return _mm256_setzero_si256(); }
  static Vec ones_u8() { return _mm256_set1_epi8(1); }
  static Vec dpbusd(Vec acc, Vec u8, Vec s8) { return _mm256_dpbusd_avx_epi32(acc, u8, s8); }
  static Vec load_x(const int8_t* p, size_t i, size_t k) {
    const Vec v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i));
    if (i + 32 <= k) return v;
    // Bytes at index >= k - i become 0.
    const Vec idx = _mm256_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
                                     21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31);
    const Vec keep = _mm256_cmpgt_epi8(_mm256_set1_epi8(static_cast<char>(k - i)), idx);
    return _mm256_and_si256(v, keep);
  }
  static Vec load_w(const int8_t* p, size_t i, size_t k) {
    const Vec bias = _mm256_set1_epi8(-128);
    if (i + 32 <= k) return _mm256_xor_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i)), bias);
    alignas(32) int8_t buf[32] = {};
    std::memcpy(buf, p + i, k - i);
    return _mm256_xor_si256(_mm256_load_si256(reinterpret_cast<const __m256i*>(buf)), bias);
  }
  static __m256i to256(Vec v) { return v; }

  // Blocked path: 16 channels in two ymm, 4 rows per block.
  struct Acc16 {
    __m256i lo, hi;
  };
  static constexpr size_t kPackMr = 4;
  static constexpr size_t kPackBlocks = 1;  // 16-channel blocks per tile (qd8_gemm_vnni.h)
  static constexpr size_t kPackGroups = 0;  // the weight copy a dword at a time (qd8_gemm_vnni.h)
  static Acc16 zero16() { return {_mm256_setzero_si256(), _mm256_setzero_si256()}; }
  static Acc16 load16(const uint32_t* p) {
    return {_mm256_load_si256(reinterpret_cast<const __m256i*>(p)),
            _mm256_load_si256(reinterpret_cast<const __m256i*>(p + 8))};
  }
  static Acc16 bcast(const int8_t* p) {
    int32_t v;
    std::memcpy(&v, p, 4);
    const __m256i b = _mm256_set1_epi32(v);
    return {b, b};
  }
  static Acc16 dpbusd16(Acc16 acc, Acc16 w_u8, Acc16 x_s8) {
    return {_mm256_dpbusd_avx_epi32(acc.lo, w_u8.lo, x_s8.lo), _mm256_dpbusd_avx_epi32(acc.hi, w_u8.hi, x_s8.hi)};
  }
  // y[c] = float(acc[c] - excess) * (x_scale * w_scales[c]) (+ bias[c]), c < cols.
  static void store16(Acc16 acc, int32_t excess, float x_scale, const float* w_scales, const float* bias,
                      float* y, size_t cols) {
    const __m256 xs = _mm256_set1_ps(x_scale);
    const __m256i e = _mm256_set1_epi32(excess);
    if (cols == 16) {
      const __m256i halves[2] = {acc.lo, acc.hi};
      for (size_t h = 0; h < 2; ++h) {
        __m256 v = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_sub_epi32(halves[h], e)),
                                 _mm256_mul_ps(xs, _mm256_loadu_ps(w_scales + 8 * h)));
        if (bias != nullptr) v = _mm256_add_ps(v, _mm256_loadu_ps(bias + 8 * h));
        _mm256_storeu_ps(y + 8 * h, v);
      }
      return;
    }
    alignas(32) int32_t a[16];
    _mm256_store_si256(reinterpret_cast<__m256i*>(a), acc.lo);
    _mm256_store_si256(reinterpret_cast<__m256i*>(a + 8), acc.hi);
    for (size_t c = 0; c < cols; ++c) {
      const int32_t exact = static_cast<int32_t>(static_cast<uint32_t>(a[c]) - static_cast<uint32_t>(excess));
      float v = static_cast<float>(exact) * (x_scale * w_scales[c]);
      if (bias != nullptr) v = v + bias[c];
      y[c] = v;
    }
  }
};

}  // namespace

void qd8_qc8w_gemm_ukernel_2x4__avxvnni(size_t m, size_t n, size_t k, const int8_t* xq,
                                        const float* x_scales, const int8_t* w,
                                        const float* w_scales, const float* bias, float* y,
                                        size_t y_stride) {
  vnni::Gemm<Ymm>::gemm(m, n, k, xq, x_scales, w, w_scales, bias, y, y_stride);
}

}  // namespace edgeattn
