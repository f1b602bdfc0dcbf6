// int8-static (issue #4 scheme (a)): static per-tensor activation scales from
// calibration, FullyConnected on XNNPACK's qc8 1x1 convolution
// (runtime/ops/fc_int8_static.cc). Measured against the fp32 conversions.
//
// Scheme (a) does NOT reach issue #4's int8 bars (MiniLM cosine mean >= 0.99
// / min >= 0.98; stories260K agreement >= 95 %, perplexity within +5 %):
// MiniLM's FFN-down layers have outliers that one scale per tensor cannot
// cover. The checks below assert what it does reach, with a margin, and that
// dynamic int8 (scheme (b), shipped as int8) is better: that is why (b) is
// int8 and (a) is int8-static for integer-only targets (docs/quantization.md).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "converter/calibration.h"
#include "converter/importers.h"
#include "converter/model_builder.h"
#include "converter/quantize.h"
#include "converter/smooth.h"
#include "converter/static_scales.h"
#include "runtime/model.h"
#include "runtime/sampler.h"
#include "runtime/session.h"
#include "schema/edgeattn_generated.h"
#include "tests/support/model_gate.h"
#include "tests/support/model_paths.h"
#include "tests/support/models.h"

EDGEATTN_TEST_MODELS(kStories260K, kMiniLM);

