#include "runtime/sampler.h"

#include <algorithm>
#include <cmath>

namespace edgeattn {

Sampler::Sampler(size_t vocab_size, float temperature, float top_p, uint64_t seed)
    : vocab_size_(vocab_size),
      temperature_(temperature),
      top_p_(top_p <= 0.0f || top_p > 1.0f ? 1.0f : top_p),
      state_(seed == 0 ? 0x9E3779B97F4A7C15ull : seed),
      probs_(vocab_size),
      order_(vocab_size) {}

int32_t Sampler::argmax(const float* logits, size_t n) {
  size_t best = 0;
  for (size_t i = 1; i < n; ++i) {
    if (logits[i] > logits[best]) best = i;
  }
  return static_cast<int32_t>(best);
}

float Sampler::next_uniform() {
  // xorshift64*: small, fast, and identical on every platform.
  state_ ^= state_ >> 12;
  state_ ^= state_ << 25;
  state_ ^= state_ >> 27;
  return static_cast<float>((state_ * 0x2545F4914F6CDD1Dull) >> 40) / 16777216.0f;
}

int32_t Sampler::sample(const float* logits) {
  if (temperature_ <= 0.0f) return argmax(logits, vocab_size_);
  const float max_logit = logits[argmax(logits, vocab_size_)];
  double sum = 0.0;
  for (size_t i = 0; i < vocab_size_; ++i) {
    probs_[i] = std::exp((logits[i] - max_logit) / temperature_);
    sum += probs_[i];
  }
  const float inv = static_cast<float>(1.0 / sum);
  for (size_t i = 0; i < vocab_size_; ++i) probs_[i] *= inv;

  size_t n = vocab_size_;
  for (size_t i = 0; i < n; ++i) order_[i] = static_cast<int32_t>(i);
  if (top_p_ < 1.0f) {
    // Drop tokens that cannot be in the nucleus before sorting (llama2.c's cutoff).
    const float cutoff = (1.0f - top_p_) / static_cast<float>(vocab_size_ - 1 > 0 ? vocab_size_ - 1 : 1);
    n = 0;
    for (size_t i = 0; i < vocab_size_; ++i) {
      if (probs_[i] >= cutoff) order_[n++] = static_cast<int32_t>(i);
    }
    std::sort(order_.begin(), order_.begin() + static_cast<std::ptrdiff_t>(n),
              [this](int32_t a, int32_t b) { return probs_[a] > probs_[b] || (probs_[a] == probs_[b] && a < b); });
    float cumulative = 0.0f;
    size_t last = n ? n - 1 : 0;
    for (size_t i = 0; i < n; ++i) {
      cumulative += probs_[order_[i]];
      if (cumulative >= top_p_) {
        last = i;
        break;
      }
    }
    n = last + 1;
  }
  float total = 0.0f;
  for (size_t i = 0; i < n; ++i) total += probs_[order_[i]];
  const float r = next_uniform() * total;
  float acc = 0.0f;
  for (size_t i = 0; i < n; ++i) {
    acc += probs_[order_[i]];
    if (r < acc) return order_[i];
  }
  return order_[n ? n - 1 : 0];
}

}  // namespace edgeattn
