// Session: memory accounting, caller-supplied arenas, limits, and many
// sessions sharing one read-only Model.
#include "runtime/session.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "runtime/model.h"
#include "runtime/platform.h"
#include "runtime/sampler.h"
#include "schema/edgeattn_generated.h"
#include "tests/support/model_gate.h"
#include "tests/support/models.h"

EDGEATTN_TEST_MODELS(kStories260K);

namespace edgeattn {
namespace {

// Greedy ids from BOS on an existing session.
std::vector<int32_t> greedy_ids(Session& s, const Model& model, int steps) {
  const size_t vocab = static_cast<size_t>(model.info().vocab_size);
  std::vector<int32_t> out;
  int32_t token = model.tokenizer()->bos_id();
  s.reset();
  for (int i = 0; i < steps; ++i) {
    InvokeInput in;
    in.ids = &token;
    in.seq = 1;
    if (!s.invoke(in).is_ok()) return {};
    token = Sampler::argmax(s.output(0).f32(), vocab);
    out.push_back(token);
  }
  return out;
}

TEST_CASE("memory stats: plan() matches create(), the KV cache has its exact size, reuse pays off") {
  const Model& model = testing::stories260k_from_llama2c();
  SessionOptions opts;
  opts.max_batch = 2;
  opts.max_seq = 32;
  opts.max_context = 256;
  auto plan = Session::plan(model, opts);
  REQUIRE(plan.is_ok());
  auto session = Session::create(model, opts);
  REQUIRE(session.is_ok());
  const MemoryStats& m = (*session)->memory();
  CHECK(m.arena_bytes == plan->arena_bytes);
  CHECK(m.kv_cache_bytes == plan->kv_cache_bytes);
  CHECK(m.activation_bytes == plan->activation_bytes);
  // [2 (K, V), batch 2, 4 kv heads, 256 positions, head_dim 8] floats per layer, 5 layers.
  CHECK(m.kv_cache_bytes == size_t{5} * 2 * 2 * 4 * 256 * 8 * 4);
  // Plus one RoPE table [256, 8 / 2, 2] floats shared by all 10 Rope ops.
  // And the f32 weights a kernel table with its own GEMM packs (issue #18:
  // 64 rows, so every linear layer on avx512vnni), where XNNPACK's copy would be.
  CHECK(m.persistent_bytes == m.kv_cache_bytes + 256 * 8 * 4 + m.packed_weight_bytes);
  CHECK(m.packed_weight_bytes == plan->packed_weight_bytes);
  CHECK(m.arena_bytes == m.persistent_bytes + m.activation_bytes);
  CHECK(m.weight_bytes == model.weight_bytes());
  CHECK(m.weight_bytes == 1040128);  // 260K float weights as stored (the LM head shares the embeddings)
  CHECK(m.xnnpack_bytes + m.packed_weight_bytes > 0);  // the weights are packed by one or the other
  // 80 activations live a few ops each: the plan must be far below the sum.
  CHECK(m.activation_bytes * 4 < m.naive_activation_bytes);
  // Current first: the peak read afterwards can only be larger (reading
  // them the other way round races with any growth in between, e.g. qemu's).
  const size_t current = current_rss_bytes();
  CHECK(current > 0);
  CHECK(peak_rss_bytes() >= current);
}

TEST_CASE("a caller arena: too small names the size needed; exact size gives the same results") {
  const Model& model = testing::stories260k_from_llama2c();
  SessionOptions opts;
  opts.max_seq = 1;
  opts.max_context = 64;
  auto plan = Session::plan(model, opts);
  REQUIRE(plan.is_ok());
  const size_t need = plan->arena_bytes;
  void* raw = nullptr;
  REQUIRE(posix_memalign(&raw, 64, need + 64) == 0);
  uint8_t* buffer = static_cast<uint8_t*>(raw);

  SessionOptions small = opts;
  small.arena = Span<uint8_t>(buffer, need - 64);
  auto too_small = Session::create(model, small);
  REQUIRE_FALSE(too_small.is_ok());
  CHECK(too_small.status().code() == StatusCode::kResourceExhausted);
  CHECK(std::string(too_small.status().message()).find(std::to_string(need)) != std::string::npos);

  SessionOptions misaligned = opts;
  misaligned.arena = Span<uint8_t>(buffer + 4, need);
  CHECK(Session::create(model, misaligned).status().code() == StatusCode::kInvalidArgument);

  SessionOptions exact = opts;
  exact.arena = Span<uint8_t>(buffer, need);
  auto caller = Session::create(model, exact);
  REQUIRE(caller.is_ok());
  auto owned = Session::create(model, opts);
  REQUIRE(owned.is_ok());
  const std::vector<int32_t> a = greedy_ids(**caller, model, 64);
  CHECK(a.size() == 64);
  CHECK(a == greedy_ids(**owned, model, 64));
  caller.value().reset();  // the session must go before the arena it uses
  std::free(raw);
}

TEST_CASE("sessions on several threads share one Model and agree") {
  const Model& model = testing::stories260k_from_llama2c();
  SessionOptions opts;
  opts.max_seq = 1;
  opts.max_context = 128;
  auto reference = Session::create(model, opts);
  REQUIRE(reference.is_ok());
  const std::vector<int32_t> expected = greedy_ids(**reference, model, 128);
  REQUIRE(expected.size() == 128);
  std::vector<std::vector<int32_t>> results(4);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < results.size(); ++t) {
    threads.emplace_back([&, t] {
      auto s = Session::create(model, opts);
      if (!s.is_ok()) return;
      for (int repeat = 0; repeat < 3; ++repeat) results[t] = greedy_ids(**s, model, 128);
    });
  }
  for (std::thread& th : threads) th.join();
  for (const auto& r : results) CHECK(r == expected);
}

TEST_CASE("threads 0 means every online CPU and gives the same tokens as one thread") {
  const Model& model = testing::stories260k_from_llama2c();
  SessionOptions opts;
  opts.max_seq = 1;
  opts.max_context = 64;
  auto one = Session::create(model, opts);
  opts.threads = 0;
  auto all = Session::create(model, opts);
  REQUIRE(one.is_ok());
  REQUIRE(all.is_ok());
  CHECK(online_cpus() >= 1);
  const std::vector<int32_t> expected = greedy_ids(**one, model, 64);
  REQUIRE(expected.size() == 64);
  CHECK(greedy_ids(**all, model, 64) == expected);
}

TEST_CASE("options and requests outside the limits are refused with a Status") {
  const Model& model = testing::stories260k_from_llama2c();
  SessionOptions bad;
  bad.max_batch = 0;
  CHECK(Session::create(model, bad).status().code() == StatusCode::kInvalidArgument);
  SessionOptions no_graph;
  no_graph.method = "decoder";
  auto missing = Session::create(model, no_graph);
  CHECK(missing.status().code() == StatusCode::kInvalidArgument);
  CHECK(std::string(missing.status().message()).find("'decoder'") != std::string::npos);
  SessionOptions ctx;
  ctx.max_seq = 16;
  ctx.max_context = 8;  // less than max_seq
  CHECK(Session::create(model, ctx).status().code() == StatusCode::kInvalidArgument);

  SessionOptions opts;
  opts.max_seq = 4;
  opts.max_context = 8;
  auto s = Session::create(model, opts);
  REQUIRE(s.is_ok());
  int32_t ids[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  InvokeInput in;
  in.ids = ids;
  in.seq = 5;
  CHECK((*s)->invoke(in).code() == StatusCode::kOutOfRange);
  in.seq = 0;
  CHECK((*s)->invoke(in).code() == StatusCode::kOutOfRange);
  in.seq = 2;
  in.batch = 2;
  CHECK((*s)->invoke(in).code() == StatusCode::kOutOfRange);
  in.batch = 1;
  ids[1] = 512;  // vocab is 512
  Status bad_id = (*s)->invoke(in);
  CHECK(bad_id.code() == StatusCode::kInvalidArgument);
  CHECK(std::string(bad_id.message()).find("token id 512") != std::string::npos);
}

}  // namespace
}  // namespace edgeattn
