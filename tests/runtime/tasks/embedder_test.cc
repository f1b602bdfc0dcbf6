// Embedder (runtime/tasks/embedder.h): texts -> embeddings.
//
// Oracles: tests/fixtures/minilm_reference.json (HF tokenizers ids and a
// float64 numpy forward pass, tests/reference/make_minilm_fixtures.py) for
// MiniLM; for the task's own pooling, the graph's MeanPool + L2Normalize on
// the same tiny BERT, and the first token state for CLS pooling.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/tasks/embedder.h"
#include "tests/runtime/tiny_model.h"
#include "tests/support/model_gate.h"
#include "tests/support/model_paths.h"
#include "tests/support/models.h"

EDGEATTN_TEST_MODELS(kMiniLM, kStories260K);

namespace edgeattn {
namespace {

double max_abs_diff(const float* got, const std::vector<double>& want) {
  double worst = 0;
  for (size_t i = 0; i < want.size(); ++i) worst = std::max(worst, std::abs(got[i] - want[i]));
  return worst;
}

double cosine_to(const float* got, const std::vector<double>& want) {
  double dot = 0, ng = 0, nw = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    dot += got[i] * want[i];
    ng += static_cast<double>(got[i]) * got[i];
    nw += want[i] * want[i];
  }
  return dot / std::sqrt(ng * nw);
}

std::unique_ptr<Embedder> make(const Model& model, const EmbedderOptions& o) {
  Result<std::unique_ptr<Embedder>> e = Embedder::create(model, o);
  REQUIRE_MESSAGE(e.is_ok(), e.status().message());
  return std::move(e).value();
}

// Same tolerances as runtime_minilm_test (cosine >= 0.99999, max |diff|
// <= 1e-4): the task adds tokenization, padding and batching, no math.
TEST_CASE("Embedder: MiniLM texts in batches of 4 match the numpy reference, truncation counted") {
  const Model& model = testing::minilm();
  std::vector<testing::MiniLmCase> cases = testing::minilm_fixture_cases();
  if (testing::quick_mode()) cases.resize(6);
  EmbedderOptions o;
  o.max_batch = 4;  // the fixture's 20+ texts take several invokes, the last one short
  std::unique_ptr<Embedder> e = make(model, o);
  CHECK(e->dimension() == 384);
  CHECK(e->max_tokens() == 256);  // the tokenizer's max_length
  std::vector<std::string_view> texts;
  for (const testing::MiniLmCase& c : cases) texts.push_back(c.text);
  std::vector<float> rows(texts.size() * e->dimension());
  Status s = e->embed(Span<const std::string_view>(texts.data(), texts.size()), Span<float>(rows.data(), rows.size()));
  REQUIRE_MESSAGE(s.is_ok(), s.message());
  size_t tokens = 0, truncated = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    CAPTURE(cases[i].text.substr(0, 60));
    CHECK(cosine_to(&rows[i * e->dimension()], cases[i].embedding) >= 0.99999);
    CHECK(max_abs_diff(&rows[i * e->dimension()], cases[i].embedding) <= 1e-4);
    tokens += cases[i].ids.size();
    // The reference ids are truncated at 256; an untruncated encode says which were cut.
    std::vector<int32_t> full;
    REQUIRE(model.tokenizer()->encode(cases[i].text, EncodeOptions(), &full).is_ok());
    truncated += full.size() > 256 ? 1 : 0;
  }
  const EmbedStats& st = e->last_stats();
  CHECK(st.texts == cases.size());
  CHECK(st.tokens == tokens);
  CHECK(st.truncated == truncated);
  CHECK(st.invokes == (cases.size() + 3) / 4);
  CHECK(st.padded_tokens >= tokens);
  if (!testing::quick_mode()) CHECK(truncated >= 1);

