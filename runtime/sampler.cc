#include "runtime/sampler.h"

#include <algorithm>
#include <cmath>

namespace edgeattn {

namespace {
size_t window(const SamplingOptions& o) {
  return o.repetition_penalty != 1.0f && o.penalty_window > 0 ? static_cast<size_t>(o.penalty_window) : 0;
}
}  // namespace

size_t Sampler::scratch_bytes(size_t vocab_size, const SamplingOptions& options) {
  return vocab_size * (sizeof(float) + sizeof(int32_t)) + window(options) * sizeof(int32_t);
}

Sampler::Sampler(size_t vocab_size, const SamplingOptions& options, Span<uint8_t> scratch)
    : vocab_size_(vocab_size),
      options_(options),
      state_(options.seed == 0 ? 0x9E3779B97F4A7C15ull : options.seed) {
  if (options_.top_p <= 0.0f || options_.top_p > 1.0f) options_.top_p = 1.0f;
  if (options_.top_k < 0 || static_cast<size_t>(options_.top_k) >= vocab_size) options_.top_k = 0;
  if (scratch.size() < scratch_bytes(vocab_size, options)) return;  // sample() then falls back to greedy
  probs_ = reinterpret_cast<float*>(scratch.data());
  order_ = reinterpret_cast<int32_t*>(probs_ + vocab_size);
  history_ = order_ + vocab_size;
}

Status Sampler::check_logits(const float* logits, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    EA_ENSURE(std::isfinite(logits[i]), StatusCode::kInvalidArgument, "logit %zu of %zu is %s", i, n,
              std::isnan(logits[i]) ? "nan" : (logits[i] > 0 ? "+inf" : "-inf"));
  }
  return Status::ok();
}

int32_t Sampler::argmax(const float* logits, size_t n) {
  size_t best = 0;
  for (size_t i = 1; i < n; ++i) {
    if (logits[i] > logits[best]) best = i;
  }
  return static_cast<int32_t>(best);
}

float Sampler::next_uniform() {
  // xorshift64*: small, fast, and the same sequence on every platform.
  state_ ^= state_ >> 12;
  state_ ^= state_ << 25;
  state_ ^= state_ >> 27;
  return static_cast<float>((state_ * 0x2545F4914F6CDD1Dull) >> 40) / 16777216.0f;
}

void Sampler::observe(int32_t token) {
  const size_t w = window(options_);
  if (w == 0 || history_ == nullptr) return;
  history_[history_next_] = token;
  history_next_ = (history_next_ + 1) % w;
  if (history_count_ < w) ++history_count_;
}

void Sampler::apply_penalty(float* logits) const {
  const float p = options_.repetition_penalty;
  // A token that occurs several times in the window is penalized once (HF
  // semantics); the window is small, so a quadratic scan beats a bitmap.
  for (size_t i = 0; i < history_count_; ++i) {
    const int32_t t = history_[i];
    if (t < 0 || static_cast<size_t>(t) >= vocab_size_) continue;
    bool seen = false;
    for (size_t j = 0; j < i && !seen; ++j) seen = history_[j] == t;
    if (seen) continue;
    logits[t] = logits[t] > 0.0f ? logits[t] / p : logits[t] * p;
  }
}

int32_t Sampler::sample(float* logits) {
  if (history_ != nullptr && window(options_) > 0) apply_penalty(logits);
  int32_t chosen;
  if (options_.temperature <= 0.0f || probs_ == nullptr) {
    chosen = argmax(logits, vocab_size_);
  } else {
    const float max_logit = logits[argmax(logits, vocab_size_)];
    const float inv_t = 1.0f / options_.temperature;
    double sum = 0.0;
    for (size_t i = 0; i < vocab_size_; ++i) {
      probs_[i] = std::exp((logits[i] - max_logit) * inv_t);
      sum += probs_[i];
    }
    const float inv = static_cast<float>(1.0 / sum);
    for (size_t i = 0; i < vocab_size_; ++i) probs_[i] *= inv;

    // Candidates: every token, or only those that can be in the nucleus
    // (llama2.c's cutoff: with n tokens outside it, each has < (1-p)/(n-1)).
    size_t n = 0;
    const float cutoff =
        options_.top_p < 1.0f ? (1.0f - options_.top_p) / static_cast<float>(vocab_size_ > 1 ? vocab_size_ - 1 : 1)
                              : 0.0f;
    for (size_t i = 0; i < vocab_size_; ++i) {
      if (probs_[i] >= cutoff) order_[n++] = static_cast<int32_t>(i);
    }
    auto more_likely = [this](int32_t a, int32_t b) {
      return probs_[a] > probs_[b] || (probs_[a] == probs_[b] && a < b);
    };
    if (options_.top_k > 0 && static_cast<size_t>(options_.top_k) < n) {
      std::nth_element(order_, order_ + options_.top_k, order_ + n, more_likely);
      n = static_cast<size_t>(options_.top_k);
    }
    if (options_.top_p < 1.0f) {
      std::sort(order_, order_ + n, more_likely);
      float cumulative = 0.0f;
      for (size_t i = 0; i < n; ++i) {
        cumulative += probs_[order_[i]];
        if (cumulative >= options_.top_p) {
          n = i + 1;
          break;
        }
      }
    }
    // NaN probabilities pass no cutoff: with no candidate left, fall back
    // to argmax rather than read before order_.
    if (n == 0) {
      chosen = argmax(logits, vocab_size_);
      observe(chosen);
      return chosen;
    }
    float total = 0.0f;
    for (size_t i = 0; i < n; ++i) total += probs_[order_[i]];
    const float r = next_uniform() * total;
    float acc = 0.0f;
    chosen = order_[n - 1];
    for (size_t i = 0; i < n; ++i) {
      acc += probs_[order_[i]];
      if (r < acc) {
        chosen = order_[i];
        break;
      }
    }
  }
  observe(chosen);
  return chosen;
}

}  // namespace edgeattn
