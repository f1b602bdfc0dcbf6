// Naive implementations of the image ops for image_ops_test.cc, written from
// the schema's definitions (schema/edgeattn.fbs): NHWC images, double
// accumulation, libm's exp / erf. Nothing here shares code with kernels/ or
// runtime/, so an error in either shows up as a mismatch.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "schema/edgeattn_generated.h"

namespace edgeattn::naive {

// An NHWC image batch [b, h, w, c].
struct Img {
  int64_t b = 0, h = 0, w = 0, c = 0;
  std::vector<float> v;
  double at(int64_t bi, int64_t y, int64_t x, int64_t ch) const {
    return v[static_cast<size_t>(((bi * h + y) * w + x) * c + ch)];
  }
};

inline Img make(int64_t b, int64_t h, int64_t w, int64_t c) {
  return Img{b, h, w, c, std::vector<float>(static_cast<size_t>(b * h * w * c))};
}

inline double sigmoid(double v) { return 1.0 / (1.0 + std::exp(-v)); }

inline double act(fb::Activation a, double v, double alpha, double beta) {
  switch (a) {
    case fb::Activation::None: return v;
    case fb::Activation::Relu: return std::max(v, 0.0);
    case fb::Activation::Relu6: return std::min(std::max(v, 0.0), 6.0);
    case fb::Activation::Sigmoid: return sigmoid(v);
    case fb::Activation::HardSigmoid: return std::min(std::max(alpha * v + beta, 0.0), 1.0);
    case fb::Activation::HardSwish: return v * std::min(std::max(v + 3.0, 0.0), 6.0) / 6.0;
    case fb::Activation::Silu: return v * sigmoid(v);
    case fb::Activation::Gelu: return 0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0)));
    case fb::Activation::GeluTanh: break;
  }
  return NAN;
}

// y = act(conv + bias) * post_scale + post_shift; w [cout, kh, kw, cin / groups].
inline Img conv2d(const Img& x, const std::vector<float>& w, const std::vector<float>* bias, int64_t cout, int64_t kh,
                  int64_t kw, const fb::Conv2DOptionsT& o) {
  const int64_t oh_n = (x.h + o.pad_top + o.pad_bottom - o.dilation_h * (kh - 1) - 1) / o.stride_h + 1;
  const int64_t ow_n = (x.w + o.pad_left + o.pad_right - o.dilation_w * (kw - 1) - 1) / o.stride_w + 1;
  const int64_t cin_g = x.c / o.groups, cout_g = cout / o.groups;
  Img y = make(x.b, oh_n, ow_n, cout);
  size_t i = 0;
  for (int64_t b = 0; b < x.b; ++b)
    for (int64_t oh = 0; oh < oh_n; ++oh)
      for (int64_t ow = 0; ow < ow_n; ++ow)
        for (int64_t co = 0; co < cout; ++co) {
          const int64_t g = co / cout_g;
          double sum = bias != nullptr ? (*bias)[static_cast<size_t>(co)] : 0.0;
          for (int64_t r = 0; r < kh; ++r)
            for (int64_t s = 0; s < kw; ++s) {
              const int64_t ih = oh * o.stride_h - o.pad_top + r * o.dilation_h;
              const int64_t iw = ow * o.stride_w - o.pad_left + s * o.dilation_w;
              if (ih < 0 || iw < 0 || ih >= x.h || iw >= x.w) continue;
              for (int64_t ci = 0; ci < cin_g; ++ci)
                sum += x.at(b, ih, iw, g * cin_g + ci) * w[static_cast<size_t>(((co * kh + r) * kw + s) * cin_g + ci)];
            }
          y.v[i++] = static_cast<float>(act(o.activation, sum, o.act_alpha, o.act_beta) * o.post_scale + o.post_shift);
        }
  return y;
}