  // The same ids through embed_tokens() give the same bits: same batches, same padding.
  std::vector<Span<const int32_t>> id_rows;
  for (const testing::MiniLmCase& c : cases) id_rows.emplace_back(c.ids.data(), c.ids.size());
  std::vector<float> again(rows.size());
  s = e->embed_tokens(Span<const Span<const int32_t>>(id_rows.data(), id_rows.size()),
                      Span<float>(again.data(), again.size()));
  REQUIRE_MESSAGE(s.is_ok(), s.message());
  CHECK(again == rows);
}

TEST_CASE("Embedder: cosine ranks a paraphrase above an unrelated sentence") {
  std::unique_ptr<Embedder> e = make(testing::minilm(), EmbedderOptions());
  const std::string_view texts[3] = {"How do I bake bread at home?", "A simple recipe for homemade bread.",
                                     "The stock market fell sharply today."};
  std::vector<float> rows(3 * e->dimension());
  REQUIRE(e->embed(Span<const std::string_view>(texts, 3), Span<float>(rows.data(), rows.size())).is_ok());
  const size_t d = e->dimension();
  const double related = Embedder::cosine(&rows[0], &rows[d], d);
  const double unrelated = Embedder::cosine(&rows[0], &rows[2 * d], d);
  MESSAGE("related " << related << ", unrelated " << unrelated);
  CHECK(related > unrelated + 0.3);
  CHECK(Embedder::cosine(&rows[0], &rows[0], d) == doctest::Approx(1.0).epsilon(1e-6));
  const std::vector<float> zero(d, 0.0f);
  CHECK(Embedder::cosine(zero.data(), &rows[0], d) == 0.0);
}

TEST_CASE("Embedder: refuses what it cannot run, names the reason") {
  Result<std::unique_ptr<Embedder>> dec = Embedder::create(testing::stories260k_from_llama2c(), EmbedderOptions());
  CHECK(dec.status().code() == StatusCode::kInvalidArgument);
  CHECK(std::string(dec.status().message()).find("LlamaDecoder") != std::string::npos);

  EmbedderOptions too_long;
  too_long.max_tokens = 513;  // MiniLM: 512 positions
  Result<std::unique_ptr<Embedder>> r = Embedder::create(testing::minilm(), too_long);
  CHECK(r.status().code() == StatusCode::kInvalidArgument);
  CHECK(std::string(r.status().message()).find("max_positions 512") != std::string::npos);

  EmbedderOptions bad_batch;
  bad_batch.max_batch = 0;
  CHECK(Embedder::create(testing::minilm(), bad_batch).status().code() == StatusCode::kInvalidArgument);

  EmbedderOptions small;
  small.max_tokens = 8;
  std::unique_ptr<Embedder> e = make(testing::minilm(), small);
  const std::string_view one[1] = {"hello"};
  std::vector<float> short_out(e->dimension() - 1);
  CHECK(e->embed(Span<const std::string_view>(one, 1), Span<float>(short_out.data(), short_out.size())).code() ==
        StatusCode::kInvalidArgument);
  const int32_t ids[9] = {101, 7592, 102, 0, 0, 0, 0, 0, 0};
  std::vector<float> out(e->dimension());
  const Span<const int32_t> too_many[1] = {Span<const int32_t>(ids, 9)};
  CHECK(e->embed_tokens(Span<const Span<const int32_t>>(too_many, 1), Span<float>(out.data(), out.size())).code() ==
        StatusCode::kInvalidArgument);
  const Span<const int32_t> empty[1] = {Span<const int32_t>(ids, 0)};
  CHECK(e->embed_tokens(Span<const Span<const int32_t>>(empty, 1), Span<float>(out.data(), out.size())).code() ==
        StatusCode::kInvalidArgument);
  const int32_t bad_id[3] = {101, 1 << 20, 102};
  const Span<const int32_t> out_of_vocab[1] = {Span<const int32_t>(bad_id, 3)};
  CHECK(e->embed_tokens(Span<const Span<const int32_t>>(out_of_vocab, 1), Span<float>(out.data(), out.size()))
            .code() == StatusCode::kInvalidArgument);
  // A long text is truncated to max_tokens, not refused.
  const std::string_view long_text[1] = {"one two three four five six seven eight nine ten eleven"};
  REQUIRE(e->embed(Span<const std::string_view>(long_text, 1), Span<float>(out.data(), out.size())).is_ok());
  CHECK(e->last_stats().truncated == 1);
  CHECK(e->last_stats().tokens == 8);
}

