// Quantization report (edgeattn-convert --report, --auto-fallback).
//
// Runs the fp32 model and the quantized one on calibration text and prints,
// per transformer block, the relative L2 error of the block's output
// (||q - f|| / ||f|| over every token), plus the end-to-end figure: cosine of
// the pooled embeddings (encoders) or top-1 agreement of the logits
// (decoders). The error is cumulative — block N's output carries every
// earlier block's error — so the table shows where precision is lost.
//
// With auto_fallback > 0, the first block whose error exceeds the threshold
// is kept in fp32 (its weights get a --keep-fp32 pattern) and the check runs
// again, until no block exceeds it. The returned options are what the model
// should be converted with.
//
// Example:
//   ReportOptions r; r.auto_fallback = 0.05;
//   QuantizeOptions q = quantize_report(mb, requested, r, stderr);
//   quantize_weights(mb, q);
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "converter/calibration.h"
#include "converter/model_builder.h"
#include "converter/quantize.h"

namespace edgeattn::convert {

struct ReportOptions {
  std::string calibration_file;  // one text per line; empty: the built-in text
  double auto_fallback = 0.0;    // 0: off; else the relative-L2 threshold per block
  int max_tokens = 128;          // per calibration line
};

// `mb` is the unquantized model; it is not modified.
QuantizeOptions quantize_report(const ModelBuilder& mb, QuantizeOptions requested, const ReportOptions& report,
                                std::FILE* out);

}  // namespace edgeattn::convert
