// Sampler and Generator: sampling semantics, reproducibility, stop tokens,
// context policies, and exactness of the greedy path.
#include "runtime/generator.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "runtime/model.h"
#include "runtime/session.h"
#include "schema/edgeattn_generated.h"
#include "tests/support/model_gate.h"
#include "tests/support/model_paths.h"
#include "tests/support/models.h"

EDGEATTN_TEST_MODELS(kStories260K);

namespace edgeattn {
namespace {

struct TestSampler {
  std::vector<uint8_t> scratch;
  Sampler sampler;
  TestSampler(size_t vocab, const SamplingOptions& o)
      : scratch(Sampler::scratch_bytes(vocab, o)), sampler(vocab, o, Span<uint8_t>(scratch.data(), scratch.size())) {}
};

TEST_CASE("greedy picks the argmax, lowest id on ties") {
  TestSampler t(5, SamplingOptions{});
  float logits[5] = {0.1f, 3.0f, -1.0f, 3.0f, 2.0f};
  CHECK(t.sampler.sample(logits) == 1);
}

TEST_CASE("top-k 1 and a tiny top-p are greedy at any temperature") {
  float base[6] = {0.5f, 1.5f, 0.2f, 1.4f, -3.0f, 0.0f};
  SamplingOptions k1;
  k1.temperature = 5.0f;
  k1.top_k = 1;
  SamplingOptions p;
  p.temperature = 5.0f;
  p.top_p = 1e-6f;
  for (uint64_t seed = 1; seed < 50; ++seed) {
    k1.seed = p.seed = seed;
    TestSampler a(6, k1), b(6, p);
    float l1[6], l2[6];
    std::copy(base, base + 6, l1);
    std::copy(base, base + 6, l2);
    CHECK(a.sampler.sample(l1) == 1);
    CHECK(b.sampler.sample(l2) == 1);
  }
}

TEST_CASE("temperature 1 samples the softmax distribution; top-k and top-p cut the tail") {
  // probabilities 0.5, 0.3, 0.2 exactly: logits are their logs.
  const float base[3] = {std::log(0.5f), std::log(0.3f), std::log(0.2f)};
  SamplingOptions o;
  o.temperature = 1.0f;
  o.seed = 1234;
  TestSampler t(3, o);
  int counts[3] = {0, 0, 0};
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    float l[3] = {base[0], base[1], base[2]};
    ++counts[t.sampler.sample(l)];
  }
  // 20000 draws: one standard deviation of a frequency is <= 0.0036.
  CHECK(counts[0] / double(n) == doctest::Approx(0.5).epsilon(0.03));
  CHECK(counts[1] / double(n) == doctest::Approx(0.3).epsilon(0.05));
  CHECK(counts[2] / double(n) == doctest::Approx(0.2).epsilon(0.06));