// A model loaded from bytes it keeps (load_buffer borrows them).
struct TinyModel {
  std::unique_ptr<testing::AlignedBuffer> bytes;
  std::unique_ptr<Model> model;
};

TinyModel load_tiny(const std::vector<uint8_t>& bytes) {
  TinyModel t;
  t.bytes = std::make_unique<testing::AlignedBuffer>(bytes.data(), bytes.size());
  Result<std::unique_ptr<Model>> m = Model::load_buffer(t.bytes->data(), t.bytes->size());
  REQUIRE_MESSAGE(m.is_ok(), m.status().message());
  t.model = std::move(m).value();
  return t;
}

// A tiny BERT whose graph ends at the token states and whose file says how
// to pool them.
TinyModel tiny_bert_unpooled(const std::string& pooling, bool normalize) {
  convert::BertConfig c = testing::tiny_bert_config();
  c.pooling = "";
  c.normalize = false;
  return load_tiny(testing::tiny_bert_bytes(c, [&](fb::ModelT& m) {
    m.hparams->pooling = pooling;
    m.hparams->normalize_embeddings = normalize;
  }));
}

// Tolerance 1e-6: the task's mean is accumulated in double, the graph's
// MeanPool in float over at most 6 tokens of values below 10.
TEST_CASE("Embedder: pools and normalizes token states itself when the graph does not") {
  const TinyModel in_graph = load_tiny(testing::tiny_bert_bytes());  // MeanPool + L2Normalize in the graph
  const TinyModel by_task = tiny_bert_unpooled("mean", true);
  const TinyModel cls_model = tiny_bert_unpooled("cls", false);
  const Model* cls = cls_model.model.get();
  REQUIRE(by_task.model->info().methods[0].outputs[0].rank == 3);

  // Batches of 2: the first pairs 8 tokens with 3, so padding must be ignored.
  const std::string_view texts[3] = {"the cat sat on the mat !", "hello", "edge dogs"};
  EmbedderOptions o;
  o.max_batch = 2;
  std::unique_ptr<Embedder> a = make(*in_graph.model, o), b = make(*by_task.model, o), c = make(*cls, o);
  REQUIRE(a->dimension() == b->dimension());
  const size_t d = a->dimension();
  std::vector<float> ra(3 * d), rb(3 * d), rc(3 * d);
  REQUIRE(a->embed(Span<const std::string_view>(texts, 3), Span<float>(ra.data(), ra.size())).is_ok());
  REQUIRE(b->embed(Span<const std::string_view>(texts, 3), Span<float>(rb.data(), rb.size())).is_ok());
  REQUIRE(c->embed(Span<const std::string_view>(texts, 3), Span<float>(rc.data(), rc.size())).is_ok());
  for (size_t i = 0; i < ra.size(); ++i) CHECK(std::abs(rb[i] - ra[i]) <= 1e-6);

  // CLS: the first token state of each text, as a batch-1 session gives it.
  SessionOptions so;
  so.max_seq = 32;
  auto session = Session::create(*cls, so);
  REQUIRE(session.is_ok());
  for (size_t t = 0; t < 3; ++t) {
    std::vector<int32_t> ids;
    REQUIRE(cls->tokenizer()->encode(texts[t], EncodeOptions(), &ids).is_ok());
    InvokeInput in;
    in.ids = ids.data();
    in.seq = static_cast<int>(ids.size());
    REQUIRE((*session)->invoke(in).is_ok());
    const float* first = (*session)->output(0).f32();  // [1, seq, d]: token 0
    for (size_t i = 0; i < d; ++i) CHECK(std::abs(rc[t * d + i] - first[i]) <= 1e-6);
  }
}

}  // namespace
}  // namespace edgeattn
