// Reference attention for one head: exact three-pass softmax per query,
// streaming over keys so it needs no score buffer (n_keys can be thousands):
//   pass 1: m   = max_j s_j                      s_j = dot(q, k_j) * scale
//   pass 2: sum = sum_j expf(s_j - m)
//   pass 3: out = sum_j (expf(s_j - m) / sum) * v_j
// Everything is float and sequential, in llama2.c's order (dot product, then
// max, exp, sum, divide, then the weighted sum of v), so a decoder on this
// table reproduces llama2.c up to one difference: llama2.c divides the score
// by sqrtf(head_dim) while this API multiplies by `scale`.
// Recomputing the scores in each pass costs 3x the dot products; the oracle
// does not care.
#include "kernels/reference/portable_math.h"
#include "kernels/reference/reference.h"

#include <cmath>

namespace edgeattn {

namespace {

float score(const AttentionArgs& a, const float* q, size_t key) {
  const float* k = a.k + key * a.k_stride;
  float dot = 0.0f;
  for (size_t i = 0; i < a.head_dim; ++i) dot += q[i] * k[i];
  return dot * a.scale;
}

}  // namespace

void f32_attention_ukernel__reference(const AttentionArgs& a) {
  for (size_t t = 0; t < a.n_queries; ++t) {
    const float* q = a.q + t * a.q_stride;
    float* out = a.out + t * a.out_stride;
    const size_t n = a.n_keys + t * a.causal_step;

    float max = score(a, q, 0);
    for (size_t j = 1; j < n; ++j) {
      const float s = score(a, q, j);
      if (s > max) max = s;
    }
    float sum = 0.0f;
    for (size_t j = 0; j < n; ++j) sum += portable_expf(score(a, q, j) - max);

    for (size_t i = 0; i < a.head_dim; ++i) out[i] = 0.0f;
    for (size_t j = 0; j < n; ++j) {
      const float w = portable_expf(score(a, q, j) - max) / sum;
      const float* v = a.v + j * a.v_stride;
      for (size_t i = 0; i < a.head_dim; ++i) out[i] += w * v[i];
    }
  }
}

}  // namespace edgeattn
