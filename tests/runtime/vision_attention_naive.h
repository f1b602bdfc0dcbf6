// Naive implementations of the vision attention ops (format 1.6) for
// vision_attention_ops_test.cc, written from the schema's definitions and
// the papers (CBAM: Woo et al. 2018; SKNet: Li et al. 2019; Attention
// U-Net: Oktay et al. 2018): NHWC images, double accumulation, libm's exp.
// Nothing here shares code with kernels/ or runtime/.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "tests/runtime/image_ops_naive.h"

namespace edgeattn::naive {

// CBAM's channel attention: g = gate(mlp(mean) + mlp(max)), each mlp
// w2 act(w1 v + b1) + b2; w1 [cr, c], w2 [c, cr].
inline Img cbam_channel(const Img& x, const std::vector<float>& w1, const std::vector<float>& b1,
                        const std::vector<float>& w2, const std::vector<float>& b2, int64_t cr, fb::Activation a,
                        fb::Activation gate) {
  Img y = make(x.b, x.h, x.w, x.c);
  const int64_t pixels = x.h * x.w;
  for (int64_t b = 0; b < x.b; ++b) {
    std::vector<double> mean(static_cast<size_t>(x.c), 0.0), mx(static_cast<size_t>(x.c), -INFINITY);
    for (int64_t p = 0; p < pixels; ++p)
      for (int64_t ch = 0; ch < x.c; ++ch) {
        const double v = x.at(b, p / x.w, p % x.w, ch);
        mean[static_cast<size_t>(ch)] += v / static_cast<double>(pixels);
        mx[static_cast<size_t>(ch)] = std::max(mx[static_cast<size_t>(ch)], v);
      }
    std::vector<double> g(static_cast<size_t>(x.c), 0.0);
    for (const std::vector<double>* s : {&mean, &mx}) {
      std::vector<double> t(static_cast<size_t>(cr));
      for (int64_t r = 0; r < cr; ++r) {
        double v = b1[static_cast<size_t>(r)];
        for (int64_t ch = 0; ch < x.c; ++ch) v += w1[static_cast<size_t>(r * x.c + ch)] * (*s)[static_cast<size_t>(ch)];
        t[static_cast<size_t>(r)] = act(a, v, 0.0, 0.0);
      }
      for (int64_t ch = 0; ch < x.c; ++ch) {
        double v = b2[static_cast<size_t>(ch)];
        for (int64_t r = 0; r < cr; ++r) v += w2[static_cast<size_t>(ch * cr + r)] * t[static_cast<size_t>(r)];
        g[static_cast<size_t>(ch)] += v;
      }
    }
    for (int64_t p = 0; p < pixels; ++p)
      for (int64_t ch = 0; ch < x.c; ++ch) {
        const size_t i = static_cast<size_t>((b * pixels + p) * x.c + ch);
        y.v[i] = static_cast<float>(x.v[i] * act(gate, g[static_cast<size_t>(ch)], 0.2, 0.5));
      }
  }
  return y;
}

// CBAM's spatial attention: w [kh, kw, 2] over (channel mean, channel max), zero 'same' padding.
inline Img spatial_attention(const Img& x, const std::vector<float>& w, int64_t kh, int64_t kw, double bias) {
  Img y = make(x.b, x.h, x.w, x.c);
  auto map = [&](int64_t b, int64_t r, int64_t col, int k) {
    double mean = 0.0, mx = -INFINITY;
    for (int64_t ch = 0; ch < x.c; ++ch) {
      mean += x.at(b, r, col, ch) / static_cast<double>(x.c);
      mx = std::max(mx, x.at(b, r, col, ch));
    }
    return k == 0 ? mean : mx;
  };
  for (int64_t b = 0; b < x.b; ++b)
    for (int64_t r = 0; r < x.h; ++r)
      for (int64_t col = 0; col < x.w; ++col) {
        double s = bias;
        for (int64_t i = 0; i < kh; ++i)
          for (int64_t j = 0; j < kw; ++j) {
            const int64_t yy = r + i - kh / 2, xx = col + j - kw / 2;
            if (yy < 0 || yy >= x.h || xx < 0 || xx >= x.w) continue;
            for (int k = 0; k < 2; ++k) s += w[static_cast<size_t>((i * kw + j) * 2 + k)] * map(b, yy, xx, k);
          }
        const double g = sigmoid(s);
        for (int64_t ch = 0; ch < x.c; ++ch) {
          y.v[static_cast<size_t>(((b * x.h + r) * x.w + col) * x.c + ch)] = static_cast<float>(x.at(b, r, col, ch) * g);
        }
      }
  return y;
}

// SKNet's fusion of m branches u [m] (each [b, h, w, c]): w1 [d, c], w2 [m c, d].
inline Img branch_attention(const std::vector<Img>& u, const std::vector<float>& w1, const std::vector<float>& b1,
                            const std::vector<float>& w2, const std::vector<float>& b2, int64_t d) {
  const Img& x = u[0];
  const int64_t m = static_cast<int64_t>(u.size()), pixels = x.h * x.w;
  Img y = make(x.b, x.h, x.w, x.c);
  for (int64_t b = 0; b < x.b; ++b) {
    std::vector<double> s(static_cast<size_t>(x.c), 0.0), z(static_cast<size_t>(d));
    for (const Img& ui : u)
      for (int64_t p = 0; p < pixels; ++p)
        for (int64_t ch = 0; ch < x.c; ++ch) s[static_cast<size_t>(ch)] += ui.at(b, p / x.w, p % x.w, ch) / pixels;
    for (int64_t r = 0; r < d; ++r) {
      double v = b1[static_cast<size_t>(r)];
      for (int64_t ch = 0; ch < x.c; ++ch) v += w1[static_cast<size_t>(r * x.c + ch)] * s[static_cast<size_t>(ch)];
      z[static_cast<size_t>(r)] = std::max(v, 0.0);
    }
    std::vector<double> a(static_cast<size_t>(m * x.c));
    for (int64_t o = 0; o < m * x.c; ++o) {
      double v = b2[static_cast<size_t>(o)];
      for (int64_t r = 0; r < d; ++r) v += w2[static_cast<size_t>(o * d + r)] * z[static_cast<size_t>(r)];
      a[static_cast<size_t>(o)] = v;
    }
    for (int64_t ch = 0; ch < x.c; ++ch) {
      double sum = 0.0;
      for (int64_t i = 0; i < m; ++i) sum += std::exp(a[static_cast<size_t>(i * x.c + ch)]);
      for (int64_t i = 0; i < m; ++i) a[static_cast<size_t>(i * x.c + ch)] = std::exp(a[static_cast<size_t>(i * x.c + ch)]) / sum;
    }
    for (int64_t p = 0; p < pixels; ++p)
      for (int64_t ch = 0; ch < x.c; ++ch) {
        double v = 0.0;
        for (int64_t i = 0; i < m; ++i) v += a[static_cast<size_t>(i * x.c + ch)] * u[static_cast<size_t>(i)].at(b, p / x.w, p % x.w, ch);
        y.v[static_cast<size_t>((b * pixels + p) * x.c + ch)] = static_cast<float>(v);
      }
  }
  return y;
}

// Attention U-Net's gate: alpha = sigmoid(wpsi relu(wx x + wg g + bias) + bpsi); y = x alpha.
inline Img attention_gate(const Img& x, const Img& g, const std::vector<float>& wx, const std::vector<float>& wg,
                          const std::vector<float>& bias, const std::vector<float>& wpsi, double bpsi, int64_t ci) {
  Img y = make(x.b, x.h, x.w, x.c);
  const int64_t pixels = x.b * x.h * x.w;
  for (int64_t p = 0; p < pixels; ++p) {
    double s = bpsi;
    for (int64_t i = 0; i < ci; ++i) {
      double q = bias[static_cast<size_t>(i)];
      for (int64_t k = 0; k < x.c; ++k) q += wx[static_cast<size_t>(i * x.c + k)] * x.v[static_cast<size_t>(p * x.c + k)];
      for (int64_t k = 0; k < g.c; ++k) q += wg[static_cast<size_t>(i * g.c + k)] * g.v[static_cast<size_t>(p * g.c + k)];
      s += wpsi[static_cast<size_t>(i)] * std::max(q, 0.0);
    }
    const double alpha = sigmoid(s);
    for (int64_t k = 0; k < x.c; ++k) {
      y.v[static_cast<size_t>(p * x.c + k)] = static_cast<float>(x.v[static_cast<size_t>(p * x.c + k)] * alpha);
    }
  }
  return y;
}

}  // namespace edgeattn::naive
