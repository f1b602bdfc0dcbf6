#include "tests/support/models.h"

#include <cstdio>
#include <cstdlib>

#include "converter/importers.h"
#include "converter/model_builder.h"
#include "converter/quantize.h"
#include "converter/report.h"
#include "converter/smooth.h"
#include "runtime/sampler.h"
#include "runtime/session.h"
#include "schema/edgeattn_generated.h"
#include "tests/support/model_paths.h"

namespace edgeattn::testing {

std::unique_ptr<Model> convert_and_load(const std::string& input, const std::string& tokenizer,
                                        const std::string& output, const std::string& dtype) {
  convert::ModelBuilder mb;
  convert::ImportOptions options;
  options.tokenizer_path = tokenizer;
  convert::import_any(input, options, mb);
  convert::QuantizeOptions quantize;
  quantize.dtype = convert::parse_weight_dtype(dtype);
  // As edgeattn-convert does by default: int8 gets activation smoothing.
  if (quantize.dtype == convert::WeightDType::kI8) {
    convert::smooth_for_int8(mb, convert::calibration_lines(""), 128, quantize.keep_fp32);
  }
  convert::quantize_weights(mb, quantize);
  mb.write(output);
  Result<std::unique_ptr<Model>> m = Model::load_file(output.c_str());
  if (!m.is_ok()) {
    std::fprintf(stderr, "loading %s failed: %s\n", output.c_str(), m.status().message());
    std::abort();
  }
  return std::move(m).value();
}

const Model& stories260k_from_llama2c() {
  static std::unique_ptr<Model> model = [] {
    const std::string bin = require_model("stories260K/stories260K.bin");
    const std::string tok = require_model("stories260K/tok512.bin");
    return convert_and_load(bin, tok, temp_dir("stories260k_llama2c") + "/model.eatn");
  }();
  return *model;
}

const Model& stories260k_from_gguf() {
  static std::unique_ptr<Model> model = [] {
    const std::string gguf = require_model("stories260K-gguf/stories260K.gguf");
    return convert_and_load(gguf, "", temp_dir("stories260k_gguf") + "/model.eatn");
  }();
  return *model;
}

const Model& minilm() {
  static std::unique_ptr<Model> model = [] {
    require_model("all-MiniLM-L6-v2/model.safetensors");
    const std::string dir = require_model("all-MiniLM-L6-v2");
    return convert_and_load(dir, "", temp_dir("minilm") + "/model.eatn");
  }();
  return *model;
}

const Model& stories260k_quantized(const std::string& dtype) {
  static std::unique_ptr<Model> fp16, int8;
  std::unique_ptr<Model>& slot = dtype == "fp16" ? fp16 : int8;
  if (!slot) {
    const std::string bin = require_model("stories260K/stories260K.bin");
    const std::string tok = require_model("stories260K/tok512.bin");
    slot = convert_and_load(bin, tok, temp_dir("stories260k_" + dtype) + "/model.eatn", dtype);
  }
  return *slot;
}

const Model& minilm_quantized(const std::string& dtype) {
  static std::unique_ptr<Model> fp16, int8;
  std::unique_ptr<Model>& slot = dtype == "fp16" ? fp16 : int8;
  if (!slot) {
    require_model("all-MiniLM-L6-v2/model.safetensors");
    slot = convert_and_load(require_model("all-MiniLM-L6-v2"), "", temp_dir("minilm_" + dtype) + "/model.eatn", dtype);
  }
  return *slot;
}

GreedyRun greedy_from_bos(const Model& model, int steps, const KernelTable* kernels, int threads) {
  GreedyRun g;
  SessionOptions opts;
  opts.max_seq = 1;
  opts.max_context = steps;
  opts.threads = threads;
  opts.kernels = kernels;
  Result<std::unique_ptr<Session>> session = Session::create(model, opts);
  if (!session.is_ok()) {
    g.error = session.status().message();
    return g;
  }
  const Tokenizer& tok = *model.tokenizer();
  const size_t vocab = static_cast<size_t>(model.fb().hparams()->vocab_size());
  int32_t token = tok.bos_id();
  for (int pos = 0; pos < steps; ++pos) {
    InvokeInput in;
    in.ids = &token;
    in.seq = 1;
    Status s = (*session)->invoke(in);
    if (!s.is_ok()) {
      g.error = s.message();
      return g;
    }
    const float* logits = (*session)->output(0).f32();
    g.logits.insert(g.logits.end(), logits, logits + vocab);
    const int32_t next = Sampler::argmax(logits, vocab);
    g.text += std::string(tok.decode_piece(token, next));
    g.tokens.push_back(next);
    token = next;
  }
  return g;
}

}  // namespace edgeattn::testing
