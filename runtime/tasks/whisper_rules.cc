#include "runtime/tasks/whisper_rules.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace edgeattn {
namespace {

constexpr float kMinusInf = -std::numeric_limits<float>::infinity();

void forbid(float* logits, int32_t first, int32_t end) {
  for (int32_t i = std::max(first, 0); i < end; ++i) logits[i] = kMinusInf;
}

bool is_timestamp(const WhisperRules& r, int32_t id) { return id >= r.timestamp_begin_id; }

// log-sum-exp of logits[first, end) relative to `top` (the max over all),
// and the max of logits[0, first): both as log-probabilities would compare.
void timestamp_vs_text(const float* logits, int32_t ts_begin, int32_t vocab, float* timestamp_logsum,
                       float* text_max) {
  float top = kMinusInf;
  for (int32_t i = 0; i < vocab; ++i) top = std::max(top, logits[i]);
  double sum = 0.0;
  for (int32_t i = ts_begin; i < vocab; ++i) sum += std::exp(static_cast<double>(logits[i] - top));
  *timestamp_logsum = sum > 0.0 ? static_cast<float>(std::log(sum)) + top : kMinusInf;
  float best = kMinusInf;
  for (int32_t i = 0; i < ts_begin; ++i) best = std::max(best, logits[i]);
  *text_max = best;
}

void apply_timestamp_rules(const WhisperRules& r, Span<const int32_t> seq, float* logits) {
  const int32_t tb = r.timestamp_begin_id, vocab = r.vocab_size;
  forbid(logits, r.no_timestamps_id, r.no_timestamps_id + 1);
  const size_t n = seq.size();
  const bool last_ts = n >= 1 && is_timestamp(r, seq[n - 1]);
  const bool penultimate_ts = n < 2 || is_timestamp(r, seq[n - 2]);
  if (last_ts) {
    if (penultimate_ts) {
      forbid(logits, tb, vocab);  // after a pair: text or EOT
    } else {
      forbid(logits, 0, r.eot_id);  // an open segment closes: no text
    }
  }
  int32_t last_timestamp = -1;
  for (size_t i = n; i-- > 0;) {
    if (is_timestamp(r, seq[i])) {
      last_timestamp = seq[i];
      break;
    }
  }
  if (last_timestamp >= 0) {
    // Timestamps never decrease; a new segment starts strictly later.
    const int32_t floor = last_ts && !penultimate_ts ? last_timestamp : last_timestamp + 1;
    forbid(logits, tb, floor);
  }
  if (n == 0) {
    forbid(logits, 0, tb);  // the first token is a timestamp
    const int32_t max_initial = static_cast<int32_t>(std::lround(r.max_initial_timestamp / r.timestamp_seconds));
    forbid(logits, tb + max_initial + 1, vocab);
  }
  float timestamp_logsum = 0.0f, text_max = 0.0f;
  timestamp_vs_text(logits, tb, vocab, &timestamp_logsum, &text_max);
  if (timestamp_logsum > text_max) forbid(logits, 0, tb);
}

}  // namespace

void apply_whisper_rules(const WhisperRules& r, Span<const int32_t> generated, float* logits) {
  for (int32_t id : r.suppress_ids) logits[id] = kMinusInf;
  if (generated.empty()) {
    for (int32_t id : r.suppress_ids_begin) logits[id] = kMinusInf;
  }
  if (r.timestamps && r.timestamp_begin_id >= 0) apply_timestamp_rules(r, generated, logits);
}

size_t split_segments(const WhisperRules& r, Span<const int32_t> tokens, int32_t window_steps,
                      WhisperSegment* segments, size_t max_segments, int32_t* consumed_steps) {
  const size_t n = tokens.size();
  const bool with_ts = r.timestamps && r.timestamp_begin_id >= 0;
  auto ts = [&](size_t i) { return with_ts && is_timestamp(r, tokens[i]); };
  auto step = [&](size_t i) { return tokens[i] - r.timestamp_begin_id; };
  const bool single_ending = n >= 2 && !ts(n - 2) && ts(n - 1);
  size_t count = 0, last_slice = 0;
  auto emit = [&](size_t first, size_t end, int32_t start_step, int32_t end_step) {
    if (count < max_segments) segments[count] = WhisperSegment{first, end, start_step, end_step};
    ++count;
  };
  for (size_t i = 1; i < n; ++i) {
    if (!(ts(i) && ts(i - 1))) continue;  // a closing and an opening timestamp
    emit(last_slice, i, step(last_slice), step(i - 1));
    last_slice = i;
  }
  if (count > 0) {
    if (single_ending) {
      emit(last_slice, n, step(last_slice), step(n - 1));
      *consumed_steps = window_steps;
    } else {
      *consumed_steps = step(last_slice - 1);  // cut after the last complete segment
    }
    return count;
  }
  int32_t end_step = window_steps;
  for (size_t i = n; i-- > 0;) {
    if (ts(i)) {
      if (step(i) > 0) end_step = step(i);
      break;
    }
  }
  if (n > 0) emit(0, n, 0, end_step);  // transcribe.py: from the window start
  *consumed_steps = window_steps;
  return count;
}

}  // namespace edgeattn
