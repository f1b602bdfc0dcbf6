// F16 GGUF input: stories260K.gguf rewritten (GgufWriter) once with F16
// weight matrices and once with F32 matrices holding exactly the F16-rounded
// values. The converter widens F16 to F32 exactly, so both must convert to
// models with bit-identical logits. 1-D norm weights stay F32 in both, as
// llama.cpp writes F16 models. How far the F16 model's greedy text follows
// the original F32 model's is reported, not asserted: rounding the weights
// may legitimately change an argmax.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "converter/source/gguf.h"
#include "converter/source/gguf_writer.h"
#include "runtime/model.h"
#include "runtime/sampler.h"
#include "runtime/session.h"
#include "schema/edgeattn_generated.h"
#include "tests/support/model_gate.h"
#include "tests/support/model_paths.h"
#include "tests/support/models.h"

EDGEATTN_TEST_MODELS(kStories260KGguf);

namespace edgeattn {
namespace {

using convert::GgufFile;
using convert::GgufFloatMode;
using convert::SourceDType;

// Greedy from BOS through the shared helper; fails the test if a call failed.
testing::GreedyRun greedy(const Model& model, int steps) {
  testing::GreedyRun g = testing::greedy_from_bos(model, steps);
  REQUIRE_MESSAGE(g.error.empty(), g.error);
  return g;
}

std::string text_of(const Model& model, const std::vector<int32_t>& tokens) {
  const Tokenizer& tok = *model.tokenizer();
  std::string s;
  int32_t prev = tok.bos_id();
  for (int32_t t : tokens) {
    s += std::string(tok.decode_piece(prev, t));
    prev = t;
  }
  return s;
}

TEST_CASE("stories260K GGUF: F16 weights and F16-valued F32 weights give bit-identical logits") {
  const std::string src_path = testing::require_model("stories260K-gguf/stories260K.gguf");
  const std::string dir = testing::temp_dir("gguf_f16");
  const GgufFile src = GgufFile::open(src_path);
  const std::string f16_path = dir + "/stories260K-f16.gguf";
  const std::string f32_path = dir + "/stories260K-f16values.gguf";
  convert::write_gguf_copy(src, f16_path, {GgufFloatMode::kF16, /*keep_1d_f32=*/true});
  convert::write_gguf_copy(src, f32_path, {GgufFloatMode::kF16Values, /*keep_1d_f32=*/true});

  // The inputs are what they claim: matrices F16 (resp. F32), norms F32.
  const GgufFile f16 = GgufFile::open(f16_path);
  const GgufFile f32 = GgufFile::open(f32_path);
  REQUIRE(f16.tensors().size() == src.tensors().size());
  size_t n_f16 = 0;
  for (const convert::SourceTensor& t : f16.tensors()) {
    CAPTURE(t.name);
    CHECK(t.dtype == (t.shape.size() == 1 ? SourceDType::kF32 : SourceDType::kF16));
    CHECK(f32.tensor(t.name).dtype == SourceDType::kF32);
    // Exact widening: F16 -> float equals the stored F16-rounded floats.
    const std::vector<float> a = convert::to_f32(t);
    const std::vector<float> b = convert::to_f32(f32.tensor(t.name));
    REQUIRE(a.size() == b.size());
    CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
    n_f16 += t.dtype == SourceDType::kF16;
  }
  CHECK(n_f16 == 2 + 7 * 5);  // token_embd, output, 7 matrices per layer

  auto m16 = testing::convert_and_load(f16_path, "", dir + "/f16.eatn");
  auto m32 = testing::convert_and_load(f32_path, "", dir + "/f16values.eatn");
  constexpr int kSteps = 64;
  const testing::GreedyRun a = greedy(*m16, kSteps);
  const testing::GreedyRun b = greedy(*m32, kSteps);
  REQUIRE(a.logits.size() == b.logits.size());
  CHECK(std::memcmp(a.logits.data(), b.logits.data(), a.logits.size() * sizeof(float)) == 0);
  CHECK(a.tokens == b.tokens);

  // Against the original F32 weights: report only.
  const Model& orig = testing::stories260k_from_gguf();
  const testing::GreedyRun o = greedy(orig, kSteps);
  size_t agree = 0;
  while (agree < o.tokens.size() && o.tokens[agree] == a.tokens[agree]) ++agree;
  double max_diff = 0;
  for (size_t i = 0; i < o.logits.size(); ++i) {
    max_diff = std::max(max_diff, static_cast<double>(std::abs(o.logits[i] - a.logits[i])));
  }
  const std::string f16_text = text_of(*m16, a.tokens);
  const std::string f32_text = text_of(orig, o.tokens);
  MESSAGE("F16 greedy tokens agree with the F32 model's for " << agree << " of " << kSteps
          << " steps (max |logit diff| " << max_diff << ")\n  F32: " << f32_text << "\n  F16: " << f16_text);
}

}  // namespace
}  // namespace edgeattn
