// The ONNX importer (converter/onnx/import_onnx.h) on small graphs built
// here with the protobuf API: folding and fusion into Conv2D, ChannelAttention,
// LayerNorm, Attention (fused and separate q/k/v), views without ops,
// symbolic image dims, and malformed files (one ConvertError naming the node).
#include <doctest/doctest.h>

#include <cmath>
#include <map>
#include <string>

#include "converter/model_builder.h"
#include "converter/onnx/import_onnx.h"
#include "converter/source/convert_error.h"
#include "tests/converter/onnx_test_graph.h"

namespace {

using edgeattn::convert::ConvertError;
using edgeattn::convert::ModelBuilder;
using edgeattn::convert::OnnxImageSize;
using edgeattn::testing::OnnxGraph;
namespace fb = edgeattn::fb;

void import(const std::string& bytes, ModelBuilder& mb, OnnxImageSize size = {}) {
  edgeattn::convert::import_onnx_bytes(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), "t.onnx",
                                       "forward", size, mb);
}

std::string error_of(const std::string& bytes, OnnxImageSize size = {}) {
  ModelBuilder mb;
  try {
    import(bytes, mb, size);
  } catch (const ConvertError& e) {
    return e.what();
  }
  return "";
}

const fb::GraphT& graph(const ModelBuilder& mb) { return *mb.model().graphs.at(0); }

std::vector<fb::OpCode> codes(const ModelBuilder& mb) {
  std::vector<fb::OpCode> out;
  for (const auto& op : graph(mb).ops) out.push_back(op->code);
  return out;
}

size_t count(const ModelBuilder& mb, fb::OpCode c) {
  size_t n = 0;
  for (const auto& op : graph(mb).ops) n += op->code == c;
  return n;
}

const fb::OpT& first(const ModelBuilder& mb, fb::OpCode c) {
  for (const auto& op : graph(mb).ops) {
    if (op->code == c) return *op;
  }
  FAIL("no op of that code");
  return *graph(mb).ops.at(0);
}

std::string dims_of(const ModelBuilder& mb, int tensor) {
  std::string s;
  for (const fb::Dim& d : mb.model().tensors.at(static_cast<size_t>(tensor))->dims) {
    static const char* kinds[] = {"", "B", "S", "O", "SS", "Sel", "H/", "W/"};
    s += std::string(s.empty() ? "" : ",") + kinds[static_cast<int>(d.kind())] +
         (d.kind() == fb::DimKind::Fixed || d.kind() == fb::DimKind::Height || d.kind() == fb::DimKind::Width ? std::to_string(d.value()) : "");
  }
  return s;
}

// x * clip(x + 3, 0, 6) / 6 on `x`, paddle's hardswish.
std::string hardswish(OnnxGraph& g, const std::string& x, const std::string& tag) {
  g.node("Add", {x, g.scalar(tag + ".three", 3.f)}, {tag + ".a"}, tag + ".add");
  g.node("Clip", {tag + ".a", g.scalar(tag + ".lo", 0.f), g.scalar(tag + ".hi", 6.f)}, {tag + ".c"}, tag + ".clip");
  g.node("Mul", {x, tag + ".c"}, {tag + ".m"}, tag + ".mul");
  g.node("Div", {tag + ".m", g.scalar(tag + ".six", 6.f)}, {tag + ".out"}, tag + ".div");
  return tag + ".out";
}

}  // namespace

