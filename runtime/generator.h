// Generator: autoregressive text generation on a decoder Session.
//
// Feeds prompt tokens (prefill, in chunks of the session's max_seq), then
// alternates sampling a token from the last logits and feeding it back as a
// single-token decode step. All state — sampling scratch and the history of
// tokens in the context — lives in the session arena (Session::scratch()),
// so generation allocates nothing after Session::create().
//
// When the context is full the caller's policy applies:
//   kStop   step() returns kOutOfRange ("context full").
//   kSlide  the oldest tokens are dropped: the session is reset and the most
//           recent `slide_keep` tokens are prefilled again (recomputed, which
//           is exact for RoPE and learned positions alike), then it goes on.
//
// Example:
//   SessionOptions so; so.max_seq = 64; so.max_context = 512;
//   so.scratch_bytes = Generator::scratch_bytes(vocab, 512, sampling);
//   auto session = Session::create(model, so);
//   GenerateOptions go; go.sampling = sampling; go.max_tokens = 200;
//   Generator gen(**session, vocab, go);
//   gen.append(prompt_ids);
//   while (!gen.finished()) {
//     int32_t t; if (!gen.step(&t).is_ok()) break;
//     if (!gen.stopped()) print(t);
//   }
#pragma once

#include <cstddef>
#include <cstdint>

#include "runtime/core/span.h"
#include "runtime/core/status.h"
#include "runtime/sampler.h"

namespace edgeattn {

class Session;

enum class ContextPolicy : uint8_t { kStop = 0, kSlide = 1 };

struct GenerateOptions {
  SamplingOptions sampling;
  int max_tokens = 256;                 // per generation (reset by append())
  Span<const int32_t> stop_ids;         // e.g. EOS; must outlive the Generator
  ContextPolicy context_policy = ContextPolicy::kStop;
  int slide_keep = 0;                   // tokens kept when sliding; 0: half the context
};

class Generator {
 public:
  // Scratch the session must reserve (SessionOptions::scratch_bytes).
  static size_t scratch_bytes(size_t vocab_size, size_t max_context, const SamplingOptions& sampling);

  // `session` (a decoder with a KV cache and scratch_bytes() of scratch)
  // must outlive the Generator. Call status() to learn if it is usable.
  Generator(Session& session, size_t vocab_size, const GenerateOptions& options);

  // Ok, or why the session cannot be used (no KV cache, scratch too small).
  const Status& status() const { return status_; }

  // Appends tokens to the context (the prompt, or a user's turn in a chat):
  // feeds a pending sampled token first, prefills `tokens`, and starts a new
  // generation (max_tokens counts from here).
  Status append(Span<const int32_t> tokens);

  // Samples the next token into *token. After a stop token or max_tokens,
  // finished() is true; stopped() tells whether *token was a stop token
  // (which is then not part of the text).
  Status step(int32_t* token);

  // The max_tokens of the next generation (from the next append() on).
  void set_max_tokens(int max_tokens) { options_.max_tokens = max_tokens; }
  // Replaces the stop tokens for the next generations (must outlive them).
  void set_stop_ids(Span<const int32_t> stop_ids) { options_.stop_ids = stop_ids; }

  bool finished() const { return finished_; }
  bool stopped() const { return stopped_; }
  int generated() const { return generated_; }
  // Tokens in the context, oldest first (including a pending sampled token).
  Span<const int32_t> context() const { return Span<const int32_t>(history_, history_len_); }
  int slides() const { return slides_; }

 private:
  Status feed(const int32_t* tokens, size_t n);
  Status slide();

  Session* session_;        // must outlive this Generator
  size_t vocab_size_;       // logits per row, checked against the session's model
  GenerateOptions options_;
  Status status_;
  Sampler sampler_;         // scratch inside the session arena
  int32_t* history_;        // [max_context + 1] tokens in the context, in the session arena
  size_t history_len_ = 0;
  size_t fed_ = 0;          // history_[0, fed_) are in the KV cache
  bool have_logits_ = false;
  bool finished_ = false;
  bool stopped_ = false;
  int generated_ = 0;
  int slides_ = 0;
};

}  // namespace edgeattn
