// The C API (capi/edgeattn.h) on error paths and on the tiny synthetic
// models (tests/runtime/tiny_model.h): every failure is a code plus a
// message naming what is wrong, and every result equals what the C++ API
// gives for the same model and inputs.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "capi/edgeattn.h"
#include "runtime/generator.h"
#include "runtime/model.h"
#include "runtime/session.h"
#include "tests/runtime/tiny_model.h"

namespace edgeattn {
namespace {

using testing::AlignedBuffer;
using testing::tiny_bert_bytes;
using testing::tiny_llama_bytes;
using testing::tiny_llama_config;

std::string last_error() { return edgeattn_last_error(); }

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// A C model handle over bytes that outlive it (the load_buffer contract).
struct CModel {
  explicit CModel(const std::vector<uint8_t>& bytes) : buffer(bytes) {
    const edgeattn_status s = edgeattn_model_load_buffer(buffer.data(), buffer.size(), &handle);
    REQUIRE_MESSAGE(s == EDGEATTN_OK, last_error());
  }
  ~CModel() { edgeattn_model_destroy(handle); }
  AlignedBuffer buffer;
  edgeattn_model* handle = nullptr;
};

std::unique_ptr<Model> cpp_model(const AlignedBuffer& buffer) {
  auto m = Model::load_buffer(buffer.data(), buffer.size());
  REQUIRE_MESSAGE(m.is_ok(), m.status().message());
  return std::move(m).value();
}

TEST_CASE("C API: status names and codes mirror edgeattn::StatusCode") {
  for (int code = 0; code <= static_cast<int>(StatusCode::kOutOfMemory); ++code) {
    CAPTURE(code);
    CHECK(std::string(edgeattn_status_name(static_cast<edgeattn_status>(code))) ==
          status_code_name(static_cast<StatusCode>(code)));
  }
  CHECK(std::string(edgeattn_status_name(static_cast<edgeattn_status>(99))) == "unknown");
  CHECK(std::string(edgeattn_status_name(EDGEATTN_INVALID_MODEL)) == "invalid_model");
  CHECK(edgeattn_c_api_version() == EDGEATTN_C_API_VERSION);
  const std::string v = edgeattn_version();
  CHECK(std::count(v.begin(), v.end(), '.') == 2);
}

TEST_CASE("C API: loading a missing file, garbage and a truncated model fail with a code and a message") {
  edgeattn_model* m = reinterpret_cast<edgeattn_model*>(&m);  // must be overwritten with NULL
  CHECK(edgeattn_model_load_file("/nonexistent/dir/model.eatn", &m) == EDGEATTN_IO_ERROR);
  CHECK(m == nullptr);
  CHECK(contains(last_error(), "/nonexistent/dir/model.eatn"));

  std::vector<uint8_t> garbage(4096);
  uint32_t x = 12345;
  for (uint8_t& b : garbage) {
    x = x * 1664525u + 1013904223u;
    b = static_cast<uint8_t>(x >> 24);
  }
  AlignedBuffer g(garbage);
  CHECK(edgeattn_model_load_buffer(g.data(), g.size(), &m) == EDGEATTN_INVALID_MODEL);
  CHECK(m == nullptr);
  CHECK(!last_error().empty());

  std::vector<uint8_t> bytes = tiny_llama_bytes();
  bytes.resize(bytes.size() / 2);
  AlignedBuffer half(bytes);
  CHECK(edgeattn_model_load_buffer(half.data(), half.size(), &m) == EDGEATTN_INVALID_MODEL);
  CHECK(!last_error().empty());

  CHECK(edgeattn_model_load_buffer(g.data(), 0, &m) != EDGEATTN_OK);
  CHECK(edgeattn_model_load_file(nullptr, &m) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(contains(last_error(), "path"));
  CHECK(edgeattn_model_load_buffer(nullptr, 64, &m) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(edgeattn_model_load_file("x", nullptr) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(contains(last_error(), "out"));

  // A success clears the message.
  CModel ok(tiny_llama_bytes());
  CHECK(last_error().empty());
  // Destroying NULL handles is a no-op.
  edgeattn_model_destroy(nullptr);
  edgeattn_session_destroy(nullptr);
  edgeattn_generator_destroy(nullptr);
}

TEST_CASE("C API: the last error is per thread") {
  edgeattn_model* m = nullptr;
  CHECK(edgeattn_model_load_file("/nonexistent/a.eatn", &m) == EDGEATTN_IO_ERROR);
  std::string other;
  std::thread t([&] {
    edgeattn_model* m2 = nullptr;
    edgeattn_model_load_file("/nonexistent/b.eatn", &m2);
    other = edgeattn_last_error();
  });
  t.join();
  CHECK(contains(other, "b.eatn"));
  CHECK(contains(last_error(), "a.eatn"));
}

TEST_CASE("C API: model info of the tiny models") {
  CModel llama(tiny_llama_bytes());
  auto cpp = cpp_model(llama.buffer);
  edgeattn_model_info info;
  REQUIRE(edgeattn_model_get_info(llama.handle, &info) == EDGEATTN_OK);
  CHECK(std::string(info.architecture) == "LlamaDecoder");
  CHECK(info.is_decoder == 1);
  CHECK(info.has_tokenizer == 1);
  CHECK(info.vocab_size == 272);
  CHECK(info.hidden_size == 16);
  CHECK(info.n_layers == 2);
  CHECK(info.tensor_count == cpp->tensor_count());
  CHECK(info.weight_bytes == cpp->weight_bytes());
  CHECK(info.weight_bytes > 0);
  CHECK(info.file_bytes == llama.buffer.size());
  CHECK(info.bos_id == 1);
  CHECK(info.eos_id == 2);
  CHECK(info.cls_id == -1);

  CModel bert(tiny_bert_bytes());
  REQUIRE(edgeattn_model_get_info(bert.handle, &info) == EDGEATTN_OK);
  CHECK(std::string(info.architecture) == "BertEncoder");
  CHECK(info.is_decoder == 0);
  CHECK(info.vocab_size == 32);
  CHECK(info.cls_id >= 0);
  CHECK(info.sep_id >= 0);

  CModel bare(tiny_llama_bytes(tiny_llama_config(), nullptr, /*with_tokenizer=*/false));
  REQUIRE(edgeattn_model_get_info(bare.handle, &info) == EDGEATTN_OK);
  CHECK(info.has_tokenizer == 0);
  CHECK(info.bos_id == -1);
  CHECK(edgeattn_model_get_info(nullptr, &info) == EDGEATTN_INVALID_ARGUMENT);
}

TEST_CASE("C API: tokenize and detokenize equal the C++ tokenizer; small buffers report the size needed") {
  CModel llama(tiny_llama_bytes());
  auto cpp = cpp_model(llama.buffer);
  const std::string text = "the hat sat on a mat \xc3\xa9!";
  std::vector<int32_t> want;
  REQUIRE(cpp->tokenizer()->encode(text, EncodeOptions(), &want).is_ok());
  REQUIRE(want.size() > 4);

  int32_t ids[64];
  size_t n = 0;
  REQUIRE(edgeattn_tokenize(llama.handle, text.data(), text.size(), nullptr, ids, 64, &n) == EDGEATTN_OK);
  CHECK(std::vector<int32_t>(ids, ids + n) == want);
  CHECK(ids[0] == 1);  // BOS by default

  edgeattn_tokenize_options opts = {0, 1, 0};  // no BOS, EOS at the end
  REQUIRE(edgeattn_tokenize(llama.handle, text.data(), text.size(), &opts, ids, 64, &n) == EDGEATTN_OK);
  CHECK(n == want.size());
  CHECK(ids[0] == want[1]);
  CHECK(ids[n - 1] == 2);

  size_t needed = 0;
  CHECK(edgeattn_tokenize(llama.handle, text.data(), text.size(), nullptr, ids, 3, &needed) ==
        EDGEATTN_RESOURCE_EXHAUSTED);
  CHECK(needed == want.size());
  CHECK(contains(last_error(), std::to_string(want.size())));
  CHECK(edgeattn_tokenize(llama.handle, nullptr, 0, nullptr, nullptr, 0, &needed) == EDGEATTN_RESOURCE_EXHAUSTED);
  CHECK(needed == 1);  // just BOS

  char out[128];
  size_t len = 0;
  REQUIRE(edgeattn_detokenize(llama.handle, want.data(), want.size(), out, sizeof(out), &len) == EDGEATTN_OK);
  CHECK(std::string(out, len) == text);
  CHECK(out[len] == '\0');
  CHECK(edgeattn_detokenize(llama.handle, want.data(), want.size(), out, text.size(), &len) ==
        EDGEATTN_RESOURCE_EXHAUSTED);
  CHECK(len == text.size());
  const int32_t bad[2] = {5, 9999};
  CHECK(edgeattn_detokenize(llama.handle, bad, 2, out, sizeof(out), &len) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(contains(last_error(), "9999"));

  // Streaming pieces, as decode_piece gives them.
  const char* piece = nullptr;
  size_t piece_len = 0;
  REQUIRE(edgeattn_token_text(llama.handle, want[0], want[1], &piece, &piece_len) == EDGEATTN_OK);
  CHECK(std::string(piece, piece_len) == std::string(cpp->tokenizer()->decode_piece(want[0], want[1])));
  REQUIRE(edgeattn_token_text(llama.handle, -1, 9999, &piece, &piece_len) == EDGEATTN_OK);
  CHECK(piece_len == 0);

  CModel bare(tiny_llama_bytes(tiny_llama_config(), nullptr, false));
  CHECK(edgeattn_tokenize(bare.handle, "a", 1, nullptr, ids, 64, &n) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(contains(last_error(), "no tokenizer"));
}

TEST_CASE("C API: tiny BERT embeddings equal the C++ session's bit for bit; bad inputs are refused") {
  CModel bert(tiny_bert_bytes());
  auto cpp = cpp_model(bert.buffer);
  // Two right-padded rows: "[CLS] ... [SEP]" of different lengths.
  const std::vector<std::string> texts = {"the cat sat", "a dog"};
  const int seq = 8;
  std::vector<int32_t> ids(2 * seq, 0);  // [2, seq], right-padded
  int32_t lengths[2];
  for (int b = 0; b < 2; ++b) {
    size_t n = 0;
    REQUIRE(edgeattn_tokenize(bert.handle, texts[b].data(), texts[b].size(), nullptr, ids.data() + b * seq, seq,
                              &n) == EDGEATTN_OK);
    lengths[b] = static_cast<int32_t>(n);
  }
  REQUIRE(lengths[0] != lengths[1]);

  edgeattn_session_options so = edgeattn_session_options_default();
  so.max_batch = 2;
  so.max_seq = seq;
  edgeattn_session* s = nullptr;
  REQUIRE_MESSAGE(edgeattn_session_create(bert.handle, &so, &s) == EDGEATTN_OK, last_error());
  edgeattn_tensor out;
  CHECK(edgeattn_session_output(s, 0, &out) == EDGEATTN_INVALID_ARGUMENT);  // no invoke yet
  CHECK(contains(last_error(), "no successful invoke"));
  const edgeattn_input in = {ids.data(), 2, seq, lengths, 0};
  REQUIRE_MESSAGE(edgeattn_session_invoke(s, &in) == EDGEATTN_OK, last_error());
  CHECK(edgeattn_session_output_count(s) == 1);
  REQUIRE(edgeattn_session_output(s, 0, &out) == EDGEATTN_OK);
  CHECK(out.dtype == EDGEATTN_F32);
  REQUIRE(out.rank == 2);
  CHECK(out.shape[0] == 2);
  CHECK(out.shape[1] == 16);
  CHECK(edgeattn_session_past(s) == 0);

  SessionOptions cso;
  cso.max_batch = 2;
  cso.max_seq = seq;
  auto cs = Session::create(*cpp, cso);
  REQUIRE(cs.is_ok());
  InvokeInput cin;
  cin.ids = ids.data();
  cin.batch = 2;
  cin.seq = seq;
  cin.lengths = lengths;
  REQUIRE((*cs)->invoke(cin).is_ok());
  CHECK(std::memcmp(out.data, (*cs)->output(0).data, 2 * 16 * sizeof(float)) == 0);

  edgeattn_memory_stats mem;
  REQUIRE(edgeattn_session_memory(s, &mem) == EDGEATTN_OK);
  CHECK(mem.arena_bytes == (*cs)->memory().arena_bytes);
  CHECK(mem.weight_bytes == cpp->weight_bytes());
  CHECK(mem.kv_cache_bytes == 0);
  CHECK(std::string(edgeattn_session_kernel_name(s)) == (*cs)->kernel_name());

  // The same through the reference table, chosen by name: the C++ session
  // with kernels "reference" gives the same bits.
  edgeattn_session_options ro = so;
  ro.kernels = "reference";
  edgeattn_session* rs = nullptr;
  REQUIRE_MESSAGE(edgeattn_session_create(bert.handle, &ro, &rs) == EDGEATTN_OK, last_error());
  CHECK(std::string(edgeattn_session_kernel_name(rs)) == "reference");
  REQUIRE(edgeattn_session_invoke(rs, &in) == EDGEATTN_OK);
  edgeattn_tensor rout;
  REQUIRE(edgeattn_session_output(rs, 0, &rout) == EDGEATTN_OK);
  cso.kernels = "reference";
  auto crs = Session::create(*cpp, cso);
  REQUIRE(crs.is_ok());
  REQUIRE((*crs)->invoke(cin).is_ok());
  CHECK(std::memcmp(rout.data, (*crs)->output(0).data, 2 * 16 * sizeof(float)) == 0);
  edgeattn_session_destroy(rs);

  SUBCASE("an id past the vocabulary") {
    std::vector<int32_t> bad = ids;
    bad[3] = 32;
    const edgeattn_input b = {bad.data(), 2, seq, lengths, 0};
    CHECK(edgeattn_session_invoke(s, &b) == EDGEATTN_INVALID_ARGUMENT);
    CHECK(contains(last_error(), "32"));
    CHECK(edgeattn_session_output(s, 0, &out) == EDGEATTN_INVALID_ARGUMENT);  // the failed invoke has none
  }
  SUBCASE("a negative id") {
    std::vector<int32_t> bad = ids;
    bad[0] = -7;
    const edgeattn_input b = {bad.data(), 2, seq, lengths, 0};
    CHECK(edgeattn_session_invoke(s, &b) == EDGEATTN_INVALID_ARGUMENT);
    CHECK(contains(last_error(), "-7"));
  }
  SUBCASE("batch and seq over the planned limits, a bad length, NULL ids") {
    const edgeattn_input big_batch = {ids.data(), 3, seq, nullptr, 0};
    CHECK(edgeattn_session_invoke(s, &big_batch) == EDGEATTN_OUT_OF_RANGE);
    CHECK(contains(last_error(), "batch 3"));
    std::vector<int32_t> long_ids(seq + 1, 0);
    const edgeattn_input big_seq = {long_ids.data(), 1, seq + 1, nullptr, 0};
    CHECK(edgeattn_session_invoke(s, &big_seq) == EDGEATTN_OUT_OF_RANGE);
    const int32_t bad_lengths[2] = {seq + 1, 1};
    const edgeattn_input bad_len = {ids.data(), 2, seq, bad_lengths, 0};
    CHECK(edgeattn_session_invoke(s, &bad_len) == EDGEATTN_INVALID_ARGUMENT);
    const edgeattn_input null_ids = {nullptr, 1, 1, nullptr, 0};
    CHECK(edgeattn_session_invoke(s, &null_ids) == EDGEATTN_INVALID_ARGUMENT);
    CHECK(edgeattn_session_invoke(s, nullptr) == EDGEATTN_INVALID_ARGUMENT);
  }
  SUBCASE("an output index out of range") {
    CHECK(edgeattn_session_output(s, 1, &out) == EDGEATTN_INVALID_ARGUMENT);
    CHECK(contains(last_error(), "output 1 of 1"));
  }
  // After any failure the session still works.
  REQUIRE(edgeattn_session_invoke(s, &in) == EDGEATTN_OK);
  REQUIRE(edgeattn_session_output(s, 0, &out) == EDGEATTN_OK);
  CHECK(std::memcmp(out.data, (*cs)->output(0).data, 2 * 16 * sizeof(float)) == 0);
  edgeattn_session_destroy(s);
}

TEST_CASE("C API: session options: bad values, a caller arena (exact, too small, misaligned)") {
  CModel llama(tiny_llama_bytes());
  edgeattn_session* s = nullptr;
  edgeattn_session_options so = edgeattn_session_options_default();
  const int seven = 7;  // as a C caller may store it; not a valid C++ enum value
  std::memcpy(&so.kv_dtype, &seven, sizeof(seven));
  CHECK(edgeattn_session_create(llama.handle, &so, &s) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(contains(last_error(), "kv_dtype 7"));
  CHECK(s == nullptr);
  so = edgeattn_session_options_default();
  so.max_batch = 0;
  CHECK(edgeattn_session_create(llama.handle, &so, &s) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(contains(last_error(), "max_batch 0"));
  so = edgeattn_session_options_default();
  so.kernels = "no-such-table";
  CHECK(edgeattn_session_create(llama.handle, &so, &s) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(contains(last_error(), "kernels 'no-such-table'"));
  CHECK(contains(last_error(), "available: reference"));
  CHECK(s == nullptr);
  so = edgeattn_session_options_default();
  so.method = "no-such-graph";
  CHECK(edgeattn_session_create(llama.handle, &so, &s) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(contains(last_error(), "no-such-graph"));
  CHECK(edgeattn_session_create(nullptr, &so, &s) == EDGEATTN_INVALID_ARGUMENT);

  so = edgeattn_session_options_default();
  so.max_seq = 4;
  so.max_context = 32;
  so.kv_dtype = EDGEATTN_KV_F16;
  edgeattn_memory_stats plan;
  REQUIRE(edgeattn_session_plan(llama.handle, &so, &plan) == EDGEATTN_OK);
  REQUIRE(plan.arena_bytes > 0);
  CHECK(plan.kv_cache_bytes > 0);
  std::vector<uint8_t> zeros(plan.arena_bytes + 64, 0);
  AlignedBuffer arena(zeros);

  so.arena = arena.data();
  so.arena_bytes = 0;
  CHECK(edgeattn_session_create(llama.handle, &so, &s) == EDGEATTN_INVALID_ARGUMENT);
  so.arena_bytes = plan.arena_bytes - 64;
  CHECK(edgeattn_session_create(llama.handle, &so, &s) == EDGEATTN_RESOURCE_EXHAUSTED);
  CHECK(contains(last_error(), std::to_string(plan.arena_bytes)));
  so.arena = arena.data() + 1;
  so.arena_bytes = plan.arena_bytes;
  CHECK(edgeattn_session_create(llama.handle, &so, &s) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(contains(last_error(), "aligned"));

  so.arena = arena.data();
  REQUIRE_MESSAGE(edgeattn_session_create(llama.handle, &so, &s) == EDGEATTN_OK, last_error());
  edgeattn_memory_stats mem;
  REQUIRE(edgeattn_session_memory(s, &mem) == EDGEATTN_OK);
  CHECK(mem.arena_bytes == plan.arena_bytes);
  CHECK(mem.kv_cache_bytes == plan.kv_cache_bytes);
  const int32_t prompt[3] = {1, 50, 60};
  const edgeattn_input in = {prompt, 1, 3, nullptr, 0};
  REQUIRE(edgeattn_session_invoke(s, &in) == EDGEATTN_OK);
  CHECK(edgeattn_session_past(s) == 3);
  edgeattn_tensor logits;
  REQUIRE(edgeattn_session_output(s, 0, &logits) == EDGEATTN_OK);
  CHECK(logits.shape[1] == 1);
  CHECK(logits.shape[2] == 272);
  // The output lives in the caller's arena.
  const uint8_t* p = static_cast<const uint8_t*>(logits.data);
  CHECK(p >= arena.data());
  CHECK(p + 272 * sizeof(float) <= arena.data() + plan.arena_bytes);
  edgeattn_session_reset(s);
  CHECK(edgeattn_session_past(s) == 0);
  CHECK(edgeattn_session_output(s, 0, &logits) == EDGEATTN_INVALID_ARGUMENT);
  edgeattn_session_destroy(s);
}

// Tokens of the C++ Generator for the same model and options.
std::vector<int32_t> cpp_generate(const Model& model, const SamplingOptions& sampling, int max_tokens, int context,
                                  const std::vector<int32_t>& prompt) {
  const size_t vocab = 272;
  SessionOptions so;
  so.max_seq = 4;
  so.max_context = context;
  so.scratch_bytes = Generator::scratch_bytes(vocab, static_cast<size_t>(context), sampling);
  auto session = Session::create(model, so);
  REQUIRE(session.is_ok());
  GenerateOptions go;
  go.sampling = sampling;
  go.max_tokens = max_tokens;
  Generator gen(**session, vocab, go);
  REQUIRE(gen.append(Span<const int32_t>(prompt.data(), prompt.size())).is_ok());
  std::vector<int32_t> out;
  while (!gen.finished()) {
    int32_t t = 0;
    REQUIRE(gen.step(&t).is_ok());
    out.push_back(t);
  }
  return out;
}

struct Collected {
  std::vector<int32_t> ids;
  std::string text;
  int stop_after = -1;  // callback returns nonzero after this many tokens
};

int collect(const edgeattn_token* t, void* user) {
  Collected* c = static_cast<Collected*>(user);
  c->ids.push_back(t->id);
  c->text.append(t->text, t->text_len);
  return c->stop_after >= 0 && static_cast<int>(c->ids.size()) >= c->stop_after ? 1 : 0;
}

TEST_CASE("C API: the generator gives the C++ Generator's tokens, greedy and seeded; reset repeats them") {
  CModel llama(tiny_llama_bytes());
  auto cpp = cpp_model(llama.buffer);
  const std::string prompt = "the hat";
  std::vector<int32_t> prompt_ids;
  REQUIRE(cpp->tokenizer()->encode(prompt, EncodeOptions(), &prompt_ids).is_ok());

  edgeattn_sampling greedy = edgeattn_generate_options_default().sampling;
  edgeattn_sampling nucleus = greedy;
  nucleus.temperature = 0.8f;
  nucleus.top_p = 0.9f;
  nucleus.seed = 7;
  edgeattn_sampling top_k = greedy;
  top_k.temperature = 1.0f;
  top_k.top_k = 5;
  top_k.repetition_penalty = 1.3f;
  top_k.penalty_window = 16;
  top_k.seed = 3;
  for (const edgeattn_sampling& sampling : {greedy, nucleus, top_k}) {
    CAPTURE(sampling.temperature);
    edgeattn_session_options so = edgeattn_session_options_default();
    so.max_seq = 4;
    so.max_context = 48;
    edgeattn_generate_options go = edgeattn_generate_options_default();
    go.sampling = sampling;
    go.max_tokens = 40;
    const int32_t no_stops[1] = {0};
    go.stop_ids = no_stops;  // non-NULL, count 0: run all 40 tokens
    go.stop_id_count = 0;
    edgeattn_generator* gen = nullptr;
    REQUIRE_MESSAGE(edgeattn_generator_create(llama.handle, &so, &go, &gen) == EDGEATTN_OK, last_error());
    REQUIRE(edgeattn_generator_append_text(gen, prompt.data(), prompt.size(), 1) == EDGEATTN_OK);
    Collected first;
    REQUIRE(edgeattn_generator_run(gen, collect, &first) == EDGEATTN_OK);
    CHECK(edgeattn_generator_generated(gen) == 40);

    SamplingOptions cs;
    cs.temperature = sampling.temperature;
    cs.top_k = sampling.top_k;
    cs.top_p = sampling.top_p;
    cs.repetition_penalty = sampling.repetition_penalty;
    cs.penalty_window = sampling.penalty_window;
    cs.seed = sampling.seed;
    CHECK(first.ids == cpp_generate(*cpp, cs, 40, 48, prompt_ids));
    std::string want_text;
    REQUIRE(cpp->tokenizer()->decode(Span<const int32_t>(first.ids.data(), first.ids.size()), &want_text).is_ok());
    CHECK(first.text == want_text);

    edgeattn_token t;
    CHECK(edgeattn_generator_step(gen, &t) == EDGEATTN_INVALID_ARGUMENT);  // finished
    CHECK(contains(last_error(), "finished"));

    edgeattn_generator_reset(gen);
    REQUIRE(edgeattn_generator_append_text(gen, prompt.data(), prompt.size(), 1) == EDGEATTN_OK);
    Collected again;
    REQUIRE(edgeattn_generator_run(gen, collect, &again) == EDGEATTN_OK);
    CHECK(again.ids == first.ids);

    edgeattn_memory_stats plan, mem;
    REQUIRE(edgeattn_generator_plan(llama.handle, &so, &go, &plan) == EDGEATTN_OK);
    REQUIRE(edgeattn_generator_memory(gen, &mem) == EDGEATTN_OK);
    CHECK(mem.arena_bytes == plan.arena_bytes);
    CHECK(mem.kv_cache_bytes > 0);
    edgeattn_generator_destroy(gen);
  }
}

TEST_CASE("C API: generator stop tokens, early stop, a full context, and misuse") {
  CModel llama(tiny_llama_bytes());
  edgeattn_session_options so = edgeattn_session_options_default();
  so.max_seq = 4;
  so.max_context = 12;
  edgeattn_generate_options go = edgeattn_generate_options_default();
  go.max_tokens = 100;
  const int32_t no_stops[1] = {0};
  go.stop_ids = no_stops;
  edgeattn_generator* gen = nullptr;
  REQUIRE(edgeattn_generator_create(llama.handle, &so, &go, &gen) == EDGEATTN_OK);
  edgeattn_token t;
  CHECK(edgeattn_generator_step(gen, &t) == EDGEATTN_INVALID_ARGUMENT);  // nothing appended
  CHECK(edgeattn_generator_append_tokens(gen, nullptr, 0) == EDGEATTN_INVALID_ARGUMENT);
  const int32_t bad[2] = {1, 272};
  CHECK(edgeattn_generator_append_tokens(gen, bad, 2) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(contains(last_error(), "272"));

  // Context 12 under the stop policy: 3 prompt tokens, then 10 generated
  // (the last one sampled from the full cache, never fed).
  const int32_t prompt[3] = {1, 270, 271};
  REQUIRE(edgeattn_generator_append_tokens(gen, prompt, 3) == EDGEATTN_OK);
  Collected c;
  REQUIRE(edgeattn_generator_run(gen, collect, &c) == EDGEATTN_OK);
  CHECK(c.ids.size() == 10);
  CHECK(edgeattn_generator_step(gen, &t) == EDGEATTN_INVALID_ARGUMENT);
  // No room left for another prompt.
  CHECK(edgeattn_generator_append_tokens(gen, prompt, 3) == EDGEATTN_OUT_OF_RANGE);
  CHECK(contains(last_error(), "context full"));
  edgeattn_generator_destroy(gen);

  // Sliding: the same context goes on for all 100 tokens.
  go.slide = 1;
  REQUIRE(edgeattn_generator_create(llama.handle, &so, &go, &gen) == EDGEATTN_OK);
  REQUIRE(edgeattn_generator_append_tokens(gen, prompt, 3) == EDGEATTN_OK);
  Collected slid;
  REQUIRE(edgeattn_generator_run(gen, collect, &slid) == EDGEATTN_OK);
  CHECK(slid.ids.size() == 100);
  CHECK(std::vector<int32_t>(slid.ids.begin(), slid.ids.begin() + 10) == c.ids);  // same until the first slide

  // Early stop from the callback.
  edgeattn_generator_reset(gen);
  REQUIRE(edgeattn_generator_append_tokens(gen, prompt, 3) == EDGEATTN_OK);
  Collected three;
  three.stop_after = 3;
  REQUIRE(edgeattn_generator_run(gen, collect, &three) == EDGEATTN_OK);
  CHECK(three.ids.size() == 3);
  CHECK(edgeattn_generator_generated(gen) == 3);
  edgeattn_generator_destroy(gen);

  // A stop token ends the generation and is not text.
  go = edgeattn_generate_options_default();
  go.max_tokens = 20;
  go.stop_ids = &c.ids[4];  // the 5th greedy token of the run above
  go.stop_id_count = 1;
  REQUIRE(edgeattn_generator_create(llama.handle, &so, &go, &gen) == EDGEATTN_OK);
  REQUIRE(edgeattn_generator_append_tokens(gen, prompt, 3) == EDGEATTN_OK);
  int steps = 0;
  do {
    REQUIRE(edgeattn_generator_step(gen, &t) == EDGEATTN_OK);
    ++steps;
  } while (!t.finished);
  const int first_stop =
      static_cast<int>(std::find(c.ids.begin(), c.ids.end(), c.ids[4]) - c.ids.begin());  // may repeat earlier
  CHECK(steps == first_stop + 1);
  CHECK(t.is_stop == 1);
  CHECK(t.id == c.ids[4]);
  CHECK(t.text_len == 0);
  CHECK(edgeattn_generator_generated(gen) == first_stop);
  edgeattn_generator_destroy(gen);

  // Encoders cannot generate; a model without a tokenizer needs token ids.
  CModel bert(tiny_bert_bytes());
  CHECK(edgeattn_generator_create(bert.handle, &so, nullptr, &gen) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(gen == nullptr);
  CHECK(contains(last_error(), "decoder"));
  CModel bare(tiny_llama_bytes(tiny_llama_config(), nullptr, false));
  REQUIRE(edgeattn_generator_create(bare.handle, &so, nullptr, &gen) == EDGEATTN_OK);
  CHECK(edgeattn_generator_append_text(gen, "a", 1, 1) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(contains(last_error(), "no tokenizer"));
  REQUIRE(edgeattn_generator_append_tokens(gen, prompt, 3) == EDGEATTN_OK);
  REQUIRE(edgeattn_generator_step(gen, &t) == EDGEATTN_OK);
  CHECK(t.text_len == 0);
  CHECK(t.id >= 0);
  edgeattn_generator_destroy(gen);
  go.max_tokens = 0;
  go.stop_ids = nullptr;
  go.stop_id_count = 0;
  CHECK(edgeattn_generator_create(llama.handle, &so, &go, &gen) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(contains(last_error(), "max_tokens"));
}

}  // namespace
}  // namespace edgeattn
