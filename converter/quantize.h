// Weight quantization at conversion time.
//
// Which tensors: the weights of FullyConnected ops, the tables of
// Embedding ops (so a tied LM head, which is the embedding table, is
// quantized once and serves both) and the weights of Conv2D ops other than
// depthwise ones ([Cout, KH, KW, Cin / groups], one row per output channel).
// Norm parameters, biases, depthwise and transposed convolution weights and
// ChannelAttention's matrices stay f32 (all small), and so does any tensor
// whose name matches a --keep-fp32 pattern.
//
//   fp16  IEEE half, round to nearest even.
//   int8  symmetric, one scale per row (= per output channel of a linear
//         layer, per token of an embedding table): scale = max|row| / 127,
//         q = round-half-even(w / scale) in [-127, 127]; stored as DType I8
//         with Quantization{scale[rows], axis 0}.
//   int4  FullyConnected weights and token tables with rows of a multiple
//         of 32 values become I4Blocks (runtime/core/weight_blocks.h), per
//         block of 32 as ggml's Q4_1 (source/ggml_blocks.h quantize_q4_1);
//         a tensor whose source file already held blocks keeps them
//         (GGUF Q4_0 / Q4_1 / Q8_0 exactly, Q8_0 as I8Blocks; the others
//         as ggml_to_weight_blocks says). The other eligible tensors (Conv2D
//         weights, rows not a multiple of 32, position tables) get int8.
//
// Example:
//   QuantizeOptions q; q.dtype = WeightDType::kI8; q.keep_fp32 = {"lm_head*"};
//   QuantizeSummary s = quantize_weights(mb, q);
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "converter/model_builder.h"

namespace edgeattn::convert {

// kI8Static: the same int8 weights as kI8; its ops also carry static
// activation scales (converter/static_scales.h) and run on XNNPACK qc8.
enum class WeightDType { kF32, kF16, kI8, kI8Static, kI4 };

// "fp32", "fp16", "int8", "int8-static", "int4" -> WeightDType; throws ConvertError otherwise.
WeightDType parse_weight_dtype(const std::string& name);
const char* weight_dtype_name(WeightDType dtype);

struct QuantizeOptions {
  WeightDType dtype = WeightDType::kF32;
  std::vector<std::string> keep_fp32;  // shell-style globs on tensor names (fnmatch)
};

struct QuantizeSummary {
  size_t quantized = 0;   // tensors converted
  size_t kept = 0;        // eligible tensors kept in f32 by a pattern
  size_t bytes_before = 0;
  size_t bytes_after = 0;
};

// Static activation scales (FullyConnectedOptions.input_scale/output_scale)
// are removed from every op whose weight does not end up int8 (a
// --keep-fp32 or --auto-fallback layer), since only int8 weights use them.
QuantizeSummary quantize_weights(ModelBuilder& mb, const QuantizeOptions& options);

// The int8 scheme, exposed for tests: quantizes rows [rows, cols] of `w`.
void quantize_rows_int8(const float* w, size_t rows, size_t cols, int8_t* q, float* scales);


}  // namespace edgeattn::convert
