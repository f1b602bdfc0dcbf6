// f32 GEMM on packed weights for the avx512vnni table (KernelTable::
// f32_gemm_packed, panels of 32 columns from f32_gemm_pack).
//
// Register tile: 8 rows x 32 columns = 16 zmm accumulators. Per k: two
// aligned loads of the panel row, 8 broadcasts of x, 16 FMAs: FMA-bound on
// cores that retire one 512-bit FMA per cycle (Zen 4) or two (Intel
// server cores). Loop order: panels outer, row tiles inner, so each panel
// ([k + 1, 32] floats, <= 200 KB for k = 1536) is read from memory once per
// call and then from L2 for every row tile, while x (read in place, no
// packing) streams from L1 / L2. That is what beats XNNPACK's 7x16 kernel,
// which walks all of W once per 7 rows, when W is larger than L2
// (bench: edgeattn-bench-kernels --benchmark_filter=f32_gemm_packed).
#include <immintrin.h>

#include "kernels/x86/vnni.h"

namespace edgeattn {
namespace {

constexpr size_t kNr = 32;
constexpr size_t kMr = 8;

// Rows [0, MR) of x against one panel, into columns [0, 32) of y masked by
// (lo, hi): y[r, j] = panel bias[j] + sum_i x[r, i] * panel[i, j].
template <size_t MR>
inline void tile(size_t k, const float* x, size_t x_stride, const float* panel, float* y, size_t y_stride,
                 __mmask16 lo, __mmask16 hi) {
  __m512 c0[MR], c1[MR];  // [MR, 32] accumulators
  const __m512 b0 = _mm512_load_ps(panel), b1 = _mm512_load_ps(panel + 16);
  const float* a[MR];  // row pointers of x
#pragma GCC unroll 8
  for (size_t r = 0; r < MR; ++r) {
    c0[r] = b0;
    c1[r] = b1;
    a[r] = x + r * x_stride;
  }
  const float* w = panel + kNr;  // [k, 32]
  for (size_t i = 0; i < k; ++i) {
    const __m512 w0 = _mm512_load_ps(w), w1 = _mm512_load_ps(w + 16);
    w += kNr;
#pragma GCC unroll 8
    for (size_t r = 0; r < MR; ++r) {
      const __m512 v = _mm512_set1_ps(a[r][i]);
      c0[r] = _mm512_fmadd_ps(v, w0, c0[r]);
      c1[r] = _mm512_fmadd_ps(v, w1, c1[r]);
    }
  }
#pragma GCC unroll 8
  for (size_t r = 0; r < MR; ++r) {
    _mm512_mask_storeu_ps(y + r * y_stride, lo, c0[r]);
    _mm512_mask_storeu_ps(y + r * y_stride + 16, hi, c1[r]);
  }
}

// Rows [0, m) of x against one panel, in row tiles of 8 and one tail tile.
void panel_rows(size_t m, size_t k, const float* x, size_t x_stride, const float* panel, float* y, size_t y_stride,
                __mmask16 lo, __mmask16 hi) {
  size_t r = 0;
  for (; r + kMr <= m; r += kMr) tile<kMr>(k, x + r * x_stride, x_stride, panel, y + r * y_stride, y_stride, lo, hi);
  x += r * x_stride;
  y += r * y_stride;
  switch (m - r) {
    case 7: tile<7>(k, x, x_stride, panel, y, y_stride, lo, hi); break;
    case 6: tile<6>(k, x, x_stride, panel, y, y_stride, lo, hi); break;
    case 5: tile<5>(k, x, x_stride, panel, y, y_stride, lo, hi); break;
    case 4: tile<4>(k, x, x_stride, panel, y, y_stride, lo, hi); break;
    case 3: tile<3>(k, x, x_stride, panel, y, y_stride, lo, hi); break;
    case 2: tile<2>(k, x, x_stride, panel, y, y_stride, lo, hi); break;
    case 1: tile<1>(k, x, x_stride, panel, y, y_stride, lo, hi); break;
    default: break;
  }
}

}  // namespace

void f32_gemm_ukernel_8x32__avx512f(size_t m, size_t n, size_t k, const float* x, size_t x_stride,
                                    const float* packed, float* y, size_t y_stride) {
  const size_t panel_floats = f32_gemm_panel_floats(k, kNr);
  for (size_t c = 0; c < n; c += kNr, packed += panel_floats, y += kNr) {
    const size_t cols = n - c < kNr ? n - c : kNr;
    const __mmask16 lo = static_cast<__mmask16>(cols >= 16 ? 0xffffu : (1u << cols) - 1u);
    const __mmask16 hi = static_cast<__mmask16>(cols <= 16 ? 0u : cols >= 32 ? 0xffffu : (1u << (cols - 16)) - 1u);
    panel_rows(m, k, x, x_stride, packed, y, y_stride, lo, hi);
  }
}

}  // namespace edgeattn
