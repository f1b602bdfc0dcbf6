// NEON depthwise convolution (DwConvArgs), NHWC, the structure of
// x86/dwconv_avx2.cc with 4 lanes: channel blocks of 16 (four accumulators),
// then 4, then a partial tail; taps outside the image skipped.
#include "kernels/arm/neon.h"
#include "kernels/arm/neon_math.h"

namespace edgeattn {

namespace {

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

inline float32x4_t load_bias(const float* bias, size_t c) { return bias != nullptr ? vld1q_f32(bias + c) : vdupq_n_f32(0.0f); }

void pixel(const DwConvArgs& a, size_t oh, size_t ow, const TapRange& t) {
  const size_t C = a.channels;
  float* y = a.y + (oh * a.out_w + ow) * a.y_pixel_stride;  // [C]
  const long ih0 = static_cast<long>(oh * a.stride_h) - static_cast<long>(a.pad_top);
  const long iw0 = static_cast<long>(ow * a.stride_w) - static_cast<long>(a.pad_left);
  auto xp = [&](size_t kh, size_t kw) {
    const size_t ih = static_cast<size_t>(ih0 + static_cast<long>(kh * a.dilation_h));
    const size_t iw = static_cast<size_t>(iw0 + static_cast<long>(kw * a.dilation_w));
    return a.x + (ih * a.in_w + iw) * a.x_pixel_stride;
  };
  size_t c = 0;
  for (; c + 16 <= C; c += 16) {
    float32x4_t acc0 = load_bias(a.bias, c), acc1 = load_bias(a.bias, c + 4);
    float32x4_t acc2 = load_bias(a.bias, c + 8), acc3 = load_bias(a.bias, c + 12);
    for (size_t kh = t.h0; kh < t.h1; ++kh) {
      for (size_t kw = t.w0; kw < t.w1; ++kw) {
        const float* x = xp(kh, kw) + c;
        const float* w = a.w + (kh * a.kw + kw) * C + c;
        acc0 = neon_fma(acc0, vld1q_f32(x), vld1q_f32(w));
        acc1 = neon_fma(acc1, vld1q_f32(x + 4), vld1q_f32(w + 4));
        acc2 = neon_fma(acc2, vld1q_f32(x + 8), vld1q_f32(w + 8));
        acc3 = neon_fma(acc3, vld1q_f32(x + 12), vld1q_f32(w + 12));
      }
    }
    vst1q_f32(y + c, acc0);
    vst1q_f32(y + c + 4, acc1);
    vst1q_f32(y + c + 8, acc2);
    vst1q_f32(y + c + 12, acc3);
  }
  for (; c + 4 <= C; c += 4) {
    float32x4_t acc = load_bias(a.bias, c);
    for (size_t kh = t.h0; kh < t.h1; ++kh) {
      for (size_t kw = t.w0; kw < t.w1; ++kw) {
        acc = neon_fma(acc, vld1q_f32(xp(kh, kw) + c), vld1q_f32(a.w + (kh * a.kw + kw) * C + c));
      }
    }
    vst1q_f32(y + c, acc);
  }
  if (c < C) {
    const size_t r = C - c;
    float32x4_t acc = a.bias != nullptr ? neon_load_partial(a.bias + c, r) : vdupq_n_f32(0.0f);
    for (size_t kh = t.h0; kh < t.h1; ++kh) {
      for (size_t kw = t.w0; kw < t.w1; ++kw) {
        acc = neon_fma(acc, neon_load_partial(xp(kh, kw) + c, r), neon_load_partial(a.w + (kh * a.kw + kw) * C + c, r));
      }
    }
    neon_store_partial(y + c, r, acc);
  }
}

}  // namespace

void f32_dwconv_ukernel__neon(const DwConvArgs& a) {
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