  o.top_k = 2;
  TestSampler k(3, o);
  o.top_k = 0;
  o.top_p = 0.75f;  // 0.5 + 0.3 reaches it: the 0.2 token is out
  TestSampler p(3, o);
  for (int i = 0; i < 2000; ++i) {
    float l1[3] = {base[0], base[1], base[2]};
    float l2[3] = {base[0], base[1], base[2]};
    CHECK(k.sampler.sample(l1) != 2);
    CHECK(p.sampler.sample(l2) != 2);
  }
}

TEST_CASE("the same seed repeats a run; another seed differs") {
  SamplingOptions o;
  o.temperature = 1.0f;
  auto run = [&](uint64_t seed) {
    o.seed = seed;
    TestSampler t(64, o);
    std::vector<int32_t> out;
    for (int i = 0; i < 200; ++i) {
      float l[64];
      for (int j = 0; j < 64; ++j) l[j] = static_cast<float>((j * 37) % 11) * 0.3f;
      out.push_back(t.sampler.sample(l));
    }
    return out;
  };
  CHECK(run(7) == run(7));
  CHECK(run(7) != run(8));
}

TEST_CASE("repetition penalty steers away from recent tokens, once per token") {
  SamplingOptions o;
  o.repetition_penalty = 2.0f;
  o.penalty_window = 4;
  TestSampler t(4, o);
  t.sampler.observe(0);
  t.sampler.observe(0);  // twice in the window, penalized once
  float l[4] = {3.0f, 2.0f, -1.0f, 1.0f};
  CHECK(t.sampler.sample(l) == 1);  // 3.0 / 2 = 1.5 < 2.0
  CHECK(l[0] == doctest::Approx(1.5f));
  float neg[4] = {-1.0f, -1.5f, -3.0f, -4.0f};
  TestSampler u(4, o);
  u.sampler.observe(0);
  CHECK(u.sampler.sample(neg) == 1);  // -1 * 2 = -2 < -1.5
}

struct Run {
  std::vector<int32_t> tokens;
  std::string text;
  int slides = 0;
  Status status;
};

Run generate(const Model& model, const SamplingOptions& sampling, int max_tokens, int context, ContextPolicy policy,
             const std::vector<int32_t>& prompt) {
  const Tokenizer& tok = *model.tokenizer();
  const size_t vocab = static_cast<size_t>(model.info().vocab_size);
  SessionOptions so;
  so.max_seq = 8;
  so.max_context = context;
  so.scratch_bytes = Generator::scratch_bytes(vocab, static_cast<size_t>(context), sampling);
  auto session = Session::create(model, so);
  REQUIRE(session.is_ok());
  const int32_t stops[2] = {tok.eos_id(), tok.bos_id()};
  GenerateOptions go;
  go.sampling = sampling;
  go.max_tokens = max_tokens;
  go.stop_ids = Span<const int32_t>(stops, 2);
  go.context_policy = policy;
  Generator gen(**session, vocab, go);
  REQUIRE(gen.status().is_ok());
  Run r;
  r.status = gen.append(Span<const int32_t>(prompt.data(), prompt.size()));
  int32_t prev = prompt.back();
  while (r.status.is_ok() && !gen.finished()) {
    int32_t t = 0;
    r.status = gen.step(&t);
    if (!r.status.is_ok() || gen.stopped()) break;
    r.tokens.push_back(t);
    r.text += std::string(tok.decode_piece(prev, t));
    prev = t;
  }
  r.slides = gen.slides();
  return r;
}

TEST_CASE("Generator: greedy from BOS reproduces the published stories260K text") {
  const Model& model = testing::stories260k_from_llama2c();
  Run r = generate(model, SamplingOptions{}, 256, 256, ContextPolicy::kStop, {model.tokenizer()->bos_id()});
  CHECK(r.status.is_ok());
  CHECK(r.tokens.size() == 256);
  CHECK(r.text == testing::stories260k_published_text());
}

TEST_CASE("Generator: a prompt is continued, and a seed repeats a sampled run") {
  const Model& model = testing::stories260k_from_llama2c();
  std::vector<int32_t> prompt;
  REQUIRE(model.tokenizer()->encode("Once upon a time, a cat", EncodeOptions{}, &prompt).is_ok());
  SamplingOptions s;
  s.temperature = 0.8f;
  s.top_p = 0.9f;
  s.seed = 42;
  Run a = generate(model, s, 64, 128, ContextPolicy::kStop, prompt);
  Run b = generate(model, s, 64, 128, ContextPolicy::kStop, prompt);
  CHECK(a.status.is_ok());
  CHECK(a.tokens.size() >= 8);
  CHECK(a.tokens == b.tokens);
  s.seed = 43;
  CHECK(generate(model, s, 64, 128, ContextPolicy::kStop, prompt).tokens != a.tokens);
}

TEST_CASE("Generator: a full context stops under kStop and slides under kSlide") {
  const Model& model = testing::stories260k_from_llama2c();
  const std::vector<int32_t> bos = {model.tokenizer()->bos_id()};
  // Greedy from BOS does not stop by itself within 100 tokens (the published text is 256).
  Run stop = generate(model, SamplingOptions{}, 100, 32, ContextPolicy::kStop, bos);
  CHECK(stop.status.is_ok());
  CHECK(stop.tokens.size() == 32);  // BOS + 31 fed tokens fill 32 positions; the 32nd sample is still valid
  Run full = generate(model, SamplingOptions{}, 100, 256, ContextPolicy::kStop, bos);
  REQUIRE(full.tokens.size() == 100);
  CHECK(std::equal(stop.tokens.begin(), stop.tokens.end(), full.tokens.begin()));

  Run slide = generate(model, SamplingOptions{}, 100, 32, ContextPolicy::kSlide, bos);
  CHECK(slide.status.is_ok());
  CHECK(slide.tokens.size() == 100);
  CHECK(slide.slides >= 3);
  // Until the first slide, the output is the unslid one.
  CHECK(std::equal(slide.tokens.begin(), slide.tokens.begin() + 32, full.tokens.begin()));
}

}  // namespace
}  // namespace edgeattn
