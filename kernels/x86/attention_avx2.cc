// AVX2 attention for one head: online (streaming) softmax.
//
// For each query the keys are visited in blocks of kBlock:
//   1. scores s_j = dot(q, k_j) * scale for the block: head_dim <= 64 keeps
//      q in registers and takes 8 keys at a time (8 independent FMA chains,
//      reduced together into one vector); larger heads take 4 keys at a
//      time (4 chains share each load of q, reduced with hadd);
//   2. new running max m' = max(m, max_j s_j); the accumulator and the
//      running sum are rescaled by exp(m - m') when the max grew;
//   3. p_j = exp(s_j - m'), l += sum p_j, acc += p_j * v_j, with acc held in
//      registers 64 columns at a time across the whole block (split into
//      even/odd-key chains when fewer than 8 vectors, so FMA latency is
//      hidden).
// Finally out = acc / l. acc[kMaxHeadDim] lives on the stack; nothing is
// stored per key beyond the current block, so n_keys is unbounded.
// With one key, p = exp(0) = 1 exactly and out == v[0] bit for bit.
//
// That path does ~1 FMA per loaded k/v element; with many queries
// (n_queries >= kTiledMinQueries) f32_attention_ukernel__avx2 instead runs
// f32_attention_ukernel_16x6__avx2, 16 queries at a time against 6-key /
// 6-column register blocks (kernels/attention_tiled.h).
#include <cmath>

#include "kernels/attention_tiled.h"
#include "kernels/x86/avx2.h"
#include "kernels/x86/avx2_math.h"

namespace edgeattn {

namespace {

// 32 keys per block: large enough that the rescale (one exp and a pass over
// acc) is amortized, small enough that the block's scores stay in L1.
constexpr size_t kBlock = 32;

// Scores for keys [j0, j0 + nb) into s[0, nb).
void block_scores(const AttentionArgs& a, const float* q, size_t j0, size_t nb,
                  __m256i tail_mask, float* s) {
  const size_t d = a.head_dim;
  const size_t d8 = d & ~static_cast<size_t>(7);
  const __m128 scale = _mm_set1_ps(a.scale);
  size_t jj = 0;
  for (; jj + 4 <= nb; jj += 4) {
    const float* k0 = a.k + (j0 + jj) * a.k_stride;
    const float* k1 = k0 + a.k_stride;
    const float* k2 = k1 + a.k_stride;
    const float* k3 = k2 + a.k_stride;
    __m256 d0 = _mm256_setzero_ps(), d1 = _mm256_setzero_ps();
    __m256 d2 = _mm256_setzero_ps(), d3 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i < d8; i += 8) {
      const __m256 qv = _mm256_loadu_ps(q + i);
      d0 = _mm256_fmadd_ps(qv, _mm256_loadu_ps(k0 + i), d0);
      d1 = _mm256_fmadd_ps(qv, _mm256_loadu_ps(k1 + i), d1);
      d2 = _mm256_fmadd_ps(qv, _mm256_loadu_ps(k2 + i), d2);
      d3 = _mm256_fmadd_ps(qv, _mm256_loadu_ps(k3 + i), d3);
    }
    if (i < d) {
      const __m256 qv = _mm256_maskload_ps(q + i, tail_mask);
      d0 = _mm256_fmadd_ps(qv, _mm256_maskload_ps(k0 + i, tail_mask), d0);
      d1 = _mm256_fmadd_ps(qv, _mm256_maskload_ps(k1 + i, tail_mask), d1);
      d2 = _mm256_fmadd_ps(qv, _mm256_maskload_ps(k2 + i, tail_mask), d2);
      d3 = _mm256_fmadd_ps(qv, _mm256_maskload_ps(k3 + i, tail_mask), d3);
    }
    _mm_storeu_ps(s + jj, _mm_mul_ps(avx2_hsum4(d0, d1, d2, d3), scale));
  }
  for (; jj < nb; ++jj) {
    const float* k0 = a.k + (j0 + jj) * a.k_stride;
    __m256 d0 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i < d8; i += 8) {
      d0 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), _mm256_loadu_ps(k0 + i), d0);
    }
    if (i < d) {
      d0 = _mm256_fmadd_ps(_mm256_maskload_ps(q + i, tail_mask),
                           _mm256_maskload_ps(k0 + i, tail_mask), d0);
    }
    s[jj] = avx2_hsum(d0) * a.scale;
  }
}

