// Whisper's decoding rules, as openai-whisper (decoding.py, transcribe.py)
// and CTranslate2 apply them, on plain arrays: the logit filters of one
// greedy step, and the segments of one 30-s window's tokens.
//
// Logit filters (apply_whisper_rules), in this order:
//   suppress_ids            never generated (the model's config list)
//   suppress_ids_begin      not at the first generated step (" " and EOT: suppress_blank)
//   timestamps only (ApplyTimestampRules):
//     <|notimestamps|> never; the first token is a timestamp of at most
//     max_initial_timestamp (1 s); timestamps come in pairs and never
//     decrease; after a closing pair a text token or EOT; if the summed
//     probability of all timestamps beats the best text token, a timestamp.
//
// Segments (split_segments): a window's tokens <|t0|> text <|t1|><|t1'|> text
// <|t2|> ... split at each pair of consecutive timestamps; where the window
// ends tells the seek: a single closing timestamp (or none) consumes the
// whole window, else the window is cut after the last complete segment, as
// transcribe.py does.
//
// Example (one greedy step):
//   apply_whisper_rules(rules, Span<const int32_t>(generated, n), logits);
//   int32_t next = Sampler::argmax(logits, rules.vocab_size);
#pragma once

#include <cstddef>
#include <cstdint>

#include "runtime/core/span.h"

namespace edgeattn {

struct WhisperRules {
  int32_t vocab_size = 0;
  int32_t eot_id = -1;
  int32_t no_timestamps_id = -1;
  int32_t timestamp_begin_id = -1;   // <|0.00|>; -1: the model has none
  float timestamp_seconds = 0.02f;   // one timestamp step
  float max_initial_timestamp = 1.0f;  // seconds (openai-whisper's default)
  bool timestamps = false;           // decode with timestamp tokens
  Span<const int32_t> suppress_ids;
  Span<const int32_t> suppress_ids_begin;
};

// Sets the logits of every token the rules forbid after `generated` (the
// tokens sampled so far in this window, prompt excluded) to -infinity.
// logits: [vocab_size]. Allocates nothing.
void apply_whisper_rules(const WhisperRules& rules, Span<const int32_t> generated, float* logits);

struct WhisperSegment {
  size_t first = 0, end = 0;        // tokens [first, end) of the window, timestamps included
  int32_t start_step = 0;           // timestamps, in steps from the window's start
  int32_t end_step = 0;
};

// Splits a window's tokens (EOT excluded) into segments (at most
// max_segments written to `segments`; returns how many there are) and sets
// *consumed_steps to how far the next window starts, in timestamp steps
// (window_steps for the whole window). Without timestamp pairs the whole
// window is one segment, ending at its last timestamp (or the window end).
size_t split_segments(const WhisperRules& rules, Span<const int32_t> tokens, int32_t window_steps,
                      WhisperSegment* segments, size_t max_segments, int32_t* consumed_steps);

}  // namespace edgeattn
