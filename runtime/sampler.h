// Sampler: picks the next token from a row of logits.
//
// temperature 0 is greedy (argmax, lowest id on ties, as llama2.c).
// Otherwise, in order: repetition penalty over the recent tokens (CTRL /
// HF style: a positive logit is divided by the penalty, a negative one
// multiplied), softmax(logits / temperature), top-k, top-p (the smallest set
// of most likely tokens whose probability reaches p), then a draw from a
// seeded xorshift64* RNG, so a seed repeats a run exactly on machines of the
// same architecture.
//
// All working memory is a caller-supplied scratch span (normally carved
// from the session arena, see Session::scratch()); sample() never allocates.
// Only candidates that can be in the nucleus are sorted, never a copy of the
// whole vocabulary.
//
// Example:
//   SamplingOptions o; o.temperature = 0.8f; o.top_p = 0.9f; o.seed = 42;
//   std::vector<uint8_t> scratch(Sampler::scratch_bytes(vocab, o));
//   Sampler s(vocab, o, Span<uint8_t>(scratch.data(), scratch.size()));
//   int32_t next = s.sample(logits);   // logits may be modified (penalty)
#pragma once

#include <cstddef>
#include <cstdint>

#include "runtime/core/span.h"
#include "runtime/core/status.h"

namespace edgeattn {

struct SamplingOptions {
  float temperature = 0.0f;         // 0: greedy
  int top_k = 0;                    // 0: off
  float top_p = 1.0f;               // 1: off
  float repetition_penalty = 1.0f;  // 1: off; > 1 discourages repeats
  int penalty_window = 64;          // how many recent tokens the penalty sees
  uint64_t seed = 42;
};

class Sampler {
 public:
  // Scratch needed for `vocab_size` and these options (8-byte aligned).
  static size_t scratch_bytes(size_t vocab_size, const SamplingOptions& options);

  // `scratch` must hold scratch_bytes() bytes and outlive the Sampler.
  Sampler(size_t vocab_size, const SamplingOptions& options, Span<uint8_t> scratch);

  // Chooses a token from logits [vocab_size]; the repetition penalty is
  // applied to `logits` in place. Records the choice in the penalty window.
  // Always returns an id in [0, vocab_size), whatever the logits (NaN
  // included); check_logits() first to turn those into an error.
  int32_t sample(float* logits);

  // kInvalidArgument naming the first NaN or infinite logit of [n], e.g.
  // "logit 17 of 512 is nan"; ok when all are finite.
  static Status check_logits(const float* logits, size_t n);
  // Records a token the model was fed without sampling it (prompt tokens),
  // so the penalty sees it.
  void observe(int32_t token);

  static int32_t argmax(const float* logits, size_t n);

 private:
  float next_uniform();
  void apply_penalty(float* logits) const;

  size_t vocab_size_;
  SamplingOptions options_;
  uint64_t state_;
  float* probs_ = nullptr;      // [vocab] in scratch
  int32_t* order_ = nullptr;    // [vocab] candidate ids, in scratch
  int32_t* history_ = nullptr;  // [penalty_window] ring of recent tokens, in scratch
  size_t history_count_ = 0;
  size_t history_next_ = 0;
};

}  // namespace edgeattn