TEST_CASE("onnx: Conv + BatchNorm + hardswish chain become one Conv2D with folded weights") {
  OnnxGraph g;
  g.input("x", {-1, 3, -1, -1});
  g.conv("x", "c", 3, 4, 3, 2, 1, true);
  g.node("BatchNormalization",
         {"c", g.constant("gamma", {4}, {1, 2, 3, 4}), g.constant("beta", {4}, {0.5f, 0, 0, 0}),
          g.constant("mean", {4}, {1, 0, 0, 0}), g.constant("var", {4}, {3, 1, 1, 1})},
         {"bn"}, "bn");
  g.output(hardswish(g, "bn", "hs"));
  ModelBuilder mb;
  import(g.bytes(), mb);
  REQUIRE(codes(mb) == std::vector<fb::OpCode>{fb::OpCode::Conv2D});
  const fb::OpT& op = *graph(mb).ops[0];
  const auto* o = op.options.AsConv2DOptions();
  CHECK(o->activation == fb::Activation::HardSwish);
  CHECK(o->stride_h == 2);
  CHECK(o->pad_top == 1);
  CHECK(o->pad_right == 1);
  const float s0 = 1.f / std::sqrt(3.f + 1e-5f);
  // ONNX w[0, 0, 0, 0] is edgeattn w[0, 0, 0, 0]; w[0, 1, 0, 0] is edgeattn [0, 0, 0, 1].
  const std::vector<float> w = mb.constant_f32(op.inputs[1]);
  CHECK(w[0] == doctest::Approx(-0.05f * s0));
  CHECK(w[1] == doctest::Approx((0.01f * 9 - 0.05f) * s0));
  CHECK(mb.shape(op.inputs[1]) == std::vector<int64_t>{4, 3, 3, 3});
  const std::vector<float> b = mb.constant_f32(op.inputs[2]);
  CHECK(b[0] == doctest::Approx((0.f - 1.f) * s0 + 0.5f));
  CHECK(dims_of(mb, graph(mb).inputs[0]) == "B,H/1,W/1,3");
  CHECK(dims_of(mb, op.outputs[0]) == "B,H/2,W/2,4");
  CHECK(graph(mb).outputs[0] == op.outputs[0]);
  CHECK(mb.model().hparams->architecture == fb::Architecture::ImportedGraph);
}

TEST_CASE("onnx: learnable affine block folds into the conv and its post_scale / post_shift") {
  OnnxGraph g;
  g.input("x", {-1, 3, 32, 32});
  g.conv("x", "c", 3, 2, 1, 1, 0, true);
  g.node("Mul", {g.constant_node("k0", 2.f), "c"}, {"m0"}, "lab0.mul");
  g.node("Add", {"m0", g.constant_node("k1", 0.5f)}, {"a0"}, "lab0.add");
  g.node("Relu", {"a0"}, {"r"}, "relu");
  g.node("Mul", {g.constant_node("k2", 3.f), "r"}, {"m1"}, "lab1.mul");
  g.node("Add", {"m1", g.constant_node("k3", 1.f)}, {"y"}, "lab1.add");
  g.output("y");
  ModelBuilder mb;
  import(g.bytes(), mb);
  REQUIRE(codes(mb) == std::vector<fb::OpCode>{fb::OpCode::Conv2D});
  const fb::OpT& op = *graph(mb).ops[0];
  const auto* o = op.options.AsConv2DOptions();
  CHECK(o->activation == fb::Activation::Relu);
  CHECK(o->post_scale == doctest::Approx(3.f));
  CHECK(o->post_shift == doctest::Approx(1.f));
  CHECK(mb.constant_f32(op.inputs[2])[1] == doctest::Approx(0.1f * 2 + 0.5f));
  CHECK(mb.constant_f32(op.inputs[1])[0] == doctest::Approx(-0.05f * 2));
  CHECK(dims_of(mb, op.outputs[0]) == "B,32,32,2");
}

TEST_CASE("onnx: squeeze-and-excitation becomes ChannelAttention (bias as Reshape + Add, the classifier's form)") {
  OnnxGraph g;
  g.input("x", {-1, 3, -1, -1});
  g.conv("x", "c", 3, 8, 3, 1, 1, false);
  g.node("Relu", {"c"}, {"r"}, "relu");
  g.node("GlobalAveragePool", {"r"}, {"p"}, "gap");
  g.conv("p", "s1", 8, 2, 1, 1, 0, false);
  g.node("Reshape", {g.constant("b1", {2}, {0.1f, 0.2f}), g.ints("b1.shape", {1, 2, 1, 1})}, {"b1r"}, "b1.reshape");
  g.node("Add", {"s1", "b1r"}, {"s1b"}, "s1.add");
  g.node("Relu", {"s1b"}, {"s1r"}, "s1.relu");
  g.conv("s1r", "s2", 2, 8, 1, 1, 0, true);
  auto* hs = g.node("HardSigmoid", {"s2"}, {"gate"}, "gate");
  OnnxGraph::attr(hs, "alpha", 0.2f);
  g.node("Mul", {"r", "gate"}, {"y"}, "se.mul");
  g.output("y");
  ModelBuilder mb;
  import(g.bytes(), mb);
  REQUIRE(codes(mb) == std::vector<fb::OpCode>{fb::OpCode::Conv2D, fb::OpCode::ChannelAttention});
  const fb::OpT& ca = *graph(mb).ops[1];
  CHECK(ca.inputs[0] == graph(mb).ops[0]->outputs[0]);
  CHECK(mb.shape(ca.inputs[1]) == std::vector<int64_t>{2, 8});
  CHECK(mb.shape(ca.inputs[3]) == std::vector<int64_t>{8, 2});
  CHECK(mb.constant_f32(ca.inputs[2]) == std::vector<float>{0.1f, 0.2f});
  const auto* o = ca.options.AsChannelAttentionOptions();
  CHECK(o->activation == fb::Activation::Relu);
  CHECK(o->gate == fb::Activation::HardSigmoid);
  CHECK(graph(mb).ops[0]->options.AsConv2DOptions()->activation == fb::Activation::Relu);
  CHECK(dims_of(mb, ca.outputs[0]) == "B,H/1,W/1,8");
}

