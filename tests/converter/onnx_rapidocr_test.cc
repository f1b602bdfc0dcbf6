// RapidOCR's real models through the ONNX importer: the folder becomes one
// model with methods det, cls and rec; op counts, dims and the recognizer's
// character table. (Numerics against onnxruntime need the runtime's image
// ops; they are checked where those land.)
#include <doctest/doctest.h>

#include <map>
#include <string>

#include "converter/model_builder.h"
#include "converter/onnx/import_onnx.h"
#include "tests/support/model_gate.h"
#include "tests/support/model_paths.h"

EDGEATTN_TEST_MODELS(kRapidOcr);

namespace {

using edgeattn::convert::ModelBuilder;
namespace fb = edgeattn::fb;

const ModelBuilder& rapidocr() {
  static ModelBuilder* mb = [] {
    auto* m = new ModelBuilder;
    (void)edgeattn::testing::require_model("rapidocr/models/ch_PP-OCRv4_rec_infer.onnx");
    edgeattn::convert::import_onnx(edgeattn::testing::rapidocr_models_dir(), {}, *m);
    return m;
  }();
  return *mb;
}

const fb::GraphT& method(const std::string& name) {
  for (const auto& g : rapidocr().model().graphs) {
    if (g->name == name) return *g;
  }
  FAIL("no method " << name);
  return *rapidocr().model().graphs.at(0);
}

std::map<fb::OpCode, int> counts(const fb::GraphT& g) {
  std::map<fb::OpCode, int> c;
  for (const auto& op : g.ops) ++c[op->code];
  return c;
}

std::string dims(int tensor) {
  std::string s;
  for (const fb::Dim& d : rapidocr().model().tensors.at(static_cast<size_t>(tensor))->dims) {
    if (!s.empty()) s += ",";
    switch (d.kind()) {
      case fb::DimKind::Batch: s += "B"; break;
      case fb::DimKind::Height: s += "H/" + std::to_string(d.value()); break;
      case fb::DimKind::Width: s += "W/" + std::to_string(d.value()); break;
      default: s += std::to_string(d.value());
    }
  }
  return s;
}

}  // namespace

TEST_CASE("rapidocr: det keeps symbolic sizes, 10 ChannelAttention, no Transpose") {
  const fb::GraphT& det = method("det");
  std::map<fb::OpCode, int> c = counts(det);
  MESSAGE("det ops: " << det.ops.size());
  CHECK(c[fb::OpCode::ChannelAttention] == 10);
  CHECK(c[fb::OpCode::Transpose] == 0);
  CHECK(c[fb::OpCode::Reshape] == 0);
  CHECK(c[fb::OpCode::Conv2D] == 62 - 20);  // the SE blocks' 1x1 convs live in ChannelAttention
  CHECK(c[fb::OpCode::ConvTranspose2D] == 2);
  CHECK(c[fb::OpCode::Resize] == 6);
  CHECK(c[fb::OpCode::Concat] == 1);
  CHECK(dims(det.inputs[0]) == "B,H/1,W/1,3");
  CHECK(dims(det.outputs[0]) == "B,H/1,W/1,1");
  // The last ConvTranspose has the bias Add, BatchNorm-free tail and the sigmoid fused.
  const fb::OpT& last = *det.ops.back();
  CHECK(last.code == fb::OpCode::ConvTranspose2D);
  CHECK(last.options.AsConv2DOptions()->activation == fb::Activation::Sigmoid);
}

TEST_CASE("rapidocr: cls at 48x192 ends in [B, 2]") {
  const fb::GraphT& cls = method("cls");
  std::map<fb::OpCode, int> c = counts(cls);
  CHECK(c[fb::OpCode::Transpose] == 0);
  CHECK(c[fb::OpCode::FullyConnected] == 1);
  CHECK(c[fb::OpCode::Softmax] == 1);
  CHECK(c[fb::OpCode::Pointwise] == 0);
  CHECK(dims(cls.inputs[0]) == "B,48,192,3");
  CHECK(dims(cls.outputs[0]) == "B,2");
}

TEST_CASE("rapidocr: rec at height 48: 2 SVTR attention blocks, [B, W/8, 6625], the CTC table") {
  const fb::GraphT& rec = method("rec");
  std::map<fb::OpCode, int> c = counts(rec);
  MESSAGE("rec ops: " << rec.ops.size() << ", Reshape " << c[fb::OpCode::Reshape] << ", Pointwise " << c[fb::OpCode::Pointwise]);
  CHECK(c[fb::OpCode::Attention] == 2);
  CHECK(c[fb::OpCode::LayerNorm] == 5);
  CHECK(c[fb::OpCode::Transpose] == 0);
  CHECK(c[fb::OpCode::FullyConnected] == 2 * 3 + 2 * 3 + 1);  // q k v, out, 2 MLP per block; the head
  CHECK(dims(rec.inputs[0]) == "B,48,W/1,3");
  CHECK(dims(rec.outputs[0]) == "B,W/8,6625");
  const auto& tok = rapidocr().model().tokenizer;
  REQUIRE(tok != nullptr);
  CHECK(tok->kind == fb::TokenizerKind::CtcCharacters);
  CHECK(tok->pieces.size() == 6625);
  CHECK(tok->pieces.front().empty());
  CHECK(tok->pieces.back() == " ");
}
