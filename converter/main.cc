// edgeattn-convert: trained checkpoint -> .eatn model file.
//
//   edgeattn-convert INPUT -o OUT.eatn [--dtype fp32|fp16|int8|int8-static|int4] [--keep-fp32 GLOB]... [--tokenizer tokenizer.bin]
//   edgeattn-convert MODEL.onnx -o OUT.eatn --image-size HxW [--image-mean a,b,c] [--image-std a,b,c]
//                    [--labels FILE] [--image-resize stretch|letterbox|center-crop] [--image-channels 1|3]
//                    [--image-frames T] [--image-bgr]
//   edgeattn-convert inspect MODEL.eatn [--max-seq N] [--max-batch N]
//   edgeattn-convert inspect MODEL.eatn --plan [--batch N] [--seq N] [--context N]
//
// INPUT: a Hugging Face folder (config.json + *.safetensors), a GGUF file, or
// a llama2.c .bin (with --tokenizer).
//
// The conversion itself is the library's convert() (converter/convert.h);
// this file parses arguments, draws progress and prints the summary lines.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "converter/convert.h"
#include "tools/cli/cli.h"
#include "converter/inspect.h"

namespace {

using edgeattn::convert::ConvertCode;
using edgeattn::convert::ConvertOptions;
using edgeattn::convert::ConvertStage;
using edgeattn::convert::ConvertStatus;
using edgeattn::convert::ConvertSummary;
using edgeattn::convert::WeightDType;

void usage() {
  std::fprintf(stderr,
               "usage: edgeattn-convert INPUT -o OUT.eatn [--dtype fp32|fp16|int8|int8-static|int4] [--keep-fp32 GLOB]...\n"
               "                        [--report] [--calibration FILE] [--auto-fallback THRESHOLD] [--no-smooth]\n"
               "                        [--static-clip max|mse|PERCENTILE] [--f32-layout row-major|panels]\n"
               "                        [--tokenizer tokenizer.bin] [--image-height [METHOD=]N] [--image-width [METHOD=]N] [--quiet]\n"
               "                        image models (ONNX): [--image-size N|HxW] [--image-mean a,b,c] [--image-std a,b,c]\n"
               "                        [--labels FILE] [--image-resize stretch|letterbox|center-crop] [--image-channels 1|3]\n"
               "                        [--image-frames T] [--image-bgr]\n"
               "       edgeattn-convert inspect MODEL.eatn [--max-seq N] [--max-batch N]\n"
               "       edgeattn-convert inspect MODEL.eatn --plan [--batch N] [--seq N] [--context N]\n"
               "INPUT: Hugging Face folder (config.json + safetensors), GGUF file, llama2.c .bin,\n"
               "       or an .onnx image model (a folder of them: one method per file)\n");
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
  int v = 0;
  if (!edgeattn::cli::parse_int("edgeattn-convert", flag, s, 1, 1L << 20, &v)) std::exit(2);
  return v;
}

// `edgeattn-convert inspect MODEL.eatn [--max-seq N] [--max-batch N]`, or
// with --plan the arena layout per method (--seq and --batch are the same
// limits as --max-seq and --max-batch; --context only matters for --plan).
int run_inspect(int argc, char** argv) {
  if (argc < 3) {
    usage();
    return 2;
  }
  edgeattn::convert::PlanLimits limits;  // seq, context 0: inspect_plan's defaults
  bool plan = false;
  for (int i = 3; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if ((a == "--max-seq" || a == "--seq") && has_value) {
      limits.seq = parse_int(argv[++i], a.c_str());
    } else if ((a == "--max-batch" || a == "--batch") && has_value) {
      limits.batch = parse_int(argv[++i], a.c_str());
    } else if (a == "--context" && has_value) {
      limits.context = parse_int(argv[++i], "--context");
    } else if (a == "--plan") {
      plan = true;
    } else {
      usage();
      return 2;
    }
  }
  if (plan) return edgeattn::convert::inspect_plan(argv[2], limits, stdout);
  return edgeattn::convert::inspect_model(argv[2], limits.seq > 0 ? limits.seq : 128, limits.batch, stdout);
}

// --static-clip max|mse|PERCENTILE. False (after the message) if malformed.
bool parse_static_clip(const char* arg, ConvertOptions& o) {
  const std::string v = arg;
  char* end = nullptr;
  o.static_mse = v == "mse";
  o.static_percentile = v == "max" || o.static_mse ? 100.0 : std::strtod(v.c_str(), &end);
  if ((end != nullptr && *end != '\0') || !(o.static_percentile > 0 && o.static_percentile <= 100)) {
    std::fprintf(stderr, "edgeattn-convert: --static-clip expects max, mse or a percentile in (0, 100], got '%s'\n",
                 arg);
    return false;
  }
  return true;
}

// --image-height / --image-width [METHOD=]N: an ONNX input's image size.
bool parse_image_dim(const char* flag, const char* arg, ConvertOptions& o) {
  std::string v = arg, method;
  const size_t eq = v.find('=');
  if (eq != std::string::npos) {
    method = v.substr(0, eq);
    v = v.substr(eq + 1);
  }
  int n = 0;
  if (!edgeattn::cli::parse_int("edgeattn-convert", flag, v.c_str(), 1, 1 << 16, &n)) return false;
  edgeattn::convert::OnnxImageSize& size = method.empty() ? o.onnx.all : o.onnx.methods[method];
  (std::string(flag) == "--image-height" ? size.height : size.width) = n;
  return true;
}

// --image-size N or HxW: the image model's input size (also fixes the ONNX input's).
bool parse_image_size(const char* arg, ConvertOptions& o) {
  const std::string v = arg;
  const size_t x = v.find('x');
  const std::string h = v.substr(0, x), w = x == std::string::npos ? h : v.substr(x + 1);
  const long hi = edgeattn::convert::kMaxImageMetadataSide;
  if (!edgeattn::cli::parse_int("edgeattn-convert", "--image-size", h.c_str(), 1, hi, &o.image.height) ||
      !edgeattn::cli::parse_int("edgeattn-convert", "--image-size", w.c_str(), 1, hi, &o.image.width)) {
    return false;
  }
  return true;
}

// --image-mean / --image-std a,b,c (or one value for every channel).
bool parse_floats(const char* flag, const char* arg, std::vector<float>* out) {
  out->clear();
  const std::string v = arg;
  for (size_t start = 0;;) {
    const size_t comma = v.find(',', start);
    const std::string item = v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    double x = 0;
    if (!edgeattn::cli::parse_double("edgeattn-convert", flag, item.c_str(), -1e6, 1e6, &x)) return false;
    out->push_back(static_cast<float>(x));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (out->size() != 1 && out->size() != 3) {
    std::fprintf(stderr, "edgeattn-convert: %s expects 1 or 3 comma-separated values, got '%s'\n", flag, arg);
    return false;
  }
  return true;
}

// The image model options (--image-size ... --image-bgr). 1: not one of
// them; 0: parsed (*i moved past its value); 2: malformed (message printed).
int parse_image_option(int argc, char** argv, int* i, ConvertOptions& o) {
  const std::string a = argv[*i];
  const bool has_value = *i + 1 < argc;
  edgeattn::convert::ImageMetadataOptions& im = o.image;
  if (a == "--image-bgr") {
    im.requested = im.bgr = true;
    return 0;
  }
  if (!has_value || (a != "--image-size" && a != "--image-mean" && a != "--image-std" && a != "--labels" &&
                     a != "--image-resize" && a != "--image-channels" && a != "--image-frames")) {
    return 1;
  }
  const char* v = argv[++*i];
  im.requested = true;
  bool ok = true;
  if (a == "--image-size") ok = parse_image_size(v, o);
  if (a == "--image-mean") ok = parse_floats("--image-mean", v, &im.mean);
  if (a == "--image-std") ok = parse_floats("--image-std", v, &im.std);
  if (a == "--labels") im.labels_file = v;
  if (a == "--image-channels") {
    ok = edgeattn::cli::parse_int("edgeattn-convert", "--image-channels", v, 1, 3, &im.channels);
    if (ok && im.channels == 2) {
      std::fprintf(stderr, "edgeattn-convert: --image-channels expects 1 or 3, got '%s'\n", v);
      ok = false;
    }
  }
  if (a == "--image-frames") {
    ok = edgeattn::cli::parse_int("edgeattn-convert", "--image-frames", v, 1, edgeattn::convert::kMaxImageFrames,
                                  &im.frames);
  }
  if (a == "--image-resize") {
    edgeattn::fb::ImageResize r = edgeattn::fb::ImageResize::Stretch;
    ok = edgeattn::convert::parse_image_resize(v, &r);
    if (ok) im.resize = v;
    if (!ok) {
      std::fprintf(stderr, "edgeattn-convert: --image-resize expects stretch, letterbox or center-crop, got '%s'\n",
                   v);
    }
  }
  return ok ? 0 : 2;
}

// --auto-fallback THRESHOLD (turns the report on). False (after the message) if malformed.
bool parse_auto_fallback(const char* arg, ConvertOptions& o) {
  char* end = nullptr;
  o.auto_fallback = std::strtod(arg, &end);
  if (*end != '\0' || !(o.auto_fallback > 0)) {
    std::fprintf(stderr, "edgeattn-convert: --auto-fallback expects a positive relative error, got '%s'\n", arg);
    return false;
  }
  o.report = true;
  return true;
}

// The conversion flags. Returns -1 to go on, else the exit code (a usage
// message or a flag's error has been printed).
int parse_convert_args(int argc, char** argv, ConvertOptions& o, bool& quiet) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if ((a == "-o" || a == "--output") && has_value) {
      o.output = argv[++i];
    } else if (a == "--dtype" && has_value) {
      o.dtype = argv[++i];
    } else if (a == "--static-clip" && has_value) {
      if (!parse_static_clip(argv[++i], o)) return 2;
    } else if (a == "--no-smooth") {
      o.smooth = false;
    } else if (a == "--f32-layout" && has_value) {
      const std::string layout = argv[++i];
      if (layout != "row-major" && layout != "panels") {
        std::fprintf(stderr, "edgeattn-convert: --f32-layout expects row-major or panels, got '%s'\n", layout.c_str());
        return 2;
      }
      o.pack_f32 = layout == "panels";
    } else if (a == "--report") {
      o.report = true;
    } else if (a == "--calibration" && has_value) {
      o.calibration_file = argv[++i];
    } else if (a == "--auto-fallback" && has_value) {
      if (!parse_auto_fallback(argv[++i], o)) return 2;
    } else if (a == "--keep-fp32" && has_value) {
      o.keep_fp32.push_back(argv[++i]);
    } else if ((a == "--image-height" || a == "--image-width") && has_value) {
      if (!parse_image_dim(a.c_str(), argv[++i], o)) return 2;
    } else if (const int image = parse_image_option(argc, argv, &i, o); image != 1) {
      if (image == 2) return 2;
    } else if (a == "--tokenizer" && has_value) {
      o.tokenizer = argv[++i];
    } else if (a == "--quiet") {
      quiet = true;
    } else if (!a.empty() && a[0] != '-' && o.input.empty()) {
      o.input = a;
    } else {
      usage();
      return 2;
    }
  }
  if (o.input.empty() || o.output.empty()) {
    usage();
    return 2;
  }
  return -1;
}

