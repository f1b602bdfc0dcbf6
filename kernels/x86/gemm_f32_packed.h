// The packed f32 GEMM (KernelTable::f32_gemm_packed, panels from
// f32_gemm_pack) written once over a vector-traits class T and
// instantiated by x86/gemm_f32_avx2.cc (6 x 16) and x86/gemm_f32_avx512.cc
// (8 x 32), each compiled with its own ISA flags. Include only from those.
//
// T provides: V (a vector of kLanes floats), Mask, load(p) (aligned),
// bcast(p) (*p in every lane), fmadd(a, b, c) = a * b + c, storeu(p, v),
// mask(n) (the first n <= kLanes lanes), mask_store(p, m, v).
//
// Register tile: MR rows x 2 kLanes columns = 2 MR accumulators. Per k: two
// aligned loads of the panel row, MR broadcasts of x, 2 MR FMAs. Loop order:
// panels outer, row tiles inner, so each panel ([k + 1, nr] floats) is read
// from memory once per call and then from L2 for every row tile, while x
// (read in place, no packing) streams from L1 / L2. That is what beats
// XNNPACK's kernels, which walk all of W once per row tile, when W is
// larger than L2 (docs/gemm.md). Every loop over the accumulators is
// unrolled: one that GCC keeps would index them and put them all in memory
// (a store per FMA: 45 vs 110 GFLOP/s for the AVX2 kernel's first build).
#pragma once

#include <cstddef>

#include "kernels/kernels.h"

namespace edgeattn {
namespace {  // internal linkage: each ISA file gets its own copy

// Rows [0, MR) of x against one panel, into the first `cols` (<= 2 kLanes)
// columns of y: y[r, j] = panel bias[j] + sum_i x[r, i] * panel[i, j].
template <class T, size_t MR>
inline void packed_tile(size_t k, const float* x, size_t x_stride, const float* panel, float* y, size_t y_stride,
                        size_t cols) {
  using V = typename T::V;
  constexpr size_t kNr = 2 * T::kLanes;
  V c0[MR], c1[MR];  // [MR, nr] accumulators
  const V b0 = T::load(panel), b1 = T::load(panel + T::kLanes);
  const float* a[MR];  // row pointers of x
#pragma GCC unroll 16
  for (size_t r = 0; r < MR; ++r) {
    c0[r] = b0;
    c1[r] = b1;
    a[r] = x + r * x_stride;
  }
  const float* w = panel + kNr;  // [k, nr]
  for (size_t i = 0; i < k; ++i) {
    const V w0 = T::load(w), w1 = T::load(w + T::kLanes);
    w += kNr;
#pragma GCC unroll 16
    for (size_t r = 0; r < MR; ++r) {
      const V v = T::bcast(a[r] + i);
      c0[r] = T::fmadd(v, w0, c0[r]);
      c1[r] = T::fmadd(v, w1, c1[r]);
    }
  }
  if (cols == kNr) {
#pragma GCC unroll 16
    for (size_t r = 0; r < MR; ++r) {
      T::storeu(y + r * y_stride, c0[r]);
      T::storeu(y + r * y_stride + T::kLanes, c1[r]);
    }
    return;
  }
  const typename T::Mask lo = T::mask(cols >= T::kLanes ? T::kLanes : cols);
  const typename T::Mask hi = T::mask(cols <= T::kLanes ? 0 : cols - T::kLanes);
#pragma GCC unroll 16
  for (size_t r = 0; r < MR; ++r) {
    T::mask_store(y + r * y_stride, lo, c0[r]);
    T::mask_store(y + r * y_stride + T::kLanes, hi, c1[r]);
  }
}

// The last m < MR rows: a tile of exactly m rows (R counts down from MR - 1).
template <class T, size_t R>
inline void packed_tail(size_t m, size_t k, const float* x, size_t x_stride, const float* panel, float* y,
                        size_t y_stride, size_t cols) {
  if constexpr (R > 0) {
    if (m == R) {
      packed_tile<T, R>(k, x, x_stride, panel, y, y_stride, cols);
    } else {
      packed_tail<T, R - 1>(m, k, x, x_stride, panel, y, y_stride, cols);
    }
  }
}

// y [m, n] = x [m, k] · the panels (see KernelTable::f32_gemm_packed).
template <class T, size_t MR>
void packed_gemm(size_t m, size_t n, size_t k, const float* x, size_t x_stride, const float* packed, float* y,
                 size_t y_stride) {
  constexpr size_t kNr = 2 * T::kLanes;
  const size_t panel_floats = f32_gemm_panel_floats(k, kNr);
  for (size_t c = 0; c < n; c += kNr, packed += panel_floats, y += kNr) {
    const size_t cols = n - c < kNr ? n - c : kNr;
    size_t r = 0;
    for (; r + MR <= m; r += MR) {
      packed_tile<T, MR>(k, x + r * x_stride, x_stride, packed, y + r * y_stride, y_stride, cols);
    }
    packed_tail<T, MR - 1>(m - r, k, x + r * x_stride, x_stride, packed, y + r * y_stride, y_stride, cols);
  }
}

}  // namespace
}  // namespace edgeattn
