// The vision attention ops (format 1.6) end to end: CBAM's channel (max
// branch) and spatial attention, SKNet's branch attention, the Attention
// U-Net gate; one-op models built in memory, run on every kernel table at
// several sizes and batches, 1 and 2 threads, against naive implementations
// written from the papers (vision_attention_naive.h). Tolerance: the
// harness's 1e-5 (1 + |want|) (image_ops_test.cc explains it): each output
// sums at most a few hundred float products.
#include <doctest/doctest.h>

#include <vector>

#include "converter/model_builder.h"
#include "tests/runtime/image_ops_harness.h"
#include "tests/runtime/vision_attention_naive.h"
#include "tests/support/model_paths.h"

namespace edgeattn {
namespace {

using convert::batch;
using convert::fixed;
using convert::ModelBuilder;
using naive::Img;
using namespace image_test;  // NOLINT: the harness is this file's vocabulary

void check_cbam_channel(int64_t c, int64_t cr, const std::vector<Size>& sizes, const char* what) {
  const std::vector<float> w1 = random_values(static_cast<size_t>(cr * c), 51), b1 = random_values(static_cast<size_t>(cr), 52);
  const std::vector<float> w2 = random_values(static_cast<size_t>(c * cr), 53), b2 = random_values(static_cast<size_t>(c), 54);
  fb::ChannelAttentionOptionsT o;
  o.gate = fb::Activation::Sigmoid;
  o.max_pool = true;
  const std::vector<uint8_t> file = image_model(1, c, [&](ModelBuilder& mb, int x) {
    const int t1 = mb.add_constant_f32("w1", {cr, c}, w1), tb1 = mb.add_constant_f32("b1", {cr}, b1);
    const int t2 = mb.add_constant_f32("w2", {c, cr}, w2), tb2 = mb.add_constant_f32("b2", {c}, b2);
    const int y = mb.add_activation("y", {batch(), height(1), width(1), fixed(c)});
    mb.add_op(fb::OpCode::ChannelAttention, {x, t1, tb1, t2, tb2}, {y}, "cbam.channel", o);
    return y;
  });
  check_image_op(file, 1, c, [&](const Img& x) {
    return naive::cbam_channel(x, w1, b1, w2, b2, cr, fb::Activation::Relu, fb::Activation::Sigmoid).v;
  }, what, sizes);
}

void check_spatial(int64_t c, int64_t k, bool with_bias, const std::vector<Size>& sizes, const char* what) {
  const std::vector<float> w = random_values(static_cast<size_t>(k * k * 2), 61);
  const float bias = with_bias ? 0.3f : 0.0f;
  const std::vector<uint8_t> file = image_model(1, c, [&](ModelBuilder& mb, int x) {
    const int wt = mb.add_constant_f32("w", {k, k, 2}, w);
    const int bt = with_bias ? mb.add_constant_f32("b", {1}, {bias}) : -1;
    const int y = mb.add_activation("y", {batch(), height(1), width(1), fixed(c)});
    mb.add_op(fb::OpCode::SpatialAttention, {x, wt, bt}, {y}, "cbam.spatial", fb::SpatialAttentionOptionsT());
    return y;
  });
  check_image_op(file, 1, c, [&](const Img& x) { return naive::spatial_attention(x, w, k, k, bias).v; }, what, sizes);
}

// Three branches made from x inside the model: relu(x), sigmoid(0.5 x + 0.25), x.
void check_branch(int64_t c, int64_t d, const std::vector<Size>& sizes, const char* what) {
  const int64_t m = 3;
  const std::vector<float> w1 = random_values(static_cast<size_t>(d * c), 71), b1 = random_values(static_cast<size_t>(d), 72);
  const std::vector<float> w2 = random_values(static_cast<size_t>(m * c * d), 73, -2.0f, 2.0f);
  const std::vector<float> b2 = random_values(static_cast<size_t>(m * c), 74);
  fb::PointwiseOptionsT relu, sig;
  relu.activation = fb::Activation::Relu;
  sig.activation = fb::Activation::Sigmoid;
  sig.pre_scale = 0.5f;
  sig.pre_shift = 0.25f;
  const std::vector<uint8_t> file = image_model(1, c, [&](ModelBuilder& mb, int x) {
    const int u0 = mb.add_activation("u0", {batch(), height(1), width(1), fixed(c)});
    const int u1 = mb.add_activation("u1", {batch(), height(1), width(1), fixed(c)});
    mb.add_op(fb::OpCode::Pointwise, {x}, {u0}, "branch0", relu);
    mb.add_op(fb::OpCode::Pointwise, {x}, {u1}, "branch1", sig);
    const int t1 = mb.add_constant_f32("w1", {d, c}, w1), tb1 = mb.add_constant_f32("b1", {d}, b1);
    const int t2 = mb.add_constant_f32("w2", {m * c, d}, w2), tb2 = mb.add_constant_f32("b2", {m * c}, b2);
    const int y = mb.add_activation("y", {batch(), height(1), width(1), fixed(c)});
    fb::BranchAttentionOptionsT o;
    o.branches = static_cast<int>(m);
    mb.add_op(fb::OpCode::BranchAttention, {u0, u1, x, t1, tb1, t2, tb2}, {y}, "sk", o);
    return y;
  });
  check_image_op(file, 1, c, [&](const Img& x) {
    return naive::branch_attention({naive::pointwise(x, relu), naive::pointwise(x, sig), x}, w1, b1, w2, b2, d).v;
  }, what, sizes);
}

// g = a 1x1 convolution of x (cx -> cg channels) inside the model.
void check_gate(int64_t cx, int64_t cg, int64_t ci, const std::vector<Size>& sizes, const char* what) {
  const std::vector<float> wc = random_values(static_cast<size_t>(cg * cx), 81);
  const std::vector<float> wx = random_values(static_cast<size_t>(ci * cx), 82), wg = random_values(static_cast<size_t>(ci * cg), 83);
  const std::vector<float> b = random_values(static_cast<size_t>(ci), 84), wpsi = random_values(static_cast<size_t>(ci), 85);
  const float bpsi = -0.2f;
  fb::Conv2DOptionsT co;
  co.stride_h = co.stride_w = 1;
  const std::vector<uint8_t> file = image_model(1, cx, [&](ModelBuilder& mb, int x) {
    const int g = mb.add_activation("g", {batch(), height(1), width(1), fixed(cg)});
    mb.add_op(fb::OpCode::Conv2D, {x, mb.add_constant_f32("wc", {cg, 1, 1, cx}, wc), -1}, {g}, "gating", co);
    const int y = mb.add_activation("y", {batch(), height(1), width(1), fixed(cx)});
    mb.add_op(fb::OpCode::AttentionGate,
              {x, g, mb.add_constant_f32("wx", {ci, cx}, wx), mb.add_constant_f32("wg", {ci, cg}, wg),
               mb.add_constant_f32("b", {ci}, b), mb.add_constant_f32("wpsi", {1, ci}, wpsi),
               mb.add_constant_f32("bpsi", {1}, {bpsi})},
              {y}, "gate", fb::AttentionGateOptionsT());
    return y;
  });
  check_image_op(file, 1, cx, [&](const Img& x) {
    const Img g = naive::conv2d(x, wc, nullptr, cg, 1, 1, co);
    return naive::attention_gate(x, g, wx, wg, b, wpsi, bpsi, ci).v;
  }, what, sizes);
}

TEST_CASE("ChannelAttention with the max branch (CBAM)") { check_cbam_channel(12, 3, kSizes, "cbam channel"); }

TEST_CASE("SpatialAttention (CBAM): 7x7 with bias, 3x3 without") {
  check_spatial(5, 7, true, kSizes, "spatial 7x7");
  check_spatial(16, 3, false, kSizes, "spatial 3x3");
}

TEST_CASE("BranchAttention (SKNet): three branches") { check_branch(10, 4, kSizes, "branch attention"); }

TEST_CASE("AttentionGate (Attention U-Net): cx != cg") { check_gate(6, 9, 5, kSizes, "attention gate"); }

// Sizes past EvalContext::kMinParallelWork so the rows, partial sums and
// tiles split across two threads.
TEST_CASE("Vision attention ops on 2 threads") {
  // Under qemu (quick mode) the small cases above cover the ARM tables;
  // the 64 x 64 images on two threads run natively and under the sanitizers.
  if (testing::quick_mode()) return;
  const ScopedRunConfig two_threads(2, 64);
  const std::vector<Size> big = {{2, 64, 64}};
  check_cbam_channel(256, 16, big, "threads: cbam channel");
  check_spatial(256, 7, true, big, "threads: spatial 7x7");
  check_branch(128, 16, big, "threads: branch attention");
  check_gate(32, 32, 16, big, "threads: attention gate");
}

}  // namespace
}  // namespace edgeattn
