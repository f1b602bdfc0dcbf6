// Soak: 100,000 decode steps on stories260K through the Generator with a
// sliding context window (the session is reset and re-prefilled every time
// the 256-position context fills, ~500 times). After prepare nothing may
// touch the heap (the interposer in tests/support/alloc_interposer.h counts
// every allocation on every thread) and the resident set must stay flat:
// RSS after the first 1,000 steps and at the end differ by < 1 %.
// EDGEATTN_TEST_QUICK=1 (emulation): 10,000 steps.
#include <doctest/doctest.h>

#include <cmath>

#include "runtime/generator.h"
#include "runtime/model.h"
#include "runtime/platform.h"
#include "runtime/session.h"
#include "schema/edgeattn_generated.h"
#include "tests/support/alloc_interposer.h"
#include "tests/support/model_gate.h"
#include "tests/support/model_paths.h"
#include "tests/support/models.h"

EDGEATTN_TEST_MODELS(kStories260K);

namespace edgeattn {
namespace {

namespace counter = testing::alloc_interposer;

TEST_CASE("stories260K: 100,000 decode steps with a sliding window keep RSS flat and allocate nothing") {
  counter::require_active();
  const Model& model = testing::stories260k_from_llama2c();
  const int steps = testing::quick_mode() ? 10000 : 100000;
  const size_t vocab = static_cast<size_t>(model.info().vocab_size);

  SamplingOptions sampling;
  sampling.temperature = 0.8f;
  sampling.top_p = 0.95f;
  sampling.repetition_penalty = 1.1f;
  sampling.seed = 2024;
  SessionOptions so;
  so.max_seq = 32;
  so.max_context = 256;
  so.scratch_bytes = Generator::scratch_bytes(vocab, 256, sampling);
  Result<std::unique_ptr<Session>> session = Session::create(model, so);
  REQUIRE(session.is_ok());
  GenerateOptions go;
  go.sampling = sampling;
  go.max_tokens = steps;
  go.context_policy = ContextPolicy::kSlide;
  go.slide_keep = 64;
  Generator gen(**session, vocab, go);
  REQUIRE(gen.status().is_ok());

  const int32_t prompt[4] = {1, 403, 404, 405};
  size_t allocations = 0;
  size_t rss_after_1000 = 0;
  int generated = 0;
  Status s;
  // The first read of /proc grows the heap by itself (stdio buffers, ~128
  // KiB seen): done once here so it is not counted as the runtime's.
  REQUIRE(current_rss_bytes_exact() > 0);
  counter::start();
  s = gen.append(Span<const int32_t>(prompt, 4));
  while (s.is_ok() && !gen.finished()) {
    int32_t t = 0;
    s = gen.step(&t);
    ++generated;
    if (generated == 1000) {
      // Reading /proc allocates (fopen): pause the count around it.
      allocations += counter::stop().calls;
      rss_after_1000 = current_rss_bytes_exact();
      counter::start();
    }
  }
  allocations += counter::stop().calls;
  const size_t rss_end = current_rss_bytes_exact();

  REQUIRE_MESSAGE(s.is_ok(), std::string(s.message()));
  CHECK(generated == steps);
  CHECK(gen.slides() >= steps / 200);  // the window really slid, again and again
  CHECK(allocations == 0);
  REQUIRE(rss_after_1000 > 0);
  const double change = (static_cast<double>(rss_end) - static_cast<double>(rss_after_1000)) /
                        static_cast<double>(rss_after_1000);
  MESSAGE(generated, " steps, ", gen.slides(), " slides, RSS after 1,000 steps ", rss_after_1000 / 1024, " KiB, at the end ",
          rss_end / 1024, " KiB (", change * 100.0, " %), ", allocations, " allocations after prepare");
  CHECK(std::fabs(change) < 0.01);
}

}  // namespace
}  // namespace edgeattn
