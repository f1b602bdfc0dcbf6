// The packed f32 GEMM (KernelTable::f32_gemm_packed, panels from
// f32_gemm_pack) written once over a vector-traits class T and
// instantiated by x86/gemm_f32_avx2.cc (6 x 16) and x86/gemm_f32_avx512.cc
// (8 x 32), each compiled with its own ISA flags. Include only from those.
// The same tile serves the indirect GEMM (KernelTable::f32_igemm_packed),
// whose rows are runs of row pointers: transposed convolutions' taps.
//
// T provides: V (a vector of kLanes floats), Mask, load(p) (aligned),
// bcast(p) (*p in every lane), fmadd(a, b, c) = a * b + c, storeu(p, v),
// mask(n) (the first n <= kLanes lanes), mask_store(p, m, v).
//
// Register tile: MR rows x 2 kLanes columns = 2 MR accumulators. W comes in
// panels of kF32GemmPanel = 16 columns (kernels.h), one layout for every
// table: the tile's two halves are one panel's two halves (8 lanes) or two
// adjacent panels (16 lanes), each read along its own 64-byte rows. Per k:
// two aligned loads, MR broadcasts of x, 2 MR FMAs. Loop order: tiles of
// columns outer, row tiles inner, so each panel ([k + 1, 16] floats) is read
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

// Rows [0, MR) against one tile of columns, into columns [y_col, y_col +
// cols) (cols <= 2 kLanes) of the rows y[r]: y[r][y_col + j] = bias[j] +
// sum_{s, i} a[r * ks + s][i] * W[s * kc + i, j], the first kLanes columns
// from `lo`, the next from `hi` (each: kLanes biases, then rows
// kF32GemmPanel floats apart). Row r's K = ks * kc inputs are ks runs of kc
// floats, a[r * ks + s] (the direct GEMM: one run, the row of x; the
// indirect one: a convolution's taps, each a pixel).
template <class T, size_t MR>
inline void packed_tile(size_t ks, size_t kc, const float* const* a, const float* lo, const float* hi,
                        float* const* y, size_t y_col, size_t cols) {
  using V = typename T::V;
  constexpr size_t kNr = 2 * T::kLanes;
  V c0[MR], c1[MR];  // [MR, nr] accumulators
  const V b0 = T::load(lo), b1 = T::load(hi);
#pragma GCC unroll 16
  for (size_t r = 0; r < MR; ++r) {
    c0[r] = b0;
    c1[r] = b1;
  }
  const float* w0p = lo + kF32GemmPanel;  // [ks kc] rows of the low half
  const float* w1p = hi + kF32GemmPanel;  // and of the high half
  for (size_t s = 0; s < ks; ++s) {
    const float* ar[MR];  // this run of each row
#pragma GCC unroll 16
    for (size_t r = 0; r < MR; ++r) ar[r] = a[r * ks + s];
    for (size_t i = 0; i < kc; ++i) {
      const V w0 = T::load(w0p), w1 = T::load(w1p);
      w0p += kF32GemmPanel;
      w1p += kF32GemmPanel;
#pragma GCC unroll 16
      for (size_t r = 0; r < MR; ++r) {
        const V v = T::bcast(ar[r] + i);
        c0[r] = T::fmadd(v, w0, c0[r]);
        c1[r] = T::fmadd(v, w1, c1[r]);
      }
    }
  }
  if (cols == kNr) {
#pragma GCC unroll 16
    for (size_t r = 0; r < MR; ++r) {
      T::storeu(y[r] + y_col, c0[r]);
      T::storeu(y[r] + y_col + T::kLanes, c1[r]);
    }
    return;
  }
  const typename T::Mask m0 = T::mask(cols >= T::kLanes ? T::kLanes : cols);
  const typename T::Mask m1 = T::mask(cols <= T::kLanes ? 0 : cols - T::kLanes);
#pragma GCC unroll 16
  for (size_t r = 0; r < MR; ++r) {
    T::mask_store(y[r] + y_col, m0, c0[r]);
    T::mask_store(y[r] + y_col + T::kLanes, m1, c1[r]);
  }
}

