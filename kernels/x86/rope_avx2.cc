// AVX2 rotary embedding, both pair layouts:
//   interleaved: 4 pairs per vector; x and cos_sin share the (even, odd)
//     layout, so fmaddsub(x, cos, swap(x) * sin) rotates all 4 pairs.
//   half: 8 pairs per vector; x[i] and x[i + half] are separate vectors and
//     the (cos, sin) pairs are de-interleaved with two shuffles.
// Leftover pairs use the scalar formula.
#include "kernels/x86/avx2.h"
#include "kernels/x86/avx2_math.h"

namespace edgeattn {

namespace {

void rope_head_interleaved(float* xh, size_t half, const float* cs) {
  size_t i = 0;
  for (; i + 4 <= half; i += 4) {
    const __m256 x = _mm256_loadu_ps(xh + 2 * i);      // x0 x1 x0' x1' ...
    const __m256 c = _mm256_loadu_ps(cs + 2 * i);      // cos sin cos' sin' ...
    const __m256 cc = _mm256_moveldup_ps(c);           // cos cos ...
    const __m256 ss = _mm256_movehdup_ps(c);           // sin sin ...
    const __m256 xs = _mm256_permute_ps(x, 0xB1);      // x1 x0 ...
    // even lanes: x0*cos - x1*sin; odd lanes: x1*cos + x0*sin.
    _mm256_storeu_ps(xh + 2 * i, _mm256_fmaddsub_ps(x, cc, _mm256_mul_ps(xs, ss)));
  }
  for (; i < half; ++i) {
    const float v0 = xh[2 * i], v1 = xh[2 * i + 1];
    const float c = cs[2 * i], s = cs[2 * i + 1];
    xh[2 * i] = v0 * c - v1 * s;
    xh[2 * i + 1] = v0 * s + v1 * c;
  }
}

void rope_head_half(float* xh, size_t half, const float* cs) {
  size_t i = 0;
  for (; i + 8 <= half; i += 8) {
    const __m256 lo = _mm256_loadu_ps(cs + 2 * i);      // c0 s0 c1 s1 | c2 s2 c3 s3
    const __m256 hi = _mm256_loadu_ps(cs + 2 * i + 8);  // c4 s4 c5 s5 | c6 s6 c7 s7
    // shuffle gives c0 c1 c4 c5 | c2 c3 c6 c7; the 64-bit permute restores order.
    const __m256 c = _mm256_castpd_ps(_mm256_permute4x64_pd(
        _mm256_castps_pd(_mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(2, 0, 2, 0))),
        _MM_SHUFFLE(3, 1, 2, 0)));
    const __m256 s = _mm256_castpd_ps(_mm256_permute4x64_pd(
        _mm256_castps_pd(_mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(3, 1, 3, 1))),
        _MM_SHUFFLE(3, 1, 2, 0)));
    const __m256 x0 = _mm256_loadu_ps(xh + i);
    const __m256 x1 = _mm256_loadu_ps(xh + i + half);
    _mm256_storeu_ps(xh + i, _mm256_fmsub_ps(x0, c, _mm256_mul_ps(x1, s)));
    _mm256_storeu_ps(xh + i + half, _mm256_fmadd_ps(x0, s, _mm256_mul_ps(x1, c)));
  }
  for (; i < half; ++i) {
    const float v0 = xh[i], v1 = xh[i + half];
    const float c = cs[2 * i], s = cs[2 * i + 1];
    xh[i] = v0 * c - v1 * s;
    xh[i + half] = v0 * s + v1 * c;
  }
}

}  // namespace

void f32_rope_ukernel__avx2(float* x, size_t n_tokens, size_t token_stride, size_t n_heads,
                            size_t head_dim, size_t rotary_dim, size_t pos0,
                            const float* cos_sin, RopeStyle style) {
  const size_t half = rotary_dim / 2;
  for (size_t t = 0; t < n_tokens; ++t) {
    const float* cs = cos_sin + (pos0 + t) * rotary_dim;
    for (size_t h = 0; h < n_heads; ++h) {
      float* xh = x + t * token_stride + h * head_dim;
      if (style == RopeStyle::kInterleaved) {
        rope_head_interleaved(xh, half, cs);
      } else {
        rope_head_half(xh, half, cs);
      }
    }
  }
}

}  // namespace edgeattn
