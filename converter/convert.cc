#include "converter/convert.h"

#include <chrono>
#include <exception>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>

#include "converter/calibration.h"
#include "converter/importers.h"
#include "converter/model_builder.h"
#include "converter/pack_weights.h"
#include "converter/report.h"
#include "converter/source/convert_error.h"
#include "runtime/model.h"

namespace edgeattn::convert {
namespace {

constexpr int kCalibrationTokens = 128;  // per calibration line, for smoothing and static scales

ConvertStatus failure(ConvertCode code, std::string message) { return ConvertStatus{code, std::move(message)}; }

// The image options: their values, the labels file, and their size as the
// ONNX import's (OnnxImportOptions::all), which it must agree with.
ConvertStatus validate_image(const ConvertOptions& o, ImageMetadata* image, OnnxImportOptions* onnx) {
  *onnx = o.onnx;
  const std::string error = prepare_image_metadata(o.image, image);
  if (!error.empty()) return failure(ConvertCode::kInvalidOptions, error);
  if (!o.image.requested || o.image.height == 0) return ConvertStatus{};
  if ((onnx->all.height > 0 && onnx->all.height != o.image.height) ||
      (onnx->all.width > 0 && onnx->all.width != o.image.width)) {
    return failure(ConvertCode::kInvalidOptions, "--image-size " + std::to_string(o.image.height) + "x" +
                                                     std::to_string(o.image.width) +
                                                     " disagrees with --image-height / --image-width");
  }
  onnx->all.height = o.image.height;
  onnx->all.width = o.image.width;
  return ConvertStatus{};
}

// Checks what can be checked before reading anything.
ConvertStatus validate(const ConvertOptions& o, WeightDType* dtype) {
  if (o.input.empty()) return failure(ConvertCode::kInvalidOptions, "no input given");
  if (o.output.empty()) return failure(ConvertCode::kInvalidOptions, "no output given");
  try {
    *dtype = parse_weight_dtype(o.dtype.empty() ? "fp32" : o.dtype);
  } catch (const ConvertError& e) {
    return failure(ConvertCode::kInvalidOptions, e.what());
  }
  if (!(o.static_percentile > 0 && o.static_percentile <= 100)) {
    return failure(ConvertCode::kInvalidOptions,
                   "static clip percentile " + std::to_string(o.static_percentile) + " is not in (0, 100]");
  }
  if (!(o.auto_fallback >= 0)) {
    return failure(ConvertCode::kInvalidOptions,
                   "auto-fallback threshold " + std::to_string(o.auto_fallback) + " is negative");
  }
  return ConvertStatus{};
}

void stage_done(const ConvertOptions& o, ConvertStage stage, const ConvertSummary& summary) {
  if (o.on_stage) o.on_stage(stage, summary);
}

// Stages 2 and 3: what int8 and int8-static do to the fp32 graph before its
// weights are quantized.
void prepare_int8(const ConvertOptions& o, WeightDType dtype, ModelBuilder& mb, ConvertSummary& summary) {
  const bool int8 = dtype == WeightDType::kI8 || dtype == WeightDType::kI8Static;
  // Smoothing and static scales calibrate by running the model on text; an
  // encoder-decoder's encoder takes audio and an imported graph (ONNX) takes
  // images, so they get plain per-channel int8.
  if (mb.hparams().architecture == fb::Architecture::ImportedGraph) return;
  if (mb.hparams().architecture == fb::Architecture::EncoderDecoder) {
    if (dtype == WeightDType::kI8Static) {
      throw ConvertError("int8-static calibrates on text: not supported for encoder-decoders (use int8)");
    }
    return;
  }
  if (o.smooth && int8) {
    summary.smoothing = smooth_for_int8(mb, calibration_lines(o.calibration_file), kCalibrationTokens, o.keep_fp32);
    stage_done(o, ConvertStage::kSmoothed, summary);
  }
  if (dtype == WeightDType::kI8Static) {
    StaticScaleOptions so;
    so.calibration = calibration_lines(o.calibration_file);
    so.max_tokens = kCalibrationTokens;
    so.percentile = o.static_percentile;
    so.mse = o.static_mse;
    so.keep_fp32 = o.keep_fp32;
    summary.static_scales = calibrate_static_scales(mb, so);
    stage_done(o, ConvertStage::kStaticScales, summary);
  }
}

// Stages 4 and 5.
void quantize_stage(const ConvertOptions& o, WeightDType dtype, ModelBuilder& mb, ConvertSummary& summary) {
  summary.quantize.dtype = dtype;
  summary.quantize.keep_fp32 = o.keep_fp32;
  if (o.report || o.auto_fallback > 0) {
    ReportOptions r;
    r.calibration_file = o.calibration_file;
    r.auto_fallback = o.auto_fallback;
    summary.quantize = quantize_report(mb, summary.quantize, r, o.report_out);
  }
  summary.quantized = quantize_weights(mb, summary.quantize);
  if (mb.model().producer) mb.model().producer->dtype = weight_dtype_name(dtype);
  stage_done(o, ConvertStage::kQuantized, summary);
}

// Every stage; throws ConvertError (or whatever a reader lets through).
ConvertStatus run(const ConvertOptions& o, WeightDType dtype, const ImageMetadata& image,
                  const OnnxImportOptions& onnx, ConvertSummary& summary) {
  const auto start = std::chrono::steady_clock::now();
  ModelBuilder mb;
  ImportOptions import_options;
  import_options.tokenizer_path = o.tokenizer;
  import_options.progress = o.progress;
  // A Marian model comes int8 with its own static activation multipliers:
  // kept as they are by default and for int8; other dtypes start from the
  // dequantized weights.
  const bool marian = std::filesystem::is_directory(o.input) && is_marian_dir(o.input);
  const bool native_int8 = marian && (o.dtype.empty() || dtype == WeightDType::kI8);
  if (marian && dtype == WeightDType::kI8Static) {
    throw ConvertError(o.input + ": a Marian model carries its own static activation scales: use the default (int8)");
  }
  import_options.marian_int8 = native_int8;
  import_options.onnx = onnx;
  // int8-static and the report calibrate by running the model on text; an
  // imported image graph takes images.
  if (is_onnx_input(o.input) && dtype == WeightDType::kI8Static) {
    throw ConvertError(o.input + ": int8-static calibrates on text: not supported for ONNX models (use int8)");
  }
  if (is_onnx_input(o.input) && (o.report || o.auto_fallback > 0)) {
    throw ConvertError(o.input + ": the quantization report calibrates on text: not supported for ONNX models");
  }
  import_any(o.input, import_options, mb);
  const std::string image_error = apply_image_metadata(image, mb);
  if (!image_error.empty()) return failure(ConvertCode::kInvalidOptions, o.input + ": " + image_error);
  stage_done(o, ConvertStage::kImported, summary);
  if (native_int8) {
    summary.quantize.dtype = WeightDType::kI8;
  } else {
    prepare_int8(o, dtype, mb, summary);
    quantize_stage(o, dtype, mb, summary);
  }
  if (o.pack_f32) summary.packed_f32 = pack_f32_weights(mb);
  mb.write(o.output);
  // Verify what was written with the runtime's own loader.
  Result<std::unique_ptr<Model>> loaded = Model::load_file(o.output.c_str());
  if (!loaded.is_ok()) {
    return failure(ConvertCode::kInternal,
                   std::string("internal error: written model fails verification: ") + loaded.status().message());
  }
  summary.file_bytes = (*loaded)->file_size();
  summary.weight_bytes = (*loaded)->weight_bytes();
  summary.tensor_count = (*loaded)->tensor_count();
  summary.milliseconds =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return ConvertStatus{};
}

}  // namespace

ConvertStatus convert(const ConvertOptions& options, ConvertSummary* summary) {
  ConvertSummary local;
  ConvertSummary& s = summary != nullptr ? *summary : local;
  s = ConvertSummary{};
  WeightDType dtype = WeightDType::kF32;
  ConvertStatus status = validate(options, &dtype);
  if (!status.ok()) return status;
  ImageMetadata image;
  OnnxImportOptions onnx;
  status = validate_image(options, &image, &onnx);
  if (!status.ok()) return status;
  try {
    return run(options, dtype, image, onnx, s);
  } catch (const ConvertError& e) {
    return failure(ConvertCode::kFailed, e.what());
  } catch (const std::exception& e) {
    // Not from a reader's checks (e.g. a JSON library error): name the input.
    return failure(ConvertCode::kFailed, options.input + ": " + e.what());
  }
}

}  // namespace edgeattn::convert