// w [kh, kw, cout, cin]; out[b, i s - pad + k d, .., co] += x[b, i, .., ci] w[k.., co, ci].
inline Img conv_transpose2d(const Img& x, const std::vector<float>& w, const std::vector<float>* bias, int64_t cout,
                            int64_t kh, int64_t kw, const fb::Conv2DOptionsT& o) {
  const int64_t oh_n = (x.h - 1) * o.stride_h - o.pad_top - o.pad_bottom + o.dilation_h * (kh - 1) + 1;
  const int64_t ow_n = (x.w - 1) * o.stride_w - o.pad_left - o.pad_right + o.dilation_w * (kw - 1) + 1;
  std::vector<double> acc(static_cast<size_t>(x.b * oh_n * ow_n * cout), 0.0);
  for (int64_t b = 0; b < x.b; ++b)
    for (int64_t i = 0; i < x.h; ++i)
      for (int64_t j = 0; j < x.w; ++j)
        for (int64_t r = 0; r < kh; ++r)
          for (int64_t s = 0; s < kw; ++s) {
            const int64_t oh = i * o.stride_h - o.pad_top + r * o.dilation_h;
            const int64_t ow = j * o.stride_w - o.pad_left + s * o.dilation_w;
            if (oh < 0 || ow < 0 || oh >= oh_n || ow >= ow_n) continue;
            for (int64_t co = 0; co < cout; ++co)
              for (int64_t ci = 0; ci < x.c; ++ci)
                acc[static_cast<size_t>(((b * oh_n + oh) * ow_n + ow) * cout + co)] +=
                    x.at(b, i, j, ci) * w[static_cast<size_t>(((r * kw + s) * cout + co) * x.c + ci)];
          }
  Img y = make(x.b, oh_n, ow_n, cout);
  for (size_t i = 0; i < acc.size(); ++i) {
    const double v = acc[i] + (bias != nullptr ? (*bias)[i % static_cast<size_t>(cout)] : 0.0);
    y.v[i] = static_cast<float>(act(o.activation, v, o.act_alpha, o.act_beta) * o.post_scale + o.post_shift);
  }
  return y;
}

inline Img global_average(const Img& x) {
  Img y = make(x.b, 1, 1, x.c);
  for (int64_t b = 0; b < x.b; ++b)
    for (int64_t ch = 0; ch < x.c; ++ch) {
      double s = 0.0;
      for (int64_t i = 0; i < x.h; ++i)
        for (int64_t j = 0; j < x.w; ++j) s += x.at(b, i, j, ch);
      y.v[static_cast<size_t>(b * x.c + ch)] = static_cast<float>(s / static_cast<double>(x.h * x.w));
    }
  return y;
}

inline Img pool2d(const Img& x, const fb::Pool2DOptionsT& o) {
  if (o.kind == fb::PoolKind::GlobalAverage) return global_average(x);
  const int64_t oh_n = (x.h + o.pad_top + o.pad_bottom - o.kernel_h) / o.stride_h + 1;
  const int64_t ow_n = (x.w + o.pad_left + o.pad_right - o.kernel_w) / o.stride_w + 1;
  Img y = make(x.b, oh_n, ow_n, x.c);
  size_t i = 0;
  for (int64_t b = 0; b < x.b; ++b)
    for (int64_t oh = 0; oh < oh_n; ++oh)
      for (int64_t ow = 0; ow < ow_n; ++ow)
        for (int64_t ch = 0; ch < x.c; ++ch) {
          double sum = 0.0, max = -INFINITY;
          int64_t n = 0;
          for (int64_t r = 0; r < o.kernel_h; ++r)
            for (int64_t s = 0; s < o.kernel_w; ++s) {
              const int64_t ih = oh * o.stride_h - o.pad_top + r, iw = ow * o.stride_w - o.pad_left + s;
              if (ih < 0 || iw < 0 || ih >= x.h || iw >= x.w) continue;
              sum += x.at(b, ih, iw, ch);
              max = std::max(max, x.at(b, ih, iw, ch));
              ++n;
            }
          const int64_t divisor = o.count_include_pad ? int64_t{o.kernel_h} * o.kernel_w : n;
          y.v[i++] = static_cast<float>(o.kind == fb::PoolKind::Max ? max : sum / static_cast<double>(divisor));
        }
  return y;
}

