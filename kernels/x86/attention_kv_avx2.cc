// AVX2 attention over an fp16 / int8 KV cache: the online-softmax algorithm of
// attention_avx2.cc (blocks of 32 keys, running max m and sum l, acc on the
// stack, out = acc / l) with k/v rows converted to float in registers as they
// are loaded, so the cache is read once at its stored width:
//   fp16: VCVTPH2PS (F16C), exact;
//   int8: VPMOVSXBD + VCVTDQ2PS (exact), with the row scale factored out of
//         the dot product, s_j = (dot(q, k_j) * k_scale_j) * scale, and folded
//         into the softmax weight for v, acc += (p_j * v_scale_j) * v_j.
// Queries stay fp32 (no int8 dot products: quantizing q would add an error
// the fp32 path does not have, and decode is bound by reading the cache).
// Row tails (head_dim % 8) are copied into a zeroed 8-element block, so no
// row is read past head_dim elements. The v accumulation keeps two FMA chains
// (even / odd keys) per 8 columns to hide FMA latency.
// kF32 forwards to f32_attention_ukernel__avx2.
#include <cmath>
#include <cstring>

#include "kernels/x86/avx2.h"
#include "kernels/x86/avx2_math.h"

namespace edgeattn {

namespace {

constexpr size_t kBlock = 32;

struct F16Rows {
  using T = uint16_t;
  static constexpr bool kScaled = false;
  static __m256 load8(const T* p) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  }
  static __m256 load_part(const T* p, size_t n) {  // n < 8, other lanes 0
    alignas(16) T b[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    std::memcpy(b, p, n * sizeof(T));
    return _mm256_cvtph_ps(_mm_load_si128(reinterpret_cast<const __m128i*>(b)));
  }
};

struct I8Rows {
  using T = int8_t;
  static constexpr bool kScaled = true;
  static __m256 load8(const T* p) {
    return _mm256_cvtepi32_ps(
        _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p))));
  }
  static __m256 load_part(const T* p, size_t n) {
    alignas(16) T b[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    std::memcpy(b, p, n);
    return load8(b);
  }
};

// Scores for keys [j0, j0 + nb) into s[0, nb).
template <typename R>
void block_scores(const AttentionKvArgs& a, const float* q, size_t j0, size_t nb,
                  __m256i tail_mask, float* s) {
  using T = typename R::T;
  const T* k = static_cast<const T*>(a.k);
  const size_t d = a.head_dim;
  const size_t d8 = d & ~static_cast<size_t>(7);
  const size_t dt = d - d8;
  const __m128 scale = _mm_set1_ps(a.scale);
  size_t jj = 0;
  for (; jj + 4 <= nb; jj += 4) {
    const T* k0 = k + (j0 + jj) * a.k_stride;
    const T* k1 = k0 + a.k_stride;
    const T* k2 = k1 + a.k_stride;
    const T* k3 = k2 + a.k_stride;
    __m256 d0 = _mm256_setzero_ps(), d1 = _mm256_setzero_ps();
    __m256 d2 = _mm256_setzero_ps(), d3 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i < d8; i += 8) {
      const __m256 qv = _mm256_loadu_ps(q + i);
      d0 = _mm256_fmadd_ps(qv, R::load8(k0 + i), d0);
      d1 = _mm256_fmadd_ps(qv, R::load8(k1 + i), d1);
      d2 = _mm256_fmadd_ps(qv, R::load8(k2 + i), d2);
      d3 = _mm256_fmadd_ps(qv, R::load8(k3 + i), d3);
    }
    if (dt != 0) {
      const __m256 qv = _mm256_maskload_ps(q + i, tail_mask);
      d0 = _mm256_fmadd_ps(qv, R::load_part(k0 + i, dt), d0);
      d1 = _mm256_fmadd_ps(qv, R::load_part(k1 + i, dt), d1);
      d2 = _mm256_fmadd_ps(qv, R::load_part(k2 + i, dt), d2);
      d3 = _mm256_fmadd_ps(qv, R::load_part(k3 + i, dt), d3);
    }
    __m128 dots = avx2_hsum4(d0, d1, d2, d3);
    if (R::kScaled) dots = _mm_mul_ps(dots, _mm_loadu_ps(a.k_scales + j0 + jj));
    _mm_storeu_ps(s + jj, _mm_mul_ps(dots, scale));
  }
  for (; jj < nb; ++jj) {
    const T* k0 = k + (j0 + jj) * a.k_stride;
    __m256 d0 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i < d8; i += 8) d0 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), R::load8(k0 + i), d0);
    if (dt != 0) {
      d0 = _mm256_fmadd_ps(_mm256_maskload_ps(q + i, tail_mask), R::load_part(k0 + i, dt), d0);
    }
    float dot = avx2_hsum(d0);
    if (R::kScaled) dot *= a.k_scales[j0 + jj];
    s[jj] = dot * a.scale;
  }
}

