// Tiled multi-query attention (flash-attention style register blocking),
// written once over a vector-traits class T and instantiated by
// x86/attention_avx2.cc (8 lanes), x86/attention_avx512.cc (16 lanes) and
// arm/attention_neon.cc (4 lanes), each compiled with its own ISA flags.
// T provides: V, kLanes, kRows (rows per register block, so that
// 2 * kRows accumulators + 3 fit the register file), kTransposeBlock and
// transpose_block(src, ss, dst, ds) (a square block: dst[c][r] = src[r][c]),
// zero, load/store (aligned), set1, fmadd(a, b, c) = a * b + c, add, sub,
// mul, div, max, exp (exp(-inf) == 0 and exp(0) == 1 exactly),
// mask_from(x, j, lim) = x where j < lim else -inf.
//
// Why: the one-query kernel loads every k and v element once per query, so it
// does ~1 FMA per load. Here a tile of kTile = 2 * T::kLanes queries runs
// against blocks of keys with the queries along the vector lanes:
//   S^T[j][q] = scale * sum_i k_j[i] * Q^T[i][q]    (broadcast k_j[i])
//   O^T[c][q] = alpha[q] O^T[c][q] + sum_j v_j[c] * P^T[j][q]  (broadcast v_j[c])
// so one broadcast load of k or v feeds 2 FMAs over kTile queries. Both
// products are the same loop (bcast_fma_rows): T::kRows rows of a strided
// matrix A broadcast against a [n, kTile] matrix B. With queries in lanes the
// online softmax (running max m, sum l, rescale alpha = exp(m - m')) is
// vertical per lane: no horizontal reductions, and lanes never mix, so
// padding lanes (past n_queries) hold harmless values that are never stored.
//
// Semantics are exactly AttentionArgs': query t sees keys
// [0, n_keys + t * causal_step); keys a lane must not see get score -inf
// (exp -> 0). Key 0 is visible to every lane, so after the first block every
// running max is finite. Rows are read only up to the last valid query's
// limit, head_dim elements each (never past a row).
// Numerics: scores are one sequential FMA chain over head_dim (the
// reference's order, fused); exp <= 2 ulp; sums over keys reordered by block.
// One key: p = exp(0) = 1, O = fma(v, 1, 0) = v, out = v / 1: v bit for bit.
#pragma once

#include <cmath>
#include <cstddef>
#include <type_traits>

#include "kernels/kernels.h"

