// After prepare, invoke() must not touch the heap: this binary interposes
// malloc and friends (tests/support/alloc_interposer.h: operator new,
// XNNPACK's allocator, which ends in posix_memalign, and every thread) and
// counts every call made while recording.
#include <doctest/doctest.h>

#include <cstdlib>
#include <new>
#include <vector>

#include "runtime/generator.h"
#include "runtime/model.h"
#include "runtime/session.h"
#include "runtime/tasks/embedder.h"
#include "runtime/tasks/text_generator.h"
#include "tests/support/alloc_interposer.h"
#include "tests/support/model_gate.h"
#include "tests/support/model_paths.h"
#include "tests/support/models.h"

EDGEATTN_TEST_MODELS(kStories260K, kMiniLM);

namespace edgeattn {
namespace {

// 100 invokes per session (20 under emulation, EDGEATTN_TEST_QUICK=1).
// (MiniLM encoder invokes: 8 under emulation, see encoder_invokes.)
int iterations() { return testing::quick_mode() ? 20 : 100; }

// Runs `fn` with counting on; returns the allocations it made.
template <typename Fn>
size_t allocations_during(Fn&& fn) {
  testing::alloc_interposer::require_active();
  testing::alloc_interposer::start();
  fn();
  return testing::alloc_interposer::stop().calls;
}

TEST_CASE("the interposer sees allocations (so a zero below means something)") {
  size_t n = allocations_during([] {
    std::vector<int>* v = new std::vector<int>(1000);
    // Escapes the pointers: a new/delete pair nothing observes may be elided.
    asm volatile("" : : "r"(v), "r"(v->data()) : "memory");
    delete v;
    void* p = nullptr;
    if (posix_memalign(&p, 64, 100) == 0) {
      asm volatile("" : : "r"(p) : "memory");
      free(p);
    }
  });
  CHECK(n >= 3);
}

void decoder_invokes(const Model& model, int threads) {
  SessionOptions opts;
  opts.max_seq = 32;
  opts.max_context = 128;
  opts.threads = threads;
  auto session = Session::create(model, opts);
  REQUIRE_MESSAGE(session.is_ok(), session.status().message());
  Session& s = **session;
  std::vector<int32_t> ids(32);
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<int32_t>(3 + (i * 37) % 500);
  size_t failures = 0;
  const size_t n = allocations_during([&] {
    for (int i = 0; i < iterations(); ++i) {
      // Prefill chunks of 1..32 tokens and single-token decode steps,
      // sometimes with every position's logits; reset when the context fills.
      const int seq = i % 3 == 0 ? 1 + (i * 7) % 32 : 1;
      if (s.past() + seq > s.max_context()) s.reset();
      InvokeInput in;
      in.ids = ids.data();
      in.seq = seq;
      in.all_positions = i % 5 == 0;
      if (!s.invoke(in).is_ok()) ++failures;
    }
  });
  CHECK(failures == 0);
  CHECK(n == 0);
}

void encoder_invokes(const Model& model, int threads) {
  SessionOptions opts;
  opts.max_batch = 4;
  opts.max_seq = 128;
  opts.threads = threads;
  auto session = Session::create(model, opts);
  REQUIRE_MESSAGE(session.is_ok(), session.status().message());
  Session& s = **session;
  std::vector<int32_t> ids(4 * 128);
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<int32_t>(1000 + (i * 7919) % 29000);
  int32_t lengths[4];
  size_t failures = 0;
  const size_t n = allocations_during([&] {
    // Under emulation an encoder invoke costs seconds: 8 of them, up to 16
    // tokens, still cover every batch size and several lengths.
    const int n_invokes = testing::quick_mode() ? 8 : iterations();
    for (int i = 0; i < n_invokes; ++i) {
      InvokeInput in;
      in.ids = ids.data();
      in.batch = 1 + i % 4;
      in.seq = 1 + (i * 13) % (testing::quick_mode() ? 16 : 128);
      for (int b = 0; b < in.batch; ++b) lengths[b] = 1 + (in.seq - 1) * (b + 1) / in.batch;
      in.lengths = lengths;
      if (!s.invoke(in).is_ok()) ++failures;
    }
  });
  CHECK(failures == 0);
  CHECK(n == 0);
}

TEST_CASE("stories260K: 100 prefill/decode invokes allocate nothing, 1 and 2 threads") {
  const Model& model = testing::stories260k_from_llama2c();
  SUBCASE("1 thread") { decoder_invokes(model, 1); }
  SUBCASE("2 threads") { decoder_invokes(model, 2); }
}

// Generation with one sampler configuration: 150 tokens in a 48-position
// context, so the context slides (reset + re-prefill) along the way.
void generation_allocates_nothing(const Model& model, const SamplingOptions& sampling,
                                  KvCacheDType kv = KvCacheDType::kF32) {
  const size_t vocab = static_cast<size_t>(model.info().vocab_size);
  SessionOptions so;
  so.max_seq = 8;
  so.max_context = 48;
  so.scratch_bytes = Generator::scratch_bytes(vocab, 48, sampling);
  so.kv_dtype = kv;
  auto session = Session::create(model, so);
  REQUIRE(session.is_ok());
  GenerateOptions go;
  go.sampling = sampling;
  go.max_tokens = 150;
  go.context_policy = ContextPolicy::kSlide;
  Generator gen(**session, vocab, go);
  REQUIRE(gen.status().is_ok());
  const int32_t prompt[5] = {1, 400, 401, 402, 403};
  size_t failures = 0, generated = 0;
  const size_t n = allocations_during([&] {
    if (!gen.append(Span<const int32_t>(prompt, 5)).is_ok()) ++failures;
    while (!gen.finished()) {
      int32_t t = 0;
      if (!gen.step(&t).is_ok()) {
        ++failures;
        break;
      }
      ++generated;
    }
  });
  CHECK(failures == 0);
  CHECK(generated == 150);
  CHECK(gen.slides() > 0);
  CHECK(n == 0);
}

TEST_CASE("stories260K: generation allocates nothing with every sampler") {
  const Model& model = testing::stories260k_from_llama2c();
  SamplingOptions greedy;
  SamplingOptions temperature;
  temperature.temperature = 0.9f;
  SamplingOptions top_k = temperature;
  top_k.top_k = 20;
  SamplingOptions top_p = temperature;
  top_p.top_p = 0.9f;
  SamplingOptions penalty = temperature;
  penalty.repetition_penalty = 1.3f;
  SamplingOptions all = top_p;
  all.top_k = 40;
  all.repetition_penalty = 1.1f;
  SUBCASE("greedy") { generation_allocates_nothing(model, greedy); }
  SUBCASE("temperature") { generation_allocates_nothing(model, temperature); }
  SUBCASE("top-k") { generation_allocates_nothing(model, top_k); }
  SUBCASE("top-p") { generation_allocates_nothing(model, top_p); }
  SUBCASE("repetition penalty") { generation_allocates_nothing(model, penalty); }
  SUBCASE("all combined") { generation_allocates_nothing(model, all); }
  SUBCASE("fp16 KV cache") { generation_allocates_nothing(model, all, KvCacheDType::kF16); }
  SUBCASE("int8 KV cache") { generation_allocates_nothing(model, all, KvCacheDType::kI8); }
}

TEST_CASE("int8, int8-static and fp16 models: decoder and encoder invokes allocate nothing") {
  for (const std::string dtype : {"fp16", "int8", "int8-static"}) {
    CAPTURE(dtype);
    decoder_invokes(testing::stories260k_quantized(dtype), 1);
    decoder_invokes(testing::stories260k_quantized(dtype), 2);
    // Converting MiniLM in-process (with int8 calibration) is minutes under emulation.
    if (!testing::quick_mode()) encoder_invokes(testing::minilm_quantized(dtype), 1);
  }
}

TEST_CASE("MiniLM: 100 encoder invokes with varying batch and lengths allocate nothing, 1 and 2 threads") {
  const Model& model = testing::minilm();
  SUBCASE("1 thread") { encoder_invokes(model, 1); }
  SUBCASE("2 threads") { encoder_invokes(model, 2); }
}

// The in-place path is the x86 tables'; under emulation (ARM: the weights
// are unpacked for XNNPACK at prepare, the invoke is the row-major file's)
// one thread is enough.
TEST_CASE("MiniLM with --f32-layout panels (weights used in place): encoder invokes allocate nothing") {
  const Model& model = testing::minilm_panels();
  SUBCASE("1 thread") { encoder_invokes(model, 1); }
  if (!testing::quick_mode()) {
    SUBCASE("2 threads") { encoder_invokes(model, 2); }
  }
}

// The tasks' token entry points: after create(), no allocation (their text
// entry points allocate inside the tokenizer only, which is documented).
TEST_CASE("tasks: Embedder::embed_tokens and TextGenerator generate_tokens/chat_tokens allocate nothing") {
  EmbedderOptions eo;
  eo.max_batch = 3;
  auto embedder = Embedder::create(testing::minilm(), eo);
  REQUIRE_MESSAGE(embedder.is_ok(), embedder.status().message());
  const std::vector<std::vector<int32_t>> fixture = testing::minilm_fixture_ids();
  std::vector<Span<const int32_t>> rows;
  for (const std::vector<int32_t>& r : fixture) rows.emplace_back(r.data(), r.size());
  std::vector<float> out(rows.size() * (*embedder)->dimension());
  Status es;
  const size_t embed_allocs = allocations_during([&] {
    for (int i = 0; i < (testing::quick_mode() ? 1 : 3) && es.is_ok(); ++i) {
      es = (*embedder)->embed_tokens(Span<const Span<const int32_t>>(rows.data(), rows.size()),
                                     Span<float>(out.data(), out.size()));
    }
  });
  REQUIRE_MESSAGE(es.is_ok(), es.message());
  CHECK(embed_allocs == 0);

  TextGeneratorOptions go;
  go.max_context = 64;
  go.prefill_chunk = 8;
  go.sampling.temperature = 0.8f;
  go.sampling.top_p = 0.9f;
  go.context_policy = ContextPolicy::kSlide;
  auto generator = TextGenerator::create(testing::stories260k_from_llama2c(), go);
  REQUIRE_MESSAGE(generator.is_ok(), generator.status().message());
  struct Count {
    static bool on_text(void* user, std::string_view piece) {
      *static_cast<size_t*>(user) += piece.size();
      return true;
    }
  };
  size_t bytes = 0;
  GenerationRequest r;
  r.max_tokens = 100;  // past the 64-token context: slides too
  r.on_text = &Count::on_text;
  r.user = &bytes;
  r.echo_prompt = true;
  const int32_t prompt[5] = {1, 403, 407, 261, 378};
  Status gs;
  const size_t gen_allocs = allocations_during([&] {
    gs = (*generator)->generate_tokens(Span<const int32_t>(prompt, 5), r);
    if (gs.is_ok()) gs = (*generator)->chat_tokens(Span<const int32_t>(prompt + 1, 4), r);
    if (gs.is_ok()) gs = (*generator)->generate_tokens(Span<const int32_t>(prompt, 5), r);
  });
  REQUIRE_MESSAGE(gs.is_ok(), gs.message());
  CHECK(gen_allocs == 0);
  CHECK(bytes > 0);
}

}  // namespace
}  // namespace edgeattn
