// Internal: y = x · Wᵀ + bias on the kernel table's own GEMMs, split across
// the session's threads; shared by FullyConnected and Conv2D (f16 / i8
// weights, or f32 on the reference table).
//
//   f32  the table's f32_gemm (the reference table's when the ISA table leaves
//        f32 to XNNPACK: a FullyConnected selection)
//   f16  f32_f16w_gemm, W read in place as halves (fp32 compute)
//   i8   qd8_qc8w_gemm on x already quantized by f32_qd8_quantize (or
//        f32_qs8_quantize) into xq / x_scales
//   i4 / i8 blocks  q8b_i4bw_gemm / q8b_i8bw_gemm on x already quantized by
//        f32_q8b_quantize into xq / xd / xs
//
// Example (8 output channels of a [m, 16] x):
//   OwnGemm j;  j.kernels = ctx.kernels; j.dtype = DType::kF16; j.m = m; j.n = 8; j.k = 16;
//   j.x = x; j.x_stride = 16; j.w = w16; j.y = y; j.y_stride = 8;
//   own_gemm_parallel(ctx.pool_for(m * 8 * 16), j, m);
#pragma once

#include <cstddef>
#include <cstdint>

#include "runtime/tensor.h"

struct pthreadpool;

namespace edgeattn {

struct KernelTable;

struct OwnGemm {
  const KernelTable* kernels = nullptr;
  DType dtype = DType::kF32;       // of W
  size_t m = 0, n = 0, k = 0;
  const float* x = nullptr;        // [m, k] f32, rows x_stride floats apart (f32, f16)
  size_t x_stride = 0;
  const int8_t* xq = nullptr;      // [m, qd8_row_bytes(k)] (i8); [m, k] (blocks)
  const float* x_scales = nullptr; // [m] (i8)
  const float* xd = nullptr;       // [m, k / 32] block scales (blocks)
  const float* xs = nullptr;       // [m, k / 32] block scaled sums (blocks)
  const void* w = nullptr;         // [n, k], rows k elements (blocks: k / 32 blocks) apart
  const float* w_scales = nullptr; // [n] (i8)
  const float* bias = nullptr;     // [n] or nullptr
  float* y = nullptr;              // [m, n] in rows y_stride floats apart
  size_t y_stride = 0;
};

// Rows [r0, r0 + rows) of x times rows [w0, w0 + count) of W, into columns
// [y0, y0 + count) of y's rows [r0, r0 + rows). On the calling thread.
void own_gemm_rows(const OwnGemm& j, size_t r0, size_t rows, size_t w0, size_t count, size_t y0);

// All of y: tiles of `tile_m` rows by 16+ output channels (about 8 channel
// tiles), run on `pool` (nullptr: the calling thread). tile_m = m keeps each
// thread on whole columns (FullyConnected: few rows).
void own_gemm_parallel(pthreadpool* pool, const OwnGemm& j, size_t tile_m);

}  // namespace edgeattn
