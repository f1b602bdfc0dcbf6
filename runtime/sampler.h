// Sampler: picks the next token from a row of logits.
//
// temperature 0 is greedy (argmax, lowest id on ties, as llama2.c). Otherwise
// softmax(logits / temperature), restricted to the smallest set of tokens
// whose probability reaches top_p, sampled with a seeded xorshift RNG so runs
// repeat. All scratch is allocated at construction; sample() never allocates.
//
// Example:
//   Sampler sampler(vocab, /*temperature=*/0.8f, /*top_p=*/0.9f, /*seed=*/42);
//   int32_t next = sampler.sample(logits_row);
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace edgeattn {

class Sampler {
 public:
  Sampler(size_t vocab_size, float temperature, float top_p, uint64_t seed);

  int32_t sample(const float* logits);

  static int32_t argmax(const float* logits, size_t n);

 private:
  float next_uniform();

  size_t vocab_size_;
  float temperature_;
  float top_p_;
  uint64_t state_;
  std::vector<float> probs_;     // [vocab]
  std::vector<int32_t> order_;   // [vocab] candidate ids, sorted by probability
};

}  // namespace edgeattn
