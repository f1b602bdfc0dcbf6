// AVX2 attention for one head: online (streaming) softmax.
//
// For each query the keys are visited in blocks of kBlock:
//   1. scores s_j = dot(q, k_j) * scale for the block, 4 keys at a time
//      (4 FMA chains share each load of q, reduced together with hadd);
//   2. new running max m' = max(m, max_j s_j); the accumulator and the
//      running sum are rescaled by exp(m - m') when the max grew;
//   3. p_j = exp(s_j - m'), l += sum p_j, acc += p_j * v_j, with acc held in
//      registers 8 columns at a time across the whole block.
// Finally out = acc / l. acc[kMaxHeadDim] lives on the stack; nothing is
// stored per key beyond the current block, so n_keys is unbounded.
// With one key, p = exp(0) = 1 exactly and out == v[0] bit for bit.
#include <cmath>

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

// acc[0, d) = acc * alpha + sum_jj p[jj] * v[j0 + jj].
void block_accumulate(const AttentionArgs& a, const float* p, size_t j0, size_t nb,
                      float alpha, __m256i tail_mask, float* acc) {
  const size_t d = a.head_dim;
  const __m256 valpha = _mm256_set1_ps(alpha);
  const float* v0 = a.v + j0 * a.v_stride;
  for (size_t i = 0; i < d; i += 8) {
    const bool full = i + 8 <= d;
    __m256 s = full ? _mm256_load_ps(acc + i) : _mm256_maskload_ps(acc + i, tail_mask);
    s = _mm256_mul_ps(s, valpha);
    const float* vi = v0 + i;
    if (full) {
      for (size_t jj = 0; jj < nb; ++jj, vi += a.v_stride) {
        s = _mm256_fmadd_ps(_mm256_set1_ps(p[jj]), _mm256_loadu_ps(vi), s);
      }
      _mm256_store_ps(acc + i, s);
    } else {
      for (size_t jj = 0; jj < nb; ++jj, vi += a.v_stride) {
        s = _mm256_fmadd_ps(_mm256_set1_ps(p[jj]), _mm256_maskload_ps(vi, tail_mask), s);
      }
      _mm256_maskstore_ps(acc + i, tail_mask, s);
    }
  }
}

}  // namespace

void f32_attention_ukernel__avx2(const AttentionArgs& a) {
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
      block_scores(a, q, j0, nb, tail_mask, s);
      float block_max = s[0];
      for (size_t jj = 1; jj < nb; ++jj) block_max = s[jj] > block_max ? s[jj] : block_max;
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

}  // namespace edgeattn
