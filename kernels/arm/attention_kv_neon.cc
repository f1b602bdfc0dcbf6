// NEON attention over an fp16 / int8 KV cache: the online-softmax algorithm of
// attention_neon.cc (blocks of 32 keys, running max and sum, acc on the stack)
// with k/v rows widened to float as they are loaded, 8 elements per step:
//   fp16: FCVTL/FCVTL2 on AArch64 (vcvt_f32_f16); integer widening on armv7
//         (fp16_neon.h, no -mfpu=neon-fp16 assumed); exact either way;
//   int8: SXTL + SXTL + SCVTF (exact), the row scale factored out of the dot,
//         s_j = (dot(q, k_j) * k_scale_j) * scale, and folded into the weight
//         of v, acc += (p_j * v_scale_j) * v_j.
// The query is copied once into a zero-padded buffer and acc is padded to a
// multiple of 8 columns, so the head_dim tail is one more 8-wide step whose
// k/v elements come from a zeroed 8-element block (rows are never read past
// head_dim). armv7 uses VMLA (no FMA) through neon_fma.
// kF32 forwards to f32_attention_ukernel__neon.
#include <cmath>
#include <cstring>

#include "kernels/arm/fp16_neon.h"
#include "kernels/arm/neon.h"
#include "kernels/arm/neon_math.h"