namespace edgeattn {
namespace {

// As `edgeattn-convert INPUT --dtype int8-static [--no-smooth]`.
void import_static(const std::string& input, const std::string& tokenizer, bool smooth, convert::ModelBuilder& mb) {
  convert::ImportOptions options;
  options.tokenizer_path = tokenizer;
  convert::import_any(input, options, mb);
  if (smooth) convert::smooth_for_int8(mb, convert::calibration_lines(""), 128, {});
  convert::StaticScaleOptions so;
  so.calibration = convert::calibration_lines("");
  const convert::StaticScaleSummary s = convert::calibrate_static_scales(mb, so);
  REQUIRE(s.ops > 0);
  REQUIRE(s.tokens > 100);
}

std::unique_ptr<Model> write_and_load(convert::ModelBuilder& mb, const std::string& name) {
  const std::string path = testing::temp_dir(name) + "/model.eatn";
  mb.write(path);
  Result<std::unique_ptr<Model>> m = Model::load_file(path.c_str());
  REQUIRE_MESSAGE(m.is_ok(), m.status().message());
  return std::move(m).value();
}

// As `edgeattn-convert INPUT --dtype int8-static` (tests/support/models.h).
const Model& stories_static() { return testing::stories260k_quantized("int8-static"); }
const Model& minilm_static() { return testing::minilm_quantized("int8-static"); }

// ---------------------------------------------------------------- the op, exactly

// XNNPACK's qc8 requantization (docs/xnnpack-debian12.md §4), written out:
// q(x) = clamp(rne((x * m) * (1 / in))), acc = bias_q + sum q(x) * w (int32),
// y = clamp(rne(min(float(acc) * fl(fl(in * w_scale) / out), 127))) * out.
struct FcCase {
  int k, n;
  bool bias, relu, multiplier;
};

float rne_clamp(float v, float lo) {
  v = v > -127.0f ? v : -127.0f;
  v = v < 127.0f ? v : 127.0f;
  return std::max(lo, std::nearbyint(v));
}

// ids -> Embedding (f32 table [64, k], kept f32) -> FullyConnected (i8
// W [n, k], static scales) -> y. Every op output of the runtime must equal
// the formula above bit for bit.
// Returns how many outputs hit the int8 clamp.
size_t check_fc_case(const FcCase& fc) {
  CAPTURE(fc.k);
  CAPTURE(fc.n);
  CAPTURE(fc.bias);
  CAPTURE(fc.relu);
  CAPTURE(fc.multiplier);
  constexpr int kVocab = 64;
  const size_t k = static_cast<size_t>(fc.k), n = static_cast<size_t>(fc.n);
  uint32_t seed = static_cast<uint32_t>(fc.k * 131 + fc.n * 7 + fc.bias + 2 * fc.relu + 4 * fc.multiplier);
  auto uniform = [&seed](float scale) {  // deterministic in [-scale, scale)
    seed = seed * 1664525u + 1013904223u;
    return scale * (static_cast<float>(seed >> 8) / 8388608.0f - 1.0f);
  };
  std::vector<float> table(kVocab * k), w(n * k), bias(n), mult(k, 1.0f);
  for (float& v : table) v = uniform(2.0f);
  for (size_t i = 0; i < k; ++i) table[3 * k + i] = i % 2 ? 9.0f : -9.0f;  // a row with outliers, clipped below
  for (float& v : w) v = uniform(0.5f);
  for (float& v : bias) v = uniform(1.0f);
  if (fc.multiplier) {
    for (float& v : mult) v = 0.25f + std::fabs(uniform(2.0f));
  }
  for (size_t i = 0; i < k && n > 1; ++i) w[i] = 0.0f;  // an all-zero row (weight scale 0)

  convert::ModelBuilder mb;
  mb.hparams().vocab_size = kVocab;
  mb.hparams().hidden_size = fc.k;
  const int ids = mb.add_activation("ids", {convert::batch(), convert::seq()}, fb::DType::I32);
  const int t = mb.add_constant_f32("table", {kVocab, fc.k}, table);
  const int x = mb.add_activation("x", {convert::batch(), convert::seq(), convert::fixed(fc.k)});
  const int y = mb.add_activation("y", {convert::batch(), convert::seq(), convert::fixed(fc.n)});
  const int wi = mb.add_constant_f32("w", {fc.n, fc.k}, w);
  const int bi = fc.bias ? mb.add_constant_f32("b", {fc.n}, bias) : -1;
  const int mi = fc.multiplier ? mb.add_constant_f32("m", {fc.k}, mult) : -1;
  mb.add_op(fb::OpCode::Embedding, {ids, t, -1, -1}, {x}, "embedding");
  fb::FullyConnectedOptionsT o;
  o.activation = fc.relu ? fb::Activation::Relu : fb::Activation::None;
  o.input_scale = o.output_scale = 1.0f;  // set below, once W's scales are known
  mb.add_op(fb::OpCode::FullyConnected, {x, wi, bi, mi}, {y}, "fc", o);
  mb.set_graph_io({ids}, {y});
  convert::QuantizeOptions q;
  q.dtype = convert::WeightDType::kI8Static;
  q.keep_fp32 = {"table"};
  convert::quantize_weights(mb, q);

  // The converter's int8 weights, and scales that clip some x and some y.
  std::vector<int8_t> wq(n * k);
  std::vector<float> ws(n);
  convert::quantize_rows_int8(w.data(), n, k, wq.data(), ws.data());
  float x_max = 0, y_max = 0;
  for (size_t r = 0; r < static_cast<size_t>(kVocab); ++r) {
    if (r == 3) continue;
    for (size_t i = 0; i < k; ++i) x_max = std::max(x_max, std::fabs(table[r * k + i] * mult[i]));
    for (size_t c = 0; c < n; ++c) {
      double acc = fc.bias ? bias[c] : 0.0;
      for (size_t i = 0; i < k; ++i) acc += static_cast<double>(table[r * k + i]) * w[c * k + i];
      y_max = std::max(y_max, static_cast<float>(std::fabs(acc)));
    }
  }
  const float in = 0.9f * x_max / 127.0f, out = 0.8f * y_max / 127.0f;
  fb::FullyConnectedOptionsT& opt = *mb.model().graphs[0]->ops[1]->options.AsFullyConnectedOptions();
  opt.input_scale = in;
  opt.output_scale = out;
  std::unique_ptr<Model> model = write_and_load(mb, "int8_static_fc");

  size_t clipped = 0;
  for (int seq : {1, 5, 17}) {
    CAPTURE(seq);
    SessionOptions so;
    so.max_seq = 17;
    auto s = Session::create(*model, so);
    REQUIRE_MESSAGE(s.is_ok(), s.status().message());
    std::vector<int32_t> row(static_cast<size_t>(seq));
    for (int i = 0; i < seq; ++i) row[static_cast<size_t>(i)] = (i * 29 + 3) % kVocab;  // row 3 first
    InvokeInput inv;
    inv.ids = row.data();
    inv.seq = seq;
    REQUIRE((*s)->invoke(inv).is_ok());
    const float* got = (*s)->output(0).f32();  // [seq, n]
    size_t mismatches = 0;
    for (int i = 0; i < seq; ++i) {
      const float* xr = table.data() + static_cast<size_t>(row[static_cast<size_t>(i)]) * k;
      std::vector<int32_t> xq(k);
      for (size_t j = 0; j < k; ++j) xq[j] = static_cast<int32_t>(rne_clamp((xr[j] * mult[j]) * (1.0f / in), -127.0f));
      for (size_t c = 0; c < n; ++c) {
        const float wsc = ws[c] > 0.0f ? ws[c] : out / in;
        int32_t acc = fc.bias ? static_cast<int32_t>(std::nearbyint(static_cast<double>(bias[c]) /
                                                                    (static_cast<double>(in) * wsc)))
                              : 0;
        for (size_t j = 0; j < k; ++j) acc += xq[j] * wq[c * k + j];
        const float scale = (in * wsc) / out;
        const float v = std::min(static_cast<float>(acc) * scale, 127.0f);
        const int32_t yq = static_cast<int32_t>(rne_clamp(v, fc.relu ? 0.0f : -127.0f));  // -0.0 -> 0
        clipped += yq == 127 || yq == -127;
        const float want = static_cast<float>(yq) * out;
        mismatches += std::memcmp(&want, &got[static_cast<size_t>(i) * n + c], sizeof(float)) != 0;
      }
    }
    CHECK(mismatches == 0);
  }
  return clipped;
}

TEST_CASE("int8-static FullyConnected equals XNNPACK's documented qc8 arithmetic bit for bit (60 shapes)") {
  int variant = 0;
  size_t clipped = 0;
  for (int k : {3, 16, 37, 64, 200}) {
    for (int n : {1, 8, 13, 40}) {
      ++variant;
      clipped += check_fc_case({k, n, variant % 2 == 0, variant % 3 == 0, variant % 4 != 1});
    }
  }
  MESSAGE("outputs at the int8 clamp: " << clipped);
  CHECK(clipped >= 20);  // the output scales (0.8 x max) make the clamp part of what is checked
}

// ---------------------------------------------------------------- MiniLM

struct CosineStats {
  double mean = 0, min = 1;
};

CosineStats compare(const std::vector<std::vector<float>>& a, const std::vector<std::vector<float>>& b) {
  CosineStats s;
  for (size_t i = 0; i < a.size(); ++i) {
    const double c = testing::cosine(a[i], b[i]);
    s.mean += c;
    s.min = std::min(s.min, c);
  }
  s.mean /= static_cast<double>(a.size());
  return s;
}

TEST_CASE("MiniLM int8-static: what static per-tensor scales reach against fp32, and dynamic int8 does better") {
  const auto ids = testing::minilm_fixture_ids();
  const auto reference = testing::embed_rows(testing::minilm(), ids);
  const Model& st = minilm_static();
  const CosineStats s = compare(reference, testing::embed_rows(st, ids));
  const CosineStats d = compare(reference, testing::embed_rows(testing::minilm_quantized("int8"), ids));
  MESSAGE("int8-static: cosine mean " << s.mean << ", min " << s.min << "; dynamic int8: mean " << d.mean << ", min "
                                      << d.min << "; file " << st.file_size() << " / " << testing::minilm().file_size());
  // Measured 2026-11-28 on the 26 fixture sentences: mean 0.854, min 0.738
  // (dynamic int8: 0.998 / 0.996; issue bars: 0.99 / 0.98). With a margin:
  CHECK(s.mean >= 0.80);
  CHECK(s.min >= 0.65);
  CHECK(s.mean < d.mean);  // why scheme (b) is int8
  CHECK(st.file_size() <= 0.30 * static_cast<double>(testing::minilm().file_size()));
}

// ---------------------------------------------------------------- stories260K

// The first 512 tokens of data/eval/stories.txt after BOS (also in quick mode:
// stories260K is cheap even under qemu, and 128 tokens are too few for the
// agreement bar to be stable: 0.898 on aarch64 over the first 128).
std::vector<int32_t> story_ids(const Model& model) {
  std::ifstream in(std::string(EDGEATTN_SOURCE_DIR) + "/data/eval/stories.txt");
  std::stringstream text;
  text << in.rdbuf();
  std::vector<int32_t> ids;
  REQUIRE(model.tokenizer()->encode(text.str(), EncodeOptions{}, &ids).is_ok());
  ids.resize(std::min<size_t>(ids.size(), 512));
  REQUIRE(ids.size() >= 512);
  REQUIRE(ids[0] == model.tokenizer()->bos_id());
  return ids;
}

// Every position's logits for `ids` in one teacher-forced prefill: [seq, vocab].
std::vector<float> all_logits(const Model& model, const std::vector<int32_t>& ids, int threads = 1) {
  SessionOptions opts;
  opts.max_seq = static_cast<int>(ids.size());
  opts.max_context = static_cast<int>(ids.size());
  opts.threads = threads;
  auto s = Session::create(model, opts);
  REQUIRE_MESSAGE(s.is_ok(), s.status().message());
  InvokeInput in;
  in.ids = ids.data();
  in.seq = static_cast<int>(ids.size());
  in.all_positions = true;
  REQUIRE((*s)->invoke(in).is_ok());
  const TensorView v = (*s)->output(0);
  return std::vector<float>(v.f32(), v.f32() + v.element_count());
}

// Mean negative log-likelihood of ids[t + 1] under the logits at t.
double mean_nll(const std::vector<float>& logits, const std::vector<int32_t>& ids, size_t vocab) {
  double sum = 0;
  for (size_t t = 0; t + 1 < ids.size(); ++t) {
    const float* l = logits.data() + t * vocab;
    const double m = *std::max_element(l, l + vocab);
    double z = 0;
    for (size_t i = 0; i < vocab; ++i) z += std::exp(static_cast<double>(l[i]) - m);
    sum += -(static_cast<double>(l[ids[t + 1]]) - m - std::log(z));
  }
  return sum / static_cast<double>(ids.size() - 1);
}

TEST_CASE("stories260K int8-static: teacher-forced agreement and perplexity against fp32") {
  const Model& fp32 = testing::stories260k_from_llama2c();
  const Model& st = stories_static();
  const size_t vocab = static_cast<size_t>(fp32.info().vocab_size);
  const std::vector<int32_t> ids = story_ids(fp32);
  const std::vector<float> ref = all_logits(fp32, ids);
  const std::vector<float> got = all_logits(st, ids);
  int agree = 0;
  for (size_t t = 0; t < ids.size(); ++t) {
    agree += Sampler::argmax(ref.data() + t * vocab, vocab) == Sampler::argmax(got.data() + t * vocab, vocab);
  }
  const double agreement = static_cast<double>(agree) / static_cast<double>(ids.size());
  const double ppl_ratio = std::exp(mean_nll(got, ids, vocab) - mean_nll(ref, ids, vocab));
  MESSAGE("int8-static: top-1 agreement " << agree << " / " << ids.size() << ", perplexity ratio " << ppl_ratio);
  // Measured 2026-11-28 on these 512 tokens: agreement 485 / 512 = 0.947,
  // ratio 1.028 (edgeattn-eval on all 5,634 tokens: 0.934 and 1.015).
  // Issue bars: 0.95 and 1.05; asserted with a margin:
  CHECK(agreement >= 0.90);
  CHECK(ppl_ratio <= 1.05);
  CHECK(ppl_ratio >= 0.97);
}

// ---------------------------------------------------------------- determinism

// Integer GEMM with exact int32 accumulation and per-element requantization:
// the same bits on every run and for every thread count.
TEST_CASE("int8-static logits are deterministic across runs and thread counts") {
  const Model& st = stories_static();
  const testing::GreedyRun a = testing::greedy_from_bos(st, 64, nullptr, 1);
  const testing::GreedyRun b = testing::greedy_from_bos(st, 64, nullptr, 1);
  const testing::GreedyRun c = testing::greedy_from_bos(st, 64, nullptr, 2);
  REQUIRE(a.error.empty());
  REQUIRE(b.error.empty());
  REQUIRE(c.error.empty());
  REQUIRE(a.logits.size() == 64u * 512u);
  CHECK(std::memcmp(a.logits.data(), b.logits.data(), a.logits.size() * sizeof(float)) == 0);
  CHECK(std::memcmp(a.logits.data(), c.logits.data(), a.logits.size() * sizeof(float)) == 0);
  // A batched prefill computes the same rows as decoding one token at a time
  // (the qc8 kernels are batch-invariant).
  std::vector<int32_t> ids = {st.tokenizer()->bos_id()};
  ids.insert(ids.end(), a.tokens.begin(), a.tokens.end() - 1);
  const std::vector<float> one = all_logits(st, ids, 1);
  const std::vector<float> two = all_logits(st, ids, 2);
  CHECK(std::memcmp(one.data(), two.data(), one.size() * sizeof(float)) == 0);
  CHECK(std::memcmp(one.data(), a.logits.data(), one.size() * sizeof(float)) == 0);
  // An encoder too: MiniLM embeddings with 1 and 2 threads.
  auto ids6 = testing::minilm_fixture_ids();
  ids6.resize(6);
  const auto e1 = testing::embed_rows(minilm_static(), ids6, 1);
  const auto e2 = testing::embed_rows(minilm_static(), ids6, 2);
  for (size_t i = 0; i < e1.size(); ++i) CHECK(std::memcmp(e1[i].data(), e2[i].data(), e1[i].size() * sizeof(float)) == 0);
}

// ---------------------------------------------------------------- verifier

// stories260K with static scales: fp32 weights (not yet quantized), or
// quantized and then edited by `edit` on the first FullyConnected.
Result<std::unique_ptr<Model>> load_edited(bool quantize, void (*edit)(fb::FullyConnectedOptionsT&),
                                           std::vector<uint8_t>* bytes) {
  convert::ModelBuilder mb;
  import_static(testing::require_model("stories260K/stories260K.bin"), testing::require_model("stories260K/tok512.bin"),
                false, mb);
  if (quantize) {
    convert::QuantizeOptions q;
    q.dtype = convert::WeightDType::kI8Static;
    convert::quantize_weights(mb, q);
  }
  for (auto& op : mb.model().graphs.at(0)->ops) {
    if (op->code != fb::OpCode::FullyConnected) continue;
    if (edit != nullptr) edit(*op->options.AsFullyConnectedOptions());
    break;
  }
  *bytes = mb.serialize();
  return Model::load_buffer(bytes->data(), bytes->size());
}

TEST_CASE("the verifier checks static activation scales") {
  std::vector<uint8_t> bytes;
  {
    auto ok = load_edited(true, nullptr, &bytes);
    CHECK_MESSAGE(ok.is_ok(), ok.status().message());
  }
  auto expect = [&](bool quantize, void (*edit)(fb::FullyConnectedOptionsT&), StatusCode code, const char* text) {
    auto r = load_edited(quantize, edit, &bytes);
    REQUIRE(!r.is_ok());
    CHECK(r.status().code() == code);
    CHECK_MESSAGE(std::strstr(r.status().message(), text) != nullptr, r.status().message());
  };
  expect(false, nullptr, StatusCode::kInvalidModel, "need i8 weights");
  expect(true, [](fb::FullyConnectedOptionsT& o) { o.input_scale = std::nanf(""); }, StatusCode::kInvalidModel,
         "finite and > 0");
  expect(true, [](fb::FullyConnectedOptionsT& o) { o.output_scale = 0.0f; }, StatusCode::kInvalidModel,
         "finite and > 0");
  expect(true, [](fb::FullyConnectedOptionsT& o) { o.input_scale = -o.input_scale; }, StatusCode::kInvalidModel,
         "finite and > 0");
  expect(true, [](fb::FullyConnectedOptionsT& o) { o.output_scale = std::numeric_limits<float>::infinity(); },
         StatusCode::kInvalidModel, "finite and > 0");
  expect(true, [](fb::FullyConnectedOptionsT& o) { o.output_scale *= 1e-6f; }, StatusCode::kUnsupported,
         "requantization scale");
}

// --auto-fallback adds --keep-fp32 patterns after the scales were measured:
// quantize_weights must drop the scales of the layers that stay fp32.
TEST_CASE("layers kept in fp32 after calibration lose their static scales; the rest keep them") {
  convert::ModelBuilder mb;
  import_static(testing::require_model("stories260K/stories260K.bin"), testing::require_model("stories260K/tok512.bin"),
                true, mb);
  convert::QuantizeOptions q;
  q.dtype = convert::WeightDType::kI8Static;
  q.keep_fp32 = {"blk.0.*"};
  convert::quantize_weights(mb, q);
  size_t kept = 0, scaled = 0;
  for (const auto& op : mb.model().graphs.at(0)->ops) {
    const fb::FullyConnectedOptionsT* o = op->options.AsFullyConnectedOptions();
    if (op->code != fb::OpCode::FullyConnected || o == nullptr) continue;
    const bool fp32 = op->name.rfind("blk.0.", 0) == 0;
    CAPTURE(op->name);
    CHECK((o->input_scale == 0.0f) == fp32);
    CHECK((o->output_scale == 0.0f) == fp32);
    (fp32 ? kept : scaled) += 1;
  }
  CHECK(kept == 7);    // q, k, v, o, gate, up, down
  CHECK(scaled == 29);  // 4 more blocks and the LM head
  std::unique_ptr<Model> m = write_and_load(mb, "int8_static_kept");
  const testing::GreedyRun g = testing::greedy_from_bos(*m, 16);
  CHECK(g.error.empty());
}

}  // namespace
}  // namespace edgeattn
