// TextGenerator: text in, streamed text out, for decoder LMs.
//
// The task every front-end (demo, C API, eval, bench) uses to run a decoder:
// it owns a Session sized from the options and the ModelInfo, tokenizes the
// prompt with the model's tokenizer, prefills it, samples until a stop token
// (EOS, and BOS for llama2.c-style models), max_tokens or a full context,
// and streams each token's text to a callback. chat() keeps the KV cache
// between turns; generate() starts a new context each time.
//
// Memory: create() plans and allocates everything (the arena holds the KV
// cache, the sampling scratch and the token history). generate_tokens() /
// chat_tokens() never allocate; generate() / chat() allocate only inside the
// tokenizer (runtime/tokenizer/tokenizer.h).
//
// Example:
//   TextGeneratorOptions o; o.max_context = 256; o.sampling.temperature = 0.8f;
//   EA_ASSIGN_OR_RETURN(std::unique_ptr<TextGenerator> g, TextGenerator::create(*model, o));
//   GenerationRequest r; r.max_tokens = 100;
//   r.on_text = [](void*, std::string_view piece) { fwrite(piece.data(), 1, piece.size(), stdout); return true; };
//   EA_RETURN_IF_ERROR(g->generate("Once upon a time", r));
//   printf("\n%d tokens, %s\n", g->last_stats().generated, stop_reason_name(g->last_stats().stop_reason));
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "runtime/core/fallible_vector.h"
#include "runtime/core/span.h"
#include "runtime/core/status.h"
#include "runtime/generator.h"
#include "runtime/model.h"
#include "runtime/sampler.h"
#include "runtime/session.h"
#include "runtime/tasks/chat_template.h"

namespace edgeattn {

struct TextGeneratorOptions {
  // Positions the KV cache holds (prompt + generated, all chat turns);
  // 0: the model's max_positions. Larger than max_positions is refused.
  int max_context = 0;
  int prefill_chunk = 64;  // prompt tokens per invoke (the session's max_seq)
  int threads = 1;
  const char* kernels = nullptr;  // as SessionOptions::kernels
  KvCacheDType kv_dtype = KvCacheDType::kF32;
  SamplingOptions sampling;       // temperature 0: greedy
  // kStop: a full context ends the generation (stop reason kContextFull).
  // kSlide: the oldest tokens are dropped and the rest re-prefilled
  // (Generator's policy; slide_keep 0 keeps half the context).
  ContextPolicy context_policy = ContextPolicy::kStop;
  int slide_keep = 0;
  Span<uint8_t> arena;  // as SessionOptions::arena (must outlive the TextGenerator)
  // chat() with a model whose file has a chat template (ChatTemplate): the
  // first turn's system message; "" keeps the template's default. The text
  // must outlive the TextGenerator.
  std::string_view system_prompt;
};

// Why a generation ended.
enum class StopReason : uint8_t {
  kNone = 0,         // not finished (an error, or nothing ran yet)
  kStopToken = 1,    // EOS (or BOS, which ends a llama2.c story)
  kMaxTokens = 2,
  kContextFull = 3,  // ContextPolicy::kStop only
  kCallback = 4,     // on_text returned false
};
// "none", "stop-token", "max-tokens", "context-full", "callback".
const char* stop_reason_name(StopReason reason);

struct GenerationRequest {
  int max_tokens = 256;  // sampled tokens, the stop token not counted
  // Receives each generated token's text as soon as it is sampled (bytes:
  // a byte-level BPE piece may be part of a UTF-8 character). Return false
  // to stop. May be null. The view is valid only during the call.
  bool (*on_text)(void* user, std::string_view piece) = nullptr;
  void* user = nullptr;
  // Also pass the prompt's text through on_text first (not for chat turns),
  // so the stream reads as one text, as llama2.c prints it.
  bool echo_prompt = false;
};

struct GenerationStats {
  size_t prompt_tokens = 0;  // fed this call (BOS included)
  int generated = 0;         // sampled tokens of the reply (a stop token is not part of it)
  size_t decode_steps = 0;   // generated - 1: the first token comes from the prefill's logits
  double prefill_ms = 0;
  double decode_ms = 0;
  int slides = 0;            // context slides so far (kSlide)
  size_t context_tokens = 0; // tokens in the context after the call
  StopReason stop_reason = StopReason::kNone;
};

class TextGenerator {
 public:
  // Fails with kInvalidArgument for a model whose task is not
  // kTextGeneration or that has no tokenizer, and for options out of range.
  static Result<std::unique_ptr<TextGenerator>> create(const Model& model, const TextGeneratorOptions& options);
  // The session create() would make, without making it: arena bytes (for
  // TextGeneratorOptions::arena), KV cache bytes, weights. Same checks.
  static Result<MemoryStats> plan(const Model& model, const TextGeneratorOptions& options);
  // The stop tokens this task uses: EOS, and BOS when it differs (a
  // llama2.c story ends with BOS). Writes at most 2 ids; returns how many.
  static size_t default_stop_ids(const Tokenizer& tokenizer, int32_t out[2]);
  // The ids a prompt starts a generation from: `text` tokenized into *ids
  // (replacing them; BOS first when `add_bos`), or, when that gives no token
  // at all, the tokenizer's EOS alone: GPT-2-style vocabularies have no BOS
  // and start from <|endoftext|>. With no EOS either it is kInvalidArgument.
  // generate(), a first chat() turn and the C API's
  // edgeattn_generator_append_text all start this way, so the rule lives
  // here once. Allocates inside the tokenizer and when *ids must grow.
  //   std::vector<int32_t> ids;
  //   EA_RETURN_IF_ERROR(TextGenerator::prompt_ids(*model->tokenizer(), "", /*add_bos=*/true, &ids));
  //   // ids: {BOS} for llama2.c vocabularies, {<|endoftext|>} for GPT-2
  static Status prompt_ids(const Tokenizer& tokenizer, std::string_view text, bool add_bos,
                           std::vector<int32_t>* ids);