namespace edgeattn {

namespace {

constexpr size_t kBlock = 32;
constexpr size_t kPaddedDim = kMaxHeadDim + 8;

struct F16Rows {
  using T = uint16_t;
  static constexpr bool kScaled = false;
  static inline void load8(const T* p, float32x4_t* lo, float32x4_t* hi) {
    neon_f16_to_f32x8(vld1q_u16(p), lo, hi);
  }
};

struct I8Rows {
  using T = int8_t;
  static constexpr bool kScaled = true;
  static inline void load8(const T* p, float32x4_t* lo, float32x4_t* hi) {
    const int16x8_t w = vmovl_s8(vld1_s8(p));
    *lo = vcvtq_f32_s32(vmovl_s16(vget_low_s16(w)));
    *hi = vcvtq_f32_s32(vmovl_s16(vget_high_s16(w)));
  }
};

// Elements [i, i + 8) of a row with only n valid: full load, or a zeroed copy.
template <typename R>
inline void load_row8(const typename R::T* p, size_t n, float32x4_t* lo, float32x4_t* hi) {
  if (n >= 8) {
    R::load8(p, lo, hi);
  } else {
    typename R::T b[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    std::memcpy(b, p, n * sizeof(typename R::T));
    R::load8(b, lo, hi);
  }
}

// Scores for keys [j0, j0 + nb) into s[0, nb); q is zero-padded to d8 = round_up(d, 8).
template <typename R>
void block_scores(const AttentionKvArgs& a, const float* q, size_t j0, size_t nb, float* s) {
  using T = typename R::T;
  const T* k = static_cast<const T*>(a.k);
  const size_t d = a.head_dim;
  const float32x4_t scale = vdupq_n_f32(a.scale);
  size_t jj = 0;
  for (; jj + 4 <= nb; jj += 4) {
    const T* k0 = k + (j0 + jj) * a.k_stride;
    const T* k1 = k0 + a.k_stride;
    const T* k2 = k1 + a.k_stride;
    const T* k3 = k2 + a.k_stride;
    float32x4_t d0 = vdupq_n_f32(0.0f), d1 = d0, d2 = d0, d3 = d0;
    for (size_t i = 0; i < d; i += 8) {
      const size_t left = d - i;
      const float32x4_t qlo = vld1q_f32(q + i), qhi = vld1q_f32(q + i + 4);
      float32x4_t lo, hi;
      load_row8<R>(k0 + i, left, &lo, &hi);
      d0 = neon_fma(neon_fma(d0, qlo, lo), qhi, hi);
      load_row8<R>(k1 + i, left, &lo, &hi);
      d1 = neon_fma(neon_fma(d1, qlo, lo), qhi, hi);
      load_row8<R>(k2 + i, left, &lo, &hi);
      d2 = neon_fma(neon_fma(d2, qlo, lo), qhi, hi);
      load_row8<R>(k3 + i, left, &lo, &hi);
      d3 = neon_fma(neon_fma(d3, qlo, lo), qhi, hi);
    }
    float32x4_t dots = neon_hsum4(d0, d1, d2, d3);
    if (R::kScaled) dots = vmulq_f32(dots, vld1q_f32(a.k_scales + j0 + jj));
    vst1q_f32(s + jj, vmulq_f32(dots, scale));
  }
  for (; jj < nb; ++jj) {
    const T* k0 = k + (j0 + jj) * a.k_stride;
    float32x4_t d0 = vdupq_n_f32(0.0f), d1 = d0;
    for (size_t i = 0; i < d; i += 8) {
      float32x4_t lo, hi;
      load_row8<R>(k0 + i, d - i, &lo, &hi);
      d0 = neon_fma(d0, vld1q_f32(q + i), lo);
      d1 = neon_fma(d1, vld1q_f32(q + i + 4), hi);
    }
    float dot = neon_hsum(vaddq_f32(d0, d1));
    if (R::kScaled) dot *= a.k_scales[j0 + jj];
    s[jj] = dot * a.scale;
  }
}

// acc[0, round_up(d, 8)) = acc * alpha + sum_jj w[jj] * v[j0 + jj] (padding lanes stay 0).
template <typename R>
void block_accumulate(const AttentionKvArgs& a, const float* w, size_t j0, size_t nb,
                      float alpha, float* acc) {
  using T = typename R::T;
  const size_t d = a.head_dim;
  const size_t vs = a.v_stride;
  const float32x4_t valpha = vdupq_n_f32(alpha);
  const T* v0 = static_cast<const T*>(a.v) + j0 * vs;
  for (size_t i = 0; i < d; i += 8) {
    const size_t left = d - i;
    float32x4_t s0 = vmulq_f32(vld1q_f32(acc + i), valpha);
    float32x4_t s1 = vmulq_f32(vld1q_f32(acc + i + 4), valpha);
    const T* vi = v0 + i;
    for (size_t jj = 0; jj < nb; ++jj, vi += vs) {
      float32x4_t lo, hi;
      load_row8<R>(vi, left, &lo, &hi);
      const float32x4_t wj = vdupq_n_f32(w[jj]);
      s0 = neon_fma(s0, wj, lo);
      s1 = neon_fma(s1, wj, hi);
    }
    vst1q_f32(acc + i, s0);
    vst1q_f32(acc + i + 4, s1);
  }
}

template <typename R>
void attention_kv(const AttentionKvArgs& a) {
  alignas(16) float acc[kPaddedDim];
  alignas(16) float qbuf[kPaddedDim];
  alignas(16) float s[kBlock];
  alignas(16) float w[kBlock];
  const size_t d = a.head_dim;
  const size_t d8 = (d + 7) & ~static_cast<size_t>(7);

  for (size_t t = 0; t < a.n_queries; ++t) {
    const float* q_row = a.q + t * a.q_stride;
    for (size_t i = 0; i < d; ++i) qbuf[i] = q_row[i];
    for (size_t i = d; i < d8; ++i) qbuf[i] = 0.0f;
    const size_t n = a.n_keys + t * a.causal_step;
    for (size_t i = 0; i < d8; ++i) acc[i] = 0.0f;
    float m = -INFINITY;
    float l = 0.0f;

    for (size_t j0 = 0; j0 < n; j0 += kBlock) {
      const size_t nb = n - j0 < kBlock ? n - j0 : kBlock;
      block_scores<R>(a, qbuf, j0, nb, s);
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
        sum = vaddq_f32(sum, p);
        vst1q_f32(w + jj, R::kScaled ? vmulq_f32(p, vld1q_f32(a.v_scales + j0 + jj)) : p);
      }
      float lsum = neon_hsum(sum);
      if (jj < nb) {
        float p[4];
        vst1q_f32(p, neon_exp(vsubq_f32(neon_load_partial(s + jj, nb - jj), vm)));
        for (size_t u = 0; jj < nb; ++jj, ++u) {  // only the valid lanes
          lsum += p[u];
          w[jj] = R::kScaled ? p[u] * a.v_scales[j0 + jj] : p[u];
        }
      }
      l = l * alpha + lsum;
      block_accumulate<R>(a, w, j0, nb, alpha, acc);
    }

    float* out = a.out + t * a.out_stride;
    const float32x4_t vl = vdupq_n_f32(l);
    size_t i = 0;
    for (; i + 4 <= d; i += 4) vst1q_f32(out + i, neon_div(vld1q_f32(acc + i), vl));
    for (; i < d; ++i) out[i] = acc[i] / l;
  }
}

}  // namespace

void f32_attention_kv_ukernel__neon(const AttentionKvArgs& a) {
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
  f32_attention_ukernel__neon(to_f32_attention_args(a));
}

}  // namespace edgeattn