const char* clip_name(const ConvertOptions& o) {
  if (o.static_mse) return "least squared error";
  return o.static_percentile >= 100 ? "max" : "percentile";
}

// One line per finished stage (not with --quiet).
void print_stage(ConvertStage stage, const ConvertSummary& s, const ConvertOptions& o, ImportProgress& progress) {
  switch (stage) {
    case ConvertStage::kImported:
      progress.finish();
      break;
    case ConvertStage::kSmoothed:
      std::fprintf(stderr, "smoothing: %zu linear layers, %zu skipped (shared or kept)\n", s.smoothing.smoothed,
                   s.smoothing.skipped);
      break;
    case ConvertStage::kStaticScales:
      std::fprintf(stderr,
                   "static scales: %zu linear layers, %zu calibration tokens, clip: %s, %zu output scales raised\n",
                   s.static_scales.ops, s.static_scales.tokens, clip_name(o), s.static_scales.raised);
      break;
    case ConvertStage::kQuantized:
      if (s.quantize.dtype != WeightDType::kF32) {
        std::fprintf(stderr, "%s: %zu weight tensors quantized (%zu -> %zu bytes), %zu kept in fp32\n",
                     edgeattn::convert::weight_dtype_name(s.quantize.dtype), s.quantized.quantized,
                     s.quantized.bytes_before, s.quantized.bytes_after, s.quantized.kept);
      }
      break;
  }
}