namespace {

// x [N, C, 1, W] -> Reshape [N, C, -1] (through Shape / Slice / Concat, as
// paddle2onnx writes it) -> Transpose [0, 2, 1]: [N, W, C].
std::string neck(OnnxGraph& g, int64_t c) {
  g.input("x", {-1, c, 1, -1});
  g.node("Shape", {"x"}, {"sh"}, "shape");
  g.node("Slice", {"sh", g.ints("s0", {0}), g.ints("s1", {2}), g.ints("s2", {0})}, {"nc"}, "slice");
  g.node("Concat", {"nc", g.ints("minus1", {-1})}, {"tgt"}, "concat");
  g.node("Reshape", {"x", "tgt"}, {"flat"}, "flatten");
  auto* t = g.node("Transpose", {"flat"}, {"seq"}, "to_seq");
  OnnxGraph::attr(t, "perm", std::vector<int64_t>{0, 2, 1});
  return "seq";
}

void reduce_mean(OnnxGraph& g, const std::string& x, const std::string& out, const std::string& name) {
  auto* n = g.node("ReduceMean", {x}, {out}, name);
  OnnxGraph::attr(n, "axes", std::vector<int64_t>{-1});
}

std::string layer_norm(OnnxGraph& g, const std::string& x, int64_t d, const std::string& tag) {
  reduce_mean(g, x, tag + ".mean", tag + ".rm0");
  g.node("Sub", {x, tag + ".mean"}, {tag + ".d"}, tag + ".sub");
  g.node("Pow", {tag + ".d", g.scalar(tag + ".two", 2.f)}, {tag + ".sq"}, tag + ".pow");
  reduce_mean(g, tag + ".sq", tag + ".var", tag + ".rm1");
  g.node("Add", {tag + ".var", g.scalar(tag + ".eps", 1e-6f)}, {tag + ".ve"}, tag + ".add_eps");
  g.node("Sqrt", {tag + ".ve"}, {tag + ".sd"}, tag + ".sqrt");
  g.node("Div", {tag + ".d", tag + ".sd"}, {tag + ".n"}, tag + ".div");
  std::vector<float> gamma(static_cast<size_t>(d), 2.f), beta(static_cast<size_t>(d), 0.25f);
  g.node("Mul", {tag + ".n", g.constant(tag + ".gamma", {d}, gamma)}, {tag + ".g"}, tag + ".gamma_mul");
  g.node("Add", {tag + ".g", g.constant(tag + ".beta", {d}, beta)}, {tag + ".out"}, tag + ".beta_add");
  return tag + ".out";
}

std::vector<float> ramp(size_t n, float scale) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = scale * static_cast<float>(i);
  return v;
}

}  // namespace

