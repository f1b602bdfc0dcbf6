#include "runtime/ops/own_gemm.h"

#include <algorithm>

#include "kernels/kernels.h"
#include "runtime/core/weight_blocks.h"
#include "runtime/ops/parallel.h"

namespace edgeattn {

void own_gemm_rows(const OwnGemm& j, size_t r0, size_t rows, size_t w0, size_t count, size_t y0) {
  const float* bias = j.bias != nullptr ? j.bias + w0 : nullptr;
  float* y = j.y + r0 * j.y_stride + y0;
  if (j.dtype == DType::kF32) {
    // The ISA tables leave f32 to XNNPACK; their callers run on the reference GEMM.
    const KernelTable& k = j.kernels->f32_gemm != nullptr ? *j.kernels : reference_kernels();
    k.f32_gemm(rows, count, j.k, j.x + r0 * j.x_stride, j.x_stride, static_cast<const float*>(j.w) + w0 * j.k, bias, y,
               j.y_stride);
  } else if (j.dtype == DType::kI4Blocks || j.dtype == DType::kI8Blocks) {
    const auto gemm = j.dtype == DType::kI4Blocks ? j.kernels->q8b_i4bw_gemm : j.kernels->q8b_i8bw_gemm;
    const size_t blocks = j.k / kWeightBlock;
    gemm(rows, count, j.k, j.xq + r0 * j.k, j.xd + r0 * blocks, j.xs + r0 * blocks,
         static_cast<const uint8_t*>(j.w) + w0 * block_dtype_row_bytes(j.dtype, j.k), bias, y, j.y_stride);
  } else if (j.dtype == DType::kI8) {
    j.kernels->qd8_qc8w_gemm(rows, count, j.k, j.xq + r0 * qd8_row_bytes(j.k), j.x_scales + r0,
                             static_cast<const int8_t*>(j.w) + w0 * j.k, j.w_scales + w0, bias, y, j.y_stride);
  } else {
    j.kernels->f32_f16w_gemm(rows, count, j.k, j.x + r0 * j.x_stride, j.x_stride,
                             static_cast<const uint16_t*>(j.w) + w0 * j.k, bias, y, j.y_stride);
  }
}

namespace {

void run_tile(void* context, size_t r0, size_t n0, size_t rows, size_t count) {
  const OwnGemm& j = *static_cast<const OwnGemm*>(context);
  own_gemm_rows(j, r0, rows, n0, count, n0);
}

}  // namespace

void own_gemm_parallel(pthreadpool* pool, const OwnGemm& j, size_t tile_m) {
  if (j.m == 0 || j.n == 0) return;
  // Tiles of 16+ channels, about 8 of them, so two threads stay busy.
  const size_t tile_n = std::max<size_t>(16, (j.n / 8 + 15) / 16 * 16);
  parallel::for_2d_tile(pool, run_tile, const_cast<OwnGemm*>(&j), j.m, j.n, std::max<size_t>(1, tile_m), tile_n);
}

}  // namespace edgeattn
