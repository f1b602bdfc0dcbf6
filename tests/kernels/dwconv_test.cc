// f32_dwconv (depthwise NHWC convolution): every table against the
// reference over channel counts that hit every vector block and tail,
// kernels 1x1 .. 7x7, strides 1-3, dilations 1-2, symmetric and asymmetric
// padding, tiny images (windows mostly in the padding), partial row ranges,
// strided pixels, with and without bias; padding between output pixels
// must survive (no write outside [pixel, pixel + channels)).
#include <cmath>
#include <string>
#include <vector>

#include "kernels/reference/reference.h"
#include "tests/kernels/test_util.h"

namespace edgeattn {
namespace {

using test::random_vector;

struct Case {
  size_t in_h, in_w, channels, kh, kw, stride, dilation, pad_top, pad_left, pad_bottom, pad_right;
  bool bias;
  size_t x_extra, y_extra;  // pixel stride beyond channels
};

// Tolerance: both sides sum taps + 1 terms in float (the reference in order
// with separate roundings, the ISA kernels with FMA in the same order), so
// each is within (taps + 1) u sum |terms| of the exact sum (u = 2^-24;
// Higham's bound for recursive summation): allowed = 2 (taps + 1) u sum |terms|.
void run_case(const KernelTable& table, const Case& c) {
  const size_t span_h = c.dilation * (c.kh - 1) + 1, span_w = c.dilation * (c.kw - 1) + 1;
  if (c.in_h + c.pad_top + c.pad_bottom < span_h || c.in_w + c.pad_left + c.pad_right < span_w) return;
  const size_t out_h = (c.in_h + c.pad_top + c.pad_bottom - span_h) / c.stride + 1;
  const size_t out_w = (c.in_w + c.pad_left + c.pad_right - span_w) / c.stride + 1;
  const size_t xs = c.channels + c.x_extra, ys = c.channels + c.y_extra;
  const uint32_t seed = static_cast<uint32_t>(c.in_h * 1000 + c.in_w * 100 + c.channels * 7 + c.kh + c.stride);
  const std::vector<float> x = random_vector(c.in_h * c.in_w * xs, -1.0f, 1.0f, seed);
  const std::vector<float> w = random_vector(c.kh * c.kw * c.channels, -1.0f, 1.0f, seed + 1);
  const std::vector<float> bias = random_vector(c.channels, -1.0f, 1.0f, seed + 2);
  std::vector<float> want(out_h * out_w * ys, test::sentinel()), got(want.size(), test::sentinel());
  DwConvArgs a{};
  a.x = x.data(), a.x_pixel_stride = xs, a.w = w.data(), a.bias = c.bias ? bias.data() : nullptr;
  a.y_pixel_stride = ys, a.in_h = c.in_h, a.in_w = c.in_w, a.channels = c.channels, a.kh = c.kh, a.kw = c.kw;
  a.stride_h = a.stride_w = c.stride, a.dilation_h = a.dilation_w = c.dilation;
  a.pad_top = c.pad_top, a.pad_left = c.pad_left, a.out_h = out_h, a.out_w = out_w;
  a.y = want.data(), a.row_begin = 0, a.row_end = out_h;
  f32_dwconv_ukernel__reference(a);
  // The table in two calls (rows split), as the runtime's threads do.
  a.y = got.data();
  const size_t split = out_h / 2;
  a.row_begin = 0, a.row_end = split;
  table.f32_dwconv(a);
  a.row_begin = split, a.row_end = out_h;
  table.f32_dwconv(a);
  const double u = std::ldexp(1.0, -24);
  double worst = 0.0;
  bool padding_ok = true;
  for (size_t oh = 0; oh < out_h; ++oh) {
    for (size_t ow = 0; ow < out_w; ++ow) {
      for (size_t ch = 0; ch < ys; ++ch) {
        const size_t i = (oh * out_w + ow) * ys + ch;
        if (ch >= c.channels) {
          padding_ok = padding_ok && test::is_sentinel(got[i]);
          continue;
        }
        double abs_sum = c.bias ? std::fabs(bias[ch]) : 0.0;
        size_t terms = 1;
        for (size_t kh = 0; kh < c.kh; ++kh) {
          for (size_t kw = 0; kw < c.kw; ++kw) {
            const long ih = static_cast<long>(oh * c.stride + kh * c.dilation) - static_cast<long>(c.pad_top);
            const long iw = static_cast<long>(ow * c.stride + kw * c.dilation) - static_cast<long>(c.pad_left);
            if (ih < 0 || iw < 0 || ih >= static_cast<long>(c.in_h) || iw >= static_cast<long>(c.in_w)) continue;
            abs_sum += std::fabs(x[(static_cast<size_t>(ih) * c.in_w + static_cast<size_t>(iw)) * xs + ch] *
                                 w[(kh * c.kw + kw) * c.channels + ch]);
            ++terms;
          }
        }
        const double allowed = 2.0 * static_cast<double>(terms) * u * abs_sum + 1e-30;
        const double err = std::fabs(static_cast<double>(got[i]) - want[i]);
        const double ratio = std::isnan(got[i]) ? 1e30 : err / allowed;
        worst = ratio > worst ? ratio : worst;
      }
    }
  }
  const std::string what = std::string(table.name) + " in " + std::to_string(c.in_h) + "x" + std::to_string(c.in_w) +
                           " C " + std::to_string(c.channels) + " k " + std::to_string(c.kh) + "x" +
                           std::to_string(c.kw) + " s " + std::to_string(c.stride) + " d " +
                           std::to_string(c.dilation) + " pads " + std::to_string(c.pad_top) + "," +
                           std::to_string(c.pad_left) + "," + std::to_string(c.pad_bottom) + "," +
                           std::to_string(c.pad_right) + " bias " + std::to_string(c.bias);
  test::report_ratio(worst, what);
  INFO(what);
  CHECK(padding_ok);
  CHECK(worst <= 1.0);
}

TEST_CASE("f32_dwconv: every table matches the reference over shapes, strides, dilations, pads and tails") {
  const size_t channels[] = {1, 3, 4, 7, 8, 9, 15, 16, 17, 31, 32, 33, 40, 67};
  const size_t kernels[][2] = {{1, 1}, {3, 3}, {5, 5}, {3, 5}, {7, 7}};
  const size_t images[][2] = {{1, 1}, {2, 3}, {5, 7}, {9, 4}, {12, 12}};
  const size_t pads[][4] = {{0, 0, 0, 0}, {1, 1, 1, 1}, {2, 2, 2, 2}, {1, 0, 0, 2}, {3, 3, 3, 3}};
  for (const KernelTable* t : test::tables_under_test()) {
    for (size_t ch : channels) {
      for (const auto& k : kernels) {
        for (const auto& im : images) {
          for (size_t stride : {1, 2, 3}) {
            for (size_t dilation : {1, 2}) {
              for (const auto& p : pads) {
                const bool bias = (ch + stride + dilation) % 3 != 0;
                const size_t extra = ch % 2;  // every other channel count: strided pixels
                run_case(*t, Case{im[0], im[1], ch, k[0], k[1], stride, dilation, p[0], p[1], p[2], p[3], bias,
                                  extra, extra * 3});
              }
            }
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace edgeattn