TEST_CASE("onnx: Reshape / Transpose views and the LayerNorm chain: no Transpose op") {
  OnnxGraph g;
  const std::string seq = neck(g, 4);
  g.output(layer_norm(g, seq, 4, "ln"));
  ModelBuilder mb;
  import(g.bytes(), mb);
  // The input [B, 1, W, 4] is the sequence [B, W, 4] already: LayerNorm reads
  // it in place; only the output is reshaped to the rank ONNX gives it.
  REQUIRE(codes(mb) == std::vector<fb::OpCode>{fb::OpCode::LayerNorm, fb::OpCode::Reshape});
  const fb::OpT& ln = *graph(mb).ops[0];
  CHECK(ln.inputs[0] == graph(mb).inputs[0]);
  CHECK(ln.options.AsNormOptions()->epsilon == doctest::Approx(1e-6f));
  CHECK(mb.constant_f32(ln.inputs[1]) == std::vector<float>(4, 2.f));
  CHECK(mb.constant_f32(ln.inputs[2]) == std::vector<float>(4, 0.25f));
  CHECK(dims_of(mb, graph(mb).outputs[0]) == "B,W/1,4");
}

TEST_CASE("onnx: SVTR attention with a fused qkv projection -> three FullyConnected + Attention") {
  OnnxGraph g;
  const std::string seq = neck(g, 8);
  g.node("MatMul", {seq, g.constant("wqkv", {8, 24}, ramp(8 * 24, 0.01f))}, {"qkv0"}, "qkv.matmul");
  g.node("Add", {"qkv0", g.constant("bqkv", {24}, ramp(24, 1.f))}, {"qkv"}, "qkv.add");
  g.node("Shape", {seq}, {"sq.shape"}, "sq.shape");
  g.node("Slice", {"sq.shape", g.ints("t0", {1}), g.ints("t1", {2}), g.ints("t2", {0})}, {"T"}, "T");
  g.node("Concat", {g.ints("zero", {0}), "T", g.ints("three", {3}), g.ints("heads", {2}), g.ints("dh", {4})}, {"tg"}, "tg");
  g.node("Reshape", {"qkv", "tg"}, {"qkv5"}, "qkv.reshape");
  OnnxGraph::attr(g.node("Transpose", {"qkv5"}, {"qkvt"}, "qkv.transpose"), "perm", std::vector<int64_t>{2, 0, 3, 1, 4});
  const char* parts[] = {"q", "k", "v"};
  for (int64_t i = 0; i < 3; ++i) {
    const std::string p = parts[i];
    g.node("Slice", {"qkvt", g.ints(p + ".b", {i}), g.ints(p + ".e", {i + 1}), g.ints(p + ".ax", {0})}, {p + ".s"}, p + ".slice");
    OnnxGraph::attr(g.node("Squeeze", {p + ".s"}, {p}, p + ".squeeze"), "axes", std::vector<int64_t>{0});
  }
  g.node("Mul", {"q", g.constant("scale", {1}, {0.5f})}, {"qs"}, "q.scale");
  OnnxGraph::attr(g.node("Transpose", {"k"}, {"kt"}, "k.t"), "perm", std::vector<int64_t>{0, 1, 3, 2});
  g.node("MatMul", {"qs", "kt"}, {"scores"}, "qk");
  OnnxGraph::attr(g.node("Softmax", {"scores"}, {"probs"}, "softmax"), "axis", int64_t{3});
  g.node("MatMul", {"probs", "v"}, {"ctx"}, "pv");
  OnnxGraph::attr(g.node("Transpose", {"ctx"}, {"ctxt"}, "ctx.t"), "perm", std::vector<int64_t>{0, 2, 1, 3});
  g.node("Reshape", {"ctxt", g.ints("back", {0, -1, 8})}, {"y"}, "ctx.reshape");
  g.output("y");
  ModelBuilder mb;
  import(g.bytes(), mb);
  CHECK(count(mb, fb::OpCode::FullyConnected) == 3);
  CHECK(count(mb, fb::OpCode::Attention) == 1);
  CHECK(count(mb, fb::OpCode::Transpose) == 0);
  const fb::OpT& att = first(mb, fb::OpCode::Attention);
  const auto* o = att.options.AsAttentionOptions();
  CHECK(o->n_heads == 2);
  CHECK(o->n_kv_heads == 2);
  CHECK(o->head_dim == 4);
  CHECK(o->scale == doctest::Approx(0.5f));
  CHECK(o->mask == fb::AttentionMask::None);
  CHECK(o->kv_cache_slot == -1);
  CHECK(dims_of(mb, att.inputs[0]) == "B,W/1,8");
  // k's FC: rows 8..15 of the transposed [24, 8] weight: w[j, i] = W[i, 8 + j].
  const fb::OpT& fc_k = *graph(mb).ops[1];
  CHECK(fc_k.name == "qkv.matmul.k");
  const std::vector<float> wk = mb.constant_f32(fc_k.inputs[1]);
  CHECK(wk[0] == doctest::Approx(0.01f * 8));
  CHECK(wk[1] == doctest::Approx(0.01f * (24 + 8)));
  CHECK(mb.constant_f32(fc_k.inputs[2])[0] == doctest::Approx(8.f));
  CHECK(dims_of(mb, graph(mb).outputs[0]) == "B,W/1,8");
}

