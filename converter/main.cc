// edgeattn-convert: trained checkpoint -> .eatn model file.
//
//   edgeattn-convert INPUT -o OUT.eatn [--dtype fp32|fp16|int8|int8-static] [--keep-fp32 GLOB]... [--tokenizer tokenizer.bin]
//   edgeattn-convert inspect MODEL.eatn [--max-seq N] [--max-batch N]
//
// INPUT: a Hugging Face folder (config.json + *.safetensors), a GGUF file, or
// a llama2.c .bin (with --tokenizer).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "converter/importers.h"
#include "converter/inspect.h"
#include "converter/model_builder.h"
#include "converter/quantize.h"
#include "converter/report.h"
#include "converter/smooth.h"
#include "converter/static_scales.h"
#include "converter/source/convert_error.h"
#include "runtime/model.h"

namespace {

void usage() {
  std::fprintf(stderr,
               "usage: edgeattn-convert INPUT -o OUT.eatn [--dtype fp32|fp16|int8|int8-static] [--keep-fp32 GLOB]...\n"
               "                        [--report] [--calibration FILE] [--auto-fallback THRESHOLD] [--no-smooth]\n"
               "                        [--static-clip max|mse|PERCENTILE]\n"
               "                        [--tokenizer tokenizer.bin] [--quiet]\n"
               "       edgeattn-convert inspect MODEL.eatn [--max-seq N] [--max-batch N]\n"
               "INPUT: Hugging Face folder (config.json + safetensors), GGUF file, or llama2.c .bin\n");
}

// Per-tensor import progress on stderr. On a terminal it is one line
// rewritten in place with '\r'; in a file or pipe (CI logs, `2> log`) every
// '\r' would be kept as noise, so there only the stage's final count is
// written, once, as a plain line.
class ImportProgress {
 public:
  explicit ImportProgress(bool enabled) : enabled_(enabled), terminal_(isatty(fileno(stderr)) == 1) {}

  void update(size_t done, size_t total, const std::string& name) {
    done_ = done;
    if (!enabled_ || !terminal_) return;
    std::fprintf(stderr, "\r[%3zu/%3zu] %-60.60s", done, total, name.c_str());
    line_open_ = true;
  }

  // The import finished: end the live line, or write the one summary line.
  void finish() {
    if (!enabled_) return;
    if (terminal_) {
      end_line();
    } else {
      std::fprintf(stderr, "imported %zu tensors\n", done_);
    }
  }

  // Before an error message: it starts on a line of its own.
  void end_line() {
    if (line_open_) std::fprintf(stderr, "\n");
    line_open_ = false;
  }

 private:
  bool enabled_;
  bool terminal_;
  bool line_open_ = false;
  size_t done_ = 0;  // not "done/total": the total counts an output weight a tied model never reads
};

int parse_int(const char* s, const char* flag) {
  char* end = nullptr;
  long v = std::strtol(s, &end, 10);
  if (end == s || *end != '\0' || v <= 0 || v > (1 << 20)) {
    std::fprintf(stderr, "edgeattn-convert: %s expects a positive integer, got '%s'\n", flag, s);
    std::exit(2);
  }
  return static_cast<int>(v);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace edgeattn::convert;
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
    usage();
    return argc < 2 ? 2 : 0;
  }
  if (std::strcmp(argv[1], "inspect") == 0) {
    if (argc < 3) {
      usage();
      return 2;
    }
    int max_seq = 128, max_batch = 1;
    for (int i = 3; i < argc; ++i) {
      if (std::strcmp(argv[i], "--max-seq") == 0 && i + 1 < argc) {
        max_seq = parse_int(argv[++i], "--max-seq");
      } else if (std::strcmp(argv[i], "--max-batch") == 0 && i + 1 < argc) {
        max_batch = parse_int(argv[++i], "--max-batch");
      } else {
        usage();
        return 2;
      }
    }
    return inspect_model(argv[2], max_seq, max_batch, stdout);
  }

