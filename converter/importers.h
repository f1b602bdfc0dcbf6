// Importers: turn a trained checkpoint into a ModelBuilder graph.
//
//   import_hf       Hugging Face folder: config.json + model.safetensors (or a
//                   sharded index); BertModel (with sentence-transformers
//                   pooling from modules.json / 1_Pooling) or LlamaForCausalLM
//                   (HF's rotate-half q/k row permutation is undone, so the
//                   graph uses interleaved RoPE like llama2.c and GGUF), or
//                   GPT2LMHeadModel (Conv1D weights transposed, c_attn split).
//   import_gguf     GGUF v2/v3, general.architecture = llama, F32/F16 tensors,
//                   tokenizer from its metadata.
//   import_llama2c  llama2.c legacy .bin + tokenizer.bin.
//
// Each throws ConvertError with a one-line message naming the file and the
// tensor or key at fault. `progress` (may be empty) is called per tensor.
//
// Example:
//   ModelBuilder mb;
//   import_gguf("stories260K.gguf", {}, mb);
//   mb.write("stories260K.eatn");
#pragma once

#include <functional>
#include <string>

#include "converter/model_builder.h"
#include "converter/onnx/import_onnx.h"

namespace edgeattn::convert {

struct ImportOptions {
  std::string tokenizer_path;  // llama2.c tokenizer.bin (required for .bin, optional override for HF Llama)
  std::function<void(size_t done, size_t total, const std::string& name)> progress;
  // Marian: keep the file's int8 weights and activation multipliers (true)
  // or dequantize to f32 (false).
  bool marian_int8 = true;
  // ONNX: image sizes that fix symbolic (or confirm fixed) input dims.
  OnnxImportOptions onnx;
};

void import_hf(const std::string& dir, const ImportOptions& options, ModelBuilder& mb);
void import_gguf(const std::string& path, const ImportOptions& options, ModelBuilder& mb);
void import_llama2c(const std::string& path, const ImportOptions& options, ModelBuilder& mb);
// CTranslate2 Whisper folder: model.bin (WhisperSpec), config.json, tokenizer.json (import_ct2.cc).
void import_ct2(const std::string& dir, const ImportOptions& options, ModelBuilder& mb);

// Marian / Bergamot translation model folder: config*.yml, model.*.bin
// (intgemm8), vocab.*.spm, lexical shortlist (import_marian.cc).
void import_marian(const std::string& dir, const ImportOptions& options, ModelBuilder& mb);
// True for a folder import_marian() reads (it has a config*.yml).
bool is_marian_dir(const std::string& dir);

// Picks the importer from the input: an .onnx file or a folder of them
// (import_onnx.h), a directory with model.bin (CTranslate2), a config*.yml
// (Marian) or else HF, "GGUF" magic, else llama2.c.
void import_any(const std::string& input, const ImportOptions& options, ModelBuilder& mb);

}  // namespace edgeattn::convert