TEST_CASE("onnx: attention with separate q / k / v projections (torch's ViT form)") {
  OnnxGraph g(13);
  const std::string seq = neck(g, 8);
  for (const std::string p : {"q", "k", "v"}) {
    g.node("MatMul", {seq, g.constant(p + ".w", {8, 8}, ramp(64, 0.02f))}, {p + ".mm"}, p + ".matmul");
    g.node("Add", {p + ".mm", g.constant(p + ".bias", {8}, ramp(8, 1.f))}, {p + ".fc"}, p + ".add");
    g.node("Reshape", {p + ".fc", g.ints(p + ".split", {0, -1, 2, 4})}, {p + ".h"}, p + ".heads");
    OnnxGraph::attr(g.node("Transpose", {p + ".h"}, {p + ".t"}, p + ".transpose"), "perm",
                    p == "k" ? std::vector<int64_t>{0, 2, 3, 1} : std::vector<int64_t>{0, 2, 1, 3});
  }
  g.node("MatMul", {"q.t", "k.t"}, {"scores"}, "qk");
  g.node("Div", {"scores", g.scalar("sqrt_dh", 2.f)}, {"scaled"}, "scale");
  OnnxGraph::attr(g.node("Softmax", {"scaled"}, {"probs"}, "softmax"), "axis", int64_t{-1});
  g.node("MatMul", {"probs", "v.t"}, {"ctx"}, "pv");
  OnnxGraph::attr(g.node("Transpose", {"ctx"}, {"ctxt"}, "ctx.t"), "perm", std::vector<int64_t>{0, 2, 1, 3});
  g.node("Reshape", {"ctxt", g.ints("back", {0, -1, 8})}, {"y"}, "ctx.reshape");
  g.output("y");
  ModelBuilder mb;
  import(g.bytes(), mb);
  CHECK(count(mb, fb::OpCode::FullyConnected) == 3);
  CHECK(count(mb, fb::OpCode::Attention) == 1);
  CHECK(count(mb, fb::OpCode::Transpose) == 0);
  const auto* o = first(mb, fb::OpCode::Attention).options.AsAttentionOptions();
  CHECK(o->n_heads == 2);
  CHECK(o->head_dim == 4);
  CHECK(o->scale == doctest::Approx(0.5f));
}

TEST_CASE("onnx: symbolic image dims through stride-2 convs and a x2 Resize; inexact ones need a fixed size") {
  OnnxGraph g;
  g.input("x", {-1, 3, -1, -1});
  g.conv("x", "c1", 3, 4, 3, 2, 1, false);
  g.conv("c1", "c2", 4, 4, 3, 2, 1, false);
  auto* r = g.node("Resize", {"c2", g.constant("roi", {0}, {}), g.constant("scales", {4}, {1, 1, 2, 2})}, {"up"}, "up");
  OnnxGraph::attr(r, "mode", std::string("nearest"));
  OnnxGraph::attr(r, "coordinate_transformation_mode", std::string("asymmetric"));
  OnnxGraph::attr(r, "nearest_mode", std::string("floor"));
  g.node("Concat", {"up", "c1"}, {"cat"}, "cat");  // channel axis 1 -> NHWC axis 3
  g.output("cat");
  ModelBuilder mb;
  import(g.bytes(), mb);
  REQUIRE(codes(mb) == std::vector<fb::OpCode>{fb::OpCode::Conv2D, fb::OpCode::Conv2D, fb::OpCode::Resize, fb::OpCode::Concat});
  CHECK(dims_of(mb, graph(mb).ops[1]->outputs[0]) == "B,H/4,W/4,4");
  CHECK(dims_of(mb, graph(mb).ops[2]->outputs[0]) == "B,H/2,W/2,4");
  CHECK(graph(mb).ops[3]->options.AsConcatOptions()->axis == 3);
  CHECK(dims_of(mb, graph(mb).outputs[0]) == "B,H/2,W/2,8");

  // k 3, stride 2, no padding: (h - 3) / 2 + 1 is not h / 2.
  OnnxGraph bad;
  bad.input("x", {-1, 3, -1, -1});
  bad.conv("x", "c", 3, 4, 3, 2, 0, false);
  bad.output("c");
  const std::string e = error_of(bad.bytes());
  CHECK(e.find("node 'c.conv' (Conv)") != std::string::npos);
  CHECK(e.find("--image-height") != std::string::npos);
  ModelBuilder fixed;
  import(bad.bytes(), fixed, OnnxImageSize{33, 65});
  CHECK(dims_of(fixed, graph(fixed).outputs[0]) == "B,16,32,4");
}

