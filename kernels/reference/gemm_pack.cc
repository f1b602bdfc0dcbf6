// f32_gemm_pack (kernels.h): W [n, k] into the panels of f32_gemm_packed.
// Written once: every table reads the same panels.
#include "kernels/kernels.h"

namespace edgeattn {

namespace {

// The panels of W [n, k] whose element (c, i) is value(c, i): per panel of
// kF32GemmPanel columns, the biases (zero past n or without bias), then k
// rows of the panel's weights (zero past n).
template <class Value>
void pack_panels(size_t n, size_t k, const float* bias, float* packed, Value value) {
  constexpr size_t nr = kF32GemmPanel;
  for (size_t c0 = 0; c0 < n; c0 += nr) {
    const size_t cols = n - c0 < nr ? n - c0 : nr;
    for (size_t j = 0; j < nr; ++j) packed[j] = j < cols && bias != nullptr ? bias[c0 + j] : 0.0f;
    packed += nr;
    for (size_t i = 0; i < k; ++i) {
      for (size_t j = 0; j < nr; ++j) packed[j] = j < cols ? value(c0 + j, i) : 0.0f;
      packed += nr;
    }
  }
}

}  // namespace

void f32_gemm_pack_runs(size_t n, size_t ks, size_t kc, const float* const* w, size_t w_stride, const float* bias,
                        float* packed) {
  // Row s kc + i of a panel holds w[s][c w_stride + i].
  pack_panels(n, ks * kc, bias, packed, [&](size_t c, size_t i) { return w[i / kc][c * w_stride + i % kc]; });
}

void f32_gemm_pack_sum(size_t n, size_t k, size_t terms, const float* const* w, size_t w_stride, const float* bias,
                       float* packed) {
  pack_panels(n, k, bias, packed, [&](size_t c, size_t i) {
    float sum = 0.0f;
    for (size_t t = 0; t < terms; ++t) sum += w[t][c * w_stride + i];
    return sum;
  });
}

void f32_gemm_unpack(size_t n, size_t k, const float* packed, float* w) {
  constexpr size_t nr = kF32GemmPanel;
  for (size_t c = 0; c < n; ++c) {
    const float* col = packed + c / nr * f32_gemm_panel_floats(k) + nr + c % nr;  // row 0 of its panel
    for (size_t i = 0; i < k; ++i) w[c * k + i] = col[i * nr];
  }
}

void f32_gemm_pack(size_t n, size_t k, const float* w, const float* bias, float* packed) {
  f32_gemm_pack_runs(n, 1, k, &w, k, bias, packed);
}

}  // namespace edgeattn
