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
// The table's entry: the tiled kernel below for n_queries >= 4 and
// tiled_attention_fits() (head_dim <= 256), else one query at a time.
void f32_attention_ukernel__neon(const AttentionArgs& args);
// 8 queries per tile against 12-key (armv7: 6) register blocks
// (kernels/attention_tiled.h); any AttentionArgs with tiled_attention_fits().
void f32_attention_ukernel_8x12__neon(const AttentionArgs& args);
void f32_l2_normalize_ukernel__neon(size_t rows, size_t cols, const float* x, float eps,
                                    float* y);
void f32_gelu_tanh_ukernel__neon(size_t n, const float* x, float* y);

// Quantized / fp16 linear layers (kernels.h documents the contracts).
void f32_qd8_quantize_ukernel__neon(size_t rows, size_t k, const float* x, size_t x_stride,
                                 int8_t* xq, float* scales);
void qd8_qc8w_gemm_ukernel_4x4__neon(size_t m, size_t n, size_t k, const int8_t* xq,
                                      const float* x_scales, const int8_t* w,
                                      const float* w_scales, const float* bias, float* y,
                                      size_t y_stride);
void f32_f16w_gemm_ukernel_4x4__neon(size_t m, size_t n, size_t k, const float* x,
                                      size_t x_stride, const uint16_t* w, const float* bias,
                                      float* y, size_t y_stride);
void f16_to_f32_rows_ukernel__neon(size_t n, const uint16_t* src, float* dst);

// SDOT variant, in its own file compiled for armv8.2-a+dotprod (AArch64 only);
// call only when detect_cpu_features().neon_dotprod.
void qd8_qc8w_gemm_ukernel_4x4__neondot(size_t m, size_t n, size_t k, const int8_t* xq,
                                        const float* x_scales, const int8_t* w,
                                        const float* w_scales, const float* bias, float* y,
                                        size_t y_stride);

// KV cache attention and row writers (kernels.h documents the contracts).
void f32_attention_kv_ukernel__neon(const AttentionKvArgs& args);
void f32_to_f16_row_ukernel__neon(size_t n, const float* src, uint16_t* dst);
float f32_quantize_row_q8_ukernel__neon(size_t n, const float* src, int8_t* dst);

// Translation models (kernels.h documents the contracts).
void f32_ssru_ukernel__neon(size_t steps, size_t width, const float* x, size_t x_stride,
                            const float* f, size_t f_stride, float* c, float* h,
                            size_t h_stride);
void f32_qs8_quantize_ukernel__neon(size_t rows, size_t k, const float* x, size_t x_stride,
                                    float multiplier, int8_t* xq);

// Images, format 1.5 (kernels.h documents the contracts).
void f32_activation_ukernel__neon(size_t n, const float* x, float* y, const ActivationParams& params);
void f32_dwconv_ukernel__neon(const DwConvArgs& args);
void f32_softmax_ukernel__neon(size_t rows, size_t cols, const float* x, float* y);

// Block-quantized weights, format 1.9 (kernels.h documents the contracts;
// arm/block_gemm_neon.cc). Tiles 2x2 on AArch64, 1x2 on armv7.
void f32_q8b_quantize_ukernel__neon(size_t rows, size_t k, const float* x, size_t x_stride, int8_t* xq, float* xd,
                                    float* xs);
void q8b_i4bw_gemm_ukernel_2x2__neon(size_t m, size_t n, size_t k, const int8_t* xq, const float* xd,
                                     const float* xs, const void* w, const float* bias, float* y, size_t y_stride);
void q8b_i8bw_gemm_ukernel_2x2__neon(size_t m, size_t n, size_t k, const int8_t* xq, const float* xd,
                                     const float* xs, const void* w, const float* bias, float* y, size_t y_stride);
// SDOT variants (arm/block_gemm_neondot.cc, AArch64 only); call only when
// detect_cpu_features().neon_dotprod.
void q8b_i4bw_gemm_ukernel_2x2__neondot(size_t m, size_t n, size_t k, const int8_t* xq, const float* xd,
                                        const float* xs, const void* w, const float* bias, float* y,
                                        size_t y_stride);
void q8b_i8bw_gemm_ukernel_2x2__neondot(size_t m, size_t n, size_t k, const int8_t* xq, const float* xd,
                                        const float* xs, const void* w, const float* bias, float* y,
                                        size_t y_stride);

}  // namespace edgeattn