// Scores for keys [j0, j0 + nb) into s[0, nb) when head_dim <= 64: q stays
// in NB registers and 8 keys go at once, so 8 independent FMA chains hide the
// FMA latency; the 8 dot products are reduced together into one vector.
template <size_t NB>
void block_scores_small(const AttentionArgs& a, const float* q, size_t j0, size_t nb,
                        __m256i tail_mask, float* s) {
  const size_t d = a.head_dim;
  const bool masked = (d & 7) != 0;
  __m256 qv[NB];
  for (size_t r = 0; r < NB; ++r) {
    qv[r] = (masked && r + 1 == NB) ? _mm256_maskload_ps(q + 8 * r, tail_mask) : _mm256_loadu_ps(q + 8 * r);
  }
  const __m256 scale = _mm256_set1_ps(a.scale);
  size_t jj = 0;
  for (; jj + 8 <= nb; jj += 8) {
    const float* k = a.k + (j0 + jj) * a.k_stride;
    __m256 acc[8];
    for (size_t t = 0; t < 8; ++t) acc[t] = _mm256_setzero_ps();
    for (size_t r = 0; r < NB; ++r) {
      if (masked && r + 1 == NB) {
        for (size_t t = 0; t < 8; ++t)
          acc[t] = _mm256_fmadd_ps(qv[r], _mm256_maskload_ps(k + t * a.k_stride + 8 * r, tail_mask), acc[t]);
      } else {
        for (size_t t = 0; t < 8; ++t)
          acc[t] = _mm256_fmadd_ps(qv[r], _mm256_loadu_ps(k + t * a.k_stride + 8 * r), acc[t]);
      }
    }
    // Lane sums of acc[0..7] -> one vector {sum acc0, ..., sum acc7}.
    const __m256 h01 = _mm256_hadd_ps(acc[0], acc[1]), h23 = _mm256_hadd_ps(acc[2], acc[3]);
    const __m256 h45 = _mm256_hadd_ps(acc[4], acc[5]), h67 = _mm256_hadd_ps(acc[6], acc[7]);
    const __m256 h0123 = _mm256_hadd_ps(h01, h23), h4567 = _mm256_hadd_ps(h45, h67);
    // h0123 = {0 1 2 3 | 0 1 2 3} halves; combine halves of both.
    const __m256 lo = _mm256_permute2f128_ps(h0123, h4567, 0x20);
    const __m256 hi = _mm256_permute2f128_ps(h0123, h4567, 0x31);
    _mm256_storeu_ps(s + jj, _mm256_mul_ps(_mm256_add_ps(lo, hi), scale));
  }
  for (; jj < nb; ++jj) {
    const float* k = a.k + (j0 + jj) * a.k_stride;
    __m256 acc = _mm256_setzero_ps();
    for (size_t r = 0; r < NB; ++r) {
      const __m256 kv = (masked && r + 1 == NB) ? _mm256_maskload_ps(k + 8 * r, tail_mask) : _mm256_loadu_ps(k + 8 * r);
      acc = _mm256_fmadd_ps(qv[r], kv, acc);
    }
    s[jj] = avx2_hsum(acc) * a.scale;
  }
}

void scores(const AttentionArgs& a, const float* q, size_t j0, size_t nb, __m256i tail_mask, float* s) {
  switch ((a.head_dim + 7) / 8) {
    case 1: block_scores_small<1>(a, q, j0, nb, tail_mask, s); break;
    case 2: block_scores_small<2>(a, q, j0, nb, tail_mask, s); break;
    case 3: block_scores_small<3>(a, q, j0, nb, tail_mask, s); break;
    case 4: block_scores_small<4>(a, q, j0, nb, tail_mask, s); break;
    case 5: block_scores_small<5>(a, q, j0, nb, tail_mask, s); break;
    case 6: block_scores_small<6>(a, q, j0, nb, tail_mask, s); break;
    case 7: block_scores_small<7>(a, q, j0, nb, tail_mask, s); break;
    case 8: block_scores_small<8>(a, q, j0, nb, tail_mask, s); break;
    default: block_scores(a, q, j0, nb, tail_mask, s); break;
  }
}

