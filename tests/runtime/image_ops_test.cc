// The image ops (format 1.5) end to end: tiny one-op (or few-op) models built
// in memory with the converter's ModelBuilder, run through Session at several
// image sizes and batches on every kernel table this CPU runs, against naive
// implementations written here from the schema's definitions (double
// accumulation, libm's exp / erf: independent of kernels/).
//
// Tolerance (check_close): |got - want| <= 1e-5 (1 + |want|). The ops sum at
// most a few hundred float products of values <= 1 (XNNPACK's f32 GEMM is
// within 1e-5 of a double reference, docs/xnnpack-debian12.md §4; the own
// kernels' errors are a few ulp per term, kernels/README.md "Images"), so
// 1e-5 bounds every path with margin while catching any indexing error
// (those give O(0.1) differences).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "converter/model_builder.h"
#include "converter/quantize.h"
#include "converter/source/source_tensor.h"
#include "runtime/core/half.h"
#include "runtime/model.h"
#include "runtime/session.h"
#include "tests/runtime/image_ops_harness.h"
#include "tests/runtime/image_ops_naive.h"
#include "tests/runtime/tiny_model.h"

namespace edgeattn {
namespace {

using convert::batch;
using convert::fixed;
using convert::ModelBuilder;
using naive::Img;
using namespace image_test;  // NOLINT: the harness is this file's vocabulary

// ------------------------------------------------------------------ Conv2D

struct ConvCase {
  const char* name;
  int64_t div, cin, cout, kh, kw;
  fb::Conv2DOptionsT o;
  bool bias;
};

fb::Conv2DOptionsT conv_opts(int s, int pad, int groups = 1, fb::Activation act = fb::Activation::None) {
  fb::Conv2DOptionsT o;
  o.stride_h = o.stride_w = s;
  o.pad_top = o.pad_left = o.pad_bottom = o.pad_right = pad;
  o.groups = groups;
  o.activation = act;
  return o;
}

void check_conv(const ConvCase& c, const std::vector<Size>& sizes = kSizes) {
  const std::vector<float> w = random_values(static_cast<size_t>(c.cout * c.kh * c.kw * (c.cin / c.o.groups)), 11, -0.5f, 0.5f);
  const std::vector<float> bias = random_values(static_cast<size_t>(c.cout), 12, -0.5f, 0.5f);
  const int64_t out_div = c.div * c.o.stride_h;
  const std::vector<uint8_t> file = image_model(c.div, c.cin, [&](ModelBuilder& mb, int x) {
    const int wt = mb.add_constant_f32("w", {c.cout, c.kh, c.kw, c.cin / c.o.groups}, w);
    const int bt = c.bias ? mb.add_constant_f32("b", {c.cout}, bias) : -1;
    const int y = mb.add_activation("y", {batch(), height(out_div), width(c.div * c.o.stride_w), fixed(c.cout)});
    mb.add_op(fb::OpCode::Conv2D, {x, wt, bt}, {y}, "conv", c.o);
    return y;
  });
  check_image_op(file, c.div, c.cin,
                 [&](const Img& x) { return naive::conv2d(x, w, c.bias ? &bias : nullptr, c.cout, c.kh, c.kw, c.o).v; },
                 c.name, sizes);
}

TEST_CASE("Conv2D: dense, strided, depthwise, 1x1, grouped, dilated, asymmetric pads, every epilogue") {
  fb::Conv2DOptionsT hardswish_affine = conv_opts(2, 1, 1, fb::Activation::HardSwish);
  hardswish_affine.post_scale = 1.5f;
  hardswish_affine.post_shift = 0.25f;
  fb::Conv2DOptionsT dilated = conv_opts(1, 2, 1, fb::Activation::Relu);
  dilated.dilation_h = dilated.dilation_w = 2;
  fb::Conv2DOptionsT asym = conv_opts(2, 0, 1, fb::Activation::Sigmoid);
  asym.pad_left = 1;
  asym.pad_bottom = 1;
  fb::Conv2DOptionsT hsig = conv_opts(2, 2, 6, fb::Activation::HardSigmoid);
  hsig.act_alpha = 0.1666667f;
  const ConvCase cases[] = {
      {"3x3 s1 pad 1 relu", 1, 5, 7, 3, 3, conv_opts(1, 1, 1, fb::Activation::Relu), true},
      {"3x3 s2 pad 1 hardswish affine", 1, 5, 7, 3, 3, hardswish_affine, true},
      {"5x5 depthwise s2 pad 2 hardsigmoid", 1, 6, 6, 5, 5, hsig, true},
      {"3x3 depthwise s1 pad 1 (div 2) silu", 2, 16, 16, 3, 3, conv_opts(1, 1, 16, fb::Activation::Silu), false},
      {"3x3 depthwise multiplier 2", 1, 3, 6, 3, 3, conv_opts(1, 1, 3, fb::Activation::Gelu), true},
      {"1x1 relu6 (XNNPACK clamp)", 1, 8, 12, 1, 1, conv_opts(1, 0, 1, fb::Activation::Relu6), true},
      {"1x1 no bias", 4, 9, 5, 1, 1, conv_opts(1, 0), false},
      {"1x1 groups 2", 1, 8, 6, 1, 1, conv_opts(1, 0, 2), true},
      {"3x3 groups 2", 1, 4, 6, 3, 3, conv_opts(1, 1, 2), true},
      {"3x3 dilation 2 pad 2", 1, 3, 4, 3, 3, dilated, true},
      {"3x3 s2 asymmetric pads (0, 1, 1, 0) sigmoid", 1, 4, 5, 3, 3, asym, true},
      {"2x2 s2 pad 0", 1, 3, 4, 2, 2, conv_opts(2, 0), true},
  };
  for (const ConvCase& c : cases) check_conv(c);
  // K = 3 * 3 * 128 = 1152: 512 KB of scratch hold 113 im2col rows, so a
  // 2 x 32 x 32 batch runs in 19 tiles, one spanning the two images.
  check_conv({"3x3 im2col in tiles", 1, 128, 8, 3, 3, conv_opts(1, 1, 1, fb::Activation::Relu), true},
             {{2, 32, 32}, {1, 32, 32}});
}

TEST_CASE("Conv2D with a fixed height and a Width dim (a text recognizer's stride (2, 1))") {
  fb::Conv2DOptionsT o = conv_opts(1, 1, 1, fb::Activation::Relu);
  o.stride_h = 2;
  const std::vector<float> w = random_values(4 * 3 * 3 * 3, 21, -0.5f, 0.5f);
  ModelBuilder mb;
  const int x = mb.add_activation("x", {batch(), fixed(6), width(1), fixed(3)});
  const int wt = mb.add_constant_f32("w", {4, 3, 3, 3}, w);
  const int y = mb.add_activation("y", {batch(), fixed(3), width(1), fixed(4)});
  mb.add_op(fb::OpCode::Conv2D, {x, wt, -1}, {y}, "conv", o);
  mb.set_graph_io({x}, {y});
  const std::vector<uint8_t> file = mb.serialize();
  for (const std::string& k : kernel_names()) {
    for (int width_px : {1, 5, 32}) {
      const Img xi = random_img(2, 6, width_px, 3, static_cast<uint32_t>(width_px));
      check_close(run(file, {xi.v.data()}, 2, 1, width_px, k), naive::conv2d(xi, w, nullptr, 4, 3, 3, o).v,
                  "recognizer conv " + k + " W " + std::to_string(width_px));
    }
  }
}

// ------------------------------------------------------------------ Conv2D, quantized weights

// What the converter's --dtype fp16 / int8 store for a conv weight
// [Cout, KH, KW, Cin / g] (one int8 row per output channel), and the weight
// values the runtime computes with.
struct QuantWeight {
  fb::DType dtype;
  std::vector<uint8_t> bytes;
  std::vector<float> scales;     // i8: [Cout]
  std::vector<float> dequant;    // the values W stands for
};

QuantWeight quantize_weight(const std::vector<float>& w, int64_t cout, fb::DType dtype) {
  QuantWeight q{dtype, {}, {}, std::vector<float>(w.size())};
  const size_t row = w.size() / static_cast<size_t>(cout);
  if (dtype == fb::DType::F16) {
    q.bytes.resize(w.size() * 2);
    for (size_t i = 0; i < w.size(); ++i) {
      const uint16_t h = convert::float_to_half(w[i]);
      std::memcpy(q.bytes.data() + 2 * i, &h, 2);
      q.dequant[i] = half_to_float(h);
    }
  } else {
    q.bytes.resize(w.size());
    q.scales.resize(static_cast<size_t>(cout));
    convert::quantize_rows_int8(w.data(), static_cast<size_t>(cout), row, reinterpret_cast<int8_t*>(q.bytes.data()),
                                q.scales.data());
    for (size_t i = 0; i < w.size(); ++i) q.dequant[i] = static_cast<int8_t>(q.bytes[i]) * q.scales[i / row];
  }
  return q;
}

// The runtime's dynamic int8 conv written out: each output pixel's taps of
// one group (zeros outside the image: the im2col row, or the 1x1 path's
// pixel slice) quantized as f32_qd8_quantize defines, exact integer dot
// products with the int8 weight rows, float(acc) * (sx * sw) + bias in float
// as qd8_qc8w_gemm defines, then the epilogue in double.
Img naive_conv_qd8(const Img& x, const QuantWeight& q, const std::vector<float>* bias, int64_t cout, int64_t kh,
                   int64_t kw, const fb::Conv2DOptionsT& o) {
  const int64_t oh_n = (x.h + o.pad_top + o.pad_bottom - o.dilation_h * (kh - 1) - 1) / o.stride_h + 1;
  const int64_t ow_n = (x.w + o.pad_left + o.pad_right - o.dilation_w * (kw - 1) - 1) / o.stride_w + 1;
  const int64_t cin_g = x.c / o.groups, cout_g = cout / o.groups, k = kh * kw * cin_g;
  Img y = naive::make(x.b, oh_n, ow_n, cout);
  std::vector<float> row(static_cast<size_t>(k));
  std::vector<int32_t> qx(static_cast<size_t>(k));
  for (int64_t b = 0; b < x.b; ++b)
    for (int64_t oh = 0; oh < oh_n; ++oh)
      for (int64_t ow = 0; ow < ow_n; ++ow)
        for (int64_t g = 0; g < o.groups; ++g) {
          size_t t = 0;
          for (int64_t r = 0; r < kh; ++r)
            for (int64_t s = 0; s < kw; ++s)
              for (int64_t ci = 0; ci < cin_g; ++ci) {
                const int64_t ih = oh * o.stride_h - o.pad_top + r * o.dilation_h;
                const int64_t iw = ow * o.stride_w - o.pad_left + s * o.dilation_w;
                const bool in = ih >= 0 && iw >= 0 && ih < x.h && iw < x.w;
                row[t++] = in ? static_cast<float>(x.at(b, ih, iw, g * cin_g + ci)) : 0.0f;
              }
          float amax = 0.0f;
          for (float v : row) amax = std::max(amax, std::fabs(v));
          const float sx = amax >= 0x1p-100f ? amax / 127.0f : 0.0f;
          const float inv = amax >= 0x1p-100f ? 127.0f / amax : 0.0f;
          for (size_t i = 0; i < row.size(); ++i) {
            qx[i] = static_cast<int32_t>(std::nearbyint(std::min(127.0f, std::max(-127.0f, row[i] * inv))));
          }
          for (int64_t co = g * cout_g; co < (g + 1) * cout_g; ++co) {
            int32_t acc = 0;
            const int8_t* wr = reinterpret_cast<const int8_t*>(q.bytes.data()) + co * k;
            for (int64_t i = 0; i < k; ++i) acc += qx[static_cast<size_t>(i)] * wr[i];
            float v = static_cast<float>(acc) * (sx * q.scales[static_cast<size_t>(co)]);
            if (bias != nullptr) v += (*bias)[static_cast<size_t>(co)];
            y.v[static_cast<size_t>(((b * oh_n + oh) * ow_n + ow) * cout + co)] =
                static_cast<float>(naive::act(o.activation, v, o.act_alpha, o.act_beta) * o.post_scale + o.post_shift);
          }
        }
  return y;
}

// Runs the conv with fp16 or int8 weights on every table and size. Want:
// f16, and depthwise (dequantized at prepare, activations stay f32): the
// naive conv on the dequantized weights, so within check_close's 1e-5 (the
// kernels only reorder the float sum). i8 GEMM paths: naive_conv_qd8, the
// same integers, so again only float rounding of the epilogue.
void check_conv_quant(const ConvCase& c, fb::DType dtype, const std::vector<Size>& sizes = kSizes,
                      double tol = 1e-5) {
  const std::vector<float> w = random_values(static_cast<size_t>(c.cout * c.kh * c.kw * (c.cin / c.o.groups)), 11, -0.5f, 0.5f);
  const std::vector<float> bias = random_values(static_cast<size_t>(c.cout), 12, -0.5f, 0.5f);
  const QuantWeight q = quantize_weight(w, c.cout, dtype);
  const std::vector<uint8_t> file = image_model(c.div, c.cin, [&](ModelBuilder& mb, int x) {
    const int wt = mb.add_constant_f32("w", {c.cout, c.kh, c.kw, c.cin / c.o.groups}, w);
    std::unique_ptr<fb::QuantizationT> quant;
    if (dtype == fb::DType::I8) {
      quant = std::make_unique<fb::QuantizationT>();
      quant->scale = q.scales;
      quant->axis = 0;
    }
    mb.replace_constant(wt, dtype, q.bytes, std::move(quant));
    const int bt = c.bias ? mb.add_constant_f32("b", {c.cout}, bias) : -1;
    const int y = mb.add_activation("y", {batch(), height(c.div * c.o.stride_h), width(c.div * c.o.stride_w), fixed(c.cout)});
    mb.add_op(fb::OpCode::Conv2D, {x, wt, bt}, {y}, "conv", c.o);
    return y;
  });
  const bool depthwise = c.o.groups == c.cin;
  const std::vector<float>* b = c.bias ? &bias : nullptr;
  check_image_op(file, c.div, c.cin, [&](const Img& x) {
    return dtype == fb::DType::I8 && !depthwise ? naive_conv_qd8(x, q, b, c.cout, c.kh, c.kw, c.o).v
                                                : naive::conv2d(x, q.dequant, b, c.cout, c.kh, c.kw, c.o).v;
  }, std::string(c.name) + (dtype == fb::DType::I8 ? " int8" : " fp16"), sizes, tol);
}

TEST_CASE("Conv2D with fp16 and int8 weights: im2col, 1x1, depthwise, groups, tiles") {
  fb::Conv2DOptionsT hardswish_affine = conv_opts(2, 1, 1, fb::Activation::HardSwish);
  hardswish_affine.post_scale = 1.5f;
  hardswish_affine.post_shift = 0.25f;
  const ConvCase cases[] = {
      {"3x3 s2 pad 1 hardswish affine", 1, 5, 7, 3, 3, hardswish_affine, true},
      {"3x3 groups 2", 1, 4, 6, 3, 3, conv_opts(1, 1, 2), true},
      {"1x1 relu6", 1, 8, 12, 1, 1, conv_opts(1, 0, 1, fb::Activation::Relu6), true},
      {"1x1 groups 2 no bias", 2, 8, 6, 1, 1, conv_opts(1, 0, 2), false},
      {"3x3 depthwise relu", 1, 8, 8, 3, 3, conv_opts(1, 1, 8, fb::Activation::Relu), true},
      {"3x3 depthwise multiplier 2", 1, 3, 6, 3, 3, conv_opts(1, 1, 3), true},
  };
  for (fb::DType dtype : {fb::DType::F16, fb::DType::I8}) {
    for (const ConvCase& c : cases) check_conv_quant(c, dtype);
    // im2col: K = 3 * 3 * 128 = 1152, 512 KB hold 113 f32 rows (fp16) or 90
    // f32 + int8 rows (int8): 2 x 32 x 32 pixels in 19 or 23 tiles. 1x1 int8
    // with K = 2048: 255 quantized rows per tile, 9 tiles. Its float sums of
    // 2,048 products (fp16: the reference table's sequential order measured
    // 1.2e-5 relative off the double sum) get 4e-5, the rounding error's
    // growth from a few hundred terms to 2,048 (~sqrt(K) for random signs).
    check_conv_quant({"3x3 im2col in tiles", 1, 128, 8, 3, 3, conv_opts(1, 1, 1, fb::Activation::Relu), true}, dtype,
                     {{2, 32, 32}});
    check_conv_quant({"1x1 in tiles", 1, 2048, 4, 1, 1, conv_opts(1, 0), true}, dtype, {{2, 32, 32}}, 4e-5);
  }
}

// ------------------------------------------------------------------ ConvTranspose2D

void check_conv_transpose(const char* name, int64_t div, int64_t cin, int64_t cout, int64_t k, fb::Conv2DOptionsT o,
                          const std::vector<Size>& sizes = kSizes) {
  const std::vector<float> w = random_values(static_cast<size_t>(k * k * cout * cin), 31, -0.5f, 0.5f);
  const std::vector<float> bias = random_values(static_cast<size_t>(cout), 32, -0.5f, 0.5f);
  const std::vector<uint8_t> file = image_model(div, cin, [&](ModelBuilder& mb, int x) {
    const int wt = mb.add_constant_f32("w", {k, k, cout, cin}, w);
    const int bt = mb.add_constant_f32("b", {cout}, bias);
    const int y = mb.add_activation("y", {batch(), height(div / o.stride_h), width(div / o.stride_w), fixed(cout)});
    mb.add_op(fb::OpCode::ConvTranspose2D, {x, wt, bt}, {y}, "deconv", o);
    return y;
  });
  check_image_op(file, div, cin, [&](const Img& x) { return naive::conv_transpose2d(x, w, &bias, cout, k, k, o).v; },
                 name, sizes);
}

// Fixed dims: x [2, H, W, Cin] -> y [2, Ho, Wo, Cout] (in = {H, W, Cin},
// out = {Ho, Wo, Cout}), a k x k kernel without bias, on every table.
void check_fixed_conv_transpose(const char* name, const int64_t (&in)[3], const int64_t (&out)[3], int64_t k,
                                const fb::Conv2DOptionsT& o, uint32_t seed) {
  const std::vector<float> w = random_values(static_cast<size_t>(k * k * out[2] * in[2]), seed, -0.5f, 0.5f);
  ModelBuilder mb;
  const int x = mb.add_activation("x", {batch(), fixed(in[0]), fixed(in[1]), fixed(in[2])});
  const int wt = mb.add_constant_f32("w", {k, k, out[2], in[2]}, w);
  const int y = mb.add_activation("y", {batch(), fixed(out[0]), fixed(out[1]), fixed(out[2])});
  mb.add_op(fb::OpCode::ConvTranspose2D, {x, wt, -1}, {y}, "deconv", o);
  mb.set_graph_io({x}, {y});
  const Img xi = random_img(2, in[0], in[1], in[2], seed + 1);
  const std::vector<float> want = naive::conv_transpose2d(xi, w, nullptr, out[2], k, k, o).v;
  for (const std::string& table : kernel_names()) {
    check_close(run(mb.serialize(), {xi.v.data()}, 2, 0, 0, table), want, std::string(name) + " " + table);
  }
}

TEST_CASE("ConvTranspose2D: k2 s2, k3 s2 pad (1, 1, 0, 0) on image dims, k3 s2 pad 1 on fixed dims") {
  check_conv_transpose("k2 s2", 2, 4, 3, 2, conv_opts(2, 0, 1, fb::Activation::Relu));
  fb::Conv2DOptionsT o = conv_opts(2, 0, 1, fb::Activation::Sigmoid);
  o.pad_top = o.pad_left = 1;
  check_conv_transpose("k3 s2 pad (1, 1, 0, 0)", 8, 3, 5, 3, o);
  // k4 s2 pad 1 (segmentation / saliency decoders, 2H): overlapping patches
  // (the overlap path on XNNPACK tables: z rows added into the output).
  fb::Conv2DOptionsT up = conv_opts(2, 1, 1, fb::Activation::Relu);
  check_conv_transpose("k4 s2 pad 1 relu", 2, 6, 5, 4, up);
  // Kernels a multiple of the stride take the subpixel path on tables with
  // an indirect packed GEMM: one GEMM per output phase, its taps gathered
  // by pointer. Asymmetric pads move every phase's taps (and which of them
  // fall past the border); k6 s2 has 3 x 3 taps per phase.
  fb::Conv2DOptionsT skew = conv_opts(2, 0, 1, fb::Activation::Sigmoid);
  skew.pad_top = 2, skew.pad_left = 1, skew.pad_right = 1;
  check_conv_transpose("k4 s2 pad (2, 1, 0, 1) sigmoid", 2, 7, 33, 4, skew);
  check_conv_transpose("k6 s2 pad 2", 2, 5, 4, 6, conv_opts(2, 2, 1));
  // Symmetric pad 1 gives 2H - 1: expressible only with fixed dims (5 -> 9).
  check_fixed_conv_transpose("k3 s2 pad 1 fixed", {5, 4, 3}, {9, 7, 2}, 3, conv_opts(2, 1), 33);
}

TEST_CASE("ConvTranspose2D with 2 x 2 taps per phase (Winograd F(2x2, 2x2) on packed-GEMM tables): odd grids") {
  // Kernel twice the stride: each phase's 2 x 2 blocks of outputs as 9
  // transformed GEMMs. Odd inputs (5 x 7, 1 x 3, 3 x 9) leave tiles half
  // past the border; batches of 2 put one image's last tile row and the
  // next one's first in one band.
  const std::vector<Size> odd = {{1, 10, 14}, {1, 2, 6}, {2, 6, 18}, {2, 16, 24}};
  check_conv_transpose("winograd k4 s2 pad 1 relu", 2, 6, 5, 4, conv_opts(2, 1, 1, fb::Activation::Relu), odd);
  fb::Conv2DOptionsT skew = conv_opts(2, 0, 1, fb::Activation::Sigmoid);
  skew.pad_top = 2, skew.pad_left = 1, skew.pad_right = 1;
  check_conv_transpose("winograd k4 s2 pad (2, 1, 0, 1) sigmoid", 2, 9, 33, 4, skew, odd);
  fb::Conv2DOptionsT k2s1 = conv_opts(1, 0, 1, fb::Activation::None);
  k2s1.pad_top = k2s1.pad_left = 1;  // 2 x 2 taps at offsets {-1, 0}: output H x W
  check_conv_transpose("winograd k2 s1 pad (1, 1, 0, 0)", 1, 17, 20, 2, k2s1, {{1, 5, 7}, {2, 8, 3}, {1, 1, 1}});
  // k4 s2 pad 0 on fixed dims gives 2H + 2 rows: no phase path (each phase
  // would write 2H of them); the reference kernel or the overlap path.
  check_fixed_conv_transpose("k4 s2 pad 0 fixed", {3, 5, 2}, {8, 12, 3}, 4, conv_opts(2, 0), 35);
}

// ------------------------------------------------------------------ Pool2D, ChannelAttention

void check_pool(const char* name, fb::Pool2DOptionsT o, int64_t in_div, int64_t out_div) {
  const std::vector<uint8_t> file = image_model(in_div, 5, [&](ModelBuilder& mb, int x) {
    const bool global = o.kind == fb::PoolKind::GlobalAverage;
    const int y = mb.add_activation(
        "y", {batch(), global ? fixed(1) : height(out_div), global ? fixed(1) : width(out_div), fixed(5)});
    mb.add_op(fb::OpCode::Pool2D, {x}, {y}, "pool", o);
    return y;
  });
  check_image_op(file, in_div, 5, [&](const Img& x) { return naive::pool2d(x, o).v; }, name);
}

TEST_CASE("Pool2D: max, average with and without count_include_pad, global average") {
  fb::Pool2DOptionsT o;
  o.kind = fb::PoolKind::Max;
  o.kernel_h = o.kernel_w = 3;
  o.stride_h = o.stride_w = 2;
  o.pad_top = o.pad_left = o.pad_bottom = o.pad_right = 1;
  check_pool("max 3x3 s2 pad 1", o, 1, 2);
  o.kind = fb::PoolKind::Average;
  o.stride_h = o.stride_w = 1;
  check_pool("average 3x3 s1 pad 1", o, 2, 2);
  o.count_include_pad = true;
  check_pool("average 3x3 s1 pad 1 count_include_pad", o, 2, 2);
  fb::Pool2DOptionsT two;
  two.kind = fb::PoolKind::Average;
  two.kernel_h = two.kernel_w = two.stride_h = two.stride_w = 2;
  check_pool("average 2x2 s2", two, 1, 2);
  fb::Pool2DOptionsT global;
  global.kind = fb::PoolKind::GlobalAverage;
  check_pool("global average", global, 1, 1);
}

TEST_CASE("ChannelAttention (squeeze-and-excitation): HardSigmoid and Sigmoid gates") {
  const int64_t c = 8, cr = 3;
  const std::vector<float> w1 = random_values(cr * c, 41), b1 = random_values(cr, 42);
  const std::vector<float> w2 = random_values(c * cr, 43), b2 = random_values(c, 44);
  for (bool sigmoid : {false, true}) {
    fb::ChannelAttentionOptionsT o;
    o.gate = sigmoid ? fb::Activation::Sigmoid : fb::Activation::HardSigmoid;
    o.activation = sigmoid ? fb::Activation::Silu : fb::Activation::Relu;
    o.gate_alpha = 0.1666667f;
    const std::vector<uint8_t> file = image_model(2, c, [&](ModelBuilder& mb, int x) {
      const int t1 = mb.add_constant_f32("w1", {cr, c}, w1), tb1 = mb.add_constant_f32("b1", {cr}, b1);
      const int t2 = mb.add_constant_f32("w2", {c, cr}, w2), tb2 = mb.add_constant_f32("b2", {c}, b2);
      const int y = mb.add_activation("y", {batch(), height(2), width(2), fixed(c)});
      mb.add_op(fb::OpCode::ChannelAttention, {x, t1, tb1, t2, tb2}, {y}, "se", o);
      return y;
    });
    check_image_op(file, 2, c, [&](const Img& x) { return naive::channel_attention(x, w1, b1, w2, b2, cr, o).v; },
                   sigmoid ? "se sigmoid" : "se hardsigmoid");
  }
}

// ------------------------------------------------------------------ threads

// Sizes past EvalContext::kMinParallelWork (2^21 multiply-adds), so two
// threads split the tiles (each with its own XNNPACK operator and scratch;
// epilogues run per tile) and the squeeze-and-excitation mean (per-thread
// partial sums).
TEST_CASE("Image ops on 2 threads: tiles and partial sums split across threads") {
  const ScopedRunConfig two_threads(2, 64);
  const std::vector<Size> sizes = {{2, 48, 48}};  // each op below does 1.8 - 16 M multiply-adds
  fb::Conv2DOptionsT hardswish_affine = conv_opts(1, 1, 1, fb::Activation::HardSwish);
  hardswish_affine.post_scale = 1.5f;
  hardswish_affine.post_shift = 0.25f;
  fb::Conv2DOptionsT pointwise_affine = hardswish_affine;
  pointwise_affine.pad_top = pointwise_affine.pad_left = pointwise_affine.pad_bottom = pointwise_affine.pad_right = 0;
  check_conv({"threads: 3x3 im2col hardswish affine", 1, 16, 24, 3, 3, hardswish_affine, true}, sizes);
  check_conv({"threads: 1x1 hardswish affine", 1, 32, 48, 1, 1, pointwise_affine, true}, sizes);
  check_conv({"threads: 1x1 groups 2 relu", 1, 64, 48, 1, 1, conv_opts(1, 0, 2, fb::Activation::Relu), false}, sizes);
  check_conv({"threads: 3x3 depthwise hardswish", 1, 64, 64, 3, 3, conv_opts(1, 1, 64, fb::Activation::HardSwish),
              true}, sizes);
  for (fb::DType dtype : {fb::DType::F16, fb::DType::I8}) {
    check_conv_quant({"threads: 3x3 im2col", 1, 16, 24, 3, 3, hardswish_affine, true}, dtype, sizes);
    check_conv_quant({"threads: 1x1", 1, 32, 48, 1, 1, conv_opts(1, 0, 1, fb::Activation::Relu), true}, dtype, sizes);
  }
  // k2 s2: the patches path (one FC, z rows copied into 2 x 2 patches) with
  // a clamp (Relu) and with an epilogue pass (Sigmoid); 2.1 M multiply-adds.
  const std::vector<Size> big = {{2, 64, 64}};
  check_conv_transpose("threads: k2 s2 relu", 2, 32, 8, 2, conv_opts(2, 0, 1, fb::Activation::Relu), big);
  check_conv_transpose("threads: k2 s2 sigmoid", 2, 32, 8, 2, conv_opts(2, 0, 1, fb::Activation::Sigmoid), big);
  // k4 s2 pad 1: the overlap path's two waves of tiles on two threads.
  check_conv_transpose("threads: k4 s2 pad 1 relu", 2, 16, 8, 4, conv_opts(2, 1, 1, fb::Activation::Relu), big);
  // k4 s2 pad 1 with odd grids: winograd bands split across the threads.
  check_conv_transpose("threads: winograd k4 s2 pad 1 sigmoid", 2, 24, 40, 4,
                       conv_opts(2, 1, 1, fb::Activation::Sigmoid), {{2, 46, 62}});
  const int64_t c = 256, cr = 16;  // 2 x 64 x 64 x 256 = 2.1 M values in the mean
  const std::vector<float> w1 = random_values(cr * c, 45), b1 = random_values(cr, 46);
  const std::vector<float> w2 = random_values(c * cr, 47), b2 = random_values(c, 48);
  fb::ChannelAttentionOptionsT o;
  o.gate_alpha = 0.1666667f;
  const std::vector<uint8_t> file = image_model(1, c, [&](ModelBuilder& mb, int x) {
    const int t1 = mb.add_constant_f32("w1", {cr, c}, w1), tb1 = mb.add_constant_f32("b1", {cr}, b1);
    const int t2 = mb.add_constant_f32("w2", {c, cr}, w2), tb2 = mb.add_constant_f32("b2", {c}, b2);
    const int y = mb.add_activation("y", {batch(), height(1), width(1), fixed(c)});
    mb.add_op(fb::OpCode::ChannelAttention, {x, t1, tb1, t2, tb2}, {y}, "se", o);
    return y;
  });
  check_image_op(file, 1, c, [&](const Img& x) { return naive::channel_attention(x, w1, b1, w2, b2, cr, o).v; },
                 "threads: se hardsigmoid", big);
}

// ------------------------------------------------------------------ Resize

void check_resize(const char* name, int64_t in_div, int64_t out_div, fb::ResizeMode mode, fb::ResizeCoordinates coord) {
  fb::ResizeOptionsT o;
  o.mode = mode;
  o.coordinates = coord;
  const std::vector<uint8_t> file = image_model(in_div, 3, [&](ModelBuilder& mb, int x) {
    const int y = mb.add_activation("y", {batch(), height(out_div), width(out_div), fixed(3)});
    mb.add_op(fb::OpCode::Resize, {x}, {y}, "resize", o);
    return y;
  });
  check_image_op(file, in_div, 3, [&](const Img& x) {
    return naive::resize(x, x.h * in_div / out_div, x.w * in_div / out_div, mode, coord).v;
  }, name);
}

TEST_CASE("Resize: nearest x2 / x4 / x8, bilinear in every coordinate mode, a downscale") {
  check_resize("nearest x2", 2, 1, fb::ResizeMode::Nearest, fb::ResizeCoordinates::Asymmetric);
  check_resize("nearest x4", 4, 1, fb::ResizeMode::Nearest, fb::ResizeCoordinates::Asymmetric);
  check_resize("nearest x8", 8, 1, fb::ResizeMode::Nearest, fb::ResizeCoordinates::Asymmetric);
  check_resize("nearest x2 half pixel", 2, 1, fb::ResizeMode::Nearest, fb::ResizeCoordinates::HalfPixel);
  for (fb::ResizeCoordinates c :
       {fb::ResizeCoordinates::Asymmetric, fb::ResizeCoordinates::HalfPixel, fb::ResizeCoordinates::AlignCorners}) {
    const std::string n = std::string("bilinear ") + fb::EnumNameResizeCoordinates(c);
    check_resize((n + " x2").c_str(), 2, 1, fb::ResizeMode::Bilinear, c);
    check_resize((n + " x4").c_str(), 4, 1, fb::ResizeMode::Bilinear, c);
    check_resize((n + " /2").c_str(), 1, 2, fb::ResizeMode::Bilinear, c);
  }
}

// ------------------------------------------------------------------ Pointwise, Mul, Concat

TEST_CASE("Pointwise: every activation with pre and post affine") {
  for (fb::Activation a : {fb::Activation::None, fb::Activation::Relu, fb::Activation::Relu6, fb::Activation::Sigmoid,
                           fb::Activation::HardSigmoid, fb::Activation::HardSwish, fb::Activation::Silu,
                           fb::Activation::Gelu}) {
    fb::PointwiseOptionsT o;
    o.activation = a;
    o.pre_scale = 3.0f;  // spreads [-1, 1] over the activations' interesting range
    o.pre_shift = 0.5f;
    o.post_scale = 0.75f;
    o.post_shift = -0.125f;
    const std::vector<uint8_t> file = image_model(1, 6, [&](ModelBuilder& mb, int x) {
      const int y = mb.add_activation("y", {batch(), height(1), width(1), fixed(6)});
      mb.add_op(fb::OpCode::Pointwise, {x}, {y}, "pointwise", o);
      return y;
    });
    check_image_op(file, 1, 6, [&](const Img& x) { return naive::pointwise(x, o).v; },
                   std::string("pointwise ") + fb::EnumNameActivation(a));
  }
}

TEST_CASE("Mul: same shape, a trailing constant, a [B, 1, 1, C] gate") {
  const int64_t c = 5;
  const std::vector<float> k = random_values(c, 51);
  // y = (x * k) * g, g = x pooled (a gate computed in the graph), then x * y (same shape).
  fb::Pool2DOptionsT gap;
  gap.kind = fb::PoolKind::GlobalAverage;
  const std::vector<uint8_t> file = image_model(1, c, [&](ModelBuilder& mb, int x) {
    const int kt = mb.add_constant_f32("k", {c}, k);
    const int xk = mb.add_activation("xk", {batch(), height(1), width(1), fixed(c)});
    mb.add_op(fb::OpCode::Mul, {x, kt}, {xk}, "mul_const");
    const int g = mb.add_activation("g", {batch(), fixed(1), fixed(1), fixed(c)});
    mb.add_op(fb::OpCode::Pool2D, {x}, {g}, "gap", gap);
    const int gated = mb.add_activation("gated", {batch(), height(1), width(1), fixed(c)});
    mb.add_op(fb::OpCode::Mul, {xk, g}, {gated}, "mul_gate");
    const int y = mb.add_activation("y", {batch(), height(1), width(1), fixed(c)});
    mb.add_op(fb::OpCode::Mul, {x, gated}, {y}, "mul_same");
    return y;
  });
  check_image_op(file, 1, c, [&](const Img& x) {
    const Img g = naive::global_average(x);
    std::vector<float> y(x.v.size());
    for (size_t i = 0; i < y.size(); ++i) {
      const size_t ch = i % static_cast<size_t>(c), b = i / static_cast<size_t>(x.h * x.w * c);
      y[i] = static_cast<float>(static_cast<double>(x.v[i]) * (static_cast<double>(x.v[i]) * k[ch]) *
                                g.v[b * static_cast<size_t>(c) + ch]);
    }
    return y;
  }, "mul");
}

TEST_CASE("Concat on channels of two image tensors") {
  const std::vector<float> w = random_values(4 * 3, 61);
  // x [.., 3] and a 1x1 conv of it [.., 4] joined into [.., 7].
  const std::vector<uint8_t> file = image_model(2, 3, [&](ModelBuilder& mb, int x) {
    const int wt = mb.add_constant_f32("w", {4, 1, 1, 3}, w);
    const int z = mb.add_activation("z", {batch(), height(2), width(2), fixed(4)});
    mb.add_op(fb::OpCode::Conv2D, {x, wt, -1}, {z}, "conv", conv_opts(1, 0));
    const int y = mb.add_activation("y", {batch(), height(2), width(2), fixed(7)});
    fb::ConcatOptionsT o;
    o.axis = 3;
    mb.add_op(fb::OpCode::Concat, {x, z}, {y}, "concat", o);
    return y;
  });
  check_image_op(file, 2, 3, [&](const Img& x) {
    const Img z = naive::conv2d(x, w, nullptr, 4, 1, 1, conv_opts(1, 0));
    std::vector<float> y;
    for (int64_t p = 0; p < x.b * x.h * x.w; ++p) {
      for (int64_t ch = 0; ch < 3; ++ch) y.push_back(x.v[static_cast<size_t>(p * 3 + ch)]);
      for (int64_t ch = 0; ch < 4; ++ch) y.push_back(z.v[static_cast<size_t>(p * 4 + ch)]);
    }
    return y;
  }, "concat");
}

// ------------------------------------------------------------------ token ops over a Width dim

// A recognizer's tail: x [B, 1, W/4, C] -> Reshape [B, W/4, C] -> op(s) -> y.
using TokenBuilder = std::function<int(ModelBuilder& mb, int tokens)>;

void check_tokens(int64_t c, const TokenBuilder& add_ops,
                  const std::function<std::vector<float>(const std::vector<float>&, int64_t b, int64_t t)>& want_of,
                  const std::string& what) {
  ModelBuilder mb;
  const int x = mb.add_activation("x", {batch(), fixed(1), width(4), fixed(c)});
  const int tokens = mb.add_activation("tokens", {batch(), width(4), fixed(c)});
  mb.add_op(fb::OpCode::Reshape, {x}, {tokens}, "reshape");
  const int y = add_ops(mb, tokens);
  mb.set_graph_io({x}, {y});
  const std::vector<uint8_t> file = mb.serialize();
  for (const std::string& k : kernel_names()) {
    for (const Size& s : kSizes) {
      const int64_t t = s.w / 4;
      const std::vector<float> xv = random_values(static_cast<size_t>(s.b * t * c), static_cast<uint32_t>(s.w + s.b));
      check_close(run(file, {xv.data()}, s.b, 4, s.w, k), want_of(xv, s.b, t),
                  what + " table " + k + " W " + std::to_string(s.w) + " B " + std::to_string(s.b));
    }
  }
}

TEST_CASE("Reshape, Softmax, Transpose [0, 2, 1] and FullyConnected(HardSwish / Silu / Sigmoid) over a Width dim") {
  check_tokens(6, [](ModelBuilder&, int tokens) { return tokens; },
               [](const std::vector<float>& x, int64_t, int64_t) { return x; }, "reshape");
  check_tokens(6, [](ModelBuilder& mb, int tokens) {
    const int y = mb.add_activation("y", {batch(), width(4), fixed(6)});
    mb.add_op(fb::OpCode::Softmax, {tokens}, {y}, "softmax");
    return y;
  }, [](const std::vector<float>& x, int64_t b, int64_t t) { return naive::softmax(x, b * t, 6); }, "softmax");
  check_tokens(6, [](ModelBuilder& mb, int tokens) {
    const int y = mb.add_activation("y", {batch(), fixed(6), width(4)});
    fb::TransposeOptionsT o;
    o.perm = {0, 2, 1};
    mb.add_op(fb::OpCode::Transpose, {tokens}, {y}, "transpose", o);
    return y;
  }, [](const std::vector<float>& x, int64_t b, int64_t t) {
    std::vector<float> y(x.size());
    for (int64_t bi = 0; bi < b; ++bi)
      for (int64_t i = 0; i < t; ++i)
        for (int64_t ch = 0; ch < 6; ++ch) y[static_cast<size_t>((bi * 6 + ch) * t + i)] = x[static_cast<size_t>((bi * t + i) * 6 + ch)];
    return y;
  }, "transpose");
  const std::vector<float> w = random_values(5 * 6, 71), bias = random_values(5, 72);
  for (fb::Activation a : {fb::Activation::HardSwish, fb::Activation::Silu, fb::Activation::Sigmoid}) {
    check_tokens(6, [&](ModelBuilder& mb, int tokens) {
      const int wt = mb.add_constant_f32("w", {5, 6}, w), bt = mb.add_constant_f32("b", {5}, bias);
      const int y = mb.add_activation("y", {batch(), width(4), fixed(5)});
      fb::FullyConnectedOptionsT o;
      o.activation = a;
      mb.add_op(fb::OpCode::FullyConnected, {tokens, wt, bt}, {y}, "fc", o);
      return y;
    }, [&](const std::vector<float>& x, int64_t b, int64_t t) { return naive::fully_connected(x, b * t, 6, w, bias, 5, a); },
                 std::string("fc ") + fb::EnumNameActivation(a));
  }
}

TEST_CASE("Attention over a Width dim (mask None, self-attention over image positions)") {
  const int64_t heads = 2, head_dim = 4, c = heads * head_dim;
  check_tokens(c, [&](ModelBuilder& mb, int tokens) {
    const int y = mb.add_activation("y", {batch(), width(4), fixed(c)});
    fb::AttentionOptionsT o;
    o.n_heads = o.n_kv_heads = static_cast<int32_t>(heads);
    o.head_dim = static_cast<int32_t>(head_dim);
    o.mask = fb::AttentionMask::None;
    mb.add_op(fb::OpCode::Attention, {tokens, tokens, tokens}, {y}, "attention", o);
    return y;
  }, [&](const std::vector<float>& x, int64_t b, int64_t t) { return naive::self_attention(x, b, t, heads, head_dim); },
               "attention");
}

}  // namespace
}  // namespace edgeattn