// acc[0, d) = acc * alpha + sum_jj w[jj] * v[j0 + jj].
template <typename R>
void block_accumulate(const AttentionKvArgs& a, const float* w, size_t j0, size_t nb,
                      float alpha, __m256i tail_mask, float* acc) {
  using T = typename R::T;
  const size_t d = a.head_dim;
  const size_t vs = a.v_stride;
  const __m256 valpha = _mm256_set1_ps(alpha);
  const T* v0 = static_cast<const T*>(a.v) + j0 * vs;
  for (size_t i = 0; i < d; i += 8) {
    const size_t cols = d - i < 8 ? d - i : 8;
    __m256 s0 = cols == 8 ? _mm256_load_ps(acc + i) : _mm256_maskload_ps(acc + i, tail_mask);
    s0 = _mm256_mul_ps(s0, valpha);
    __m256 s1 = _mm256_setzero_ps();
    const T* vi = v0 + i;
    size_t jj = 0;
    if (cols == 8) {
      for (; jj + 2 <= nb; jj += 2, vi += 2 * vs) {
        s0 = _mm256_fmadd_ps(_mm256_set1_ps(w[jj]), R::load8(vi), s0);
        s1 = _mm256_fmadd_ps(_mm256_set1_ps(w[jj + 1]), R::load8(vi + vs), s1);
      }
      if (jj < nb) s0 = _mm256_fmadd_ps(_mm256_set1_ps(w[jj]), R::load8(vi), s0);
      _mm256_store_ps(acc + i, _mm256_add_ps(s0, s1));
    } else {
      for (; jj < nb; ++jj, vi += vs) {
        s0 = _mm256_fmadd_ps(_mm256_set1_ps(w[jj]), R::load_part(vi, cols), s0);
      }
      _mm256_maskstore_ps(acc + i, tail_mask, s0);
    }
  }
}

template <typename R>
void attention_kv(const AttentionKvArgs& a) {
  alignas(32) float acc[kMaxHeadDim];
  alignas(32) float s[kBlock];
  alignas(32) float w[kBlock];
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
      block_scores<R>(a, q, j0, nb, tail_mask, s);
      float block_max = s[0];
      for (size_t jj = 1; jj < nb; ++jj) block_max = s[jj] > block_max ? s[jj] : block_max;
      const float m_new = block_max > m ? block_max : m;
      // exp(-inf) = 0 on the first block, so the zero acc stays zero.
      const float alpha = m_new == m ? 1.0f : expf(m - m_new);
      m = m_new;

      const __m256 vm = _mm256_set1_ps(m);
      __m256 sum = _mm256_setzero_ps();
      const float* vscale = R::kScaled ? a.v_scales + j0 : nullptr;
      size_t jj = 0;
      for (; jj + 8 <= nb; jj += 8) {
        const __m256 p = avx2_exp(_mm256_sub_ps(_mm256_load_ps(s + jj), vm));
        sum = _mm256_add_ps(sum, p);
        _mm256_store_ps(w + jj, R::kScaled ? _mm256_mul_ps(p, _mm256_loadu_ps(vscale + jj)) : p);
      }
      if (jj < nb) {
        const __m256i mask = avx2_tail_mask(nb - jj);
        // Masked-off lanes load 0 and become exp(0 - m): mask them out of the sum.
        const __m256 p = _mm256_and_ps(avx2_exp(_mm256_sub_ps(_mm256_maskload_ps(s + jj, mask), vm)),
                                       _mm256_castsi256_ps(mask));
        sum = _mm256_add_ps(sum, p);
        _mm256_maskstore_ps(
            w + jj, mask,
            R::kScaled ? _mm256_mul_ps(p, _mm256_maskload_ps(vscale + jj, mask)) : p);
      }
      l = l * alpha + avx2_hsum(sum);
      block_accumulate<R>(a, w, j0, nb, alpha, tail_mask, acc);
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

void f32_attention_kv_ukernel__avx2(const AttentionKvArgs& a) {
  switch (a.kv_dtype) {
    case KvDType::kF16:
      attention_kv<F16Rows>(a);
      return;
    case KvDType::kI8:
      attention_kv<I8Rows>(a);
      return;
    case KvDType::kF32:
      break;
  }
  f32_attention_ukernel__avx2(to_f32_attention_args(a));
}

}  // namespace edgeattn
