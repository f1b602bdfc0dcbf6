// NEON kernels (AArch64 Advanced SIMD; armv7 with -mfpu=neon). Declarations
// only: safe to include from any translation unit. Call them only when
// detect_cpu_features() reported neon.
//
// Example (what dispatch.cc does):
//   if (detect_cpu_features().neon) f32_add_ukernel__neon(n, a, b, y);
#pragma once

#include "kernels/kernels.h"

namespace edgeattn {

void f32_layernorm_ukernel__neon(size_t rows, size_t cols, const float* x, size_t x_stride,
                                 const float* gamma, const float* beta, float eps, float* y,
                                 size_t y_stride);
void f32_rmsnorm_ukernel__neon(size_t rows, size_t cols, const float* x, size_t x_stride,
                               const float* gamma, float eps, float* y, size_t y_stride);
void f32_gelu_ukernel__neon(size_t n, const float* x, float* y);
void f32_silu_mul_ukernel__neon(size_t n, const float* gate, const float* up, float* y);
void f32_add_ukernel__neon(size_t n, const float* a, const float* b, float* y);
void f32_rope_ukernel__neon(float* x, size_t n_tokens, size_t token_stride, size_t n_heads,
                            size_t head_dim, size_t rotary_dim, size_t pos0,
                            const float* cos_sin, RopeStyle style);
void f32_attention_ukernel__neon(const AttentionArgs& args);
void f32_l2_normalize_ukernel__neon(size_t rows, size_t cols, const float* x, float eps,
                                    float* y);
void f32_gelu_tanh_ukernel__neon(size_t n, const float* x, float* y);

}  // namespace edgeattn