  std::string input, output, dtype = "fp32";
  ImportOptions options;
  std::vector<std::string> keep_fp32;
  bool report = false;
  bool smooth = true;  // int8: SmoothQuant activation smoothing (converter/smooth.h)
  double static_percentile = 100.0;  // int8-static: clip of |activations| (converter/static_scales.h)
  bool static_mse = false;           // int8-static: clip by least squared error instead
  ReportOptions report_options;
  bool quiet = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if ((a == "-o" || a == "--output") && i + 1 < argc) {
      output = argv[++i];
    } else if (a == "--dtype" && i + 1 < argc) {
      dtype = argv[++i];
    } else if (a == "--static-clip" && i + 1 < argc) {
      const std::string v = argv[++i];
      char* end = nullptr;
      static_mse = v == "mse";
      static_percentile = v == "max" || static_mse ? 100.0 : std::strtod(v.c_str(), &end);
      if ((end != nullptr && *end != '\0') || !(static_percentile > 0 && static_percentile <= 100)) {
        std::fprintf(stderr, "edgeattn-convert: --static-clip expects max, mse or a percentile in (0, 100], got '%s'\n",
                     argv[i]);
        return 2;
      }
    } else if (a == "--no-smooth") {
      smooth = false;
    } else if (a == "--report") {
      report = true;
    } else if (a == "--calibration" && i + 1 < argc) {
      report_options.calibration_file = argv[++i];
    } else if (a == "--auto-fallback" && i + 1 < argc) {
      char* end = nullptr;
      report_options.auto_fallback = std::strtod(argv[++i], &end);
      if (*end != '\0' || !(report_options.auto_fallback > 0)) {
        std::fprintf(stderr, "edgeattn-convert: --auto-fallback expects a positive relative error, got '%s'\n", argv[i]);
        return 2;
      }
      report = true;
    } else if (a == "--keep-fp32" && i + 1 < argc) {
      keep_fp32.push_back(argv[++i]);
    } else if (a == "--tokenizer" && i + 1 < argc) {
      options.tokenizer_path = argv[++i];
    } else if (a == "--quiet") {
      quiet = true;
    } else if (!a.empty() && a[0] != '-' && input.empty()) {
      input = a;
    } else {
      usage();
      return 2;
    }
  }
  if (input.empty() || output.empty()) {
    usage();
    return 2;
  }
  QuantizeOptions quantize;
  try {
    quantize.dtype = parse_weight_dtype(dtype);
  } catch (const ConvertError& e) {
    std::fprintf(stderr, "edgeattn-convert: %s\n", e.what());
    return 2;
  }
  quantize.keep_fp32 = keep_fp32;
  ImportProgress progress(!quiet);
  if (!quiet) {
    options.progress = [&progress](size_t done, size_t total, const std::string& name) {
      progress.update(done, total, name);
    };
  }
  const auto start = std::chrono::steady_clock::now();
  try {
    ModelBuilder mb;
    import_any(input, options, mb);
    progress.finish();
    const bool int8 = quantize.dtype == WeightDType::kI8 || quantize.dtype == WeightDType::kI8Static;
    if (smooth && int8) {
      const SmoothSummary sm =
          smooth_for_int8(mb, calibration_lines(report_options.calibration_file), 128, quantize.keep_fp32);
      if (!quiet) std::fprintf(stderr, "smoothing: %zu linear layers, %zu skipped (shared or kept)\n", sm.smoothed, sm.skipped);
    }
    if (quantize.dtype == WeightDType::kI8Static) {
      StaticScaleOptions so;
      so.calibration = calibration_lines(report_options.calibration_file);
      so.percentile = static_percentile;
      so.mse = static_mse;
      so.keep_fp32 = quantize.keep_fp32;
      const StaticScaleSummary ss = calibrate_static_scales(mb, so);
      if (!quiet) {
        std::fprintf(stderr,
                     "static scales: %zu linear layers, %zu calibration tokens, clip: %s, %zu output scales raised\n",
                     ss.ops, ss.tokens, static_mse ? "least squared error" : static_percentile >= 100 ? "max" : "percentile",
                     ss.raised);
      }
    }
    if (report) quantize = quantize_report(mb, quantize, report_options, stderr);
    const QuantizeSummary q = quantize_weights(mb, quantize);
    if (mb.model().producer) mb.model().producer->dtype = weight_dtype_name(quantize.dtype);
    if (!quiet && quantize.dtype != WeightDType::kF32) {
      std::fprintf(stderr, "%s: %zu weight tensors quantized (%zu -> %zu bytes), %zu kept in fp32\n",
                   weight_dtype_name(quantize.dtype), q.quantized, q.bytes_before, q.bytes_after, q.kept);
    }
    mb.write(output);
    // Verify what was written with the runtime's own loader.
    auto loaded = edgeattn::Model::load_file(output.c_str());
    if (!loaded.is_ok()) {
      std::fprintf(stderr, "edgeattn-convert: internal error: written model fails verification: %s\n",
                   loaded.status().message());
      return 1;
    }
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (!quiet) {
      std::fprintf(stderr, "wrote %s: %zu bytes (%zu weight bytes, %zu tensors) in %.0f ms\n", output.c_str(),
                   (*loaded)->file_size(), (*loaded)->weight_bytes(), (*loaded)->tensor_count(), ms);
    }
  } catch (const ConvertError& e) {
    progress.end_line();
    std::fprintf(stderr, "edgeattn-convert: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    progress.end_line();
    std::fprintf(stderr, "edgeattn-convert: %s: %s\n", input.c_str(), e.what());
    return 1;
  }
  return 0;
}