namespace edgeattn {
namespace {  // internal linkage: each ISA file gets its own copy

// The tiled path takes head_dim <= this (Q^T and O^T tiles are on the stack,
// [kTiledMaxHeadDim, kTile] floats each); larger heads use the one-query kernel.
constexpr size_t kTiledMaxHeadDim = 256;
// Keys per block: the rescale of O^T (a pass over [head_dim, kTile]) is
// amortized over 48 keys, and P^T [48, kTile] stays in L1.
constexpr size_t kTiledBlock = 48;

// Whether attention_tiled() takes `a`: Q^T / O^T fit the stack tiles, and
// every key index and per-lane key count is exact as a float (below 2^24),
// which is how the causal mask compares them.
inline bool tiled_attention_fits(const AttentionArgs& a) {
  return a.head_dim <= kTiledMaxHeadDim && a.n_keys + a.n_queries * a.causal_step < (size_t{1} << 24);
}

// Calls f(std::integral_constant<size_t, r>) for 1 <= r <= R, so remainders
// get a fully unrolled microkernel too.
template <size_t R, class F>
inline void with_rows(size_t r, F&& f) {
  if constexpr (R > 0) {
    if (r == R) {
      f(std::integral_constant<size_t, R>{});
    } else {
      with_rows<R - 1>(r, f);
    }
  }
}

// dst[c * ds + r] = src[r * ss + c] for r < rows, c < cols: T's square
// kTransposeBlock blocks where whole, element by element at the edges.
template <class T>
inline void transpose_rect(const float* src, size_t ss, size_t rows, size_t cols, float* dst, size_t ds) {
  constexpr size_t B = T::kTransposeBlock;
  const size_t rows_b = rows - rows % B;
  const size_t cols_b = cols - cols % B;
  for (size_t r = 0; r < rows_b; r += B) {
    for (size_t c = 0; c < cols_b; c += B) T::transpose_block(src + r * ss + c, ss, dst + c * ds + r, ds);
  }
  for (size_t r = 0; r < rows; ++r) {
    for (size_t c = r < rows_b ? cols_b : 0; c < cols; ++c) dst[c * ds + r] = src[r * ss + c];
  }
}

// qt [d, kTile] = rows [0, nq) of q (stride q_stride, d floats each),
// transposed; lanes [nq, kTile) zero. In registers, because element by
// element (with AttentionArgs reloaded per element) this and the copy back
// out were 12 % of the AVX-512 tile's time on a ViT's heads.
template <class T, size_t kTile>
inline void transpose_into_tile(const float* q, size_t q_stride, size_t nq, size_t d, float* qt) {
  transpose_rect<T>(q, q_stride, nq, d, qt, kTile);
  for (size_t i = 0; i < d; ++i) {
    for (size_t r = nq; r < kTile; ++r) qt[i * kTile + r] = 0.0f;
  }
}

// acc[r][h] += a[r * ars + i * ais] * b[i * kTile + h * kLanes], i in [0, n).
// a: R rows of a strided matrix (k rows: ars = k_stride, ais = 1; v columns:
// ars = 1, ais = v_stride); b: [n, kTile] (Q^T or P^T), aligned.
template <class T, size_t R>
inline void bcast_fma_rows(const float* a, size_t ars, size_t ais, const float* b, size_t n,
                           typename T::V (&acc)[R][2]) {
  constexpr size_t kTile = 2 * T::kLanes;
  for (size_t i = 0; i < n; ++i) {
    const typename T::V b0 = T::load(b + i * kTile);
    const typename T::V b1 = T::load(b + i * kTile + T::kLanes);
    for (size_t r = 0; r < R; ++r) {
      const typename T::V ar = T::set1(a[r * ars + i * ais]);
      acc[r][0] = T::fmadd(ar, b0, acc[r][0]);
      acc[r][1] = T::fmadd(ar, b1, acc[r][1]);
    }
  }
}

// st [nb, kTile] = scale * K[j0, j0 + nb) Q^T, qt [head_dim, kTile].
template <class T>
void tile_scores(const AttentionArgs& a, const float* qt, size_t j0, size_t nb, float* st) {
  constexpr size_t kTile = 2 * T::kLanes;
  const typename T::V scale = T::set1(a.scale);
  for (size_t jr = 0; jr < nb; jr += T::kRows) {
    const size_t rows = nb - jr < T::kRows ? nb - jr : T::kRows;
    with_rows<T::kRows>(rows, [&](auto rc) {
      constexpr size_t R = decltype(rc)::value;
      typename T::V acc[R][2];
      for (size_t r = 0; r < R; ++r) acc[r][0] = acc[r][1] = T::zero();
      bcast_fma_rows<T, R>(a.k + (j0 + jr) * a.k_stride, a.k_stride, 1, qt, a.head_dim, acc);
      for (size_t r = 0; r < R; ++r) {
        T::store(st + (jr + r) * kTile, T::mul(acc[r][0], scale));
        T::store(st + (jr + r) * kTile + T::kLanes, T::mul(acc[r][1], scale));
      }
    });
  }
}

// ot [head_dim, kTile] = alpha * ot + V[j0, j0 + nb)^T P^T, pt [nb, kTile];
// `first`: ot is uninitialized and alpha is not applied.
template <class T>
void tile_accumulate(const AttentionArgs& a, const float* pt, size_t j0, size_t nb,
                     const typename T::V (&alpha)[2], bool first, float* ot) {
  constexpr size_t kTile = 2 * T::kLanes;
  const float* v = a.v + j0 * a.v_stride;
  for (size_t c0 = 0; c0 < a.head_dim; c0 += T::kRows) {
    const size_t rows = a.head_dim - c0 < T::kRows ? a.head_dim - c0 : T::kRows;
    with_rows<T::kRows>(rows, [&](auto rc) {
      constexpr size_t R = decltype(rc)::value;
      typename T::V acc[R][2];
      for (size_t r = 0; r < R; ++r) {
        for (size_t h = 0; h < 2; ++h) {
          acc[r][h] = first ? T::zero() : T::mul(T::load(ot + (c0 + r) * kTile + h * T::kLanes), alpha[h]);
        }
      }
      bcast_fma_rows<T, R>(v + c0, 1, a.v_stride, pt, nb, acc);
      for (size_t r = 0; r < R; ++r) {
        T::store(ot + (c0 + r) * kTile, acc[r][0]);
        T::store(ot + (c0 + r) * kTile + T::kLanes, acc[r][1]);
      }
    });
  }
}

// Online softmax of one block, per lane: scores of keys at or past lim[h]
// (the lane's key count) become -inf when `masked`; m' = max(m, max_j s),
// alpha = exp(m - m') (0 on the first block, m = -inf), st <- p = exp(s - m'),
// l = alpha l + sum_j p.
template <class T>
void tile_softmax(float* st, size_t j0, size_t nb, bool masked, const typename T::V (&lim)[2],
                  typename T::V (&m)[2], typename T::V (&l)[2], typename T::V (&alpha)[2]) {
  constexpr size_t kTile = 2 * T::kLanes;
  for (size_t h = 0; h < 2; ++h) {
    float* s = st + h * T::kLanes;
    typename T::V mx = T::set1(-INFINITY);
    for (size_t jj = 0; jj < nb; ++jj) {
      typename T::V x = T::load(s + jj * kTile);
      if (masked) {
        x = T::mask_from(x, T::set1(static_cast<float>(j0 + jj)), lim[h]);
        T::store(s + jj * kTile, x);
      }
      mx = T::max(mx, x);
    }
    const typename T::V m_new = T::max(m[h], mx);
    alpha[h] = T::exp(T::sub(m[h], m_new));
    m[h] = m_new;
    typename T::V sum = T::zero();
    size_t jj = 0;
    for (; jj + 4 <= nb; jj += 4) {
      typename T::V x[4];
      for (size_t u = 0; u < 4; ++u) x[u] = T::sub(T::load(s + (jj + u) * kTile), m_new);
      T::exp4(x);
      for (size_t u = 0; u < 4; ++u) {
        T::store(s + (jj + u) * kTile, x[u]);
        sum = T::add(sum, x[u]);
      }
    }
    for (; jj < nb; ++jj) {
      const typename T::V p = T::exp(T::sub(T::load(s + jj * kTile), m_new));
      T::store(s + jj * kTile, p);
      sum = T::add(sum, p);
    }
    l[h] = T::add(T::mul(l[h], alpha[h]), sum);
  }
}

// Queries [t0, t0 + nq) (nq <= kTile) against all their keys.
// qt, ot: [kTiledMaxHeadDim, kTile]; st: [kTiledBlock, kTile]; all aligned.
template <class T>
void attention_tile(const AttentionArgs& a, size_t t0, size_t nq, float* qt, float* ot, float* st) {
  constexpr size_t kTile = 2 * T::kLanes;
  const size_t d = a.head_dim;
  // Q^T, zero in the padding lanes (their scores are 0: finite, never stored).
  transpose_into_tile<T, kTile>(a.q + t0 * a.q_stride, a.q_stride, nq, d, qt);
  typename T::V lim[2], m[2], l[2], alpha[2];
  alignas(64) float lim_f[kTile];  // [kTile]: keys lane r sees
  for (size_t r = 0; r < kTile; ++r) lim_f[r] = static_cast<float>(a.n_keys + (t0 + r) * a.causal_step);
  for (size_t h = 0; h < 2; ++h) {
    lim[h] = T::load(lim_f + h * T::kLanes);
    m[h] = T::set1(-INFINITY);
    l[h] = T::zero();
  }
  const size_t all_see = a.n_keys + t0 * a.causal_step;       // keys every lane sees
  const size_t n = a.n_keys + (t0 + nq - 1) * a.causal_step;  // keys the last real query sees
  for (size_t j0 = 0; j0 < n; j0 += kTiledBlock) {
    const size_t nb = n - j0 < kTiledBlock ? n - j0 : kTiledBlock;
    tile_scores<T>(a, qt, j0, nb, st);
    tile_softmax<T>(st, j0, nb, j0 + nb > all_see, lim, m, l, alpha);
    tile_accumulate<T>(a, st, j0, nb, alpha, j0 == 0, ot);
  }
  for (size_t c = 0; c < d; ++c) {
    for (size_t h = 0; h < 2; ++h) {
      float* o = ot + c * kTile + h * T::kLanes;
      T::store(o, T::div(T::load(o), l[h]));
    }
  }
  transpose_rect<T>(ot, kTile, d, nq, a.out + t0 * a.out_stride, a.out_stride);  // out rows = columns of O^T
}

// All queries, kTile at a time (the last tile padded). Requires
// tiled_attention_fits(a).
template <class T>
void attention_tiled(const AttentionArgs& a) {
  constexpr size_t kTile = 2 * T::kLanes;
  alignas(64) float qt[kTiledMaxHeadDim * kTile];  // Q^T [head_dim, kTile]
  alignas(64) float ot[kTiledMaxHeadDim * kTile];  // O^T [head_dim, kTile]
  alignas(64) float st[kTiledBlock * kTile];       // S^T, then P^T [kTiledBlock, kTile]
  for (size_t t0 = 0; t0 < a.n_queries; t0 += kTile) {
    const size_t nq = a.n_queries - t0 < kTile ? a.n_queries - t0 : kTile;
    attention_tile<T>(a, t0, nq, qt, ot, st);
  }
}

}  // namespace
}  // namespace edgeattn
