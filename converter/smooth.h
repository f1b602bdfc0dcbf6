// Activation smoothing for int8 linear layers (SmoothQuant, Xiao et al. 2022).
//
// Transformer activations have a few outlier channels; quantizing a token's
// row with one scale then wastes most of the int8 range on them. For each
// FullyConnected y = x·Wᵀ this moves a per-channel factor s_j from the
// activation into the weights, which is exact in real arithmetic:
//   y = (x · diag(1/s)) · (W · diag(s))ᵀ,  s_j = sqrt(max|x_j| / max|W_:,j|)
// (migration strength alpha = 0.5). W·diag(s) is what gets quantized; 1/s
// becomes the op's input multiplier (schema: FullyConnected input 3), which
// the runtime applies before quantizing x. max|x_j| comes from running the
// fp32 model on calibration text.
//
// Skipped: weights shared with another op (a tied LM head is also the
// embedding table) and weights matching a --keep-fp32 pattern.
//
// Example:
//   SmoothSummary s = smooth_for_int8(mb, calibration_lines(""), 128, keep_fp32);
//   quantize_weights(mb, int8_options);
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "converter/model_builder.h"

namespace edgeattn::convert {

struct SmoothSummary {
  size_t smoothed = 0;  // FullyConnected ops given an input multiplier
  size_t skipped = 0;   // eligible by shape but shared or kept in fp32
};

SmoothSummary smooth_for_int8(ModelBuilder& mb, const std::vector<std::string>& calibration, int max_tokens,
                              const std::vector<std::string>& keep_fp32);

}  // namespace edgeattn::convert
