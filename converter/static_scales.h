// Static activation scales for int8-static (issue #4 scheme (a)).
//
// Runs the fp32 model (after smoothing, before weight quantization) on
// calibration text and gives every FullyConnected whose weight will become
// int8 a per-tensor input scale and output scale
// (FullyConnectedOptions.input_scale / output_scale, zero points 0):
//   input:  |x_j * m_j| over every calibration token and channel (m: the
//           SmoothQuant input multiplier, 1 without one), since the runtime
//           quantizes x * m;
//   output: |y| over every token and channel (after a fused ReLU);
//   scale = clip / 127, clip = the largest value (percentile 100, the
//           default) or the given percentile of the values, read from a
//           histogram with 64 bins per octave (clip within ~1.1%).
// The output scale is raised where needed so that every channel's
// requantization factor input_scale * w_scale / output_scale stays below
// XNNPACK's limit of 256. The weights are what quantize_weights turns into
// int8 (same eligibility and --keep-fp32 rule).
//
// Example:
//   StaticScaleOptions o; o.calibration = calibration_lines("");
//   calibrate_static_scales(mb, o);
//   quantize_weights(mb, int8_options);
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "converter/model_builder.h"

namespace edgeattn::convert {

struct StaticScaleOptions {
  std::vector<std::string> calibration;  // lines of text (calibration_lines())
  int max_tokens = 128;                  // per line
  double percentile = 100.0;             // of |values|; 100 = max
  bool mse = false;                      // instead: the clip with the least squared error
  std::vector<std::string> keep_fp32;    // globs: these weights stay f32, their ops dynamic
};

struct StaticScaleSummary {
  size_t ops = 0;          // FullyConnected ops given static scales
  size_t raised = 0;       // output scales raised for XNNPACK's requantization limit
  size_t tokens = 0;       // calibration tokens seen
};

StaticScaleSummary calibrate_static_scales(ModelBuilder& mb, const StaticScaleOptions& options);

}  // namespace edgeattn::convert