TEST_CASE("onnx: malformed files are one ConvertError naming what is wrong") {
  OnnxGraph g;
  g.input("x", {-1, 3, -1, -1});
  g.conv("x", "c", 3, 4, 3, 1, 1, true);
  g.output("c");
  const std::string good = g.bytes();
  CHECK(error_of(good).empty());
  CHECK(error_of(good.substr(0, good.size() / 2)).find("does not parse") != std::string::npos);
  CHECK(error_of("").find("empty") != std::string::npos);

  {  // an input no node produces ("bad index")
    OnnxGraph b;
    b.input("x", {-1, 3, -1, -1});
    b.node("Relu", {"nowhere"}, {"y"}, "r0");
    b.output("y");
    const std::string e = error_of(b.bytes());
    CHECK(e.find("node 'r0' (Relu)") != std::string::npos);
    CHECK(e.find("'nowhere'") != std::string::npos);
  }
  {  // unknown op type: named with its inputs
    OnnxGraph b;
    b.input("x", {-1, 3, -1, -1});
    b.node("FancyOp", {"x"}, {"y"}, "f0");
    b.output("y");
    const std::string e = error_of(b.bytes());
    CHECK(e.find("node 'f0' (FancyOp)") != std::string::npos);
    CHECK(e.find("'x' [B, 3, H, W]") != std::string::npos);
  }
  {  // a missing required input
    OnnxGraph b;
    b.input("x", {-1, 3, -1, -1});
    b.node("Conv", {"x", ""}, {"y"}, "conv0");
    b.output("y");
    CHECK(error_of(b.bytes()).find("node 'conv0' (Conv): input 1 is missing") != std::string::npos);
  }
  {  // dims that overflow
    OnnxGraph b;
    b.input("x", {-1, 3, -1, -1});
    auto* t = b.graph().add_initializer();
    t->set_name("huge");
    t->set_data_type(onnx::TensorProto::FLOAT);
    t->add_dims(int64_t{1} << 40);
    t->add_dims(int64_t{1} << 40);
    b.node("Relu", {"x"}, {"y"}, "r");
    b.output("y");
    const std::string e = error_of(b.bytes());
    CHECK(e.find("initializer 'huge'") != std::string::npos);
  }
  {  // raw_data of the wrong size, inside a Constant node
    OnnxGraph b;
    b.input("x", {-1, 3, -1, -1});
    auto* n = b.node("Constant", {}, {"k"}, "const0");
    auto* a = n->add_attribute();
    a->set_name("value");
    a->set_type(onnx::AttributeProto::TENSOR);
    a->mutable_t()->set_data_type(onnx::TensorProto::FLOAT);
    a->mutable_t()->add_dims(1000000);
    a->mutable_t()->set_raw_data(std::string(12, '\0'));
    b.node("Add", {"x", "k"}, {"y"}, "add0");
    b.output("y");
    const std::string e = error_of(b.bytes());
    CHECK(e.find("node 'const0' (Constant)") != std::string::npos);
    CHECK(e.find("raw_data holds 12 bytes") != std::string::npos);
  }
  {  // a weight that does not fit the input's channels
    OnnxGraph b;
    b.input("x", {-1, 3, -1, -1});
    b.conv("x", "c", 5, 4, 3, 1, 1, false);
    b.output("c");
    CHECK(error_of(b.bytes()).find("node 'c.conv' (Conv)") != std::string::npos);
  }
}
