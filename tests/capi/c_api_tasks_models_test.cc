// The C API's tasks on the real models. Oracles: llama2.c's published
// greedy stories260K text, and the C++ tasks (runtime/tasks/) on the same
// file, whose results the C wrappers must reproduce exactly (same text, same
// stop reasons and counts, embeddings equal bit for bit). Part of it is
// written in C (capi_c_helpers.c) so the header is used from C99.
#include <doctest/doctest.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "capi/edgeattn.h"
#include "runtime/model.h"
#include "runtime/tasks/embedder.h"
#include "runtime/tasks/text_generator.h"
#include "tests/capi/both_models.h"
#include "tests/capi/capi_c_helpers.h"
#include "tests/support/model_gate.h"
#include "tests/support/model_paths.h"
#include "tests/support/models.h"

EDGEATTN_TEST_MODELS(kStories260K, kMiniLM);

namespace edgeattn {
namespace {

using testing::require_model;

using testing::BothModels;
using testing::load_both;

const BothModels& stories() {
  static const BothModels m = load_both(require_model("stories260K/stories260K.bin"),
                                        require_model("stories260K/tok512.bin"), "capi_tasks_stories");
  return m;
}

const BothModels& minilm() {
  static const BothModels m = load_both(require_model("all-MiniLM-L6-v2"), "", "capi_tasks_minilm");
  return m;
}

// Collects streamed pieces from C; returns 0 (stop) once `limit` pieces
// arrived, if limit >= 0.
struct Sink {
  std::string text;
  int pieces = 0;
  int limit = -1;
  static int on_text(void* user, const char* piece, size_t len) {
    Sink* s = static_cast<Sink*>(user);
    s->text.append(piece, len);
    ++s->pieces;
    return s->limit < 0 || s->pieces < s->limit ? 1 : 0;
  }
  // The same for the C++ task.
  static bool on_text_cpp(void* user, std::string_view piece) { return on_text(user, piece.data(), piece.size()); }
};

edgeattn_generation_request c_request(Sink* sink, int max_tokens) {
  edgeattn_generation_request r = edgeattn_generation_request_default();
  r.max_tokens = max_tokens;
  r.on_text = &Sink::on_text;
  r.user = sink;
  return r;
}

GenerationRequest cpp_request(Sink* sink, int max_tokens) {
  GenerationRequest r;
  r.max_tokens = max_tokens;
  r.on_text = &Sink::on_text_cpp;
  r.user = sink;
  return r;
}

// A C text generator that REQUIREs success and frees itself.
struct CGenerator {
  explicit CGenerator(const edgeattn_text_generator_options& o) {
    REQUIRE_MESSAGE(edgeattn_text_generator_create(stories().c, &o, &handle) == EDGEATTN_OK, edgeattn_last_error());
  }
  ~CGenerator() { edgeattn_text_generator_destroy(handle); }
  edgeattn_generation_stats stats() const {
    edgeattn_generation_stats s;
    REQUIRE(edgeattn_text_generator_last_stats(handle, &s) == EDGEATTN_OK);
    return s;
  }
  edgeattn_text_generator* handle = nullptr;
};

std::unique_ptr<TextGenerator> cpp_generator(const TextGeneratorOptions& o) {
  Result<std::unique_ptr<TextGenerator>> g = TextGenerator::create(*stories().cpp, o);
  REQUIRE_MESSAGE(g.is_ok(), g.status().message());
  return std::move(g).value();
}

TEST_CASE("C API text generator: greedy from an empty prompt streams the published stories260K text (from C)") {
  const std::string want = testing::stories260k_published_text();
  std::vector<char> text(8192);
  size_t len = 0;
  edgeattn_stop_reason reason = EDGEATTN_STOP_NONE;
  const edgeattn_status s = capi_text_generator_greedy(stories().c, 256, text.data(), text.size(), &len, &reason);
  REQUIRE_MESSAGE(s == EDGEATTN_OK, edgeattn_last_error());
  const std::string got(text.data(), len);
  MESSAGE("stop: " << std::string(edgeattn_stop_reason_name(reason)));
  REQUIRE(want.size() >= 64);
  CHECK(got.substr(0, 64) == want.substr(0, 64));
  CHECK(reason == EDGEATTN_STOP_MAX_TOKENS);  // the published text is 256 tokens without a stop
  CHECK(got == want);
}

TEST_CASE("C API text generator: a sampled prompt with echo and its tokens give the C++ TextGenerator's text") {
  edgeattn_text_generator_options o = edgeattn_text_generator_options_default();
  o.max_context = 200;
  o.prefill_chunk = 5;  // several prefill invokes
  o.sampling.temperature = 0.8f;
  o.sampling.top_p = 0.9f;
  o.sampling.seed = 7;
  CGenerator c(o);
  TextGeneratorOptions co;
  co.max_context = 200;
  co.prefill_chunk = 5;
  co.sampling.temperature = 0.8f;
  co.sampling.top_p = 0.9f;
  co.sampling.seed = 7;
  std::unique_ptr<TextGenerator> cpp = cpp_generator(co);

  const std::string prompt = "Once upon a time, a cat sat on a mat";
  Sink from_c, from_cpp;
  edgeattn_generation_request r = c_request(&from_c, 60);
  r.echo_prompt = 1;
  REQUIRE_MESSAGE(edgeattn_text_generator_generate(c.handle, prompt.data(), prompt.size(), &r) == EDGEATTN_OK,
                  edgeattn_last_error());
  GenerationRequest cr = cpp_request(&from_cpp, 60);
  cr.echo_prompt = true;
  REQUIRE(cpp->generate(prompt, cr).is_ok());
  CHECK(from_c.text == from_cpp.text);
  CHECK(from_c.text.compare(0, prompt.size(), prompt) == 0);
  const edgeattn_generation_stats st = c.stats();
  CHECK(st.generated == cpp->last_stats().generated);
  CHECK(st.prompt_tokens == cpp->last_stats().prompt_tokens);
  CHECK(st.context_tokens == cpp->last_stats().context_tokens);
  CHECK(static_cast<int>(st.stop_reason) == static_cast<int>(cpp->last_stats().stop_reason));

  // The same prompt as tokens (BOS included): the same continuation, since
  // each generate starts a new context and the sampler from its seed.
  std::vector<int32_t> ids(256);
  size_t n = 0;
  REQUIRE(edgeattn_tokenize(stories().c, prompt.data(), prompt.size(), nullptr, ids.data(), ids.size(), &n) ==
          EDGEATTN_OK);
  Sink tokens;
  const edgeattn_generation_request tr = c_request(&tokens, 60);
  REQUIRE(edgeattn_text_generator_generate_tokens(c.handle, ids.data(), n, &tr) == EDGEATTN_OK);
  CHECK(from_c.text == prompt + tokens.text);
  CHECK(c.stats().prompt_tokens == n);
}

TEST_CASE("C API text generator: stop reasons — max tokens, a stop token, the callback's 0, a full context") {
  edgeattn_text_generator_options o = edgeattn_text_generator_options_default();
  o.max_context = 40;
  CGenerator c(o);
  const std::string prompt = "Once upon a time";

  Sink five;
  edgeattn_generation_request r = c_request(&five, 5);
  REQUIRE(edgeattn_text_generator_generate(c.handle, prompt.data(), prompt.size(), &r) == EDGEATTN_OK);
  CHECK(c.stats().stop_reason == EDGEATTN_STOP_MAX_TOKENS);
  CHECK(c.stats().generated == 5);
  CHECK(c.stats().decode_steps == 4);
  CHECK(five.pieces == 5);

  Sink three;
  three.limit = 3;  // the callback returns 0 on the third piece
  r = c_request(&three, 100);
  REQUIRE(edgeattn_text_generator_generate(c.handle, prompt.data(), prompt.size(), &r) == EDGEATTN_OK);
  CHECK(c.stats().stop_reason == EDGEATTN_STOP_CALLBACK);
  CHECK(three.pieces == 3);
  CHECK(five.text.compare(0, three.text.size(), three.text) == 0);  // the same greedy start
  CHECK(std::string(edgeattn_stop_reason_name(EDGEATTN_STOP_CALLBACK)) == "callback");

  Sink full;
  r = c_request(&full, 1000);
  REQUIRE(edgeattn_text_generator_generate(c.handle, prompt.data(), prompt.size(), &r) == EDGEATTN_OK);
  CHECK(c.stats().stop_reason == EDGEATTN_STOP_CONTEXT_FULL);
  CHECK(c.stats().context_tokens == 41);  // 40 cached + the last sampled

  // A prompt longer than the context: EDGEATTN_OUT_OF_RANGE, nothing streamed.
  const std::string long_prompt(400, 'a');
  Sink none;
  r = c_request(&none, 10);
  CHECK(edgeattn_text_generator_generate(c.handle, long_prompt.data(), long_prompt.size(), &r) ==
        EDGEATTN_OUT_OF_RANGE);
  CHECK(std::string(edgeattn_last_error()).find("context full") != std::string::npos);
  CHECK(none.text.empty());
  CHECK(c.stats().stop_reason == EDGEATTN_STOP_NONE);

  // A story that ends: greedy from BOS over the whole context stops at the
  // stop token (BOS in llama2.c's models), as the C++ task does.
  edgeattn_text_generator_options whole = edgeattn_text_generator_options_default();  // max_positions
  CGenerator g(whole);
  Sink story;
  r = c_request(&story, 10000);
  REQUIRE(edgeattn_text_generator_generate(g.handle, "", 0, &r) == EDGEATTN_OK);
  const edgeattn_generation_stats st = g.stats();
  MESSAGE("greedy story: " << st.generated << " tokens, stop "
                            << std::string(edgeattn_stop_reason_name(st.stop_reason)));
  CHECK(st.stop_reason == EDGEATTN_STOP_TOKEN);
  CHECK(story.pieces == st.generated);
  CHECK(story.text.compare(0, 64, testing::stories260k_published_text(), 0, 64) == 0);
  std::unique_ptr<TextGenerator> cpp = cpp_generator(TextGeneratorOptions());
  Sink cpp_story;
  REQUIRE(cpp->generate("", cpp_request(&cpp_story, 10000)).is_ok());
  CHECK(cpp->last_stats().stop_reason == StopReason::kStopToken);
  CHECK(cpp_story.text == story.text);
}

TEST_CASE("C API text generator: chat keeps the context over two turns like the C++ task; reset starts over") {
  edgeattn_text_generator_options o = edgeattn_text_generator_options_default();
  o.max_context = 256;
  CGenerator c(o);
  TextGeneratorOptions co;
  co.max_context = 256;
  std::unique_ptr<TextGenerator> cpp = cpp_generator(co);

  const std::string turn1 = "Tom had a red ball.", turn2 = "Then Tom went home.";
  Sink c1, c2, p1, p2;
  edgeattn_generation_request r = c_request(&c1, 20);
  REQUIRE(edgeattn_text_generator_chat(c.handle, turn1.data(), turn1.size(), &r) == EDGEATTN_OK);
  const edgeattn_generation_stats s1 = c.stats();
  r = c_request(&c2, 20);
  REQUIRE(edgeattn_text_generator_chat(c.handle, turn2.data(), turn2.size(), &r) == EDGEATTN_OK);
  const edgeattn_generation_stats s2 = c.stats();
  REQUIRE(cpp->chat(turn1, cpp_request(&p1, 20)).is_ok());
  REQUIRE(cpp->chat(turn2, cpp_request(&p2, 20)).is_ok());
  CHECK(c1.text == p1.text);
  CHECK(c2.text == p2.text);
  CHECK(!c2.text.empty());
  CHECK(s2.context_tokens == cpp->last_stats().context_tokens);
  CHECK(s2.context_tokens >= s1.context_tokens + s2.prompt_tokens);  // turn 1 is still in the context
  std::vector<int32_t> ids(64);
  size_t n1 = 0, n2 = 0;
  REQUIRE(edgeattn_tokenize(stories().c, turn1.data(), turn1.size(), nullptr, ids.data(), ids.size(), &n1) ==
          EDGEATTN_OK);
  const edgeattn_tokenize_options no_bos = {0, 0, 0};
  REQUIRE(edgeattn_tokenize(stories().c, turn2.data(), turn2.size(), &no_bos, ids.data(), ids.size(), &n2) ==
          EDGEATTN_OK);
  CHECK(s1.prompt_tokens == n1);  // with BOS
  CHECK(s2.prompt_tokens == n2);  // without

  edgeattn_text_generator_reset(c.handle);
  Sink again;
  r = c_request(&again, 20);
  REQUIRE(edgeattn_text_generator_chat(c.handle, turn1.data(), turn1.size(), &r) == EDGEATTN_OK);
  CHECK(again.text == c1.text);  // greedy: the same first turn gives the same reply
  CHECK(c.stats().context_tokens == s1.context_tokens);
}

// ---- Embedder -----------------------------------------------------------------

const char* const kTexts[] = {
    "How do I bake bread?",
    "Knead the dough and let it rise before baking.",
    "The stock market fell today.",
    "My cat sleeps all day.",
    "Preheat the oven to 220 degrees.",
    "A simple recipe for homemade bread.",
    "Interest rates rose again this quarter.",
};
constexpr size_t kTextCount = sizeof(kTexts) / sizeof(kTexts[0]);

TEST_CASE("C API embedder: MiniLM rows equal the C++ Embedder's bit for bit, in several batches, texts and tokens") {
  edgeattn_embedder_options o = edgeattn_embedder_options_default();
  o.max_batch = 3;  // 7 texts: batches of 3, 3, 1
  edgeattn_embedder* e = nullptr;
  REQUIRE_MESSAGE(edgeattn_embedder_create(minilm().c, &o, &e) == EDGEATTN_OK, edgeattn_last_error());
  const size_t d = edgeattn_embedder_dimension(e);
  REQUIRE(d == 384);
  std::vector<size_t> lengths;
  for (const char* t : kTexts) lengths.push_back(std::strlen(t));
  std::vector<float> rows(kTextCount * d);
  REQUIRE_MESSAGE(edgeattn_embedder_embed(e, kTexts, lengths.data(), kTextCount, rows.data(), rows.size()) ==
                      EDGEATTN_OK,
                  edgeattn_last_error());

  EmbedderOptions co;
  co.max_batch = 3;
  Result<std::unique_ptr<Embedder>> cpp = Embedder::create(*minilm().cpp, co);
  REQUIRE(cpp.is_ok());
  std::vector<std::string_view> views(kTexts, kTexts + kTextCount);
  std::vector<float> want(rows.size());
  REQUIRE((*cpp)->embed(Span<const std::string_view>(views.data(), views.size()), Span<float>(want.data(), want.size()))
              .is_ok());
  CHECK(std::memcmp(rows.data(), want.data(), rows.size() * sizeof(float)) == 0);

  edgeattn_embed_stats st;
  REQUIRE(edgeattn_embedder_last_stats(e, &st) == EDGEATTN_OK);
  CHECK(st.texts == kTextCount);
  CHECK(st.invokes == 3);
  CHECK(st.tokens == (*cpp)->last_stats().tokens);
  CHECK(st.padded_tokens == (*cpp)->last_stats().padded_tokens);
  CHECK(st.truncated == 0);

  // NUL-terminated (lengths NULL), and from C: the same rows.
  std::vector<float> nul(rows.size());
  REQUIRE(edgeattn_embedder_embed(e, kTexts, nullptr, kTextCount, nul.data(), nul.size()) == EDGEATTN_OK);
  CHECK(nul == rows);
  std::vector<float> from_c(rows.size());
  size_t dim = 0;
  REQUIRE(capi_embedder_embed(minilm().c, kTexts, kTextCount, from_c.data(), from_c.size(), &dim) == EDGEATTN_OK);
  CHECK(dim == d);
  CHECK(from_c == want);  // default max_batch 8: one invoke, padded differently, same rows

  // Tokenized texts (with [CLS] ... [SEP]) give the same rows.
  std::vector<std::vector<int32_t>> ids(kTextCount, std::vector<int32_t>(256));
  std::vector<const int32_t*> row_ptrs;
  std::vector<size_t> row_lengths;
  for (size_t i = 0; i < kTextCount; ++i) {
    size_t n = 0;
    REQUIRE(edgeattn_tokenize(minilm().c, kTexts[i], lengths[i], nullptr, ids[i].data(), ids[i].size(), &n) ==
            EDGEATTN_OK);
    row_ptrs.push_back(ids[i].data());
    row_lengths.push_back(n);
  }
  std::vector<float> tok_rows(rows.size());
  REQUIRE(edgeattn_embedder_embed_tokens(e, row_ptrs.data(), row_lengths.data(), kTextCount, tok_rows.data(),
                                         tok_rows.size()) == EDGEATTN_OK);
  CHECK(tok_rows == rows);

  edgeattn_memory_stats mem;
  REQUIRE(edgeattn_embedder_memory(e, &mem) == EDGEATTN_OK);
  CHECK(mem.weight_bytes == minilm().cpp->weight_bytes());
  CHECK(mem.arena_bytes > 0);
  edgeattn_embedder_destroy(e);
}

TEST_CASE("C API embedder: cosine puts the bread texts above the others for a bread query") {
  edgeattn_embedder* e = nullptr;
  REQUIRE(edgeattn_embedder_create(minilm().c, nullptr, &e) == EDGEATTN_OK);
  const size_t d = edgeattn_embedder_dimension(e);
  std::vector<float> rows(kTextCount * d);
  REQUIRE(edgeattn_embedder_embed(e, kTexts, nullptr, kTextCount, rows.data(), rows.size()) == EDGEATTN_OK);
  std::vector<double> sim(kTextCount);
  for (size_t i = 0; i < kTextCount; ++i) sim[i] = edgeattn_cosine(rows.data(), rows.data() + i * d, d);
  MESSAGE("knead " << sim[1] << ", recipe " << sim[5] << ", oven " << sim[4] << ", stocks " << sim[2] << ", cat "
                   << sim[3] << ", rates " << sim[6]);
  CHECK(sim[0] == doctest::Approx(1.0).epsilon(1e-6));
  for (size_t bread : {1u, 5u}) {
    for (size_t other : {2u, 3u, 6u}) {
      CAPTURE(bread);
      CAPTURE(other);
      CHECK(sim[bread] > sim[other] + 0.2);
    }
  }
  CHECK(sim[4] > sim[2]);  // the oven is closer to baking than the stock market
  CHECK(edgeattn_cosine(rows.data(), rows.data() + d, d) == Embedder::cosine(rows.data(), rows.data() + d, d));
  edgeattn_embedder_destroy(e);
}

// A caller arena sized by _plan: create takes it, the results are the same
// bits as with an owned arena, and one byte less is refused naming the size.
TEST_CASE("C API tasks: _plan sizes a caller arena for both tasks") {
  edgeattn_embedder_options eo = edgeattn_embedder_options_default();
  eo.max_batch = 3;
  edgeattn_memory_stats planned;
  REQUIRE(edgeattn_embedder_plan(minilm().c, &eo, &planned) == EDGEATTN_OK);
  edgeattn_embedder* owned = nullptr;
  REQUIRE(edgeattn_embedder_create(minilm().c, &eo, &owned) == EDGEATTN_OK);
  edgeattn_memory_stats created;
  REQUIRE(edgeattn_embedder_memory(owned, &created) == EDGEATTN_OK);
  CHECK(planned.arena_bytes == created.arena_bytes);
  CHECK(planned.weight_bytes == created.weight_bytes);
  std::unique_ptr<void, decltype(&std::free)> arena(std::aligned_alloc(64, (planned.arena_bytes + 63) / 64 * 64),
                                                    &std::free);
  REQUIRE(arena != nullptr);
  edgeattn_embedder_options small = eo;
  small.arena = arena.get();
  small.arena_bytes = planned.arena_bytes - 1;
  edgeattn_embedder* e = nullptr;
  CHECK(edgeattn_embedder_create(minilm().c, &small, &e) == EDGEATTN_RESOURCE_EXHAUSTED);
  CHECK(std::string(edgeattn_last_error()).find(std::to_string(planned.arena_bytes)) != std::string::npos);
  edgeattn_embedder_options fits = eo;
  fits.arena = arena.get();
  fits.arena_bytes = planned.arena_bytes;
  REQUIRE(edgeattn_embedder_create(minilm().c, &fits, &e) == EDGEATTN_OK);
  const size_t d = edgeattn_embedder_dimension(e);
  std::vector<float> a(kTextCount * d), b(kTextCount * d);
  REQUIRE(edgeattn_embedder_embed(owned, kTexts, nullptr, kTextCount, a.data(), a.size()) == EDGEATTN_OK);
  REQUIRE(edgeattn_embedder_embed(e, kTexts, nullptr, kTextCount, b.data(), b.size()) == EDGEATTN_OK);
  CHECK(a == b);
  edgeattn_embedder_destroy(e);
  edgeattn_embedder_destroy(owned);

  edgeattn_text_generator_options go = edgeattn_text_generator_options_default();
  go.max_context = 128;
  REQUIRE(edgeattn_text_generator_plan(stories().c, &go, &planned) == EDGEATTN_OK);
  CHECK(planned.kv_cache_bytes > 0);
  edgeattn_text_generator* g = nullptr;
  REQUIRE(edgeattn_text_generator_create(stories().c, &go, &g) == EDGEATTN_OK);
  REQUIRE(edgeattn_text_generator_memory(g, &created) == EDGEATTN_OK);
  CHECK(planned.arena_bytes == created.arena_bytes);
  CHECK(planned.kv_cache_bytes == created.kv_cache_bytes);
  edgeattn_text_generator_destroy(g);
  CHECK(edgeattn_text_generator_plan(minilm().c, &go, &planned) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(edgeattn_embedder_plan(nullptr, &eo, &planned) == EDGEATTN_INVALID_ARGUMENT);
}

TEST_CASE("C API tasks: the wrong model for a task is refused with a message naming it") {
  edgeattn_embedder* e = nullptr;
  CHECK(edgeattn_embedder_create(stories().c, nullptr, &e) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(e == nullptr);
  CHECK(std::string(edgeattn_last_error()).find("LlamaDecoder") != std::string::npos);
  edgeattn_text_generator* g = nullptr;
  CHECK(edgeattn_text_generator_create(minilm().c, nullptr, &g) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(g == nullptr);
  CHECK(std::string(edgeattn_last_error()).find("BertEncoder") != std::string::npos);
  edgeattn_text_generator_options o = edgeattn_text_generator_options_default();
  o.max_context = 100000;
  CHECK(edgeattn_text_generator_create(stories().c, &o, &g) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(std::string(edgeattn_last_error()).find("max_positions") != std::string::npos);
}

}  // namespace
}  // namespace edgeattn
