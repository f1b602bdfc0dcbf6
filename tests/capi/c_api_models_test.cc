// The C API on the real models: stories260K greedy generation, written in C
// (capi_c_helpers.c), reproduces llama2.c's published text; MiniLM ids and
// embeddings through the C API match the HF / numpy fixture.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "capi/edgeattn.h"
#include "tests/capi/capi_c_helpers.h"
#include "tests/runtime/tiny_model.h"
#include "tests/support/model_gate.h"
#include "tests/support/model_paths.h"
#include "tests/support/models.h"
#include "tests/support/process.h"

EDGEATTN_TEST_MODELS(kStories260K, kMiniLM);

namespace edgeattn {
namespace {

using testing::require_model;

// stories260K converted once to a file the C API loads.
const std::string& stories_path() {
  static const std::string path = [] {
    const std::string bin = require_model("stories260K/stories260K.bin");
    const std::string tok = require_model("stories260K/tok512.bin");
    const std::string p = testing::temp_dir("capi_stories260k") + "/model.eatn";
    testing::convert_and_load(bin, tok, p);
    return p;
  }();
  return path;
}

std::string generator_text(const edgeattn_model* model, int steps) {
  std::vector<char> text(8192);
  size_t len = 0;
  const edgeattn_status s = capi_generator_greedy(model, steps, text.data(), text.size(), &len);
  REQUIRE_MESSAGE(s == EDGEATTN_OK, edgeattn_last_error());
  return std::string(text.data(), len);
}

TEST_CASE("C API stories260K: greedy generation from C reproduces the published text") {
  const std::string expected = testing::stories260k_published_text();
  edgeattn_model* model = nullptr;
  REQUIRE_MESSAGE(edgeattn_model_load_file(stories_path().c_str(), &model) == EDGEATTN_OK, edgeattn_last_error());
  const std::string text = generator_text(model, 256);
  REQUIRE(expected.size() >= 64);
  CHECK(text.substr(0, 64) == expected.substr(0, 64));
  CHECK(text == expected);

  // A plain session, argmax and edgeattn_token_text, also from C.
  std::vector<char> buf(8192);
  size_t len = 0;
  REQUIRE_MESSAGE(capi_session_greedy(model, 256, buf.data(), buf.size(), &len) == EDGEATTN_OK,
                  edgeattn_last_error());
  CHECK(std::string(buf.data(), len) == expected);
  edgeattn_model_destroy(model);
}

TEST_CASE("C API stories260K: a model loaded from a caller buffer generates the same text") {
  const std::string bytes = testing::read_file(stories_path());
  testing::AlignedBuffer buffer(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  edgeattn_model* model = nullptr;
  REQUIRE_MESSAGE(edgeattn_model_load_buffer(buffer.data(), buffer.size(), &model) == EDGEATTN_OK,
                  edgeattn_last_error());
  edgeattn_model_info info;
  REQUIRE(edgeattn_model_get_info(model, &info) == EDGEATTN_OK);
  CHECK(std::string(info.architecture) == "LlamaDecoder");
  CHECK(info.vocab_size == 512);
  CHECK(info.file_bytes == bytes.size());
  CHECK(generator_text(model, 256) == testing::stories260k_published_text());
  edgeattn_model_destroy(model);  // before the buffer, as the contract says
}

TEST_CASE("C API stories260K: one model, generators on four threads at once") {
  const std::string expected = testing::stories260k_published_text();
  edgeattn_model* model = nullptr;
  REQUIRE(edgeattn_model_load_file(stories_path().c_str(), &model) == EDGEATTN_OK);
  std::vector<std::string> texts(4);
  std::vector<int> status(4, -1);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      std::vector<char> buf(8192);
      size_t len = 0;
      status[i] = capi_generator_greedy(model, 256, buf.data(), buf.size(), &len);
      texts[i].assign(buf.data(), len);
    });
  }
  for (std::thread& t : threads) t.join();
  for (int i = 0; i < 4; ++i) {
    CAPTURE(i);
    CHECK(status[i] == EDGEATTN_OK);
    CHECK(texts[i] == expected);
  }
  edgeattn_model_destroy(model);
}

TEST_CASE("C API stories260K: a prompt is continued; seeded sampling repeats exactly") {
  edgeattn_model* model = nullptr;
  REQUIRE(edgeattn_model_load_file(stories_path().c_str(), &model) == EDGEATTN_OK);
  edgeattn_session_options so = edgeattn_session_options_default();
  so.max_seq = 16;
  so.max_context = 256;
  edgeattn_generate_options go = edgeattn_generate_options_default();
  go.sampling.temperature = 0.8f;
  go.sampling.top_p = 0.9f;
  go.sampling.seed = 42;
  go.max_tokens = 60;
  std::string runs[2];
  for (std::string& text : runs) {
    edgeattn_generator* gen = nullptr;
    REQUIRE(edgeattn_generator_create(model, &so, &go, &gen) == EDGEATTN_OK);
    const std::string prompt = "Once upon a time";
    REQUIRE(edgeattn_generator_append_text(gen, prompt.data(), prompt.size(), 1) == EDGEATTN_OK);
    edgeattn_token t;
    do {
      REQUIRE(edgeattn_generator_step(gen, &t) == EDGEATTN_OK);
      text.append(t.text, t.text_len);
    } while (!t.finished);
    edgeattn_generator_destroy(gen);
  }
  CHECK(runs[0] == runs[1]);
  CHECK(runs[0].size() > 60);  // 60 tokens of text (no stop token this early)
  edgeattn_model_destroy(model);
}

