// f32 GEMM on packed weights for the avx2 table (KernelTable::
// f32_gemm_packed, panels of 16 columns from f32_gemm_pack): the loop of
// gemm_f32_packed.h with 6 x 16 register tiles, 12 ymm accumulators plus two
// panel loads and a broadcast (15 of 16 registers). Per k: 2 loads, 6
// broadcasts, 12 FMAs, FMA-bound on cores with two 256-bit FMA units
// (Haswell to Alder Lake, Zen 2-4).
#include <immintrin.h>

#include "kernels/x86/avx2.h"
#include "kernels/x86/avx2_math.h"
#include "kernels/x86/gemm_f32_packed.h"

namespace edgeattn {
namespace {

struct Avx2Gemm {
  using V = __m256;
  using Mask = __m256i;
  static constexpr size_t kLanes = 8;
  static V load(const float* p) { return _mm256_load_ps(p); }
  static V bcast(const float* p) { return _mm256_broadcast_ss(p); }
  static V fmadd(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static void storeu(float* p, V v) { _mm256_storeu_ps(p, v); }
  static Mask mask(size_t n) { return avx2_tail_mask(n); }
  static void mask_store(float* p, Mask m, V v) { _mm256_maskstore_ps(p, m, v); }
};

}  // namespace

void f32_gemm_ukernel_6x16__avx2(size_t m, size_t n, size_t k, const float* x, size_t x_stride,
                                 const float* packed, float* y, size_t y_stride) {
  packed_gemm<Avx2Gemm, 6>(m, n, k, x, x_stride, packed, y, y_stride);
}

void f32_igemm_ukernel_6x16__avx2(size_t m, size_t n, size_t ks, size_t kc, const float* const* a,
                                  const float* packed, float* const* y) {
  packed_igemm<Avx2Gemm, 6>(m, n, ks, kc, a, packed, y);
}

}  // namespace edgeattn
