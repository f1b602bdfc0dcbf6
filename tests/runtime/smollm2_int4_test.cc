// SmolLM2-135M-Instruct's Q4_1 GGUF converted with --dtype int4 (issue #19):
//   - its Q4_1 tensors become I4Blocks and its Q8_0 token table I8Blocks
//     byte for byte (the file's blocks, not a float round trip);
//   - given llama.cpp's own input (its RMS-normed embeddings of layer 0,
//     tests/fixtures/smollm2_llamacpp_layer0.json, read from its ggml graph
//     by tests/reference/make_smollm2_layer0_fixture.py), every kernel
//     table computes llama.cpp's q, k and v projections bit for bit: the
//     same Q8_1 activation codes, the same Q4_1 dot products in the same
//     float order (ggml's x86 quantize_row_q8_1 + ggml_vec_dot_q4_1_q8_1);
//   - the whole session's q, k, v are within 2e-3 x max |v| of llama.cpp's.
//     Not bit for bit: the RmsNorm before them rounds the last bit of a few
//     inputs differently (three float orders of one sum, within 1e-7),
//     which can move an activation across a rounding boundary of its 8-bit
//     code; one code step is amax / 127 of its block (measured: up to
//     5.8e-4 of the row's max |v|, one of four prompts on the reference
//     table, all on the ISA tables).
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "converter/importers.h"
#include "converter/model_builder.h"
#include "converter/quantize.h"
#include "converter/source/gguf.h"
#include "kernels/kernels.h"
#include "runtime/model.h"
#include "runtime/session.h"
#include "tests/runtime/tiny_model.h"
#include "tests/support/model_gate.h"
#include "tests/support/model_paths.h"

EDGEATTN_TEST_MODELS(kSmolLM2);

