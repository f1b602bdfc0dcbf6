// The C API and the heap (tests/support/alloc_interposer.h, linked into this
// binary): the hot calls (invoke, output, generator step / run / reset, the
// tasks' token calls) allocate nothing, and the create calls, with the k-th
// allocation failing
// for every k, return EDGEATTN_OUT_OF_MEMORY with a message, leave no handle
// and no live bytes behind, and a retry succeeds. Tiny synthetic models, so
// it always runs (skipped in sanitizer builds, which bring their own
// allocator).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "capi/edgeattn.h"
#include "tests/runtime/tiny_model.h"
#include "tests/support/alloc_interposer.h"

namespace edgeattn {
namespace {

namespace inject = testing::alloc_interposer;
using testing::AlignedBuffer;
using testing::tiny_bert_bytes;
using testing::tiny_llama_bytes;
using testing::tiny_llama_config;

template <typename Fn>
size_t allocations_during(Fn&& fn) {
  inject::require_active();
  inject::start();
  fn();
  return inject::stop().calls;
}

TEST_CASE("C API: invoke, output and generator steps allocate nothing") {
  AlignedBuffer llama(tiny_llama_bytes());
  AlignedBuffer bert(tiny_bert_bytes());
  edgeattn_model* decoder = nullptr;
  edgeattn_model* encoder = nullptr;
  REQUIRE(edgeattn_model_load_buffer(llama.data(), llama.size(), &decoder) == EDGEATTN_OK);
  REQUIRE(edgeattn_model_load_buffer(bert.data(), bert.size(), &encoder) == EDGEATTN_OK);

  edgeattn_session_options so = edgeattn_session_options_default();
  so.max_batch = 2;
  so.max_seq = 8;
  so.threads = 2;
  edgeattn_session* session = nullptr;
  REQUIRE(edgeattn_session_create(encoder, &so, &session) == EDGEATTN_OK);
  const int32_t ids[16] = {2, 10, 11, 12, 3, 0, 0, 0, 2, 13, 14, 15, 16, 17, 18, 3};
  const int32_t lengths[2] = {5, 8};
  const edgeattn_input in = {ids, 2, 8, lengths, 0};
  const int32_t bad_ids[2] = {2, 999};
  const edgeattn_input bad = {bad_ids, 1, 2, nullptr, 0};
  size_t failures = 0;
  const size_t encoder_allocs = allocations_during([&] {
    for (int i = 0; i < 20; ++i) {
      edgeattn_tensor out;
      if (edgeattn_session_invoke(session, &in) != EDGEATTN_OK) ++failures;
      if (edgeattn_session_output(session, 0, &out) != EDGEATTN_OK) ++failures;
      // Failures are reported without allocating too.
      if (edgeattn_session_invoke(session, &bad) != EDGEATTN_INVALID_ARGUMENT) ++failures;
    }
  });
  CHECK(failures == 0);
  CHECK(encoder_allocs == 0);

  so = edgeattn_session_options_default();
  so.max_seq = 4;
  so.max_context = 64;
  edgeattn_generate_options go = edgeattn_generate_options_default();
  go.sampling.temperature = 0.9f;
  go.sampling.top_k = 20;
  go.sampling.repetition_penalty = 1.2f;
  go.max_tokens = 20;
  edgeattn_generator* gen = nullptr;
  REQUIRE(edgeattn_generator_create(decoder, &so, &go, &gen) == EDGEATTN_OK);
  const int32_t prompt[5] = {1, 270, 271, 260, 265};
  int tokens = 0;
  const size_t generator_allocs = allocations_during([&] {
    for (int round = 0; round < 3; ++round) {
      edgeattn_generator_reset(gen);
      if (edgeattn_generator_append_tokens(gen, prompt, 5) != EDGEATTN_OK) ++failures;
      edgeattn_token t;
      do {
        if (edgeattn_generator_step(gen, &t) != EDGEATTN_OK) {
          ++failures;
          break;
        }
        ++tokens;
      } while (!t.finished);
    }
  });
  CHECK(failures == 0);
  CHECK(tokens >= 3);
  CHECK(generator_allocs == 0);
  edgeattn_generator_destroy(gen);
  edgeattn_session_destroy(session);
  edgeattn_model_destroy(encoder);
  edgeattn_model_destroy(decoder);
}

// load_buffer + generator_create, as one unit under injection.
edgeattn_status load_and_create(const AlignedBuffer& bytes, edgeattn_model** model, edgeattn_generator** gen) {
  edgeattn_status s = edgeattn_model_load_buffer(bytes.data(), bytes.size(), model);
  if (s != EDGEATTN_OK) return s;
  edgeattn_session_options so = edgeattn_session_options_default();
  so.max_seq = 4;
  so.max_context = 32;
  so.threads = 2;
  return edgeattn_generator_create(*model, &so, nullptr, gen);
}

TEST_CASE("C API: every failing allocation in load + generator create gives out_of_memory and no leak") {
  inject::require_active();
  AlignedBuffer bytes(tiny_llama_bytes());
  edgeattn_model* model = nullptr;
  edgeattn_generator* gen = nullptr;
  // Warm process-wide state (XNNPACK, cpuinfo), then count.
  REQUIRE(load_and_create(bytes, &model, &gen) == EDGEATTN_OK);
  edgeattn_generator_destroy(gen);
  edgeattn_model_destroy(model);
  inject::start();
  REQUIRE(load_and_create(bytes, &model, &gen) == EDGEATTN_OK);
  const inject::Record counted = inject::stop();
  edgeattn_generator_destroy(gen);
  edgeattn_model_destroy(model);
  CHECK(counted.throwing_new_calls == 0);
  REQUIRE(counted.calls > 5);
  MESSAGE("load_buffer + generator_create: " << counted.calls << " allocations; each k fails once below");

  for (size_t k = 1; k <= counted.calls; ++k) {
    CAPTURE(k);
    model = nullptr;
    gen = nullptr;
    const int64_t before = inject::live_bytes();
    inject::start(k);
    const edgeattn_status s = load_and_create(bytes, &model, &gen);
    const inject::Record r = inject::stop();
    CHECK(r.failed);
    CHECK(s == EDGEATTN_OUT_OF_MEMORY);
    CHECK(std::string(edgeattn_last_error()).size() > 0);
    CHECK(gen == nullptr);
    edgeattn_model_destroy(model);  // NULL unless the session part failed
    CHECK(inject::live_bytes() == before);
  }
  // A retry after all that succeeds and generates.
  REQUIRE(load_and_create(bytes, &model, &gen) == EDGEATTN_OK);
  const int32_t prompt[2] = {1, 270};
  REQUIRE(edgeattn_generator_append_tokens(gen, prompt, 2) == EDGEATTN_OK);
  edgeattn_token t;
  CHECK(edgeattn_generator_step(gen, &t) == EDGEATTN_OK);
  edgeattn_generator_destroy(gen);
  edgeattn_model_destroy(model);
}

// Greedy sink for the text generator: counts pieces, appends nothing (an
// std::string would allocate).
int count_piece(void* user, const char* piece, size_t len) {
  (void)piece;
  *static_cast<size_t*>(user) += len > 0 ? 1 : 0;
  return 1;
}

TEST_CASE("C API tasks: embed_tokens, generate_tokens, chat_tokens and reset allocate nothing") {
  AlignedBuffer llama(tiny_llama_bytes());
  AlignedBuffer bert(tiny_bert_bytes());
  edgeattn_model* decoder = nullptr;
  edgeattn_model* encoder = nullptr;
  REQUIRE(edgeattn_model_load_buffer(llama.data(), llama.size(), &decoder) == EDGEATTN_OK);
  REQUIRE(edgeattn_model_load_buffer(bert.data(), bert.size(), &encoder) == EDGEATTN_OK);

  edgeattn_embedder_options eo = edgeattn_embedder_options_default();
  eo.max_batch = 2;
  eo.threads = 2;
  edgeattn_embedder* embedder = nullptr;
  REQUIRE(edgeattn_embedder_create(encoder, &eo, &embedder) == EDGEATTN_OK);
  const int32_t a[5] = {2, 10, 11, 12, 3}, b[8] = {2, 13, 14, 15, 16, 17, 18, 3}, bad[2] = {2, 999};
  const int32_t* rows[3] = {a, b, a};
  const size_t lengths[3] = {5, 8, 5};
  const int32_t* bad_rows[1] = {bad};
  const size_t bad_lengths[1] = {2};
  float out[3 * 16];
  size_t failures = 0;
  const size_t embed_allocs = allocations_during([&] {
    for (int i = 0; i < 20; ++i) {
      if (edgeattn_embedder_embed_tokens(embedder, rows, lengths, 2, out, 32) != EDGEATTN_OK) ++failures;
      if (edgeattn_embedder_embed_tokens(embedder, bad_rows, bad_lengths, 1, out, 16) != EDGEATTN_INVALID_ARGUMENT) {
        ++failures;
      }
    }
  });
  CHECK(failures == 0);
  CHECK(embed_allocs == 0);
  // More rows than max_batch: the row views grow once, then nothing.
  REQUIRE(edgeattn_embedder_embed_tokens(embedder, rows, lengths, 3, out, 48) == EDGEATTN_OK);
  const size_t grown_allocs = allocations_during([&] {
    for (int i = 0; i < 10; ++i) {
      if (edgeattn_embedder_embed_tokens(embedder, rows, lengths, 3, out, 48) != EDGEATTN_OK) ++failures;
    }
  });
  CHECK(failures == 0);
  CHECK(grown_allocs == 0);

  edgeattn_text_generator_options go = edgeattn_text_generator_options_default();
  go.max_context = 48;
  go.prefill_chunk = 4;
  go.threads = 2;
  go.sampling.temperature = 0.9f;
  go.sampling.top_k = 20;
  go.sampling.repetition_penalty = 1.2f;
  go.context_policy = EDGEATTN_CONTEXT_SLIDE;  // long runs slide: that must not allocate either
  edgeattn_text_generator* gen = nullptr;
  REQUIRE(edgeattn_text_generator_create(decoder, &go, &gen) == EDGEATTN_OK);
  const int32_t prompt[5] = {1, 270, 271, 260, 265};
  size_t pieces = 0;
  edgeattn_generation_request r = edgeattn_generation_request_default();
  r.max_tokens = 60;
  r.on_text = count_piece;
  r.user = &pieces;
  r.echo_prompt = 1;
  edgeattn_generation_stats st;
  int slides = 0;
  const size_t generate_allocs = allocations_during([&] {
    for (int round = 0; round < 3; ++round) {
      if (edgeattn_text_generator_generate_tokens(gen, prompt, 5, &r) != EDGEATTN_OK) ++failures;
      if (edgeattn_text_generator_last_stats(gen, &st) != EDGEATTN_OK) ++failures;
      slides += st.slides;
      if (edgeattn_text_generator_chat_tokens(gen, prompt + 1, 4, &r) != EDGEATTN_OK) ++failures;
      edgeattn_text_generator_reset(gen);
      if (edgeattn_text_generator_chat_tokens(gen, prompt, 5, &r) != EDGEATTN_OK) ++failures;
    }
  });
  CHECK(failures == 0);
  CHECK(pieces > 0);
  CHECK(slides > 0);
  CHECK(generate_allocs == 0);
  edgeattn_text_generator_destroy(gen);
  edgeattn_embedder_destroy(embedder);
  edgeattn_model_destroy(encoder);
  edgeattn_model_destroy(decoder);
}

// load_buffer + a task's create, as one unit under injection.
edgeattn_status load_and_create_task(const AlignedBuffer& bytes, bool embedder, edgeattn_model** model,
                                     edgeattn_embedder** e, edgeattn_text_generator** g) {
  edgeattn_status s = edgeattn_model_load_buffer(bytes.data(), bytes.size(), model);
  if (s != EDGEATTN_OK) return s;
  if (embedder) {
    edgeattn_embedder_options o = edgeattn_embedder_options_default();
    o.threads = 2;
    return edgeattn_embedder_create(*model, &o, e);
  }
  edgeattn_text_generator_options o = edgeattn_text_generator_options_default();
  o.max_context = 32;
  o.threads = 2;
  return edgeattn_text_generator_create(*model, &o, g);
}

TEST_CASE("C API tasks: every failing allocation in load + embedder / text generator create gives out_of_memory") {
  inject::require_active();
  for (const bool embedder : {true, false}) {
    CAPTURE(embedder);
    AlignedBuffer bytes(embedder ? tiny_bert_bytes() : tiny_llama_bytes());
    edgeattn_model* model = nullptr;
    edgeattn_embedder* e = nullptr;
    edgeattn_text_generator* g = nullptr;
    REQUIRE(load_and_create_task(bytes, embedder, &model, &e, &g) == EDGEATTN_OK);  // warm process-wide state
    edgeattn_embedder_destroy(e);
    edgeattn_text_generator_destroy(g);
    edgeattn_model_destroy(model);
    inject::start();
    REQUIRE(load_and_create_task(bytes, embedder, &model, &e, &g) == EDGEATTN_OK);
    const inject::Record counted = inject::stop();
    edgeattn_embedder_destroy(e);
    edgeattn_text_generator_destroy(g);
    edgeattn_model_destroy(model);
    // A throwing operator new cannot report failure (no exceptions: it would
    // end the process) and the interposer never fails one: the tasks' create
    // must not use one.
    CHECK_MESSAGE(counted.throwing_new_calls == 0,
                  "a throwing operator new during create (std::vector / std::string growth in the task)");
    REQUIRE(counted.calls > 5);
    size_t unfailable = 0;
    for (size_t k = 1; k <= counted.calls; ++k) {
      CAPTURE(k);
      model = nullptr;
      e = nullptr;
      g = nullptr;
      const int64_t before = inject::live_bytes();
      inject::start(k);
      const edgeattn_status s = load_and_create_task(bytes, embedder, &model, &e, &g);
      const inject::Record r = inject::stop();
      if (!r.failed) {  // call k was a throwing new (counted above): nothing failed
        ++unfailable;
        CHECK(s == EDGEATTN_OK);
        edgeattn_embedder_destroy(e);
        edgeattn_text_generator_destroy(g);
        edgeattn_model_destroy(model);
        continue;
      }
      CHECK(s == EDGEATTN_OUT_OF_MEMORY);
      CHECK(std::string(edgeattn_last_error()).size() > 0);
      CHECK(e == nullptr);
      CHECK(g == nullptr);
      edgeattn_model_destroy(model);  // NULL unless the task part failed
      CHECK(inject::live_bytes() == before);
    }
    CHECK(unfailable == counted.throwing_new_calls);
  }
}

}  // namespace
}  // namespace edgeattn
