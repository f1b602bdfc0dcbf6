// TextGenerator (runtime/tasks/text_generator.h): prompt -> streamed text.
//
// Oracles: the published greedy text of stories260K (llama2.c's run.c,
// ../shared/models/stories260K/greedy_t0_256steps.txt), and a plain greedy
// loop over a Session written here (argmax of each step's logits, one token
// per invoke) for prompts the published text does not cover.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "runtime/tasks/text_generator.h"
#include "tests/support/model_gate.h"
#include "tests/support/model_paths.h"
#include "tests/support/models.h"

EDGEATTN_TEST_MODELS(kStories260K, kMiniLM);

namespace edgeattn {
namespace {

// Collects the streamed pieces; stops after `limit` pieces if limit >= 0.
struct Sink {
  std::string text;
  int pieces = 0;
  int limit = -1;
  static bool on_text(void* user, std::string_view piece) {
    Sink* s = static_cast<Sink*>(user);
    s->text.append(piece.data(), piece.size());
    ++s->pieces;
    return s->limit < 0 || s->pieces < s->limit;
  }
};

GenerationRequest request_into(Sink* sink, int max_tokens) {
  GenerationRequest r;
  r.max_tokens = max_tokens;
  r.on_text = &Sink::on_text;
  r.user = sink;
  return r;
}

std::unique_ptr<TextGenerator> make(const TextGeneratorOptions& o) {
  Result<std::unique_ptr<TextGenerator>> g = TextGenerator::create(testing::stories260k_from_llama2c(), o);
  REQUIRE_MESSAGE(g.is_ok(), g.status().message());
  return std::move(g).value();
}

// The independent loop: feed `prompt` one token per invoke, then argmax,
// stopping at BOS/EOS or after max_tokens.
std::string plain_greedy(const Model& model, const std::vector<int32_t>& prompt, int max_tokens) {
  SessionOptions so;
  so.max_seq = 1;
  so.max_context = static_cast<int>(prompt.size()) + max_tokens;
  auto session = Session::create(model, so);
  REQUIRE(session.is_ok());
  const Tokenizer& tok = *model.tokenizer();
  std::string text;
  int32_t token = prompt[0];
  for (size_t i = 0;; ++i) {
    InvokeInput in;
    in.ids = &token;
    in.seq = 1;
    REQUIRE((*session)->invoke(in).is_ok());
    if (i + 1 < prompt.size()) {
      token = prompt[i + 1];
      continue;
    }
    const int32_t next = Sampler::argmax((*session)->output(0).f32(), static_cast<size_t>(model.info().vocab_size));
    if (next == tok.bos_id() || next == tok.eos_id()) break;
    text += std::string(tok.decode_piece(token, next));
    token = next;
    if (static_cast<int>(i + 2 - prompt.size()) > max_tokens - 1) break;
  }
  return text;
}

TEST_CASE("TextGenerator: greedy from an empty prompt streams the published stories260K text") {
  TextGeneratorOptions o;
  o.max_context = 257;  // BOS + 256 tokens
  std::unique_ptr<TextGenerator> g = make(o);
  Sink sink;
  Status s = g->generate("", request_into(&sink, 256));
  REQUIRE_MESSAGE(s.is_ok(), s.message());
  const std::string want = testing::stories260k_published_text();
  const GenerationStats& st = g->last_stats();
  MESSAGE(st.generated << " tokens, stop: " << std::string(stop_reason_name(st.stop_reason)));
  CHECK(st.prompt_tokens == 1);  // BOS
  if (st.stop_reason == StopReason::kMaxTokens) {
    CHECK(sink.text == want);
  } else {
    CHECK(st.stop_reason == StopReason::kStopToken);
    CHECK(want.compare(0, sink.text.size(), sink.text) == 0);
  }
  CHECK(sink.pieces == st.generated);
  CHECK(st.decode_steps == static_cast<size_t>(st.generated - 1));
  CHECK(st.context_tokens == g->context().size());
}

TEST_CASE("TextGenerator: a prompt, prefilled in chunks, continues like the plain greedy loop; echo streams it first") {
  const Model& model = testing::stories260k_from_llama2c();
  const std::string prompt = "Once upon a time, a cat sat on a mat and looked at the big blue sky";
  std::vector<int32_t> ids;
  REQUIRE(model.tokenizer()->encode(prompt, EncodeOptions(), &ids).is_ok());
  REQUIRE(ids.size() > 8);
  TextGeneratorOptions o;
  o.max_context = 200;
  o.prefill_chunk = 5;  // several prefill invokes, the last one short
  std::unique_ptr<TextGenerator> g = make(o);
  Sink sink;
  GenerationRequest r = request_into(&sink, 60);
  r.echo_prompt = true;
  REQUIRE(g->generate(prompt, r).is_ok());
  const std::string continuation = plain_greedy(model, ids, 60);
  CHECK(sink.text == prompt + continuation);
  CHECK(g->last_stats().prompt_tokens == ids.size());

  // generate_tokens() on the same ids gives the same continuation.
  Sink again;
  REQUIRE(g->generate_tokens(Span<const int32_t>(ids.data(), ids.size()), request_into(&again, 60)).is_ok());
  CHECK(again.text == continuation);
}

TEST_CASE("TextGenerator: stop reasons — max tokens, the callback, a full context, a prompt too long") {
  TextGeneratorOptions o;
  o.max_context = 40;
  std::unique_ptr<TextGenerator> g = make(o);
  Sink five;
  REQUIRE(g->generate("Once upon a time", request_into(&five, 5)).is_ok());
  CHECK(g->last_stats().stop_reason == StopReason::kMaxTokens);
  CHECK(g->last_stats().generated == 5);
  CHECK(five.pieces == 5);

  Sink three;
  three.limit = 3;
  REQUIRE(g->generate("Once upon a time", request_into(&three, 100)).is_ok());
  CHECK(g->last_stats().stop_reason == StopReason::kCallback);
  CHECK(three.pieces == 3);
  CHECK(five.text.compare(0, three.text.size(), three.text) == 0);  // same greedy start

  Sink full;
  REQUIRE(g->generate("Once upon a time", request_into(&full, 1000)).is_ok());
  const GenerationStats st = g->last_stats();
  CHECK((st.stop_reason == StopReason::kContextFull || st.stop_reason == StopReason::kStopToken));
  if (st.stop_reason == StopReason::kContextFull) CHECK(st.context_tokens == 41);  // 40 cached + the last sampled
  const std::string long_prompt(400, 'a');
  Sink none;
  Status s = g->generate(long_prompt, request_into(&none, 10));
  CHECK(s.code() == StatusCode::kOutOfRange);
  CHECK(std::string(s.message()).find("context full") != std::string::npos);
  CHECK(none.text.empty());

  // Sliding keeps going past the context.
  TextGeneratorOptions slide = o;
  slide.context_policy = ContextPolicy::kSlide;
  std::unique_ptr<TextGenerator> gs = make(slide);
  Sink long_run;
  REQUIRE(gs->generate("Once upon a time", request_into(&long_run, 100)).is_ok());
  if (gs->last_stats().stop_reason == StopReason::kMaxTokens) CHECK(gs->last_stats().slides >= 1);
  CHECK(gs->last_stats().context_tokens <= 41);
}

TEST_CASE("TextGenerator: chat keeps the context between turns, BOS only first, reset() starts over") {
  TextGeneratorOptions o;
  o.max_context = 256;
  std::unique_ptr<TextGenerator> g = make(o);
  const int32_t bos = g->tokenizer().bos_id();
  Sink one, two;
  REQUIRE(g->chat("Tom had a red ball.", request_into(&one, 20)).is_ok());
  const size_t after_one = g->context().size();
  const size_t first_prompt = g->last_stats().prompt_tokens;
  REQUIRE(g->chat("Then Tom went home.", request_into(&two, 20)).is_ok());
  const Span<const int32_t> ctx = g->context();
  CHECK(ctx[0] == bos);
  CHECK(std::count(ctx.begin(), ctx.end(), bos) == 1);
  // Every token of turn 1 (prompt and reply) is still there, then turn 2.
  CHECK(ctx.size() >= after_one + g->last_stats().prompt_tokens);
  std::vector<int32_t> turn2;
  EncodeOptions no_bos;
  no_bos.add_special_tokens = false;
  REQUIRE(g->tokenizer().encode("Then Tom went home.", no_bos, &turn2).is_ok());
  CHECK(g->last_stats().prompt_tokens == turn2.size());
  std::vector<int32_t> turn1;
  REQUIRE(g->tokenizer().encode("Tom had a red ball.", EncodeOptions(), &turn1).is_ok());
  CHECK(first_prompt == turn1.size());  // with BOS
  CHECK(std::equal(turn1.begin(), turn1.end(), ctx.begin()));
  CHECK(std::equal(turn2.begin(), turn2.end(), ctx.begin() + static_cast<std::ptrdiff_t>(after_one)));
  g->reset();
  CHECK(g->context().size() == 0);
  Sink three;
  REQUIRE(g->chat("Tom had a red ball.", request_into(&three, 20)).is_ok());
  CHECK(g->context()[0] == bos);
  CHECK(three.text == one.text);  // greedy: the same first turn gives the same reply
}

TEST_CASE("TextGenerator: set_sampling changes the next context's sampling as create() would set it") {
  // Oracle: a TextGenerator created with those options.
  TextGeneratorOptions hot;
  hot.max_context = 128;
  hot.sampling.temperature = 1.0f;
  hot.sampling.seed = 11;
  Sink want;
  REQUIRE(make(hot)->generate("Lily", request_into(&want, 40)).is_ok());
  TextGeneratorOptions greedy;
  greedy.max_context = 128;
  std::unique_ptr<TextGenerator> g = make(greedy);
  Sink before;
  REQUIRE(g->generate("Lily", request_into(&before, 40)).is_ok());
  REQUIRE(g->set_sampling(hot.sampling).is_ok());
  CHECK(g->sampling().seed == 11);
  Sink after;
  REQUIRE(g->generate("Lily", request_into(&after, 40)).is_ok());
  CHECK(after.text == want.text);
  CHECK(after.text != before.text);
  // The penalty window's history lives in scratch sized at create().
  SamplingOptions penalty = hot.sampling;
  penalty.repetition_penalty = 1.3f;
  penalty.penalty_window = 64;
  const Status refused = g->set_sampling(penalty);
  CHECK(refused.code() == StatusCode::kInvalidArgument);
  CHECK(std::string(refused.message()).find("scratch") != std::string::npos);
  CHECK(g->sampling().repetition_penalty == 1.0f);  // unchanged
}

TEST_CASE("TextGenerator: refuses what it cannot run, names the reason") {
  Result<std::unique_ptr<TextGenerator>> enc = TextGenerator::create(testing::minilm(), TextGeneratorOptions());
  CHECK(enc.status().code() == StatusCode::kInvalidArgument);
  CHECK(std::string(enc.status().message()).find("BertEncoder") != std::string::npos);
  TextGeneratorOptions too_long;
  too_long.max_context = 100000;
  Result<std::unique_ptr<TextGenerator>> r = TextGenerator::create(testing::stories260k_from_llama2c(), too_long);
  CHECK(r.status().code() == StatusCode::kInvalidArgument);
  CHECK(std::string(r.status().message()).find("max_positions") != std::string::npos);
  std::unique_ptr<TextGenerator> g = make(TextGeneratorOptions());
  CHECK(g->max_context() == testing::stories260k_from_llama2c().info().max_positions);
  Sink sink;
  CHECK(g->generate_tokens(Span<const int32_t>(), request_into(&sink, 5)).code() == StatusCode::kInvalidArgument);
  const int32_t bad[2] = {1, 100000};
  CHECK(g->generate_tokens(Span<const int32_t>(bad, 2), request_into(&sink, 5)).code() == StatusCode::kInvalidArgument);
  const int32_t ok[1] = {1};
  CHECK(g->generate_tokens(Span<const int32_t>(ok, 1), request_into(&sink, 0)).code() == StatusCode::kInvalidArgument);
  CHECK(std::string(stop_reason_name(StopReason::kContextFull)) == "context-full");
}

}  // namespace
}  // namespace edgeattn
