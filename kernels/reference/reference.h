// Reference kernels: the test oracle for every ISA version, and the fallback
// table on hosts without SIMD support.
//
// Each op lives in its own file and is written as plain loops, favouring
// "obviously correct" over fast. They are never optimized: when a SIMD kernel
// disagrees with one of these, the SIMD kernel is wrong.
//
// Numerics (what the tests assume about the oracle):
//   - layernorm, l2_normalize: sums accumulate in double (cheap, and it makes
//     the oracle more accurate than any float kernel it checks).
//   - rmsnorm, attention, rope, fill_rope_table: float, sequential, in the
//     same order as llama2.c, so a decoder run on the reference table can
//     reproduce llama2.c's output bit for bit. These files are compiled with
//     -ffp-contract=off so the compiler cannot fuse a*b+c into an FMA on
//     targets that have one (aarch64, or x86 with -mfma), which would change
//     the rounding.
//   - ssru: float, Marian's own expressions (see ssru.cc), -ffp-contract=off.
//   - gelu, gelu_tanh and silu_mul evaluate in double (erf; exp of -|x|, which
//     never overflows; gelu_tanh as x / (1 + exp(-2u)), see gelu_tanh.cc) and
//     round once to float.
//   - activation, pool2d (averages), resize, softmax: double, one rounding
//     per output. dwconv, conv_transpose2d: float, fixed tap order.
//   - No libm: exp/erf/sin/cos/pow are portable_math.h's, and fp32 layers use
//     f32_gemm_ukernel__reference, not XNNPACK. Every result is a fixed
//     sequence of IEEE operations, so the table gives the same bits on every
//     architecture (targets/README.md "Bit-identity").
//
// Example:
//   edgeattn::f32_rmsnorm_ukernel__reference(rows, cols, x, cols, gamma, 1e-5f, y, cols);
#pragma once

#include "kernels/kernels.h"

namespace edgeattn {

void f32_layernorm_ukernel__reference(size_t rows, size_t cols, const float* x,
                                      size_t x_stride, const float* gamma,
                                      const float* beta, float eps, float* y,
                                      size_t y_stride);
void f32_rmsnorm_ukernel__reference(size_t rows, size_t cols, const float* x,
                                    size_t x_stride, const float* gamma, float eps,
                                    float* y, size_t y_stride);
void f32_gelu_ukernel__reference(size_t n, const float* x, float* y);
void f32_silu_mul_ukernel__reference(size_t n, const float* gate, const float* up,
                                     float* y);
void f32_add_ukernel__reference(size_t n, const float* a, const float* b, float* y);
void f32_rope_ukernel__reference(float* x, size_t n_tokens, size_t token_stride,
                                 size_t n_heads, size_t head_dim, size_t rotary_dim,
                                 size_t pos0, const float* cos_sin, RopeStyle style);
void f32_attention_ukernel__reference(const AttentionArgs& args);
void f32_l2_normalize_ukernel__reference(size_t rows, size_t cols, const float* x,
                                         float eps, float* y);
void f32_gelu_tanh_ukernel__reference(size_t n, const float* x, float* y);

// Quantized / fp16 linear layers (kernels.h documents the contracts).
void f32_qd8_quantize_ukernel__reference(size_t rows, size_t k, const float* x, size_t x_stride,
                                 int8_t* xq, float* scales);
void qd8_qc8w_gemm_ukernel__reference(size_t m, size_t n, size_t k, const int8_t* xq,
                                      const float* x_scales, const int8_t* w,
                                      const float* w_scales, const float* bias, float* y,
                                      size_t y_stride);
void f32_gemm_ukernel__reference(size_t m, size_t n, size_t k, const float* x, size_t x_stride,
                                 const float* w, const float* bias, float* y, size_t y_stride);
void f32_f16w_gemm_ukernel__reference(size_t m, size_t n, size_t k, const float* x,
                                      size_t x_stride, const uint16_t* w, const float* bias,
                                      float* y, size_t y_stride);
void f16_to_f32_rows_ukernel__reference(size_t n, const uint16_t* src, float* dst);

// KV cache attention and row writers (kernels.h documents the contracts).
void f32_attention_kv_ukernel__reference(const AttentionKvArgs& args);
void f32_to_f16_row_ukernel__reference(size_t n, const float* src, uint16_t* dst);
float f32_quantize_row_q8_ukernel__reference(size_t n, const float* src, int8_t* dst);

// Translation models (kernels.h documents the contracts).
void f32_ssru_ukernel__reference(size_t steps, size_t width, const float* x, size_t x_stride,
                                 const float* f, size_t f_stride, float* c, float* h,
                                 size_t h_stride);
void f32_qs8_quantize_ukernel__reference(size_t rows, size_t k, const float* x, size_t x_stride,
                                         float multiplier, int8_t* xq);

// Images, format 1.5 (kernels.h documents the contracts).
void f32_activation_ukernel__reference(size_t n, const float* x, float* y, const ActivationParams& params);
void f32_dwconv_ukernel__reference(const DwConvArgs& args);
void f32_conv_transpose2d_ukernel__reference(const ConvTransposeArgs& args);
void f32_pool2d_ukernel__reference(const Pool2DArgs& args);
void f32_resize_ukernel__reference(const ResizeArgs& args);
void f32_softmax_ukernel__reference(size_t rows, size_t cols, const float* x, float* y);

// Block-quantized weights, format 1.9 (kernels.h documents the contracts).
// The one libm call of the reference is std::fma here, which IEEE 754
// defines exactly (one rounding), so it gives the same bits everywhere.
void f32_q8b_quantize_ukernel__reference(size_t rows, size_t k, const float* x, size_t x_stride, int8_t* xq,
                                         float* xd, float* xs);
void q8b_i4bw_gemm_ukernel__reference(size_t m, size_t n, size_t k, const int8_t* xq, const float* xd,
                                      const float* xs, const void* w, const float* bias, float* y, size_t y_stride);
void q8b_i8bw_gemm_ukernel__reference(size_t m, size_t n, size_t k, const int8_t* xq, const float* xd,
                                      const float* xs, const void* w, const float* bias, float* y, size_t y_stride);

}  // namespace edgeattn