// The last m < MR rows: a tile of exactly m rows (R counts down from MR - 1).
template <class T, size_t R>
inline void packed_tail(size_t m, size_t ks, size_t kc, const float* const* a, const float* lo, const float* hi,
                        float* const* y, size_t y_col, size_t cols) {
  if constexpr (R > 0) {
    if (m == R) {
      packed_tile<T, R>(ks, kc, a, lo, hi, y, y_col, cols);
    } else {
      packed_tail<T, R - 1>(m, ks, kc, a, lo, hi, y, y_col, cols);
    }
  }
}

// Panels outer, row tiles inner (see the top). Rows come as row pointers,
// [m, ks] input runs and [m] outputs, from `rows`: rows(r0, n, a, y) fills
// a [n * ks] and y [n] for rows [r0, r0 + n), n <= MR.
template <class T, size_t MR, class Rows>
inline void packed_loop(size_t m, size_t n, size_t ks, size_t kc, const float* packed, const Rows& rows) {
  constexpr size_t kNr = 2 * T::kLanes;
  static_assert(kNr == kF32GemmPanel || kNr == 2 * kF32GemmPanel, "a tile is one panel or two");
  const size_t panel_floats = f32_gemm_panel_floats(ks * kc);
  // A remainder of fewer than MR / 2 rows shares the last whole tile's rows
  // evenly instead (257 = 31 x 8 + 5 + 4, not 32 x 8 + 1): a 1-row tile has
  // 2 accumulator chains and waits on FMA latency, ~2x its share of the time.
  const size_t rem = m % MR;
  const size_t split = m > MR && rem != 0 && rem < MR / 2 ? m - MR - rem : m;  // rows before the two halves
  for (size_t c = 0; c < n; c += kNr, packed += kNr / kF32GemmPanel * panel_floats) {
    const size_t cols = n - c < kNr ? n - c : kNr;
    // The high half: the same panel's second half, or the next panel (the
    // same one again when there is none: its columns are masked off).
    const float* hi = kNr == kF32GemmPanel ? packed + T::kLanes : cols > kF32GemmPanel ? packed + panel_floats : packed;
    for (size_t r = 0; r < m;) {
      size_t rn = m - r < MR ? m - r : MR;
      if (r >= split) rn = r == split ? (MR + rem + 1) / 2 : m - r;
      const float* const* a = nullptr;
      float* const* y = nullptr;
      rows(r, rn, &a, &y);
      if (rn == MR) {
        packed_tile<T, MR>(ks, kc, a, packed, hi, y, c, cols);
      } else {
        packed_tail<T, MR - 1>(rn, ks, kc, a, packed, hi, y, c, cols);
      }
      r += rn;
    }
  }
}

// y [m, n] = x [m, k] · the panels (see KernelTable::f32_gemm_packed).
template <class T, size_t MR>
void packed_gemm(size_t m, size_t n, size_t k, const float* x, size_t x_stride, const float* packed, float* y,
                 size_t y_stride) {
  const float* a[MR];  // [MR] row pointers of x
  float* yr[MR];       // [MR] rows of y
  packed_loop<T, MR>(m, n, 1, k, packed, [&](size_t r0, size_t rn, const float* const** ap, float* const** yp) {
    for (size_t r = 0; r < rn; ++r) {
      a[r] = x + (r0 + r) * x_stride;
      yr[r] = y + (r0 + r) * y_stride;
    }
    *ap = a;
    *yp = yr;
  });
}

// y[r][0, n) = the panels' bias + sum_s a[r ks + s] · W's rows [s kc, s kc
// + kc) (see KernelTable::f32_igemm_packed).
template <class T, size_t MR>
void packed_igemm(size_t m, size_t n, size_t ks, size_t kc, const float* const* a, const float* packed,
                  float* const* y) {
  packed_loop<T, MR>(m, n, ks, kc, packed, [&](size_t r0, size_t, const float* const** ap, float* const** yp) {
    *ap = a + r0 * ks;
    *yp = y + r0;
  });
}

}  // namespace
}  // namespace edgeattn