inline Img channel_attention(const Img& x, const std::vector<float>& w1, const std::vector<float>& b1,
                             const std::vector<float>& w2, const std::vector<float>& b2, int64_t cr,
                             const fb::ChannelAttentionOptionsT& o) {
  const Img s = global_average(x);
  Img y = make(x.b, x.h, x.w, x.c);
  for (int64_t b = 0; b < x.b; ++b) {
    std::vector<double> t(static_cast<size_t>(cr)), g(static_cast<size_t>(x.c));
    for (int64_t r = 0; r < cr; ++r) {
      double v = b1[static_cast<size_t>(r)];
      for (int64_t ch = 0; ch < x.c; ++ch) v += w1[static_cast<size_t>(r * x.c + ch)] * static_cast<double>(s.v[static_cast<size_t>(b * x.c + ch)]);
      t[static_cast<size_t>(r)] = act(o.activation, v, 0.0, 0.0);
    }
    for (int64_t ch = 0; ch < x.c; ++ch) {
      double v = b2[static_cast<size_t>(ch)];
      for (int64_t r = 0; r < cr; ++r) v += w2[static_cast<size_t>(ch * cr + r)] * t[static_cast<size_t>(r)];
      g[static_cast<size_t>(ch)] = act(o.gate, v, o.gate_alpha, o.gate_beta);
    }
    for (int64_t p = 0; p < x.h * x.w; ++p)
      for (int64_t ch = 0; ch < x.c; ++ch) {
        const size_t i = static_cast<size_t>((b * x.h * x.w + p) * x.c + ch);
        y.v[i] = static_cast<float>(x.v[i] * g[static_cast<size_t>(ch)]);
      }
  }
  return y;
}

// ONNX Resize's source coordinate.
inline double resize_coord(int64_t i, int64_t in, int64_t out, fb::ResizeCoordinates c) {
  switch (c) {
    case fb::ResizeCoordinates::Asymmetric: return static_cast<double>(i) * in / out;
    case fb::ResizeCoordinates::HalfPixel: return (i + 0.5) * in / out - 0.5;
    case fb::ResizeCoordinates::AlignCorners: return out > 1 ? static_cast<double>(i) * (in - 1) / (out - 1) : 0.0;
  }
  return 0.0;
}

inline Img resize(const Img& x, int64_t oh_n, int64_t ow_n, fb::ResizeMode mode, fb::ResizeCoordinates c) {
  Img y = make(x.b, oh_n, ow_n, x.c);
  auto clampi = [](int64_t v, int64_t n) { return std::min(std::max<int64_t>(v, 0), n - 1); };
  size_t i = 0;
  for (int64_t b = 0; b < x.b; ++b)
    for (int64_t oh = 0; oh < oh_n; ++oh)
      for (int64_t ow = 0; ow < ow_n; ++ow) {
        const double sh = resize_coord(oh, x.h, oh_n, c), sw = resize_coord(ow, x.w, ow_n, c);
        for (int64_t ch = 0; ch < x.c; ++ch) {
          if (mode == fb::ResizeMode::Nearest) {
            const auto ih = clampi(static_cast<int64_t>(std::floor(sh)), x.h);
            const auto iw = clampi(static_cast<int64_t>(std::floor(sw)), x.w);
            y.v[i++] = static_cast<float>(x.at(b, ih, iw, ch));
            continue;
          }
          // Bilinear: ONNX interpolates between floor and floor + 1 with edge padding.
          const double fh = std::max(sh, 0.0), fw = std::max(sw, 0.0);
          const int64_t h0 = static_cast<int64_t>(std::floor(fh)), w0 = static_cast<int64_t>(std::floor(fw));
          const double ah = fh - h0, aw = fw - w0;
          double v = 0.0;
          for (int dh = 0; dh < 2; ++dh)
            for (int dw = 0; dw < 2; ++dw)
              v += (dh ? ah : 1.0 - ah) * (dw ? aw : 1.0 - aw) *
                   x.at(b, clampi(h0 + dh, x.h), clampi(w0 + dw, x.w), ch);
          y.v[i++] = static_cast<float>(v);
        }
      }
  return y;
}