namespace edgeattn {
namespace {

std::string gguf_path() { return testing::find_model("smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"); }

struct Converted {
  testing::AlignedBuffer bytes;
  std::unique_ptr<Model> model;
};

const Converted& int4_model() {
  static const Converted* c = [] {
    convert::ModelBuilder mb;
    convert::import_any(gguf_path(), convert::ImportOptions{}, mb);
    convert::QuantizeOptions o;
    o.dtype = convert::WeightDType::kI4;
    convert::quantize_weights(mb, o);
    auto* out = new Converted{testing::AlignedBuffer(mb.serialize()), nullptr};
    auto m = Model::load_buffer(out->bytes.data(), out->bytes.size());
    REQUIRE_MESSAGE(m.is_ok(), m.status().message());
    out->model = std::move(*m);
    return out;
  }();
  return *c;
}

TEST_CASE("SmolLM2 int4: the GGUF's Q4_1 and Q8_0 blocks are the .eatn's, byte for byte") {
  const Model& m = *int4_model().model;
  const convert::GgufFile gguf = convert::GgufFile::open(gguf_path());
  size_t i4 = 0, i8 = 0;
  for (size_t i = 0; i < m.tensor_count(); ++i) {
    const TensorInfo& t = m.tensor(static_cast<int>(i));
    if (t.dtype != DType::kI4Blocks && t.dtype != DType::kI8Blocks) continue;
    (t.dtype == DType::kI4Blocks ? i4 : i8) += 1;
    const convert::SourceTensor& src = gguf.tensor(t.name);
    CAPTURE(std::string(t.name));
    REQUIRE(src.nbytes == t.bytes);
    CHECK(std::memcmp(src.data, t.data, t.bytes) == 0);
  }
  CHECK(i4 == 210);  // 7 matrices x 30 layers
  CHECK(i8 == 1);    // token_embd, also the tied LM head
}

std::vector<float> floats(const nlohmann::json& j) { return j.get<std::vector<float>>(); }

nlohmann::json layer0_fixture() {
  std::ifstream in(std::string(EDGEATTN_SOURCE_DIR) + "/tests/fixtures/smollm2_llamacpp_layer0.json");
  REQUIRE(in.good());
  return nlohmann::json::parse(in);
}

int tensor_named(const Model& m, const char* name) {
  for (size_t i = 0; i < m.tensor_count(); ++i) {
    if (std::strcmp(m.tensor(static_cast<int>(i)).name, name) == 0) return static_cast<int>(i);
  }
  FAIL("no tensor " << name);
  return -1;
}

TEST_CASE("SmolLM2 int4: on llama.cpp's layer-0 input, every table computes llama.cpp's q, k, v bit for bit") {
  const nlohmann::json fixture = layer0_fixture();
  const Model& m = *int4_model().model;
  const char* weights[] = {"blk.0.attn_q.weight", "blk.0.attn_k.weight", "blk.0.attn_v.weight"};
  const char* theirs[] = {"Qcur-0", "Kcur-0", "Vcur-0"};
  const size_t k = 576, rows = 2;
  std::vector<int8_t> xq(rows * k);            // [2, 576]
  std::vector<float> xd(rows * k / 32), xs(rows * k / 32);  // [2, 18] each
  const KernelTable* tables[kMaxKernelTables];
  const size_t n_tables = available_kernel_tables(tables, kMaxKernelTables);
  for (size_t ti = 0; ti < n_tables; ++ti) {
    CAPTURE(std::string(tables[ti]->name));
    for (const auto& c : fixture.at("cases")) {
      const std::vector<float> x = floats(c.at("attn_norm-0"));  // [2, 576]
      tables[ti]->f32_q8b_quantize(rows, k, x.data(), k, xq.data(), xd.data(), xs.data());
      for (int p = 0; p < 3; ++p) {
        CAPTURE(std::string(weights[p]));
        const TensorInfo& w = m.tensor(tensor_named(m, weights[p]));
        const size_t n = static_cast<size_t>(w.shape[0]);
        const std::vector<float> want = floats(c.at(theirs[p]));  // [2, n]
        std::vector<float> got(rows * n);
        tables[ti]->q8b_i4bw_gemm(rows, n, k, xq.data(), xd.data(), xs.data(), w.data, nullptr, got.data(), n);
        CHECK(std::memcmp(got.data(), want.data(), got.size() * sizeof(float)) == 0);
      }
    }
  }
}

TEST_CASE("SmolLM2 int4: a session's layer-0 projections track llama.cpp's") {
  const nlohmann::json fixture = layer0_fixture();
  const char* names[] = {"blk.0.attn_norm.out", "blk.0.q", "blk.0.k", "blk.0.v"};
  const char* theirs[] = {"attn_norm-0", "Qcur-0", "Kcur-0", "Vcur-0"};
  const KernelTable* tables[kMaxKernelTables];
  const size_t n_tables = available_kernel_tables(tables, kMaxKernelTables);
  for (size_t ti = 0; ti < n_tables; ++ti) {
    CAPTURE(std::string(tables[ti]->name));
    SessionOptions o;
    o.max_seq = 2;
    o.max_context = 2;
    o.kernels = tables[ti]->name;
    o.observe = Span<const char* const>(names, 4);
    auto s = Session::create(*int4_model().model, o);
    REQUIRE_MESSAGE(s.is_ok(), s.status().message());
    // Under emulation (a 30-layer pass is seconds there) the first prompt only.
    const size_t n_cases = testing::quick_mode() ? 1 : fixture.at("cases").size();
    for (size_t ci = 0; ci < n_cases; ++ci) {
      const nlohmann::json& c = fixture.at("cases")[ci];
      const std::vector<int32_t> ids = c.at("ids").get<std::vector<int32_t>>();
      CAPTURE(ids[0]);
      (*s)->reset();
      InvokeInput input;
      input.ids = ids.data();
      input.seq = 2;
      REQUIRE((*s)->invoke(input).is_ok());
      for (int k = 0; k < 4; ++k) {
        CAPTURE(std::string(names[k]));
        const std::vector<float> want = floats(c.at(theirs[k]));
        const TensorView got = (*s)->observed(names[k]);
        REQUIRE(static_cast<size_t>(got.element_count()) == want.size());
        double worst = 0, scale = 0;
        for (size_t i = 0; i < want.size(); ++i) {
          worst = std::max(worst, std::fabs(static_cast<double>(got.f32()[i]) - want[i]));
          scale = std::max(scale, std::fabs(static_cast<double>(want[i])));
        }
        CHECK(worst <= (k == 0 ? 1e-6 : 2e-3) * scale);
      }
    }
  }
}

}  // namespace
}  // namespace edgeattn
