// convert(): the whole conversion, trained checkpoint -> verified .eatn file,
// as one library call. edgeattn-convert (converter/main.cc) is argument
// parsing and printing around it; tests convert through it too
// (tests/support/models.h), so there is one pipeline.
//
// Stages, in order:
//   1. import        import_any (importers.h): HF folder, GGUF or llama2.c .bin,
//                    ONNX; then the image metadata (image_metadata.h)
//   2. smoothing     int8 and int8-static, unless smooth = false (smooth.h)
//   3. static scales int8-static only (static_scales.h)
//   4. report        if report or auto_fallback > 0 (report.h); auto-fallback
//                    may add --keep-fp32 globs for the next stage
//   5. quantize      quantize_weights (quantize.h); the producer's dtype is set
//   6. write         ModelBuilder::write(output)
//   7. verify        the runtime's own Model::load_file on what was written
//
// The stages throw ConvertError inside the library; convert() catches every
// exception and returns a ConvertStatus, so callers need no try/catch. The
// message is one line naming the file (and tensor, key or offset) at fault,
// as ConvertError's are.
//
// Example:
//   ConvertOptions o;
//   o.input = "stories260K.bin"; o.tokenizer = "tok512.bin"; o.output = "s.eatn"; o.dtype = "int8";
//   ConvertSummary s;
//   ConvertStatus st = convert(o, &s);
//   if (!st.ok()) std::fprintf(stderr, "%s\n", st.message.c_str());
#pragma once

#include <cstddef>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "converter/image_metadata.h"
#include "converter/onnx/import_onnx.h"
#include "converter/quantize.h"
#include "converter/smooth.h"
#include "converter/static_scales.h"

namespace edgeattn::convert {

// A stage convert() has just finished (ConvertOptions::on_stage).
enum class ConvertStage {
  kImported,      // the checkpoint is in memory
  kSmoothed,      // ConvertSummary::smoothing is set
  kStaticScales,  // ConvertSummary::static_scales is set
  kQuantized,     // ConvertSummary::quantize and ::quantized are set
};

struct ConvertSummary;

struct ConvertOptions {
  std::string input;      // HF folder (config.json + safetensors), GGUF file, llama2.c .bin, .onnx file or folder
  std::string tokenizer;  // llama2.c tokenizer.bin (required for .bin, optional override for HF Llama)
  std::string output;     // the .eatn file to write
  // "fp32", "fp16", "int8", "int8-static" (parse_weight_dtype), or "": the
  // source's own precision (fp32, except a Marian model's int8, kept as is).
  std::string dtype;
  std::vector<std::string> keep_fp32;  // globs on tensor names kept in fp32 (quantize.h)
  bool smooth = true;                  // int8, int8-static: SmoothQuant activation smoothing
  std::string calibration_file;        // one text per line; empty: the built-in lines (calibration.h)
  double static_percentile = 100.0;    // int8-static: clip of |activations|, in (0, 100]; 100 = max
  bool static_mse = false;             // int8-static: clip by least squared error instead
  bool report = false;                 // print the per-block quantization report (needs dtype != fp32)
  double auto_fallback = 0.0;          // > 0: keep blocks over this relative L2 error in fp32 (implies report)
  // --f32-layout panels: fp32 FullyConnected weights stored packed for the
  // x86 tables' packed GEMM, used in place (pack_weights.h).
  bool pack_f32 = false;
  std::FILE* report_out = stderr;      // where the report is printed (not null if reporting)
  // Per tensor during import (may be empty). `total` can count a tensor a
  // tied model never reads, so `done` need not reach it.
  std::function<void(size_t done, size_t total, const std::string& name)> progress;
  // After each stage that ran (may be empty), with the summary so far.
  std::function<void(ConvertStage stage, const ConvertSummary& summary)> on_stage;
  // ONNX inputs: image sizes fixing the input's height / width (--image-height, --image-width).
  OnnxImportOptions onnx;
  // ONNX image models: the preprocessing stored as Model.image for the
  // runtime's ImageRunner (--image-size, --image-mean, --image-std, --labels,
  // --image-resize, --image-channels, --image-frames, --image-bgr). A size
  // here also fixes the ONNX input's height and width, as --image-height /
  // --image-width do (it must agree with them when both are given).
  ImageMetadataOptions image;
};

struct ConvertSummary {
  SmoothSummary smoothing;           // zeros unless smoothing ran
  StaticScaleSummary static_scales;  // zeros unless int8-static
  QuantizeOptions quantize;          // what the weights were quantized with (auto-fallback adds globs)
  QuantizeSummary quantized;
  size_t packed_f32 = 0;             // weights stored in layout F32Panels16 (pack_f32)
  size_t file_bytes = 0;             // of the written file, as the runtime loaded it
  size_t weight_bytes = 0;
  size_t tensor_count = 0;
  double milliseconds = 0.0;         // import to verified file
};

enum class ConvertCode {
  kOk = 0,
  kInvalidOptions,  // an option is missing or out of range (nothing was read), or an image option does
                    // not fit the imported graph (edgeattn-convert exits 2)
  kFailed,          // the input cannot be converted: a ConvertError or other exception (exits 1)
  kInternal,        // the written file fails the runtime's verification: a converter bug (exits 1)
};

struct ConvertStatus {
  ConvertCode code = ConvertCode::kOk;
  std::string message;  // empty when ok; else one line, without a program-name prefix

  bool ok() const { return code == ConvertCode::kOk; }
};

// Runs the stages above. `summary` (may be null) is filled in as far as the
// conversion got. After a failure `output` is not a verified model: it may be
// missing, left from before, or (kInternal) the file that failed to load.
ConvertStatus convert(const ConvertOptions& options, ConvertSummary* summary);

}  // namespace edgeattn::convert