// acc[c0, c0 + 8 NB) (NB column vectors, the last one masked when `masked`)
// = acc * alpha + sum_jj p[jj] * v[j0 + jj]. The sum over keys is a chain of
// dependent FMAs per column vector; NB <= 4 splits it into two chains (even
// and odd keys) so that at least 8 independent FMAs are in flight, which is
// what keeps the FMA units busy rather than waiting on their latency.
template <size_t NB>
void accumulate_group(const float* p, const float* v, size_t v_stride, size_t nb, __m256 alpha,
                      bool masked, __m256i tail_mask, float* acc) {
  constexpr bool kSplit = NB <= 4;
  __m256 a0[NB], a1[NB];
  for (size_t r = 0; r < NB; ++r) {
    const bool last_masked = masked && r + 1 == NB;
    a0[r] = _mm256_mul_ps(last_masked ? _mm256_maskload_ps(acc + 8 * r, tail_mask) : _mm256_load_ps(acc + 8 * r),
                          alpha);
    a1[r] = _mm256_setzero_ps();
  }
  size_t jj = 0;
  if (!masked) {
    if (kSplit) {
      for (; jj + 2 <= nb; jj += 2) {
        const __m256 p0 = _mm256_broadcast_ss(p + jj), p1 = _mm256_broadcast_ss(p + jj + 1);
        const float* v0 = v + jj * v_stride;
        const float* v1 = v0 + v_stride;
        for (size_t r = 0; r < NB; ++r) {
          a0[r] = _mm256_fmadd_ps(p0, _mm256_loadu_ps(v0 + 8 * r), a0[r]);
          a1[r] = _mm256_fmadd_ps(p1, _mm256_loadu_ps(v1 + 8 * r), a1[r]);
        }
      }
    }
    for (; jj < nb; ++jj) {
      const __m256 pj = _mm256_broadcast_ss(p + jj);
      const float* vj = v + jj * v_stride;
      for (size_t r = 0; r < NB; ++r) a0[r] = _mm256_fmadd_ps(pj, _mm256_loadu_ps(vj + 8 * r), a0[r]);
    }
  } else {
    for (; jj < nb; ++jj) {
      const __m256 pj = _mm256_broadcast_ss(p + jj);
      const float* vj = v + jj * v_stride;
      for (size_t r = 0; r + 1 < NB; ++r) a0[r] = _mm256_fmadd_ps(pj, _mm256_loadu_ps(vj + 8 * r), a0[r]);
      a0[NB - 1] = _mm256_fmadd_ps(pj, _mm256_maskload_ps(vj + 8 * (NB - 1), tail_mask), a0[NB - 1]);
    }
  }
  for (size_t r = 0; r < NB; ++r) {
    const __m256 sum = kSplit ? _mm256_add_ps(a0[r], a1[r]) : a0[r];
    if (masked && r + 1 == NB) {
      _mm256_maskstore_ps(acc + 8 * r, tail_mask, sum);
    } else {
      _mm256_store_ps(acc + 8 * r, sum);
    }
  }
}

// acc[0, d) = acc * alpha + sum_jj p[jj] * v[j0 + jj], in groups of up to 64
// columns held in registers across the whole block of keys.
void block_accumulate(const AttentionArgs& a, const float* p, size_t j0, size_t nb,
                      float alpha, __m256i tail_mask, float* acc) {
  const size_t d = a.head_dim;
  const __m256 valpha = _mm256_set1_ps(alpha);
  const float* v0 = a.v + j0 * a.v_stride;
  for (size_t c0 = 0; c0 < d; c0 += 64) {
    const size_t cols = d - c0 < 64 ? d - c0 : 64;
    const size_t groups = (cols + 7) / 8;
    const bool masked = (cols & 7) != 0;
    const float* v = v0 + c0;
    float* ac = acc + c0;
    switch (groups) {
      case 1: accumulate_group<1>(p, v, a.v_stride, nb, valpha, masked, tail_mask, ac); break;
      case 2: accumulate_group<2>(p, v, a.v_stride, nb, valpha, masked, tail_mask, ac); break;
      case 3: accumulate_group<3>(p, v, a.v_stride, nb, valpha, masked, tail_mask, ac); break;
      case 4: accumulate_group<4>(p, v, a.v_stride, nb, valpha, masked, tail_mask, ac); break;
      case 5: accumulate_group<5>(p, v, a.v_stride, nb, valpha, masked, tail_mask, ac); break;
      case 6: accumulate_group<6>(p, v, a.v_stride, nb, valpha, masked, tail_mask, ac); break;
      case 7: accumulate_group<7>(p, v, a.v_stride, nb, valpha, masked, tail_mask, ac); break;
      default: accumulate_group<8>(p, v, a.v_stride, nb, valpha, masked, tail_mask, ac); break;
    }
  }
}

