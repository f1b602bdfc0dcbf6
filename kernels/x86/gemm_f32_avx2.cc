// f32 GEMM on packed weights for the avx2 table (KernelTable::
// f32_gemm_packed, panels of 16 columns from f32_gemm_pack), the AVX2 + FMA
// counterpart of gemm_f32_avx512.cc (same loop order, see there for why it
// beats a walk over all of W per row tile).
//
// Register tile: 6 rows x 16 columns = 12 ymm accumulators, two panel
// loads and a broadcast: 15 of the 16 ymm registers. Per k: 2 loads, 6
// broadcasts, 12 FMAs, FMA-bound on cores with two 256-bit FMA units
// (Haswell to Alder Lake, Zen 2-4).
#include <immintrin.h>

#include "kernels/x86/avx2.h"
#include "kernels/x86/avx2_math.h"

namespace edgeattn {
namespace {

constexpr size_t kNr = 16;
constexpr size_t kMr = 6;

// Rows [0, MR) of x against one panel, into the first `cols` (<= 16)
// columns of y: y[r, j] = panel bias[j] + sum_i x[r, i] * panel[i, j].
template <size_t MR>
inline void tile(size_t k, const float* x, size_t x_stride, const float* panel, float* y, size_t y_stride,
                 size_t cols) {
  __m256 c0[MR], c1[MR];  // [MR, 16] accumulators
  const __m256 b0 = _mm256_load_ps(panel), b1 = _mm256_load_ps(panel + 8);
  const float* a[MR];  // row pointers of x
#pragma GCC unroll 6
  for (size_t r = 0; r < MR; ++r) {
    c0[r] = b0;
    c1[r] = b1;
    a[r] = x + r * x_stride;
  }
  const float* w = panel + kNr;  // [k, 16]
  for (size_t i = 0; i < k; ++i) {
    const __m256 w0 = _mm256_load_ps(w), w1 = _mm256_load_ps(w + 8);
    w += kNr;
#pragma GCC unroll 6
    for (size_t r = 0; r < MR; ++r) {
      const __m256 v = _mm256_broadcast_ss(a[r] + i);
      c0[r] = _mm256_fmadd_ps(v, w0, c0[r]);
      c1[r] = _mm256_fmadd_ps(v, w1, c1[r]);
    }
  }
  if (cols == kNr) {
#pragma GCC unroll 6
    for (size_t r = 0; r < MR; ++r) {
      _mm256_storeu_ps(y + r * y_stride, c0[r]);
      _mm256_storeu_ps(y + r * y_stride + 8, c1[r]);
    }
    return;
  }
  const __m256i lo = avx2_tail_mask(cols >= 8 ? 8 : cols), hi = avx2_tail_mask(cols <= 8 ? 0 : cols - 8);
  // Unrolled like every loop over the accumulators: a loop GCC keeps would
  // index them, putting all 12 in memory (a store per FMA: 45 vs 110 GFLOP/s).
#pragma GCC unroll 6
  for (size_t r = 0; r < MR; ++r) {
    _mm256_maskstore_ps(y + r * y_stride, lo, c0[r]);
    _mm256_maskstore_ps(y + r * y_stride + 8, hi, c1[r]);
  }
}

// Rows [0, m) of x against one panel, in row tiles of 6 and one tail tile.
void panel_rows(size_t m, size_t k, const float* x, size_t x_stride, const float* panel, float* y, size_t y_stride,
                size_t cols) {
  size_t r = 0;
  for (; r + kMr <= m; r += kMr) tile<kMr>(k, x + r * x_stride, x_stride, panel, y + r * y_stride, y_stride, cols);
  x += r * x_stride;
  y += r * y_stride;
  switch (m - r) {
    case 5: tile<5>(k, x, x_stride, panel, y, y_stride, cols); break;
    case 4: tile<4>(k, x, x_stride, panel, y, y_stride, cols); break;
    case 3: tile<3>(k, x, x_stride, panel, y, y_stride, cols); break;
    case 2: tile<2>(k, x, x_stride, panel, y, y_stride, cols); break;
    case 1: tile<1>(k, x, x_stride, panel, y, y_stride, cols); break;
    default: break;
  }
}

}  // namespace

void f32_gemm_ukernel_6x16__avx2(size_t m, size_t n, size_t k, const float* x, size_t x_stride,
                                 const float* packed, float* y, size_t y_stride) {
  const size_t panel_floats = f32_gemm_panel_floats(k, kNr);
  for (size_t c = 0; c < n; c += kNr, packed += panel_floats, y += kNr) {
    panel_rows(m, k, x, x_stride, packed, y, y_stride, n - c < kNr ? n - c : kNr);
  }
}

}  // namespace edgeattn
