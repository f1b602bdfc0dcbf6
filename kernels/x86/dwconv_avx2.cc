// AVX2 depthwise convolution (DwConvArgs), NHWC: per output pixel the
// channels go in blocks of 32 (four accumulators, so four independent FMA
// chains hide the FMA latency), then 8, then a masked tail; the taps of a
// pixel are the inner loop, with rows / columns outside the image skipped
// (the padding contributes zero). The bias starts the accumulators.
#include "kernels/x86/avx2.h"
#include "kernels/x86/avx2_math.h"

namespace edgeattn {

namespace {

// The valid taps of one output pixel: [k0, k1) along each axis.
struct TapRange {
  size_t h0, h1, w0, w1;
};

// First and one-past-last tap k with 0 <= o * s - pad + k * d < in.
inline void valid_taps(size_t o, size_t s, size_t pad, size_t d, size_t k, size_t in, size_t* k0, size_t* k1) {
  const long base = static_cast<long>(o * s) - static_cast<long>(pad);
  size_t lo = 0;
  while (lo < k && base + static_cast<long>(lo * d) < 0) ++lo;
  size_t hi = lo;
  while (hi < k && base + static_cast<long>(hi * d) < static_cast<long>(in)) ++hi;
  *k0 = lo;
  *k1 = hi;
}

inline __m256 load_bias(const float* bias, size_t c) { return bias != nullptr ? _mm256_loadu_ps(bias + c) : _mm256_setzero_ps(); }

void pixel(const DwConvArgs& a, size_t oh, size_t ow, const TapRange& t) {
  const size_t C = a.channels;
  float* y = a.y + (oh * a.out_w + ow) * a.y_pixel_stride;  // [C]
  const long ih0 = static_cast<long>(oh * a.stride_h) - static_cast<long>(a.pad_top);
  const long iw0 = static_cast<long>(ow * a.stride_w) - static_cast<long>(a.pad_left);
  // Address of tap (kh, kw)'s input pixel (valid taps only).
  auto xp = [&](size_t kh, size_t kw) {
    const size_t ih = static_cast<size_t>(ih0 + static_cast<long>(kh * a.dilation_h));
    const size_t iw = static_cast<size_t>(iw0 + static_cast<long>(kw * a.dilation_w));
    return a.x + (ih * a.in_w + iw) * a.x_pixel_stride;
  };
  size_t c = 0;
  for (; c + 32 <= C; c += 32) {
    __m256 acc0 = load_bias(a.bias, c), acc1 = load_bias(a.bias, c + 8);
    __m256 acc2 = load_bias(a.bias, c + 16), acc3 = load_bias(a.bias, c + 24);
    for (size_t kh = t.h0; kh < t.h1; ++kh) {
      for (size_t kw = t.w0; kw < t.w1; ++kw) {
        const float* x = xp(kh, kw) + c;
        const float* w = a.w + (kh * a.kw + kw) * C + c;
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(x), _mm256_loadu_ps(w), acc0);
        acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + 8), _mm256_loadu_ps(w + 8), acc1);
        acc2 = _mm256_fmadd_ps(_mm256_loadu_ps(x + 16), _mm256_loadu_ps(w + 16), acc2);
        acc3 = _mm256_fmadd_ps(_mm256_loadu_ps(x + 24), _mm256_loadu_ps(w + 24), acc3);
      }
    }
    _mm256_storeu_ps(y + c, acc0);
    _mm256_storeu_ps(y + c + 8, acc1);
    _mm256_storeu_ps(y + c + 16, acc2);
    _mm256_storeu_ps(y + c + 24, acc3);
  }
  for (; c + 8 <= C; c += 8) {
    __m256 acc = load_bias(a.bias, c);
    for (size_t kh = t.h0; kh < t.h1; ++kh) {
      for (size_t kw = t.w0; kw < t.w1; ++kw) {
        acc = _mm256_fmadd_ps(_mm256_loadu_ps(xp(kh, kw) + c), _mm256_loadu_ps(a.w + (kh * a.kw + kw) * C + c), acc);
      }
    }
    _mm256_storeu_ps(y + c, acc);
  }
  if (c < C) {
    const __m256i mask = avx2_tail_mask(C - c);
    __m256 acc = a.bias != nullptr ? _mm256_maskload_ps(a.bias + c, mask) : _mm256_setzero_ps();
    for (size_t kh = t.h0; kh < t.h1; ++kh) {
      for (size_t kw = t.w0; kw < t.w1; ++kw) {
        acc = _mm256_fmadd_ps(_mm256_maskload_ps(xp(kh, kw) + c, mask),
                              _mm256_maskload_ps(a.w + (kh * a.kw + kw) * C + c, mask), acc);
      }
    }
    _mm256_maskstore_ps(y + c, mask, acc);
  }
}

}  // namespace

void f32_dwconv_ukernel__avx2(const DwConvArgs& a) {
  for (size_t oh = a.row_begin; oh < a.row_end; ++oh) {
    TapRange t;
    valid_taps(oh, a.stride_h, a.pad_top, a.dilation_h, a.kh, a.in_h, &t.h0, &t.h1);
    for (size_t ow = 0; ow < a.out_w; ++ow) {
      valid_taps(ow, a.stride_w, a.pad_left, a.dilation_w, a.kw, a.in_w, &t.w0, &t.w1);
      pixel(a, oh, ow, t);
    }
  }
}

}  // namespace edgeattn
