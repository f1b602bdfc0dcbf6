// NEON softmax over rows (KernelTable::f32_softmax), the algorithm of
// x86/softmax_avx2.cc with 4 lanes, for AArch64 and armv7:
//   1. max over the row (4 x 4 lanes, then 4, then a scalar tail of <= 3);
//   2. y[c] = neon_exp(x[c] - max), summed in 4 x 4 float lanes (the sum's
//      rounding error grows with cols / 16, not cols; 4 independent exp
//      chains for ILP);
//   3. y[c] *= 1 / sum.
// y may equal x: pass 2 writes y[c] only after reading x[c], pass 3 reads
// only y. neon_exp returns 0 below -126 ln 2, so -inf or -1e30 entries give
// 0. The horizontal max / sum come from neon_math.h, which uses vmaxvq_f32 /
// vaddvq_f32 on AArch64 and pairwise ops on armv7 (which lacks them); armv7
// NEON flushes subnormal results to 0, below FLT_MIN like the exp cut-off.
#include <cmath>

#include "kernels/arm/neon.h"
#include "kernels/arm/neon_math.h"

namespace edgeattn {

namespace {

float row_max(size_t n, const float* x) {
  const float32x4_t neg_inf = vdupq_n_f32(-INFINITY);
  float32x4_t m0 = neg_inf, m1 = neg_inf, m2 = neg_inf, m3 = neg_inf;
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    m0 = vmaxq_f32(m0, vld1q_f32(x + i));
    m1 = vmaxq_f32(m1, vld1q_f32(x + i + 4));
    m2 = vmaxq_f32(m2, vld1q_f32(x + i + 8));
    m3 = vmaxq_f32(m3, vld1q_f32(x + i + 12));
  }
  for (; i + 4 <= n; i += 4) m0 = vmaxq_f32(m0, vld1q_f32(x + i));
  float max = neon_hmax(vmaxq_f32(vmaxq_f32(m0, m1), vmaxq_f32(m2, m3)));
  // Scalar tail: neon_load_partial pads with 0, which could exceed an
  // all-negative row's max.
  for (; i < n; ++i) max = x[i] > max ? x[i] : max;
  return max;
}

// y = exp(x - max) for n elements; returns their float sum.
float exp_and_sum(size_t n, const float* x, float max, float* y) {
  const float32x4_t vmax = vdupq_n_f32(max);
  // Reads x[i, i + 4) before writing y[i, i + 4) and nothing else: in place safe.
  const auto exp4 = [&](size_t i) {
    const float32x4_t e = neon_exp(vsubq_f32(vld1q_f32(x + i), vmax));
    vst1q_f32(y + i, e);
    return e;
  };
  const float32x4_t zero = vdupq_n_f32(0.0f);
  float32x4_t s0 = zero, s1 = zero, s2 = zero, s3 = zero;
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    s0 = vaddq_f32(s0, exp4(i));
    s1 = vaddq_f32(s1, exp4(i + 4));
    s2 = vaddq_f32(s2, exp4(i + 8));
    s3 = vaddq_f32(s3, exp4(i + 12));
  }
  // Up to 3 leftover vectors and the tail each go to a different
  // accumulator, so no lane sums more than n / 16 + 1 terms.
  if (i + 4 <= n) s0 = vaddq_f32(s0, exp4(i)), i += 4;
  if (i + 4 <= n) s1 = vaddq_f32(s1, exp4(i)), i += 4;
  if (i + 4 <= n) s2 = vaddq_f32(s2, exp4(i)), i += 4;
  if (i < n) {
    // The padded lanes hold exp(0 - max), anything up to 2^127: keep only the
    // first n - i lanes in the sum.
    const float32x4_t e = neon_exp(vsubq_f32(neon_load_partial(x + i, n - i), vmax));
    neon_store_partial(y + i, n - i, e);
    const uint32_t kLane[4] = {0, 1, 2, 3};
    const uint32x4_t keep = vcltq_u32(vld1q_u32(kLane), vdupq_n_u32(static_cast<uint32_t>(n - i)));
    s3 = vaddq_f32(s3, vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(e), keep)));
  }
  return neon_hsum(vaddq_f32(vaddq_f32(s0, s1), vaddq_f32(s2, s3)));
}

void scale_row(size_t n, float scale, float* y) {
  const float32x4_t vs = vdupq_n_f32(scale);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    vst1q_f32(y + i, vmulq_f32(vld1q_f32(y + i), vs));
    vst1q_f32(y + i + 4, vmulq_f32(vld1q_f32(y + i + 4), vs));
    vst1q_f32(y + i + 8, vmulq_f32(vld1q_f32(y + i + 8), vs));
    vst1q_f32(y + i + 12, vmulq_f32(vld1q_f32(y + i + 12), vs));
  }
  for (; i + 4 <= n; i += 4) vst1q_f32(y + i, vmulq_f32(vld1q_f32(y + i), vs));
  for (; i < n; ++i) y[i] *= scale;
}

}  // namespace

void f32_softmax_ukernel__neon(size_t rows, size_t cols, const float* x, float* y) {
  for (size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    float* yr = y + r * cols;
    const float max = row_max(cols, xr);
    // sum >= 1 (the max's own term is exp(0) = 1), so 1 / sum is finite.
    const float sum = exp_and_sum(cols, xr, max, yr);
    scale_row(cols, 1.0f / sum, yr);
  }
}

}  // namespace edgeattn
