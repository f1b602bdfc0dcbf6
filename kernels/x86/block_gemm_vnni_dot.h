// The lane sums of x86/block_gemm_x86.h's Dot from VPDPBUSD, written once for
// both encodings: block_gemm_avx512vnni.cc (EVEX, AVX512-VNNI + VL) and
// block_gemm_avxvnni.cc (VEX, AVX-VNNI) each pass their intrinsic as `Dp`
// (a struct in their anonymous namespace, so each file's instantiation is
// its own, built with its own flags) and their tile sizes. Include only from
// those two files.
//
// VPDPBUSD multiplies u8 by s8 and adds each group of 4 into an int32 lane
// without saturation:
//   I4: the codes in [0, 15] are the unsigned operand as they are;
//   I8: the weights are made unsigned, w + 128 (xor 0x80), and the excess
//       128 * (the lane's 4 x) is the accumulator's start value, negated:
//       one VPDPBUSD per block of x (shared by the weight rows) and one per
//       output, against maddubs / sign / madd per output in the AVX2 form.
//       The packed path swaps the sides (I8P): x + 128 is the unsigned
//       operand and w the signed one, so the excess is the weights' and
//       computed once, when packing.
// The lane sums are the same exact integers as the reference's.
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

namespace edgeattn {

template <class Dp, size_t MR, size_t NR, size_t DECODE_NR, size_t PACK_MR>
struct VnniDot {
  static constexpr size_t kMr = MR, kNr = NR, kDecodeNr = DECODE_NR, kPackMr = PACK_MR;

  static __m256i i4_lanes(__m256i codes, __m256i x) { return Dp::dpbusd(_mm256_setzero_si256(), codes, x); }

  struct I8W {
    __m256i biased;  // w + 128, read unsigned
  };
  struct I8X {
    __m256i x, excess;  // excess: -128 * (the lane's 4 x)
  };
  static I8W i8_weights(__m256i w) { return {_mm256_xor_si256(w, _mm256_set1_epi8(-128))}; }
  static I8X i8_activations(__m256i x) {
    const __m256i plus = Dp::dpbusd(_mm256_setzero_si256(), _mm256_set1_epi8(-128), x);
    return {x, _mm256_sub_epi32(_mm256_setzero_si256(), plus)};
  }
  static __m256i i8_lanes(const I8W& w, const I8X& x) { return Dp::dpbusd(x.excess, w.biased, x.x); }

  struct I8P {
    __m256i w, excess;  // excess: -128 * (the lane's 4 w)
  };
  static I8P i8_pack(__m256i w) {
    const __m256i plus = Dp::dpbusd(_mm256_setzero_si256(), _mm256_set1_epi8(-128), w);
    return {w, _mm256_sub_epi32(_mm256_setzero_si256(), plus)};
  }
  static __m256i i8p_lanes(const I8P& w, int32_t x4) {
    return Dp::dpbusd(w.excess, _mm256_xor_si256(_mm256_set1_epi32(x4), _mm256_set1_epi8(-128)), w.w);
  }
};

}  // namespace edgeattn
