// NEON activation epilogue (KernelTable::f32_activation), the algorithm of
// x86/activation_avx2.cc with 4 lanes: one templated loop per activation,
// sigmoid through exp(-|v|), GELU with neon_gelu, partial tail.
#include "kernels/arm/neon.h"
#include "kernels/arm/neon_math.h"

namespace edgeattn {

namespace {

struct Consts {
  float32x4_t pre_scale, pre_shift, post_scale, post_shift, alpha, beta;
};

inline float32x4_t sigmoid4(float32x4_t v) {
  const float32x4_t one = vdupq_n_f32(1.0f);
  const float32x4_t e = neon_exp(vnegq_f32(vabsq_f32(v)));
  const float32x4_t num = vbslq_f32(vcltq_f32(v, vdupq_n_f32(0.0f)), e, one);
  return neon_div(num, vaddq_f32(one, e));
}

template <ActKind kKind>
inline float32x4_t act4(float32x4_t v, const Consts& c) {
  const float32x4_t zero = vdupq_n_f32(0.0f);
  switch (kKind) {
    case ActKind::kNone: return v;
    case ActKind::kRelu: return vmaxq_f32(v, zero);
    case ActKind::kRelu6: return vminq_f32(vmaxq_f32(v, zero), vdupq_n_f32(6.0f));
    case ActKind::kSigmoid: return sigmoid4(v);
    case ActKind::kHardSigmoid: return vminq_f32(vmaxq_f32(neon_fma(c.beta, v, c.alpha), zero), vdupq_n_f32(1.0f));
    case ActKind::kHardSwish: {
      const float32x4_t r = vminq_f32(vmaxq_f32(vaddq_f32(v, vdupq_n_f32(3.0f)), zero), vdupq_n_f32(6.0f));
      return vmulq_f32(vmulq_f32(v, r), vdupq_n_f32(1.0f / 6.0f));
    }
    case ActKind::kSilu: return vmulq_f32(v, sigmoid4(v));
    case ActKind::kGelu: return neon_gelu(v);
  }
  return v;
}

template <ActKind kKind>
inline float32x4_t apply4(float32x4_t x, const Consts& c) {
  const float32x4_t v = neon_fma(c.pre_shift, x, c.pre_scale);
  return neon_fma(c.post_shift, act4<kKind>(v, c), c.post_scale);
}

template <ActKind kKind>
void run(size_t n, const float* x, float* y, const Consts& c) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const float32x4_t y0 = apply4<kKind>(vld1q_f32(x + i), c);
    const float32x4_t y1 = apply4<kKind>(vld1q_f32(x + i + 4), c);
    vst1q_f32(y + i, y0);
    vst1q_f32(y + i + 4, y1);
  }
  for (; i + 4 <= n; i += 4) vst1q_f32(y + i, apply4<kKind>(vld1q_f32(x + i), c));
  if (i < n) neon_store_partial(y + i, n - i, apply4<kKind>(neon_load_partial(x + i, n - i), c));
}

}  // namespace

void f32_activation_ukernel__neon(size_t n, const float* x, float* y, const ActivationParams& p) {
  const Consts c{vdupq_n_f32(p.pre_scale),  vdupq_n_f32(p.pre_shift), vdupq_n_f32(p.post_scale),
                 vdupq_n_f32(p.post_shift), vdupq_n_f32(p.alpha),     vdupq_n_f32(p.beta)};
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