// 8 lanes, tile of 16 queries; 6 rows x 2 vectors = 12 accumulators, plus
// 2 loads of the [n, 16] operand and a broadcast: 15 of the 16 ymm registers.
struct Avx2Vec {
  using V = __m256;
  static constexpr size_t kLanes = 8;
  static constexpr size_t kRows = 6;
  static constexpr size_t kTransposeBlock = 8;
  static V zero() { return _mm256_setzero_ps(); }
  static V load(const float* p) { return _mm256_load_ps(p); }
  static void store(float* p, V x) { _mm256_store_ps(p, x); }
  static V set1(float x) { return _mm256_set1_ps(x); }
  static V fmadd(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static V add(V a, V b) { return _mm256_add_ps(a, b); }
  static V sub(V a, V b) { return _mm256_sub_ps(a, b); }
  static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  static V div(V a, V b) { return _mm256_div_ps(a, b); }
  static V max(V a, V b) { return _mm256_max_ps(a, b); }
  static V exp(V x) { return avx2_exp(x); }
  static void exp4(V (&x)[4]) { avx2_exp_n<4>(x); }
  static void transpose_block(const float* src, size_t ss, float* dst, size_t ds) {
    avx2_transpose_8x8(src, ss, dst, ds);
  }
  // x where j < lim, else -inf.
  static V mask_from(V x, V j, V lim) {
    return _mm256_blendv_ps(_mm256_set1_ps(-INFINITY), x, _mm256_cmp_ps(j, lim, _CMP_LT_OQ));
  }
};

// Below this many queries most of a 16-lane tile would be padding and the
// one-query kernel is faster (bench/kernels: attention/.../nq*).
constexpr size_t kTiledMinQueries = 8;

void attention_one_query(const AttentionArgs& a) {
  alignas(32) float acc[kMaxHeadDim];
  alignas(32) float s[kBlock];
  const size_t d = a.head_dim;
  const __m256i tail_mask = avx2_tail_mask(d & 7);

  for (size_t t = 0; t < a.n_queries; ++t) {
    const float* q = a.q + t * a.q_stride;
    const size_t n = a.n_keys + t * a.causal_step;
    for (size_t i = 0; i < d; ++i) acc[i] = 0.0f;
    float m = -INFINITY;
    float l = 0.0f;

    for (size_t j0 = 0; j0 < n; j0 += kBlock) {
      const size_t nb = n - j0 < kBlock ? n - j0 : kBlock;
      scores(a, q, j0, nb, tail_mask, s);
      __m256 vmax = _mm256_set1_ps(-INFINITY);
      size_t jm = 0;
      for (; jm + 8 <= nb; jm += 8) vmax = _mm256_max_ps(vmax, _mm256_load_ps(s + jm));
      float block_max = avx2_hmax(vmax);
      for (; jm < nb; ++jm) block_max = s[jm] > block_max ? s[jm] : block_max;
      const float m_new = block_max > m ? block_max : m;
      // exp(-inf) = 0 on the first block, so the zero acc stays zero.
      const float alpha = m_new == m ? 1.0f : expf(m - m_new);
      m = m_new;

      const __m256 vm = _mm256_set1_ps(m);
      __m256 sum = _mm256_setzero_ps();
      size_t jj = 0;
      for (; jj + 8 <= nb; jj += 8) {
        const __m256 p = avx2_exp(_mm256_sub_ps(_mm256_load_ps(s + jj), vm));
        _mm256_store_ps(s + jj, p);
        sum = _mm256_add_ps(sum, p);
      }
      if (jj < nb) {
        const __m256i mask = avx2_tail_mask(nb - jj);
        // Masked-off lanes load 0 and become exp(0 - m): mask them out of the sum.
        const __m256 p = _mm256_and_ps(
            avx2_exp(_mm256_sub_ps(_mm256_maskload_ps(s + jj, mask), vm)),
            _mm256_castsi256_ps(mask));
        _mm256_maskstore_ps(s + jj, mask, p);
        sum = _mm256_add_ps(sum, p);
      }
      l = l * alpha + avx2_hsum(sum);
      block_accumulate(a, s, j0, nb, alpha, tail_mask, acc);
    }

    float* out = a.out + t * a.out_stride;
    const __m256 vl = _mm256_set1_ps(l);
    size_t i = 0;
    for (; i + 8 <= d; i += 8) {
      _mm256_storeu_ps(out + i, _mm256_div_ps(_mm256_load_ps(acc + i), vl));
    }
    if (i < d) {
      _mm256_maskstore_ps(out + i, tail_mask,
                          _mm256_div_ps(_mm256_maskload_ps(acc + i, tail_mask), vl));
    }
  }
}

}  // namespace

void f32_attention_ukernel_16x6__avx2(const AttentionArgs& a) { attention_tiled<Avx2Vec>(a); }

void f32_attention_ukernel__avx2(const AttentionArgs& a) {
  if (a.n_queries >= kTiledMinQueries && tiled_attention_fits(a)) {
    f32_attention_ukernel_16x6__avx2(a);
  } else {
    attention_one_query(a);
  }
}

}  // namespace edgeattn
