// The C API's tasks (edgeattn_embedder, edgeattn_text_generator) on the
// tiny synthetic models (tests/runtime/tiny_model.h), so it always runs:
// every NULL or invalid argument is EDGEATTN_INVALID_ARGUMENT with a message
// (never a crash), the defaults are the C++ tasks' defaults, and the results
// equal the C++ tasks' on the same model.
#include <doctest/doctest.h>

#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "capi/edgeattn.h"
#include "runtime/model.h"
#include "runtime/tasks/embedder.h"
#include "runtime/tasks/text_generator.h"
#include "tests/runtime/tiny_model.h"

namespace edgeattn {
namespace {

using testing::AlignedBuffer;
using testing::tiny_bert_bytes;
using testing::tiny_llama_bytes;

std::string last_error() { return edgeattn_last_error(); }

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// One tiny model's bytes, loaded through the C API and the C++ API.
struct Tiny {
  explicit Tiny(const std::vector<uint8_t>& bytes) : buffer(bytes) {
    REQUIRE(edgeattn_model_load_buffer(buffer.data(), buffer.size(), &c) == EDGEATTN_OK);
    auto m = Model::load_buffer(buffer.data(), buffer.size());
    REQUIRE_MESSAGE(m.is_ok(), m.status().message());
    cpp = std::move(m).value();
  }
  ~Tiny() { edgeattn_model_destroy(c); }
  AlignedBuffer buffer;
  edgeattn_model* c = nullptr;
  std::unique_ptr<Model> cpp;
};

// Collects streamed text (C callback).
struct Sink {
  std::string text;
  int pieces = 0;
  static int on_text(void* user, const char* piece, size_t len) {
    Sink* s = static_cast<Sink*>(user);
    s->text.append(piece, len);
    ++s->pieces;
    return 1;
  }
  static bool on_text_cpp(void* user, std::string_view piece) { return on_text(user, piece.data(), piece.size()) != 0; }
};

TEST_CASE("C API tasks: the option and request defaults are the C++ tasks' defaults") {
  const EmbedderOptions ed;
  const edgeattn_embedder_options e = edgeattn_embedder_options_default();
  CHECK(e.max_batch == ed.max_batch);
  CHECK(e.max_tokens == ed.max_tokens);
  CHECK(e.threads == ed.threads);
  CHECK(e.kernels == nullptr);
  CHECK(e.arena == nullptr);
  CHECK(e.arena_bytes == 0);

  const TextGeneratorOptions td;
  const edgeattn_text_generator_options t = edgeattn_text_generator_options_default();
  CHECK(t.max_context == td.max_context);
  CHECK(t.prefill_chunk == td.prefill_chunk);
  CHECK(t.threads == td.threads);
  CHECK(t.kernels == nullptr);
  CHECK(t.kv_dtype == EDGEATTN_KV_F32);
  CHECK(t.sampling.temperature == td.sampling.temperature);
  CHECK(t.sampling.top_k == td.sampling.top_k);
  CHECK(t.sampling.top_p == td.sampling.top_p);
  CHECK(t.sampling.seed == td.sampling.seed);
  CHECK(t.context_policy == EDGEATTN_CONTEXT_STOP);
  CHECK(t.slide_keep == td.slide_keep);
  CHECK(t.arena == nullptr);

  const GenerationRequest rd;
  const edgeattn_generation_request r = edgeattn_generation_request_default();
  CHECK(r.max_tokens == rd.max_tokens);
  CHECK(!r.on_text);
  CHECK(r.user == nullptr);
  CHECK(r.echo_prompt == 0);

  for (int v = 0; v <= EDGEATTN_STOP_CALLBACK; ++v) {
    CAPTURE(v);
    CHECK(std::string(edgeattn_stop_reason_name(static_cast<edgeattn_stop_reason>(v))) ==
          stop_reason_name(static_cast<StopReason>(v)));
  }
  CHECK(std::string(edgeattn_stop_reason_name(static_cast<edgeattn_stop_reason>(99))) == "unknown");
  CHECK(edgeattn_c_api_version() == 7);
}

TEST_CASE("C API embedder: NULL and invalid arguments are EDGEATTN_INVALID_ARGUMENT with a message") {
  Tiny bert(tiny_bert_bytes());
  edgeattn_embedder* e = reinterpret_cast<edgeattn_embedder*>(&e);  // must be overwritten with NULL
  CHECK(edgeattn_embedder_create(nullptr, nullptr, &e) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(e == nullptr);
  CHECK(contains(last_error(), "model is NULL"));
  CHECK(edgeattn_embedder_create(bert.c, nullptr, nullptr) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(contains(last_error(), "out is NULL"));

  edgeattn_embedder_options o = edgeattn_embedder_options_default();
  o.max_batch = 0;
  CHECK(edgeattn_embedder_create(bert.c, &o, &e) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(contains(last_error(), "max_batch 0"));
  o = edgeattn_embedder_options_default();
  o.max_tokens = 1000;  // the tiny BERT has 32 positions
  CHECK(edgeattn_embedder_create(bert.c, &o, &e) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(contains(last_error(), "max_positions"));
  o = edgeattn_embedder_options_default();
  o.kernels = "no-such-table";
  CHECK(edgeattn_embedder_create(bert.c, &o, &e) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(contains(last_error(), "available: reference"));
  o = edgeattn_embedder_options_default();
  o.arena_bytes = 4096;  // without a pointer
  CHECK(edgeattn_embedder_create(bert.c, &o, &e) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(contains(last_error(), "arena"));
  CHECK(e == nullptr);

  REQUIRE(edgeattn_embedder_create(bert.c, nullptr, &e) == EDGEATTN_OK);
  CHECK(last_error().empty());
  const size_t d = edgeattn_embedder_dimension(e);
  REQUIRE(d == 16);
  std::vector<float> out(2 * d);
  const char* texts[2] = {"the cat", nullptr};
  const size_t lengths[2] = {7, 3};
  CHECK(edgeattn_embedder_embed(nullptr, texts, lengths, 1, out.data(), out.size()) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(contains(last_error(), "embedder is NULL"));
  CHECK(edgeattn_embedder_embed(e, nullptr, lengths, 1, out.data(), out.size()) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(edgeattn_embedder_embed(e, texts, lengths, 2, out.data(), out.size()) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(contains(last_error(), "text 1 is NULL"));
  CHECK(edgeattn_embedder_embed(e, texts, nullptr, 2, out.data(), out.size()) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(edgeattn_embedder_embed(e, texts, lengths, 1, nullptr, out.size()) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(contains(last_error(), "out is NULL"));
  CHECK(edgeattn_embedder_embed(e, texts, lengths, 1, out.data(), d - 1) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(contains(last_error(), "out holds 15 floats"));
  // A NULL text of length 0 is an empty text; no texts at all is fine.
  const size_t empty_lengths[2] = {7, 0};
  CHECK(edgeattn_embedder_embed(e, texts, empty_lengths, 2, out.data(), out.size()) == EDGEATTN_OK);
  CHECK(edgeattn_embedder_embed(e, nullptr, nullptr, 0, nullptr, 0) == EDGEATTN_OK);

  const int32_t row[3] = {2, 10, 3};
  const int32_t* rows[2] = {row, nullptr};
  const size_t row_lengths[2] = {3, 2};
  CHECK(edgeattn_embedder_embed_tokens(nullptr, rows, row_lengths, 1, out.data(), out.size()) ==
        EDGEATTN_INVALID_ARGUMENT);
  CHECK(edgeattn_embedder_embed_tokens(e, nullptr, row_lengths, 1, out.data(), out.size()) ==
        EDGEATTN_INVALID_ARGUMENT);
  CHECK(edgeattn_embedder_embed_tokens(e, rows, nullptr, 1, out.data(), out.size()) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(edgeattn_embedder_embed_tokens(e, rows, row_lengths, 2, out.data(), out.size()) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(contains(last_error(), "row 1 is NULL"));
  const size_t zero[1] = {0};
  CHECK(edgeattn_embedder_embed_tokens(e, rows, zero, 1, out.data(), out.size()) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(contains(last_error(), "row 0 has 0 tokens"));
  const int32_t bad_id[3] = {2, 999, 3};
  const int32_t* bad_rows[1] = {bad_id};
  CHECK(edgeattn_embedder_embed_tokens(e, bad_rows, row_lengths, 1, out.data(), out.size()) ==
        EDGEATTN_INVALID_ARGUMENT);
  CHECK(contains(last_error(), "999"));

  edgeattn_embed_stats st;
  edgeattn_memory_stats mem;
  CHECK(edgeattn_embedder_last_stats(nullptr, &st) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(edgeattn_embedder_last_stats(e, nullptr) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(edgeattn_embedder_memory(nullptr, &mem) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(edgeattn_embedder_memory(e, nullptr) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(edgeattn_embedder_dimension(nullptr) == 0);
  CHECK(edgeattn_cosine(nullptr, out.data(), d) == 0.0);
  edgeattn_embedder_destroy(e);
  edgeattn_embedder_destroy(nullptr);

  // The wrong kind of model.
  Tiny llama(tiny_llama_bytes());
  CHECK(edgeattn_embedder_create(llama.c, nullptr, &e) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(contains(last_error(), "LlamaDecoder"));
}

TEST_CASE("C API embedder: tiny BERT rows equal the C++ Embedder's bit for bit; a caller arena gives the same") {
  Tiny bert(tiny_bert_bytes());
  edgeattn_embedder_options o = edgeattn_embedder_options_default();
  o.max_batch = 2;
  edgeattn_embedder* e = nullptr;
  REQUIRE(edgeattn_embedder_create(bert.c, &o, &e) == EDGEATTN_OK);
  const size_t d = edgeattn_embedder_dimension(e);
  const char* texts[3] = {"the cat sat", "a hat", "the cat sat on the hat"};
  std::vector<float> rows(3 * d);
  REQUIRE_MESSAGE(edgeattn_embedder_embed(e, texts, nullptr, 3, rows.data(), rows.size()) == EDGEATTN_OK,
                  last_error());
  EmbedderOptions co;
  co.max_batch = 2;
  auto cpp = Embedder::create(*bert.cpp, co);
  REQUIRE(cpp.is_ok());
  const std::string_view views[3] = {texts[0], texts[1], texts[2]};
  std::vector<float> want(rows.size());
  REQUIRE((*cpp)->embed(Span<const std::string_view>(views, 3), Span<float>(want.data(), want.size())).is_ok());
  CHECK(std::memcmp(rows.data(), want.data(), rows.size() * sizeof(float)) == 0);
  edgeattn_embed_stats st;
  REQUIRE(edgeattn_embedder_last_stats(e, &st) == EDGEATTN_OK);
  CHECK(st.texts == 3);
  CHECK(st.invokes == 2);

  edgeattn_memory_stats mem;
  REQUIRE(edgeattn_embedder_memory(e, &mem) == EDGEATTN_OK);
  std::vector<uint8_t> zeros(mem.arena_bytes, 0);
  AlignedBuffer arena(zeros);
  o.arena = arena.data();
  o.arena_bytes = mem.arena_bytes - 64;
  edgeattn_embedder* in_arena = nullptr;
  CHECK(edgeattn_embedder_create(bert.c, &o, &in_arena) == EDGEATTN_RESOURCE_EXHAUSTED);
  CHECK(contains(last_error(), std::to_string(mem.arena_bytes)));
  o.arena_bytes = mem.arena_bytes;
  REQUIRE_MESSAGE(edgeattn_embedder_create(bert.c, &o, &in_arena) == EDGEATTN_OK, last_error());
  std::vector<float> again(rows.size());
  REQUIRE(edgeattn_embedder_embed(in_arena, texts, nullptr, 3, again.data(), again.size()) == EDGEATTN_OK);
  CHECK(again == rows);
  edgeattn_embedder_destroy(in_arena);
  edgeattn_embedder_destroy(e);
}

TEST_CASE("C API text generator: NULL and invalid arguments are EDGEATTN_INVALID_ARGUMENT with a message") {
  Tiny llama(tiny_llama_bytes());
  edgeattn_text_generator* g = reinterpret_cast<edgeattn_text_generator*>(&g);
  CHECK(edgeattn_text_generator_create(nullptr, nullptr, &g) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(g == nullptr);
  CHECK(edgeattn_text_generator_create(llama.c, nullptr, nullptr) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(contains(last_error(), "out is NULL"));

  edgeattn_text_generator_options o = edgeattn_text_generator_options_default();
  const int seven = 7;  // as a C caller may store it; not a valid C++ enum value
  std::memcpy(&o.kv_dtype, &seven, sizeof(seven));
  CHECK(edgeattn_text_generator_create(llama.c, &o, &g) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(contains(last_error(), "kv_dtype 7"));
  o = edgeattn_text_generator_options_default();
  std::memcpy(&o.context_policy, &seven, sizeof(seven));
  CHECK(edgeattn_text_generator_create(llama.c, &o, &g) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(contains(last_error(), "context_policy 7"));
  o = edgeattn_text_generator_options_default();
  o.prefill_chunk = 0;
  CHECK(edgeattn_text_generator_create(llama.c, &o, &g) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(contains(last_error(), "prefill_chunk 0"));
  o = edgeattn_text_generator_options_default();
  o.max_context = 1000;  // the tiny Llama has 64 positions
  CHECK(edgeattn_text_generator_create(llama.c, &o, &g) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(contains(last_error(), "max_positions"));
  o = edgeattn_text_generator_options_default();
  int byte = 0;
  o.arena = &byte;  // without a size
  CHECK(edgeattn_text_generator_create(llama.c, &o, &g) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(contains(last_error(), "arena"));
  CHECK(g == nullptr);
  Tiny bert(tiny_bert_bytes());
  CHECK(edgeattn_text_generator_create(bert.c, nullptr, &g) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(contains(last_error(), "BertEncoder"));

  REQUIRE(edgeattn_text_generator_create(llama.c, nullptr, &g) == EDGEATTN_OK);
  const edgeattn_generation_request r = edgeattn_generation_request_default();
  CHECK(edgeattn_text_generator_generate(nullptr, "a", 1, &r) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(contains(last_error(), "generator is NULL"));
  CHECK(edgeattn_text_generator_generate(g, nullptr, 3, &r) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(contains(last_error(), "text is NULL"));
  CHECK(edgeattn_text_generator_chat(nullptr, "a", 1, &r) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(edgeattn_text_generator_chat(g, nullptr, 3, &r) == EDGEATTN_INVALID_ARGUMENT);
  const int32_t ids[2] = {1, 270};
  CHECK(edgeattn_text_generator_generate_tokens(nullptr, ids, 2, &r) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(edgeattn_text_generator_generate_tokens(g, nullptr, 2, &r) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(contains(last_error(), "ids is NULL"));
  CHECK(edgeattn_text_generator_generate_tokens(g, ids, 0, &r) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(contains(last_error(), "no tokens"));
  CHECK(edgeattn_text_generator_chat_tokens(nullptr, ids, 2, &r) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(edgeattn_text_generator_chat_tokens(g, nullptr, 2, &r) == EDGEATTN_INVALID_ARGUMENT);
  const int32_t bad[2] = {1, 100000};
  CHECK(edgeattn_text_generator_generate_tokens(g, bad, 2, &r) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(contains(last_error(), "100000"));
  edgeattn_generation_request zero = r;
  zero.max_tokens = 0;
  CHECK(edgeattn_text_generator_generate_tokens(g, ids, 2, &zero) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(contains(last_error(), "max_tokens 0"));

  edgeattn_generation_stats st;
  edgeattn_memory_stats mem;
  CHECK(edgeattn_text_generator_last_stats(nullptr, &st) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(edgeattn_text_generator_last_stats(g, nullptr) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(edgeattn_text_generator_memory(nullptr, &mem) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(edgeattn_text_generator_memory(g, nullptr) == EDGEATTN_INVALID_ARGUMENT);
  REQUIRE(edgeattn_text_generator_last_stats(g, &st) == EDGEATTN_OK);
  CHECK(st.stop_reason == EDGEATTN_STOP_NONE);
  edgeattn_text_generator_reset(nullptr);
  edgeattn_text_generator_destroy(g);
  edgeattn_text_generator_destroy(nullptr);
}

TEST_CASE("C API text generator: tiny Llama gives the C++ TextGenerator's text, sampled; NULL request: defaults") {
  Tiny llama(tiny_llama_bytes());
  edgeattn_text_generator_options o = edgeattn_text_generator_options_default();
  o.max_context = 48;
  o.prefill_chunk = 4;
  o.sampling.temperature = 0.9f;
  o.sampling.top_k = 20;
  o.sampling.seed = 11;
  o.kv_dtype = EDGEATTN_KV_F16;
  edgeattn_text_generator* g = nullptr;
  REQUIRE_MESSAGE(edgeattn_text_generator_create(llama.c, &o, &g) == EDGEATTN_OK, last_error());
  TextGeneratorOptions co;
  co.max_context = 48;
  co.prefill_chunk = 4;
  co.sampling.temperature = 0.9f;
  co.sampling.top_k = 20;
  co.sampling.seed = 11;
  co.kv_dtype = KvCacheDType::kF16;
  auto cpp = TextGenerator::create(*llama.cpp, co);
  REQUIRE(cpp.is_ok());

  Sink c_sink, cpp_sink;
  edgeattn_generation_request r = edgeattn_generation_request_default();
  r.max_tokens = 30;
  r.on_text = &Sink::on_text;
  r.user = &c_sink;
  r.echo_prompt = 1;
  REQUIRE(edgeattn_text_generator_generate(g, "the hat", 7, &r) == EDGEATTN_OK);
  GenerationRequest cr;
  cr.max_tokens = 30;
  cr.on_text = &Sink::on_text_cpp;
  cr.user = &cpp_sink;
  cr.echo_prompt = true;
  REQUIRE((*cpp)->generate("the hat", cr).is_ok());
  CHECK(c_sink.text == cpp_sink.text);
  CHECK(c_sink.pieces == cpp_sink.pieces);
  edgeattn_generation_stats st;
  REQUIRE(edgeattn_text_generator_last_stats(g, &st) == EDGEATTN_OK);
  CHECK(st.generated == (*cpp)->last_stats().generated);
  CHECK(static_cast<int>(st.stop_reason) == static_cast<int>((*cpp)->last_stats().stop_reason));

  // NULL request: 256 tokens wanted, no callback; the 48-token context ends it.
  REQUIRE(edgeattn_text_generator_generate(g, "the hat", 7, nullptr) == EDGEATTN_OK);
  REQUIRE(edgeattn_text_generator_last_stats(g, &st) == EDGEATTN_OK);
  CHECK((st.stop_reason == EDGEATTN_STOP_CONTEXT_FULL || st.stop_reason == EDGEATTN_STOP_TOKEN));
  CHECK(st.context_tokens <= 49);

  edgeattn_memory_stats mem;
  REQUIRE(edgeattn_text_generator_memory(g, &mem) == EDGEATTN_OK);
  CHECK(mem.arena_bytes == (*cpp)->session().memory().arena_bytes);
  CHECK(mem.kv_cache_bytes > 0);
  edgeattn_text_generator_destroy(g);
}

}  // namespace
}  // namespace edgeattn
