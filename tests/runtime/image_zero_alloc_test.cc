// A small convolutional model (every Conv2D path: depthwise, 1x1 through
// XNNPACK's FC, im2col; pooling, SE, resize, concat) allocates nothing per
// invoke once created, at image sizes that change from invoke to invoke, on
// one and two threads: the reason Conv2D never uses XNNPACK's convolution
// operators (they re-allocate on every new H x W). tests/support/alloc_interposer.h
// counts every malloc-family call on every thread. Also with the conv
// weights quantized as the converter's --dtype fp16 / int8 store them (own
// GEMM kernels; int8 quantizes activations into op scratch).
#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "converter/model_builder.h"
#include "converter/quantize.h"
#include "runtime/model.h"
#include "runtime/session.h"
#include "tests/runtime/tiny_model.h"
#include "tests/support/alloc_interposer.h"

namespace edgeattn {
namespace {

using convert::batch;
using convert::fixed;

fb::Dim height(int64_t d) { return fb::Dim(fb::DimKind::Height, d); }
fb::Dim width(int64_t d) { return fb::Dim(fb::DimKind::Width, d); }

std::vector<float> values(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-0.5f, 0.5f);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

fb::Conv2DOptionsT conv(int stride, int pad, int groups, fb::Activation act) {
  fb::Conv2DOptionsT o;
  o.stride_h = o.stride_w = stride;
  o.pad_top = o.pad_left = o.pad_bottom = o.pad_right = pad;
  o.groups = groups;
  o.activation = act;
  return o;
}

// x [B, H, W, 3] -> 3x3 s2 conv (im2col) 32 -> 3x3 dw (32) -> SE -> 1x1 conv 16
// -> max pool 2x2 -> resize x2 -> concat with the 1x1 output -> y [B, H/2, W/2, 32].
std::vector<uint8_t> conv_model(convert::WeightDType dtype) {
  convert::ModelBuilder mb;
  const int x = mb.add_activation("x", {batch(), height(1), width(1), fixed(3)});
  const int w0 = mb.add_constant_f32("w0", {32, 3, 3, 3}, values(32 * 27, 1));
  const int a = mb.add_activation("a", {batch(), height(2), width(2), fixed(32)});
  mb.add_op(fb::OpCode::Conv2D, {x, w0, -1}, {a}, "stem", conv(2, 1, 1, fb::Activation::HardSwish));
  const int w1 = mb.add_constant_f32("w1", {32, 3, 3, 1}, values(32 * 9, 2));
  const int b1 = mb.add_constant_f32("b1", {32}, values(32, 3));
  const int d = mb.add_activation("d", {batch(), height(2), width(2), fixed(32)});
  mb.add_op(fb::OpCode::Conv2D, {a, w1, b1}, {d}, "dw", conv(1, 1, 32, fb::Activation::Relu));
  const int s = mb.add_activation("s", {batch(), height(2), width(2), fixed(32)});
  mb.add_op(fb::OpCode::ChannelAttention,
            {d, mb.add_constant_f32("se1", {8, 32}, values(256, 4)), -1, mb.add_constant_f32("se2", {32, 8}, values(256, 5)), -1},
            {s}, "se");
  const int w2 = mb.add_constant_f32("w2", {16, 1, 1, 32}, values(16 * 32, 6));
  const int p = mb.add_activation("p", {batch(), height(2), width(2), fixed(16)});
  mb.add_op(fb::OpCode::Conv2D, {s, w2, -1}, {p}, "pw", conv(1, 0, 1, fb::Activation::None));
  fb::Pool2DOptionsT pool;
  pool.kind = fb::PoolKind::Max;
  pool.kernel_h = pool.kernel_w = pool.stride_h = pool.stride_w = 2;
  const int q = mb.add_activation("q", {batch(), height(4), width(4), fixed(16)});
  mb.add_op(fb::OpCode::Pool2D, {p}, {q}, "pool", pool);
  fb::ResizeOptionsT up;
  up.mode = fb::ResizeMode::Bilinear;
  up.coordinates = fb::ResizeCoordinates::HalfPixel;
  const int r = mb.add_activation("r", {batch(), height(2), width(2), fixed(16)});
  mb.add_op(fb::OpCode::Resize, {q}, {r}, "up", up);
  fb::ConcatOptionsT cat;
  cat.axis = 3;
  const int y = mb.add_activation("y", {batch(), height(2), width(2), fixed(32)});
  mb.add_op(fb::OpCode::Concat, {p, r}, {y}, "cat", cat);
  mb.set_graph_io({x}, {y});
  convert::QuantizeOptions quantize;
  quantize.dtype = dtype;
  const convert::QuantizeSummary summary = convert::quantize_weights(mb, quantize);
  // The stem (im2col) and the 1x1 conv; the depthwise weights stay f32.
  CHECK(summary.quantized == (dtype == convert::WeightDType::kF32 ? 0u : 2u));
  return mb.serialize();
}

void check_zero_alloc(convert::WeightDType dtype) {
  const std::vector<uint8_t> file = conv_model(dtype);
  testing::AlignedBuffer buf(file);
  auto model = Model::load_buffer(buf.data(), buf.size());
  REQUIRE_MESSAGE(model.is_ok(), std::string(model.status().message()));
  const std::vector<float> image = values(2 * 256 * 256 * 3, 7);
  for (int threads : {1, 2}) {
    SessionOptions so;
    so.max_batch = 2;
    so.max_image_height = 256;
    so.max_image_width = 256;
    so.threads = threads;
    auto session = Session::create(**model, so);
    REQUIRE_MESSAGE(session.is_ok(), std::string(session.status().message()));
    const float* inputs[1] = {image.data()};
    const int sizes[][3] = {{2, 256, 256}, {1, 64, 96}, {2, 32, 32}, {1, 256, 8}, {2, 256, 256}};
    for (const auto& sz : sizes) {
      InvokeInput in;
      in.batch = sz[0];
      in.image_height = sz[1];
      in.image_width = sz[2];
      in.float_inputs = Span<const float* const>(inputs, 1);
      testing::alloc_interposer::start();
      const Status s = (*session)->invoke(in);
      const size_t calls = testing::alloc_interposer::stop().calls;
      REQUIRE_MESSAGE(s.is_ok(), std::string(s.message()));
      INFO(convert::weight_dtype_name(dtype), " threads ", threads, " batch ", sz[0], " image ", sz[1], "x", sz[2]);
      CHECK(calls == 0);
    }
  }
}

TEST_CASE("a conv model allocates nothing per invoke at changing image sizes, 1 and 2 threads") {
  testing::alloc_interposer::require_active();
  check_zero_alloc(convert::WeightDType::kF32);
}

TEST_CASE("the same with fp16 and int8 conv weights") {
  testing::alloc_interposer::require_active();
  check_zero_alloc(convert::WeightDType::kF16);
  check_zero_alloc(convert::WeightDType::kI8);
}

}  // namespace
}  // namespace edgeattn
