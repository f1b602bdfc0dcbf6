// Reference GEMMs for linear layers (fp32, int8, fp16 weights):
//   y[M, N] = x[M, K] * W^T + bias, W row-major [N, K] (the model file layout).
//
// qd8_qc8w: exact int32 dot product, then the epilogue every table uses:
//   y = float(acc) * (x_scale * w_scale)   [+ bias]
// as separate float operations (this file is built with -ffp-contract=off).
// Since acc is exact and each step is one IEEE operation, the ISA kernels are
// bit-identical to this.
//
// f32: acc = 0, then acc += x[k] * w[k] for k = 0..K-1 (llama2.c's matmul),
// then y = acc [+ bias].
//
// f32_f16w: each half converted exactly to float; acc = 0, then
// acc += x[k] * w[k] for k = 0..K-1 (separately rounded multiply and add),
// then y = acc [+ bias].
#include "runtime/core/half.h"
#include "kernels/reference/reference.h"

namespace edgeattn {

void qd8_qc8w_gemm_ukernel__reference(size_t m, size_t n, size_t k, const int8_t* xq,
                                      const float* x_scales, const int8_t* w,
                                      const float* w_scales, const float* bias, float* y,
                                      size_t y_stride) {
  const size_t row_bytes = qd8_row_bytes(k);
  for (size_t r = 0; r < m; ++r) {
    const int8_t* xr = xq + r * row_bytes;
    for (size_t c = 0; c < n; ++c) {
      const int8_t* wc = w + c * k;
      int32_t acc = 0;
      for (size_t i = 0; i < k; ++i) acc += static_cast<int32_t>(xr[i]) * wc[i];
      float v = static_cast<float>(acc) * (x_scales[r] * w_scales[c]);
      if (bias != nullptr) v = v + bias[c];
      y[r * y_stride + c] = v;
    }
  }
}

void f32_gemm_ukernel__reference(size_t m, size_t n, size_t k, const float* x, size_t x_stride,
                                 const float* w, const float* bias, float* y, size_t y_stride) {
  for (size_t r = 0; r < m; ++r) {
    const float* xr = x + r * x_stride;
    for (size_t c = 0; c < n; ++c) {
      const float* wc = w + c * k;
      float acc = 0.0f;
      for (size_t i = 0; i < k; ++i) acc += xr[i] * wc[i];
      if (bias != nullptr) acc = acc + bias[c];
      y[r * y_stride + c] = acc;
    }
  }
}

void f32_f16w_gemm_ukernel__reference(size_t m, size_t n, size_t k, const float* x,
                                      size_t x_stride, const uint16_t* w, const float* bias,
                                      float* y, size_t y_stride) {
  for (size_t r = 0; r < m; ++r) {
    const float* xr = x + r * x_stride;
    for (size_t c = 0; c < n; ++c) {
      const uint16_t* wc = w + c * k;
      float acc = 0.0f;
      for (size_t i = 0; i < k; ++i) acc += xr[i] * half_to_float(wc[i]);
      if (bias != nullptr) acc = acc + bias[c];
      y[r * y_stride + c] = acc;
    }
  }
}

}  // namespace edgeattn