// `edgeattn-convert INPUT -o OUT.eatn ...`.
int run_convert(int argc, char** argv) {
  ConvertOptions options;
  bool quiet = false;
  const int parsed = parse_convert_args(argc, argv, options, quiet);
  if (parsed >= 0) return parsed;
  ImportProgress progress(!quiet);
  if (!quiet) {
    options.progress = [&progress](size_t done, size_t total, const std::string& name) {
      progress.update(done, total, name);
    };
    options.on_stage = [&progress, &options](ConvertStage stage, const ConvertSummary& s) {
      print_stage(stage, s, options, progress);
    };
  }
  ConvertSummary summary;
  const ConvertStatus status = edgeattn::convert::convert(options, &summary);
  if (!status.ok()) {
    progress.end_line();
    std::fprintf(stderr, "edgeattn-convert: %s\n", status.message.c_str());
    return status.code == ConvertCode::kInvalidOptions ? 2 : 1;
  }
  if (!quiet) {
    if (options.pack_f32) {
      std::fprintf(stderr, "f32 layout panels: %zu FullyConnected weights packed for the x86 packed GEMM\n",
                   summary.packed_f32);
    }
    std::fprintf(stderr, "wrote %s: %zu bytes (%zu weight bytes, %zu tensors) in %.0f ms\n", options.output.c_str(),
                 summary.file_bytes, summary.weight_bytes, summary.tensor_count, summary.milliseconds);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
    usage();
    return argc < 2 ? 2 : 0;
  }
  if (std::strcmp(argv[1], "inspect") == 0) return run_inspect(argc, argv);
  return run_convert(argc, argv);
}
