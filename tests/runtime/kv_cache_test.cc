// KV cache storage (SessionOptions::kv_dtype): sizes, fidelity against the
// fp32 cache, and no allocation in invoke.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/model.h"
#include "runtime/sampler.h"
#include "runtime/session.h"
#include "schema/edgeattn_generated.h"
#include "tests/support/model_gate.h"
#include "tests/support/model_paths.h"
#include "tests/support/models.h"

EDGEATTN_TEST_MODELS(kStories260K);

namespace edgeattn {
namespace {

std::unique_ptr<Session> session(const Model& m, KvCacheDType kv, int context) {
  SessionOptions o;
  o.max_seq = 16;
  o.max_context = context;
  o.kv_dtype = kv;
  auto s = Session::create(m, o);
  REQUIRE_MESSAGE(s.is_ok(), s.status().message());
  return std::move(s).value();
}

TEST_CASE("KV cache bytes: fp16 halves, int8 quarters plus one float scale per row") {
  const Model& m = testing::stories260k_from_llama2c();
  const size_t f32 = session(m, KvCacheDType::kF32, 256)->memory().kv_cache_bytes;
  const size_t f16 = session(m, KvCacheDType::kF16, 256)->memory().kv_cache_bytes;
  const size_t i8 = session(m, KvCacheDType::kI8, 256)->memory().kv_cache_bytes;
  // 5 layers x (K, V) x [1 batch, 4 kv heads, 256 positions, 8 dims].
  const size_t rows = 5 * 2 * 4 * 256;
  CHECK(f32 == rows * 8 * 4);
  CHECK(f16 == rows * 8 * 2);
  CHECK(i8 == rows * 8 + rows * 4);
}

TEST_CASE("fp16 and int8 KV caches follow the fp32 cache, teacher-forced") {
  const Model& m = testing::stories260k_from_llama2c();
  const testing::GreedyRun ref = testing::greedy_from_bos(m, 256);
  REQUIRE(ref.error.empty());
  for (KvCacheDType kv : {KvCacheDType::kF16, KvCacheDType::kI8}) {
    CAPTURE(static_cast<int>(kv));
    auto s = session(m, kv, 256);
    int agree = 0;
    int32_t token = m.tokenizer()->bos_id();
    for (int i = 0; i < 256; ++i) {
      InvokeInput in;
      in.ids = &token;
      in.seq = 1;
      REQUIRE(s->invoke(in).is_ok());
      agree += Sampler::argmax(s->output(0).f32(), 512) == ref.tokens[static_cast<size_t>(i)];
      token = ref.tokens[static_cast<size_t>(i)];  // feed the fp32 choice
    }
    MESSAGE("kv dtype " << static_cast<int>(kv) << ": top-1 agreement " << agree << " / 256");
    CHECK(agree >= (kv == KvCacheDType::kF16 ? 255 : 243));
  }
  // fp16 keeps the published greedy text byte for byte.
  auto s = session(m, KvCacheDType::kF16, 256);
  std::string text;
  int32_t token = m.tokenizer()->bos_id();
  for (int i = 0; i < 256; ++i) {
    InvokeInput in;
    in.ids = &token;
    in.seq = 1;
    REQUIRE(s->invoke(in).is_ok());
    const int32_t next = Sampler::argmax(s->output(0).f32(), 512);
    text += std::string(m.tokenizer()->decode_piece(token, next));
    token = next;
  }
  CHECK(text == ref.text);
}

TEST_CASE("prefill in chunks equals single steps with an int8 KV cache") {
  const Model& m = testing::stories260k_from_llama2c();
  const testing::GreedyRun ref = testing::greedy_from_bos(m, 48);
  std::vector<int32_t> ids = {m.tokenizer()->bos_id()};
  ids.insert(ids.end(), ref.tokens.begin(), ref.tokens.begin() + 47);
  auto chunked = session(m, KvCacheDType::kI8, 48);
  auto stepped = session(m, KvCacheDType::kI8, 48);
  InvokeInput in;
  in.ids = ids.data();
  in.seq = 16;
  for (int c = 0; c < 3; ++c) {
    in.ids = ids.data() + 16 * c;
    REQUIRE(chunked->invoke(in).is_ok());
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    InvokeInput one;
    one.ids = &ids[i];
    one.seq = 1;
    REQUIRE(stepped->invoke(one).is_ok());
  }
  // Same rows quantized the same way; only the summation order of a chunk's
  // queries differs, so the last logits agree to float precision.
  const float* a = chunked->output(0).f32();
  const float* b = stepped->output(0).f32();
  double worst = 0;
  for (int i = 0; i < 512; ++i) worst = std::max(worst, static_cast<double>(std::abs(a[i] - b[i])));
  CHECK(worst < 1e-4);
}

}  // namespace
}  // namespace edgeattn
