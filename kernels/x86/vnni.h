// int8 GEMMs for x86 CPUs with VNNI (declarations; safe to include from
// baseline code). Each definition is compiled with its own ISA flags and may
// only be called after detect_cpu_features() reported the matching feature:
//   qd8_qc8w_gemm_ukernel_2x4__avxvnni      CpuFeatures::avx_vnni (+ avx2)
//   qd8_qc8w_gemm_ukernel_4x4__avx512vnni   CpuFeatures::avx512_vnni (+ BW)
// Contract: KernelTable::qd8_qc8w_gemm (kernels.h), bit-identical to the
// reference.
//
// Example (what dispatch.cc does):
//   if (detect_cpu_features().avx512_vnni) table.qd8_qc8w_gemm = qd8_qc8w_gemm_ukernel_4x4__avx512vnni;
#pragma once

#include "kernels/kernels.h"

namespace edgeattn {

void qd8_qc8w_gemm_ukernel_2x4__avxvnni(size_t m, size_t n, size_t k, const int8_t* xq,
                                        const float* x_scales, const int8_t* w,
                                        const float* w_scales, const float* bias, float* y,
                                        size_t y_stride);
void qd8_qc8w_gemm_ukernel_4x4__avx512vnni(size_t m, size_t n, size_t k, const int8_t* xq,
                                           const float* x_scales, const int8_t* w,
                                           const float* w_scales, const float* bias, float* y,
                                           size_t y_stride);

// AVX-512F attention for the avx512vnni table (x86/attention_avx512.cc):
// n_queries >= 24 and tiled_attention_fits() (head_dim <= 256) in tiles
// of 32 queries, else f32_attention_ukernel__avx2.
void f32_attention_ukernel__avx512f(const AttentionArgs& args);
void f32_attention_ukernel_32x12__avx512f(const AttentionArgs& args);

// AVX-512F f32 GEMM on weights packed in panels of 16 columns
// (x86/gemm_f32_avx512.cc; KernelTable::f32_gemm_packed, f32_gemm_nr 32:
// two adjacent panels per register tile).
void f32_gemm_ukernel_8x32__avx512f(size_t m, size_t n, size_t k, const float* x, size_t x_stride,
                                    const float* packed, float* y, size_t y_stride);
// Its indirect form (KernelTable::f32_igemm_packed).
void f32_igemm_ukernel_8x32__avx512f(size_t m, size_t n, size_t ks, size_t kc, const float* const* a,
                                     const float* packed, float* const* y);

// GEMMs on block-quantized weights, format 1.9 (kernels.h documents the
// contracts), VPDPBUSD on ymm; the tables keep the avx2 quantizer. Tiles
// from M = 4 on (weights repacked per 8 rows); decode M x 4 in both:
//   *_1x8__avxvnni        x86/block_gemm_avxvnni.cc     CpuFeatures::avx_vnni (+ avx2)
//   *_3x8__avx512vnni     x86/block_gemm_avx512vnni.cc  CpuFeatures::avx512_vnni (+ VL)
void q8b_i4bw_gemm_ukernel_1x8__avxvnni(size_t m, size_t n, size_t k, const int8_t* xq, const float* xd,
                                        const float* xs, const void* w, const float* bias, float* y,
                                        size_t y_stride);
void q8b_i8bw_gemm_ukernel_1x8__avxvnni(size_t m, size_t n, size_t k, const int8_t* xq, const float* xd,
                                        const float* xs, const void* w, const float* bias, float* y,
                                        size_t y_stride);
void q8b_i4bw_gemm_ukernel_3x8__avx512vnni(size_t m, size_t n, size_t k, const int8_t* xq, const float* xd,
                                           const float* xs, const void* w, const float* bias, float* y,
                                           size_t y_stride);
void q8b_i8bw_gemm_ukernel_3x8__avx512vnni(size_t m, size_t n, size_t k, const int8_t* xq, const float* xd,
                                           const float* xs, const void* w, const float* bias, float* y,
                                           size_t y_stride);

}  // namespace edgeattn
