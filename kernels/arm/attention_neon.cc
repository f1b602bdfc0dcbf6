// NEON attention for one head: online (streaming) softmax, the same
// algorithm as attention_avx2.cc (blocks of keys, running max and sum,
// acc[kMaxHeadDim] on the stack) with 4-wide vectors and scalar column tails.
// With one key, p = exp(0) = 1 exactly and out == v[0] bit for bit.
//
// With n_queries >= kTiledMinQueries, f32_attention_ukernel__neon runs the
// tiled kernel instead (kernels/attention_tiled.h): 8 queries along two q
// registers against register blocks of 12 keys / columns on AArch64 (32
// registers), 6 on armv7 (16), so each loaded k/v element feeds 2 FMAs.
#include <cmath>

#include "kernels/attention_tiled.h"
#include "kernels/arm/neon.h"
#include "kernels/arm/neon_math.h"

namespace edgeattn {

namespace {

constexpr size_t kBlock = 32;

inline float dot_tail(const float* q, const float* k, size_t from, size_t d) {
  float s = 0.0f;
  for (size_t i = from; i < d; ++i) s += q[i] * k[i];
  return s;
}

// Scores for keys [j0, j0 + nb) into s[0, nb), 4 keys per step sharing q loads.
void block_scores(const AttentionArgs& a, const float* q, size_t j0, size_t nb, float* s) {
  const size_t d = a.head_dim;
  const size_t d4 = d & ~static_cast<size_t>(3);
  size_t jj = 0;
  for (; jj + 4 <= nb; jj += 4) {
    const float* k0 = a.k + (j0 + jj) * a.k_stride;
    const float* k1 = k0 + a.k_stride;
    const float* k2 = k1 + a.k_stride;
    const float* k3 = k2 + a.k_stride;
    float32x4_t d0 = vdupq_n_f32(0.0f), d1 = d0, d2 = d0, d3 = d0;
    for (size_t i = 0; i < d4; i += 4) {
      const float32x4_t qv = vld1q_f32(q + i);
      d0 = neon_fma(d0, qv, vld1q_f32(k0 + i));
      d1 = neon_fma(d1, qv, vld1q_f32(k1 + i));
      d2 = neon_fma(d2, qv, vld1q_f32(k2 + i));
      d3 = neon_fma(d3, qv, vld1q_f32(k3 + i));
    }
    float32x4_t sums = neon_hsum4(d0, d1, d2, d3);
    if (d4 < d) {
      float tails[4] = {dot_tail(q, k0, d4, d), dot_tail(q, k1, d4, d),
                        dot_tail(q, k2, d4, d), dot_tail(q, k3, d4, d)};
      sums = vaddq_f32(sums, vld1q_f32(tails));
    }
    vst1q_f32(s + jj, vmulq_f32(sums, vdupq_n_f32(a.scale)));
  }
  for (; jj < nb; ++jj) {
    const float* k0 = a.k + (j0 + jj) * a.k_stride;
    float32x4_t d0 = vdupq_n_f32(0.0f);
    for (size_t i = 0; i < d4; i += 4) d0 = neon_fma(d0, vld1q_f32(q + i), vld1q_f32(k0 + i));
    s[jj] = (neon_hsum(d0) + dot_tail(q, k0, d4, d)) * a.scale;
  }
}

// acc = acc * alpha + sum_jj p[jj] * v[j0 + jj], 4 columns at a time held in
// a register across the block.
void block_accumulate(const AttentionArgs& a, const float* p, size_t j0, size_t nb,
                      float alpha, float* acc) {
  const size_t d = a.head_dim;
  const size_t d4 = d & ~static_cast<size_t>(3);
  const float* v0 = a.v + j0 * a.v_stride;
  for (size_t i = 0; i < d4; i += 4) {
    float32x4_t s = vmulq_f32(vld1q_f32(acc + i), vdupq_n_f32(alpha));
    const float* vi = v0 + i;
    for (size_t jj = 0; jj < nb; ++jj, vi += a.v_stride) {
      s = neon_fma(s, vdupq_n_f32(p[jj]), vld1q_f32(vi));
    }
    vst1q_f32(acc + i, s);
  }
  for (size_t i = d4; i < d; ++i) {
    float s = acc[i] * alpha;
    const float* vi = v0 + i;
    for (size_t jj = 0; jj < nb; ++jj, vi += a.v_stride) s += p[jj] * *vi;
    acc[i] = s;
  }
}

struct NeonVec {
  using V = float32x4_t;
  static constexpr size_t kLanes = 4;
#if defined(__aarch64__)
  static constexpr size_t kRows = 12;  // 24 accumulators of 32 registers
#else
  static constexpr size_t kRows = 6;   // 12 accumulators of 16 q registers
#endif
  static constexpr size_t kTransposeBlock = 4;
  static V zero() { return vdupq_n_f32(0.0f); }
  static V load(const float* p) { return vld1q_f32(p); }
  static void store(float* p, V x) { vst1q_f32(p, x); }
  static V set1(float x) { return vdupq_n_f32(x); }
  static V fmadd(V a, V b, V c) { return neon_fma(c, a, b); }
  static V add(V a, V b) { return vaddq_f32(a, b); }
  static V sub(V a, V b) { return vsubq_f32(a, b); }
  static V mul(V a, V b) { return vmulq_f32(a, b); }
  static V div(V a, V b) { return neon_div(a, b); }
  static V max(V a, V b) { return vmaxq_f32(a, b); }
  static V exp(V x) { return neon_exp(x); }
  static void exp4(V (&x)[4]) { for (V& v : x) v = neon_exp(v); }
  static void transpose_block(const float* src, size_t ss, float* dst, size_t ds) {
    neon_transpose_4x4(src, ss, dst, ds);
  }
  // x where j < lim, else -inf.
  static V mask_from(V x, V j, V lim) { return vbslq_f32(vcltq_f32(j, lim), x, vdupq_n_f32(-INFINITY)); }
};

// An 8-query tile with at least 4 real queries does no more work per query
// than the one-query kernel and reuses each load at least 4 times.
constexpr size_t kTiledMinQueries = 4;

void attention_one_query(const AttentionArgs& a) {
  alignas(16) float acc[kMaxHeadDim];
  alignas(16) float s[kBlock];
  const size_t d = a.head_dim;

  for (size_t t = 0; t < a.n_queries; ++t) {
    const float* q = a.q + t * a.q_stride;
    const size_t n = a.n_keys + t * a.causal_step;
    for (size_t i = 0; i < d; ++i) acc[i] = 0.0f;
    float m = -INFINITY;
    float l = 0.0f;

    for (size_t j0 = 0; j0 < n; j0 += kBlock) {
      const size_t nb = n - j0 < kBlock ? n - j0 : kBlock;
      block_scores(a, q, j0, nb, s);
      float block_max = s[0];
      for (size_t jj = 1; jj < nb; ++jj) block_max = s[jj] > block_max ? s[jj] : block_max;
      const float m_new = block_max > m ? block_max : m;
      const float alpha = m_new == m ? 1.0f : expf(m - m_new);  // 0 on the first block
      m = m_new;

      const float32x4_t vm = vdupq_n_f32(m);
      float32x4_t sum = vdupq_n_f32(0.0f);
      size_t jj = 0;
      for (; jj + 4 <= nb; jj += 4) {
        const float32x4_t p = neon_exp(vsubq_f32(vld1q_f32(s + jj), vm));
        vst1q_f32(s + jj, p);
        sum = vaddq_f32(sum, p);
      }
      float lsum = neon_hsum(sum);
      if (jj < nb) {
        const float32x4_t p = neon_exp(vsubq_f32(neon_load_partial(s + jj, nb - jj), vm));
        neon_store_partial(s + jj, nb - jj, p);
        for (; jj < nb; ++jj) lsum += s[jj];  // only the valid lanes
      }
      l = l * alpha + lsum;
      block_accumulate(a, s, j0, nb, alpha, acc);
    }

    float* out = a.out + t * a.out_stride;
    const float32x4_t vl = vdupq_n_f32(l);
    size_t i = 0;
    for (; i + 4 <= d; i += 4) vst1q_f32(out + i, neon_div(vld1q_f32(acc + i), vl));
    for (; i < d; ++i) out[i] = acc[i] / l;
  }
}

}  // namespace

void f32_attention_ukernel_8x12__neon(const AttentionArgs& a) { attention_tiled<NeonVec>(a); }

void f32_attention_ukernel__neon(const AttentionArgs& a) {
  if (a.n_queries >= kTiledMinQueries && tiled_attention_fits(a)) {
    f32_attention_ukernel_8x12__neon(a);
  } else {
    attention_one_query(a);
  }
}

}  // namespace edgeattn