inline Img pointwise(const Img& x, const fb::PointwiseOptionsT& o) {
  Img y = x;
  for (float& v : y.v) {
    const double u = static_cast<double>(v) * o.pre_scale + o.pre_shift;
    v = static_cast<float>(act(o.activation, u, o.act_alpha, o.act_beta) * o.post_scale + o.post_shift);
  }
  return y;
}

inline std::vector<float> softmax(const std::vector<float>& x, int64_t rows, int64_t cols) {
  std::vector<float> y(x.size());
  for (int64_t r = 0; r < rows; ++r) {
    double sum = 0.0;
    for (int64_t c = 0; c < cols; ++c) sum += std::exp(static_cast<double>(x[static_cast<size_t>(r * cols + c)]));
    for (int64_t c = 0; c < cols; ++c)
      y[static_cast<size_t>(r * cols + c)] = static_cast<float>(std::exp(static_cast<double>(x[static_cast<size_t>(r * cols + c)])) / sum);
  }
  return y;
}

inline std::vector<float> fully_connected(const std::vector<float>& x, int64_t rows, int64_t k, const std::vector<float>& w,
                                          const std::vector<float>& bias, int64_t n, fb::Activation a) {
  std::vector<float> y(static_cast<size_t>(rows * n));
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < n; ++j) {
      double s = bias[static_cast<size_t>(j)];
      for (int64_t i = 0; i < k; ++i) s += static_cast<double>(x[static_cast<size_t>(r * k + i)]) * w[static_cast<size_t>(j * k + i)];
      y[static_cast<size_t>(r * n + j)] = static_cast<float>(act(a, s, 0.2, 0.5));
    }
  return y;
}

// softmax(q kᵀ / sqrt(d)) v per head, q = k = v = x [b, t, heads * d], all keys.
inline std::vector<float> self_attention(const std::vector<float>& x, int64_t b, int64_t t, int64_t heads, int64_t d) {
  const int64_t width = heads * d;
  std::vector<float> y(x.size());
  auto at = [&](int64_t bi, int64_t i, int64_t h, int64_t e) {
    return static_cast<double>(x[static_cast<size_t>((bi * t + i) * width + h * d + e)]);
  };
  for (int64_t bi = 0; bi < b; ++bi)
    for (int64_t h = 0; h < heads; ++h)
      for (int64_t i = 0; i < t; ++i) {
        std::vector<double> p(static_cast<size_t>(t));
        double max = -INFINITY, sum = 0.0;
        for (int64_t j = 0; j < t; ++j) {
          double s = 0.0;
          for (int64_t e = 0; e < d; ++e) s += at(bi, i, h, e) * at(bi, j, h, e);
          p[static_cast<size_t>(j)] = s / std::sqrt(static_cast<double>(d));
          max = std::max(max, p[static_cast<size_t>(j)]);
        }
        for (double& v : p) sum += (v = std::exp(v - max));
        for (int64_t e = 0; e < d; ++e) {
          double o = 0.0;
          for (int64_t j = 0; j < t; ++j) o += p[static_cast<size_t>(j)] * at(bi, j, h, e);
          y[static_cast<size_t>((bi * t + i) * width + h * d + e)] = static_cast<float>(o / sum);
        }
      }
  return y;
}

}  // namespace edgeattn::naive
