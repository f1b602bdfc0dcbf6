// Reference attention over an fp16 / int8 KV cache: every k/v element is
// dequantized to float on load (fp16 exactly; int8 as float(q) * row_scale,
// one float multiply) and the math is then exactly f32_attention_ukernel__reference
// (reference/attention.cc: three passes per query, float, sequential, built
// with -ffp-contract=off). So on an fp16 cache holding values that are exact
// halves the result is bit-identical to the reference f32_attention on those
// floats, and an int8 cache matches the f32 reference on the dequantized rows
// bit for bit. kF32 forwards to f32_attention_ukernel__reference.
#include <cmath>

#include "runtime/core/half.h"
#include "kernels/reference/portable_math.h"
#include "kernels/reference/reference.h"

namespace edgeattn {

namespace {

// Element i of row `row` of a cache (k or v) as float.
float load(const AttentionKvArgs& a, const void* base, size_t stride, const float* scales,
           size_t row, size_t i) {
  switch (a.kv_dtype) {
    case KvDType::kF16:
      return half_to_float(static_cast<const uint16_t*>(base)[row * stride + i]);
    case KvDType::kI8:
      return static_cast<float>(static_cast<const int8_t*>(base)[row * stride + i]) * scales[row];
    case KvDType::kF32:
      break;
  }
  return static_cast<const float*>(base)[row * stride + i];
}

float score(const AttentionKvArgs& a, const float* q, size_t key) {
  float dot = 0.0f;
  for (size_t i = 0; i < a.head_dim; ++i) dot += q[i] * load(a, a.k, a.k_stride, a.k_scales, key, i);
  return dot * a.scale;
}

}  // namespace

void f32_attention_kv_ukernel__reference(const AttentionKvArgs& a) {
  if (a.kv_dtype == KvDType::kF32) {
    f32_attention_ukernel__reference(to_f32_attention_args(a));
    return;
  }
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
      for (size_t i = 0; i < a.head_dim; ++i) {
        out[i] += w * load(a, a.v, a.v_stride, a.v_scales, j, i);
      }
    }
  }
}

}  // namespace edgeattn
