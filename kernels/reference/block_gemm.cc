// Reference kernels for block-quantized weights (I4Blocks / I8Blocks, format
// 1.9): ggml's Q8_1 activation quantizer and its Q4_1 x Q8_1 / Q8_0 x Q8_0
// dot products, written from kernels.h's formulas as plain loops.
//
// The order of the float operations is the contract every ISA table
// reproduces: per block one product d = d_w * d_x, eight lane FMAs (lane l
// holds the exact integer sum of products 4l .. 4l + 3), the I4 offset term in
// its own accumulator, and one fixed tree over the lanes at the end.
#include <cmath>

#include "kernels/kernels.h"
#include "kernels/reference/f16_encode.h"
#include "kernels/reference/reference.h"
#include "runtime/core/weight_blocks.h"

namespace edgeattn {
namespace {

constexpr size_t kLanes = 8;

// Rounded to binary16 and back, as ggml stores d and s.
float round_to_half(float v) { return half_to_float(f32_to_fp16_bits(v)); }

// ((a0 + a4) + (a2 + a6)) + ((a1 + a5) + (a3 + a7)): ggml's hsum_float_8.
float lane_tree(const float (&a)[kLanes]) {
  const float s0 = a[0] + a[4], s1 = a[1] + a[5], s2 = a[2] + a[6], s3 = a[3] + a[7];
  return (s0 + s2) + (s1 + s3);
}

// The weight code j of a block, as an integer.
int code(const I4Block& b, size_t j) { return i4_code(b, j); }
int code(const I8Block& b, size_t j) { return b.q[j]; }

// One output: x's row (xq [k], xd / xs [k / 32]) against W's row of blocks.
template <typename Block>
float dot_row(size_t blocks, const int8_t* xq, const float* xd, const float* xs, const Block* w) {
  float acc[kLanes] = {0, 0, 0, 0, 0, 0, 0, 0};
  float accm = 0.0f;
  for (size_t b = 0; b < blocks; ++b) {
    const Block& wb = w[b];
    const float d = half_to_float(wb.d) * xd[b];
    const int8_t* q = xq + b * kWeightBlock;
    for (size_t l = 0; l < kLanes; ++l) {
      int32_t sum = 0;
      for (size_t j = 4 * l; j < 4 * l + 4; ++j) sum += code(wb, j) * q[j];
      acc[l] = std::fma(d, static_cast<float>(sum), acc[l]);
    }
    if constexpr (sizeof(Block) == sizeof(I4Block)) {
      accm = std::fma(half_to_float(w[b].m), xs[b], accm);
    }
  }
  float y = lane_tree(acc);
  if constexpr (sizeof(Block) == sizeof(I4Block)) y = y + accm;
  return y;
}

template <typename Block>
void gemm(size_t m, size_t n, size_t k, const int8_t* xq, const float* xd, const float* xs, const void* w,
          const float* bias, float* y, size_t y_stride) {
  const size_t blocks = k / kWeightBlock;
  const Block* wb = static_cast<const Block*>(w);
  for (size_t r = 0; r < m; ++r) {
    for (size_t c = 0; c < n; ++c) {
      float v = dot_row(blocks, xq + r * k, xd + r * blocks, xs != nullptr ? xs + r * blocks : nullptr,
                        wb + c * blocks);
      if (bias != nullptr) v = v + bias[c];
      y[r * y_stride + c] = v;
    }
  }
}

}  // namespace

void f32_q8b_quantize_ukernel__reference(size_t rows, size_t k, const float* x, size_t x_stride, int8_t* xq,
                                         float* xd, float* xs) {
  const size_t blocks = k / kWeightBlock;
  for (size_t r = 0; r < rows; ++r) {
    for (size_t b = 0; b < blocks; ++b) {
      const float* v = x + r * x_stride + b * kWeightBlock;
      int8_t* q = xq + r * k + b * kWeightBlock;
      float amax = 0.0f;
      for (size_t j = 0; j < kWeightBlock; ++j) amax = std::fmax(amax, std::fabs(v[j]));
      if (!(amax >= kQd8MinAmax)) {
        for (size_t j = 0; j < kWeightBlock; ++j) q[j] = 0;
        xd[r * blocks + b] = 0.0f;
        xs[r * blocks + b] = 0.0f;
        continue;
      }
      const float inv = 127.0f / amax;
      int32_t sum = 0;
      for (size_t j = 0; j < kWeightBlock; ++j) {
        const float t = std::fmin(std::fmax(v[j] * inv, -127.0f), 127.0f);
        q[j] = static_cast<int8_t>(std::nearbyint(t));  // default rounding mode: ties to even
        sum += q[j];
      }
      const float d = amax / 127.0f;
      xd[r * blocks + b] = round_to_half(d);
      xs[r * blocks + b] = round_to_half(d * static_cast<float>(sum));
    }
  }
}

void q8b_i4bw_gemm_ukernel__reference(size_t m, size_t n, size_t k, const int8_t* xq, const float* xd,
                                      const float* xs, const void* w, const float* bias, float* y, size_t y_stride) {
  gemm<I4Block>(m, n, k, xq, xd, xs, w, bias, y, y_stride);
}

void q8b_i8bw_gemm_ukernel__reference(size_t m, size_t n, size_t k, const int8_t* xq, const float* xd,
                                      const float* xs, const void* w, const float* bias, float* y, size_t y_stride) {
  gemm<I8Block>(m, n, k, xq, xd, nullptr, w, bias, y, y_stride);
  (void)xs;
}

}  // namespace edgeattn