double cosine(const float* a, const std::vector<double>& b) {
  double dot = 0, na = 0, nb = 0;
  for (size_t i = 0; i < b.size(); ++i) {
    dot += a[i] * b[i];
    na += static_cast<double>(a[i]) * a[i];
    nb += b[i] * b[i];
  }
  return dot / std::sqrt(na * nb);
}

TEST_CASE("C API MiniLM: tokenize gives HF's ids and a padded batch gives the reference embeddings") {
  require_model("all-MiniLM-L6-v2/model.safetensors");
  const std::string path = testing::temp_dir("capi_minilm") + "/model.eatn";
  testing::convert_and_load(require_model("all-MiniLM-L6-v2"), "", path);
  const std::vector<testing::MiniLmCase> cases = testing::minilm_fixture_cases();
  REQUIRE(cases.size() >= 4);

  edgeattn_model* model = nullptr;
  REQUIRE_MESSAGE(edgeattn_model_load_file(path.c_str(), &model) == EDGEATTN_OK, edgeattn_last_error());
  edgeattn_model_info info;
  REQUIRE(edgeattn_model_get_info(model, &info) == EDGEATTN_OK);
  CHECK(std::string(info.architecture) == "BertEncoder");
  CHECK(info.max_length == 256);
  CHECK(info.hidden_size == 384);

  edgeattn_tokenize_options topt = {1, 0, static_cast<size_t>(info.max_length)};
  std::vector<int32_t> ids(256);
  for (const testing::MiniLmCase& c : cases) {
    CAPTURE(c.text.substr(0, 60));
    size_t n = 0;
    REQUIRE(edgeattn_tokenize(model, c.text.data(), c.text.size(), &topt, ids.data(), ids.size(), &n) ==
            EDGEATTN_OK);
    CHECK(std::vector<int32_t>(ids.begin(), ids.begin() + static_cast<long>(n)) == c.ids);
  }

  // The first four cases as one right-padded batch.
  const int batch = 4;
  int seq = 0;
  for (int b = 0; b < batch; ++b) seq = std::max(seq, static_cast<int>(cases[b].ids.size()));
  const int32_t pad = info.pad_id >= 0 ? info.pad_id : 0;
  std::vector<int32_t> padded(static_cast<size_t>(batch * seq), pad);  // [batch, seq]
  std::vector<int32_t> lengths(batch);
  for (int b = 0; b < batch; ++b) {
    const std::vector<int32_t>& row = cases[b].ids;
    std::copy(row.begin(), row.end(), padded.begin() + b * seq);
    lengths[b] = static_cast<int32_t>(row.size());
  }
  edgeattn_session_options so = edgeattn_session_options_default();
  so.max_batch = batch;
  so.max_seq = seq;
  edgeattn_session* session = nullptr;
  REQUIRE_MESSAGE(edgeattn_session_create(model, &so, &session) == EDGEATTN_OK, edgeattn_last_error());
  const edgeattn_input input = {padded.data(), batch, seq, lengths.data(), 0};
  REQUIRE_MESSAGE(edgeattn_session_invoke(session, &input) == EDGEATTN_OK, edgeattn_last_error());
  edgeattn_tensor out;
  REQUIRE(edgeattn_session_output(session, 0, &out) == EDGEATTN_OK);
  REQUIRE(out.rank == 2);
  CHECK(out.shape[0] == batch);
  REQUIRE(out.shape[1] == 384);
  for (int b = 0; b < batch; ++b) {
    CAPTURE(b);
    const std::vector<double>& want = cases[b].embedding;
    const float* got = static_cast<const float*>(out.data) + b * 384;
    double max_diff = 0;
    for (size_t i = 0; i < want.size(); ++i) max_diff = std::max(max_diff, std::abs(got[i] - want[i]));
    CHECK(cosine(got, want) >= 0.99999);
    CHECK(max_diff <= 1e-4);
  }
  edgeattn_memory_stats mem;
  REQUIRE(edgeattn_session_memory(session, &mem) == EDGEATTN_OK);
  CHECK(mem.weight_bytes == info.weight_bytes);
  // XNNPACK's operators, or (issue #18, a table with its own f32 GEMM) the
  // packed weights in the arena's persistent head: one of the two holds every
  // fp32 matrix, each at least its size (MiniLM's six layers: 10.6 M floats
  // in 36 matrices, the embeddings are gathered in place).
  CHECK(mem.packed_weight_bytes <= mem.persistent_bytes);
  CHECK(mem.xnnpack_bytes + mem.packed_weight_bytes >= size_t{6} * (4 * 384 * 384 + 2 * 384 * 1536) * 4);
  edgeattn_session_destroy(session);
  edgeattn_model_destroy(model);
}

}  // namespace
}  // namespace edgeattn
