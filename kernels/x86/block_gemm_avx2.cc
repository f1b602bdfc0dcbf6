// AVX2 kernels for block-quantized weights (I4Blocks / I8Blocks, format 1.9):
//   f32_q8b_quantize_ukernel__avx2       ggml's Q8_1 activation blocks;
//   q8b_i4bw_gemm_ukernel_1x8__avx2      x I4Blocks (ggml Q4_1);
//   q8b_i8bw_gemm_ukernel_1x8__avx2      x I8Blocks (ggml Q8_0).
// The GEMMs are x86/block_gemm_x86.h's loops: decode (m <= 3) m rows x 4
// weight rows per tile, prefill (m >= 4) 1 row x 8 packed columns (named
// tile; 2 rows measured the same, and 16 registers hold one row's 8 lane
// vectors with room), 2 x 4 row tiles past the packed path's K. Lane sums as
// ggml's AVX2 code: maddubs (u8 x s8 -> int16 pairs) then madd by 1 (int16
// pairs -> int32). maddubs saturates at 32767, which neither form reaches:
//   I4: codes in [0, 15] are already unsigned: pairs <= 2 * 15 * 127;
//   I8: the sign of w moves onto x (ggml's trick), maddubs(|w|, sign(x, w)):
//       |w| <= 128 (w = -128 in an untrusted file gives 0x80, read unsigned
//       as 128, correct) and x in [-127, 127]: pairs <= 2 * 128 * 127 = 32512.
// Built with -ffp-contract=off (the epilogue adds must round like the
// reference); the quantizer's steps are each one IEEE operation or exact.
#include <cstring>

#include "kernels/x86/avx2.h"
#include "kernels/x86/avx2_quant.h"
#include "kernels/x86/block_gemm_x86.h"

namespace edgeattn {
namespace {

struct Avx2Dot {
  // Measured on Zen 4 (bench/kernels, SmolLM2 shapes): decode 4 weight rows
  // per tile beat 2 and 8; the rows tiles 2 x 4 and 3 x 2 beat 4 x 2 (which
  // spills 16 ymm).
  static constexpr size_t kMr = 2, kNr = 4, kDecodeNr = 4, kPackMr = 1;

  static __m256i i4_lanes(__m256i codes, __m256i x) {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(codes, x), _mm256_set1_epi16(1));
  }

  struct I8W {
    __m256i abs, sign;  // |w| (read unsigned), w
  };
  struct I8X {
    __m256i x;
  };
  static I8W i8_weights(__m256i w) { return {_mm256_abs_epi8(w), w}; }
  static I8X i8_activations(__m256i x) { return {x}; }
  static __m256i i8_lanes(const I8W& w, const I8X& x) {
    const __m256i p = _mm256_maddubs_epi16(w.abs, _mm256_sign_epi8(x.x, w.sign));
    return _mm256_madd_epi16(p, _mm256_set1_epi16(1));
  }

  // The packed path (x's 4 bytes of one lane broadcast): the same form.
  using I8P = I8W;
  static I8P i8_pack(__m256i w) { return i8_weights(w); }
  static __m256i i8p_lanes(const I8P& w, int32_t x4) { return i8_lanes(w, {_mm256_set1_epi32(x4)}); }
};

using Gemm = BlockGemm<Avx2Dot>;

// Rounded to binary16 (nearest even, as ggml's F16C store) and back.
float round_to_half(float v) {
  return _mm_cvtss_f32(_mm_cvtph_ps(_mm_cvtps_ph(_mm_set_ss(v), _MM_FROUND_TO_NEAREST_INT)));
}

// Sum of 32 int8 (exact: |sum| <= 32 * 127).
int32_t sum_i8_32(const int8_t* q) {
  const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q));
  const __m256i pairs = _mm256_maddubs_epi16(_mm256_set1_epi8(1), v);  // 1 * q0 + 1 * q1
  const __m256i s8 = _mm256_madd_epi16(pairs, _mm256_set1_epi16(1));
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(s8), _mm256_extracti128_si256(s8, 1));
  s = _mm_add_epi32(s, _mm_unpackhi_epi64(s, s));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 1));
  return _mm_cvtsi128_si32(s);
}

}  // namespace

void f32_q8b_quantize_ukernel__avx2(size_t rows, size_t k, const float* x, size_t x_stride, int8_t* xq,
                                    float* xd, float* xs) {
  const size_t blocks = k / kWeightBlock;
  for (size_t r = 0; r < rows; ++r) {
    for (size_t b = 0; b < blocks; ++b) {
      const float* v = x + r * x_stride + b * kWeightBlock;  // [32]
      int8_t* q = xq + r * k + b * kWeightBlock;             // [32]
      const float amax = avx2_absmax(kWeightBlock, v);
      if (!(amax >= kQd8MinAmax)) {
        std::memset(q, 0, kWeightBlock);
        xd[r * blocks + b] = 0.0f;
        xs[r * blocks + b] = 0.0f;
        continue;
      }
      avx2_quantize_q8(kWeightBlock, v, 127.0f / amax, q);
      const float d = amax / 127.0f;
      xd[r * blocks + b] = round_to_half(d);
      xs[r * blocks + b] = round_to_half(d * static_cast<float>(sum_i8_32(q)));
    }
  }
}

void q8b_i4bw_gemm_ukernel_1x8__avx2(size_t m, size_t n, size_t k, const int8_t* xq, const float* xd,
                                     const float* xs, const void* w, const float* bias, float* y,
                                     size_t y_stride) {
  Gemm::gemm<I4Block>({m, n, k, xq, xd, xs, w, bias, y, y_stride});
}

void q8b_i8bw_gemm_ukernel_1x8__avx2(size_t m, size_t n, size_t k, const int8_t* xq, const float* xd,
                                     const float* xs, const void* w, const float* bias, float* y,
                                     size_t y_stride) {
  (void)xs;  // I8Blocks have no offset term
  Gemm::gemm<I8Block>({m, n, k, xq, xd, nullptr, w, bias, y, y_stride});
}

}  // namespace edgeattn
