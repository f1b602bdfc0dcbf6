// stories260K end to end: both conversions (llama2.c .bin and GGUF) and an HF
// Llama folder written from the same weights must reproduce llama2.c's
// published greedy output byte for byte, with bit-identical logits.
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "converter/source/hf_checkpoint_writer.h"
#include "converter/source/llama2c.h"
#include "runtime/model.h"
#include "runtime/sampler.h"
#include "runtime/session.h"
#include "schema/edgeattn_generated.h"
#include "tests/support/model_gate.h"
#include "tests/support/model_paths.h"
#include "tests/support/models.h"

EDGEATTN_TEST_MODELS(kStories260K, kStories260KGguf);

namespace edgeattn {
namespace {

using testing::require_model;

// Greedy from BOS through the shared helper; fails the test if a call failed.
testing::GreedyRun greedy(const Model& model, int steps, const char* kernels = nullptr, int threads = 1) {
  testing::GreedyRun g = testing::greedy_from_bos(model, steps, kernels, threads);
  REQUIRE_MESSAGE(g.error.empty(), g.error);
  return g;
}

bool bit_identical(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

TEST_CASE("stories260K from llama2.c .bin: greedy 256 steps reproduce the published text") {
  const testing::GreedyRun g = greedy(testing::stories260k_from_llama2c(), 256);
  CHECK(g.text == testing::stories260k_published_text());
}

TEST_CASE("stories260K: GGUF and llama2.c conversions give bit-identical logits") {
  const testing::GreedyRun a = greedy(testing::stories260k_from_llama2c(), 256);
  const testing::GreedyRun b = greedy(testing::stories260k_from_gguf(), 256);
  CHECK(b.text == testing::stories260k_published_text());
  CHECK(bit_identical(a.logits, b.logits));
}

TEST_CASE("stories260K: an HF Llama folder (q/k rows permuted as HF does) converts to the same logits") {
  const std::string bin = require_model("stories260K/stories260K.bin");
  const std::string tok = require_model("stories260K/tok512.bin");
  const std::string dir = testing::temp_dir("stories260k_hf") + "/hf";
  convert::write_hf_llama_folder(dir, convert::Llama2cCheckpoint::open(bin));
  auto hf = testing::convert_and_load(dir, tok, testing::temp_dir("stories260k_hf_eatn") + "/model.eatn");
  CHECK(std::string(hf->info().source_format) == "hf-safetensors");
  const testing::GreedyRun a = greedy(testing::stories260k_from_llama2c(), 64);
  const testing::GreedyRun b = greedy(*hf, 64);
  CHECK(bit_identical(a.logits, b.logits));
}

TEST_CASE("stories260K: every kernel table and two threads reproduce the text") {
  const char* names[16];
  const size_t n = available_kernel_names(names, 16);
  REQUIRE(n >= 1);
  REQUIRE(n <= 16);
  for (size_t i = 0; i < n; ++i) {
    const std::string kernel_name = names[i];
    CAPTURE(kernel_name);
    CHECK(greedy(testing::stories260k_from_llama2c(), 256, names[i]).text == testing::stories260k_published_text());
  }
  CHECK(greedy(testing::stories260k_from_llama2c(), 256, nullptr, 2).text == testing::stories260k_published_text());
}

// The reference table is what runs bit-identically on every architecture
// (targets/cross-test.sh compares its logits x86-64 vs ARM): it must not
// reach XNNPACK (fp32 layers take its own f32_gemm), and its bits must not
// depend on the thread count (each output is summed by one thread, in order).
TEST_CASE("stories260K: the reference table uses no XNNPACK and is thread-count invariant") {
  const Model& model = testing::stories260k_from_llama2c();
  SessionOptions opts;
  opts.kernels = "reference";
  auto session = Session::create(model, opts);
  REQUIRE(session.is_ok());
  CHECK((*session)->memory().xnnpack_bytes == 0);
  const testing::GreedyRun one = greedy(model, 64, "reference", 1);
  const testing::GreedyRun three = greedy(model, 64, "reference", 3);
  CHECK(bit_identical(one.logits, three.logits));
  // Against the default table (XNNPACK, SIMD kernels): the same function up
  // to float reordering: logits are O(10), the largest difference seen is
  // 1.5e-5 (x86-64 AVX2 + XNNPACK), the bound 1e-4.
  const testing::GreedyRun fast = greedy(model, 64);
  REQUIRE(fast.logits.size() == one.logits.size());
  double max_diff = 0;
  for (size_t i = 0; i < one.logits.size(); ++i) {
    max_diff = std::max(max_diff, static_cast<double>(std::abs(one.logits[i] - fast.logits[i])));
  }
  CAPTURE(max_diff);
  CHECK(max_diff < 1e-4);
  CHECK(max_diff > 0.0);  // the two really are different code paths
}

TEST_CASE("stories260K: chunked prefill with all positions matches step-by-step decoding") {
  const Model& model = testing::stories260k_from_llama2c();
  const testing::GreedyRun steps = greedy(model, 40);
  const size_t vocab = static_cast<size_t>(model.info().vocab_size);
  // The 40 tokens fed step by step: BOS, then each greedy choice but the last.
  std::vector<int32_t> ids = {model.tokenizer()->bos_id()};
  for (int t = 0; t + 1 < 40; ++t) ids.push_back(Sampler::argmax(&steps.logits[t * vocab], vocab));
  SessionOptions opts;
  opts.max_seq = 16;
  opts.max_context = 40;
  auto session = Session::create(model, opts);
  REQUIRE(session.is_ok());
  // Prefill in chunks of 16, 16, 8 with every position's logits.
  size_t done = 0;
  for (int chunk : {16, 16, 8}) {
    InvokeInput in;
    in.ids = ids.data() + done;
    in.seq = chunk;
    in.all_positions = true;
    REQUIRE((*session)->invoke(in).is_ok());
    TensorView out = (*session)->output(0);
    REQUIRE(out.dim(1) == chunk);
    REQUIRE(out.dim(2) == static_cast<int64_t>(vocab));
    double max_diff = 0;
    for (size_t i = 0; i < static_cast<size_t>(chunk) * vocab; ++i) {
      max_diff = std::max(max_diff, static_cast<double>(std::abs(out.f32()[i] - steps.logits[done * vocab + i])));
    }
    // Same math in another order of rows: XNNPACK f32 is batch-invariant, the
    // attention kernel sums keys in the same order, so only tiny drift is allowed.
    CHECK(max_diff < 1e-4);
    done += static_cast<size_t>(chunk);
  }
  CHECK((*session)->past() == 40);
  InvokeInput over;
  int32_t one = 1;
  over.ids = &one;
  over.seq = 1;
  Status full = (*session)->invoke(over);
  CHECK(full.code() == StatusCode::kOutOfRange);
  CHECK(std::string(full.message()).find("context full") != std::string::npos);
  (*session)->reset();
  CHECK((*session)->invoke(over).is_ok());
}

}  // namespace
}  // namespace edgeattn
