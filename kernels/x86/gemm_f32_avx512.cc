// f32 GEMM on packed weights for the avx512vnni table (KernelTable::
// f32_gemm_packed, panels of 16 columns from f32_gemm_pack): the loop of
// gemm_f32_packed.h with 8 x 32 register tiles over two adjacent panels, 16
// zmm accumulators. Per k: one aligned load from each panel, 8 broadcasts
// of x, 16 FMAs: FMA-bound on cores
// that retire one 512-bit FMA per cycle (Zen 4) or two (Intel server cores)
// (bench: edgeattn-bench-kernels --benchmark_filter=f32_gemm_packed).
#include <immintrin.h>

#include "kernels/x86/gemm_f32_packed.h"
#include "kernels/x86/vnni.h"

namespace edgeattn {
namespace {

struct Avx512Gemm {
  using V = __m512;
  using Mask = __mmask16;
  static constexpr size_t kLanes = 16;
  static V load(const float* p) { return _mm512_load_ps(p); }
  static V bcast(const float* p) { return _mm512_set1_ps(*p); }
  static V fmadd(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static void storeu(float* p, V v) { _mm512_storeu_ps(p, v); }
  static Mask mask(size_t n) { return static_cast<__mmask16>(n >= 16 ? 0xffffu : (1u << n) - 1u); }
  static void mask_store(float* p, Mask m, V v) { _mm512_mask_storeu_ps(p, m, v); }
};

}  // namespace

void f32_gemm_ukernel_8x32__avx512f(size_t m, size_t n, size_t k, const float* x, size_t x_stride,
                                    const float* packed, float* y, size_t y_stride) {
  packed_gemm<Avx512Gemm, 8>(m, n, k, x, x_stride, packed, y, y_stride);
}

void f32_igemm_ukernel_8x32__avx512f(size_t m, size_t n, size_t ks, size_t kc, const float* const* a,
                                     const float* packed, float* const* y) {
  packed_igemm<Avx512Gemm, 8>(m, n, ks, kc, a, packed, y);
}

}  // namespace edgeattn
