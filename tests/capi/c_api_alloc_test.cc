// The C API and the heap (tests/support/alloc_interposer.h, linked into this
// binary): the hot calls (invoke, output, generator step / run / reset)
// allocate nothing, and the create calls, with the k-th allocation failing
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

}  // namespace
}  // namespace edgeattn
