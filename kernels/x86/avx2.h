// AVX2+FMA kernels (x86-64). Declarations only: this header is safe to
// include from baseline-compiled code (dispatch.cc). The definitions live in
// *_avx2.cc files compiled with -mavx2 -mfma -mf16c, and must only be called
// after detect_cpu_features() reported avx2.
//
// Example (what dispatch.cc does):
//   if (detect_cpu_features().avx2) f32_add_ukernel__avx2(n, a, b, y);
#pragma once

#include "kernels/kernels.h"

namespace edgeattn {

void f32_layernorm_ukernel__avx2(size_t rows, size_t cols, const float* x, size_t x_stride,
                                 const float* gamma, const float* beta, float eps, float* y,
                                 size_t y_stride);
void f32_rmsnorm_ukernel__avx2(size_t rows, size_t cols, const float* x, size_t x_stride,
                               const float* gamma, float eps, float* y, size_t y_stride);
void f32_gelu_ukernel__avx2(size_t n, const float* x, float* y);
void f32_silu_mul_ukernel__avx2(size_t n, const float* gate, const float* up, float* y);
void f32_add_ukernel__avx2(size_t n, const float* a, const float* b, float* y);
void f32_rope_ukernel__avx2(float* x, size_t n_tokens, size_t token_stride, size_t n_heads,
                            size_t head_dim, size_t rotary_dim, size_t pos0,
                            const float* cos_sin, RopeStyle style);
// The table's entry: the tiled kernel below for n_queries >= 8 and
// tiled_attention_fits() (head_dim <= 256), else one query at a time.
void f32_attention_ukernel__avx2(const AttentionArgs& args);
// 16 queries per tile against 6-key register blocks (kernels/attention_tiled.h);
// any AttentionArgs with tiled_attention_fits().
void f32_attention_ukernel_16x6__avx2(const AttentionArgs& args);
void f32_l2_normalize_ukernel__avx2(size_t rows, size_t cols, const float* x, float eps,
                                    float* y);
void f32_gelu_tanh_ukernel__avx2(size_t n, const float* x, float* y);

// Quantized / fp16 linear layers (kernels.h documents the contracts).
void f32_qd8_quantize_ukernel__avx2(size_t rows, size_t k, const float* x, size_t x_stride,
                                 int8_t* xq, float* scales);
void qd8_qc8w_gemm_ukernel_4x2__avx2(size_t m, size_t n, size_t k, const int8_t* xq,
                                      const float* x_scales, const int8_t* w,
                                      const float* w_scales, const float* bias, float* y,
                                      size_t y_stride);
void f32_f16w_gemm_ukernel_4x3__avx2(size_t m, size_t n, size_t k, const float* x,
                                      size_t x_stride, const uint16_t* w, const float* bias,
                                      float* y, size_t y_stride);
void f16_to_f32_rows_ukernel__avx2(size_t n, const uint16_t* src, float* dst);

// KV cache attention and row writers (kernels.h documents the contracts).
void f32_attention_kv_ukernel__avx2(const AttentionKvArgs& args);
void f32_to_f16_row_ukernel__avx2(size_t n, const float* src, uint16_t* dst);
float f32_quantize_row_q8_ukernel__avx2(size_t n, const float* src, int8_t* dst);

// Translation models (kernels.h documents the contracts).
void f32_ssru_ukernel__avx2(size_t steps, size_t width, const float* x, size_t x_stride,
                            const float* f, size_t f_stride, float* c, float* h,
                            size_t h_stride);
void f32_qs8_quantize_ukernel__avx2(size_t rows, size_t k, const float* x, size_t x_stride,
                                    float multiplier, int8_t* xq);

// Images, format 1.5 (kernels.h documents the contracts).
void f32_activation_ukernel__avx2(size_t n, const float* x, float* y, const ActivationParams& params);
void f32_dwconv_ukernel__avx2(const DwConvArgs& args);
void f32_softmax_ukernel__avx2(size_t rows, size_t cols, const float* x, float* y);

// f32 GEMM on weights packed in panels of 16 columns (x86/gemm_f32_avx2.cc;
// KernelTable::f32_gemm_packed, f32_gemm_nr 16: one panel per register tile).
void f32_gemm_ukernel_6x16__avx2(size_t m, size_t n, size_t k, const float* x, size_t x_stride,
                                 const float* packed, float* y, size_t y_stride);
// Its indirect form (KernelTable::f32_igemm_packed).
void f32_igemm_ukernel_6x16__avx2(size_t m, size_t n, size_t ks, size_t kc, const float* const* a,
                                  const float* packed, float* const* y);

// Block-quantized weights, format 1.9 (x86/block_gemm_avx2.cc; kernels.h
// documents the contracts). The GEMMs' tile: 1 activation row x 8 weight
// rows (repacked) from M = 4 on; decode (M <= 3) M rows x 4 weight rows.
void f32_q8b_quantize_ukernel__avx2(size_t rows, size_t k, const float* x, size_t x_stride, int8_t* xq,
                                    float* xd, float* xs);
void q8b_i4bw_gemm_ukernel_1x8__avx2(size_t m, size_t n, size_t k, const int8_t* xq, const float* xd,
                                     const float* xs, const void* w, const float* bias, float* y,
                                     size_t y_stride);
void q8b_i8bw_gemm_ukernel_1x8__avx2(size_t m, size_t n, size_t k, const int8_t* xq, const float* xd,
                                     const float* xs, const void* w, const float* bias, float* y,
                                     size_t y_stride);

}  // namespace edgeattn