  ~TextGenerator();
  TextGenerator(const TextGenerator&) = delete;
  TextGenerator& operator=(const TextGenerator&) = delete;

  // A new context: tokenizes `prompt` as prompt_ids() does (BOS first; an
  // empty prompt starts from EOS for GPT-2-style vocabularies, which have no
  // BOS; with neither it is kInvalidArgument), generates.
  // A prompt that does not fit the context is kOutOfRange under kStop.
  Status generate(std::string_view prompt, const GenerationRequest& request);
  // The same for a tokenized prompt. No allocation.
  Status generate_tokens(Span<const int32_t> prompt, const GenerationRequest& request);

  // One turn of a conversation: appends `text` to the context kept since
  // the last reset() (BOS only on the first turn) and generates the reply.
  // A model with a chat template (ModelInfo::chat_template) gets `text` as
  // a user message written the template's way (ChatTemplate: the system
  // message first, the reply's opening after; later turns close the
  // previous reply first); the reply also stops at the template's end of
  // message. A template ChatTemplate does not recognize makes chat()
  // kUnsupported, naming it (generate() is unaffected).
  Status chat(std::string_view text, const GenerationRequest& request);
  Status chat_tokens(Span<const int32_t> tokens, const GenerationRequest& request);

  // Forgets the context (the next chat() is a first turn).
  void reset();

  // Sampling from the next context on (each generate() starts one; chat()
  // after reset()), e.g. another temperature or seed per call. The arena's
  // sampling scratch was sized at create(): a repetition-penalty window
  // longer than create()'s options reserved is kInvalidArgument (nothing
  // changed). No allocation.
  Status set_sampling(const SamplingOptions& sampling);
  const SamplingOptions& sampling() const { return generate_options_.sampling; }

  const GenerationStats& last_stats() const { return stats_; }
  // Tokens in the context, oldest first.
  Span<const int32_t> context() const;
  int max_context() const { return max_context_; }
  const Session& session() const { return *session_; }
  const Tokenizer& tokenizer() const { return *tokenizer_; }

 private:
  TextGenerator() = default;
  static Status session_options_for(const Model& model, const TextGeneratorOptions& options, SessionOptions* so);
  Status run(Span<const int32_t> tokens, bool new_context, const GenerationRequest& request);
  Status encode(std::string_view text, bool first_turn);
  Status encode_chat(std::string_view text, bool first_turn);
  void new_context();
  Status sample_reply(int32_t prev, const GenerationRequest& request);

  const Model* model_ = nullptr;          // must outlive the TextGenerator
  const Tokenizer* tokenizer_ = nullptr;  // the model's
  std::unique_ptr<Session> session_;
  std::optional<Generator> generator_;    // runs on *session_; remade (in place) per new context
  GenerateOptions generate_options_;      // stop_ids points at stop_ids_
  int32_t stop_ids_[3] = {-1, -1, -1};    // EOS, and BOS (ends a llama2.c story); chat: the end of message
  size_t n_stop_ids_ = 0;                 // generate(): EOS, BOS
  size_t n_chat_stop_ids_ = 0;            // chat(): and the template's end of message
  std::vector<int32_t> ids_;              // generate()/chat(): the tokenized text
  std::vector<int32_t> piece_ids_;        // chat(): one segment's ids
  std::optional<ChatTemplate> chat_template_;  // the model's, when recognized
  Status chat_template_status_;           // why not, when the model has one that is not
  std::vector<ChatSegment> segments_;     // chat(): the turn's rendered segments
  std::string_view system_prompt_;        // TextGeneratorOptions::system_prompt
  int max_context_ = 0;
  int turns_ = 0;
  GenerationStats stats_;
};

}  // namespace edgeattn
