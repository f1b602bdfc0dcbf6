// AVX2 activation epilogue (KernelTable::f32_activation): one pass,
// y = act(x * pre_scale + pre_shift) * post_scale + post_shift, 8 lanes at a
// time, a masked tail. One loop per activation (a template), so the switch
// is outside the loop. Sigmoid through e = exp(-|v|) as silu_mul_avx2.cc
// (never overflows); GELU with avx2_gelu as gelu_avx2.cc.
#include "kernels/x86/avx2.h"
#include "kernels/x86/avx2_math.h"

namespace edgeattn {

namespace {

struct Consts {
  __m256 pre_scale, pre_shift, post_scale, post_shift, alpha, beta;
};

inline __m256 sigmoid8(__m256 v) {
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 e = avx2_exp(_mm256_or_ps(v, _mm256_set1_ps(-0.0f)));  // exp(-|v|)
  const __m256 negative = _mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_LT_OQ);
  return _mm256_div_ps(_mm256_blendv_ps(one, e, negative), _mm256_add_ps(one, e));
}

template <ActKind kKind>
inline __m256 act8(__m256 v, const Consts& c) {
  const __m256 zero = _mm256_setzero_ps();
  switch (kKind) {
    case ActKind::kNone: return v;
    case ActKind::kRelu: return _mm256_max_ps(v, zero);
    case ActKind::kRelu6: return _mm256_min_ps(_mm256_max_ps(v, zero), _mm256_set1_ps(6.0f));
    case ActKind::kSigmoid: return sigmoid8(v);
    case ActKind::kHardSigmoid:
      return _mm256_min_ps(_mm256_max_ps(_mm256_fmadd_ps(v, c.alpha, c.beta), zero), _mm256_set1_ps(1.0f));
    case ActKind::kHardSwish: {
      const __m256 r = _mm256_min_ps(_mm256_max_ps(_mm256_add_ps(v, _mm256_set1_ps(3.0f)), zero), _mm256_set1_ps(6.0f));
      return _mm256_mul_ps(_mm256_mul_ps(v, r), _mm256_set1_ps(1.0f / 6.0f));
    }
    case ActKind::kSilu: return _mm256_mul_ps(v, sigmoid8(v));
    case ActKind::kGelu: {
      return avx2_gelu(v);
    }
  }
  return v;
}

template <ActKind kKind>
inline __m256 apply8(__m256 x, const Consts& c) {
  const __m256 v = _mm256_fmadd_ps(x, c.pre_scale, c.pre_shift);
  return _mm256_fmadd_ps(act8<kKind>(v, c), c.post_scale, c.post_shift);
}

template <ActKind kKind>
void run(size_t n, const float* x, float* y, const Consts& c) {
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256 y0 = apply8<kKind>(_mm256_loadu_ps(x + i), c);
    const __m256 y1 = apply8<kKind>(_mm256_loadu_ps(x + i + 8), c);
    _mm256_storeu_ps(y + i, y0);
    _mm256_storeu_ps(y + i + 8, y1);
  }
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, apply8<kKind>(_mm256_loadu_ps(x + i), c));
  if (i < n) {
    const __m256i mask = avx2_tail_mask(n - i);
    _mm256_maskstore_ps(y + i, mask, apply8<kKind>(_mm256_maskload_ps(x + i, mask), c));
  }
}

}  // namespace

void f32_activation_ukernel__avx2(size_t n, const float* x, float* y, const ActivationParams& p) {
  // GELU without the affine (every transformer FFN's epilogue): the gelu
  // kernel's interleaved chains instead of this loop's one vector at a time.
  if (p.kind == ActKind::kGelu && p.pre_scale == 1.0f && p.pre_shift == 0.0f && p.post_scale == 1.0f &&
      p.post_shift == 0.0f) {
    return f32_gelu_ukernel__avx2(n, x, y);
  }
  const Consts c{_mm256_set1_ps(p.pre_scale),  _mm256_set1_ps(p.pre_shift), _mm256_set1_ps(p.post_scale),
                 _mm256_set1_ps(p.post_shift), _mm256_set1_ps(p.alpha),     _mm256_set1_ps(p.beta)};
  switch (p.kind) {
    case ActKind::kNone: return run<ActKind::kNone>(n, x, y, c);
    case ActKind::kRelu: return run<ActKind::kRelu>(n, x, y, c);
    case ActKind::kRelu6: return run<ActKind::kRelu6>(n, x, y, c);
    case ActKind::kSigmoid: return run<ActKind::kSigmoid>(n, x, y, c);
    case ActKind::kHardSigmoid: return run<ActKind::kHardSigmoid>(n, x, y, c);
    case ActKind::kHardSwish: return run<ActKind::kHardSwish>(n, x, y, c);
    case ActKind::kSilu: return run<ActKind::kSilu>(n, x, y, c);
    case ActKind::kGelu: return run<ActKind::kGelu>(n, x, y, c);
  }
}

}  // namespace edgeattn
