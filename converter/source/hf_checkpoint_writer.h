// Writers for Hugging Face style checkpoints, used by tests (to build
// safetensors inputs whose content is known) and by dev tools (to turn a
// llama2.c checkpoint into an HF Llama folder, so the HF import path can be
// checked against the llama2.c path on the same weights).
//
// write_safetensors() writes a standard .safetensors file: u64 header
// length, JSON header (keys in the given order, padded with spaces to a
// multiple of 8 as the reference implementation does), then the data.
//
// write_hf_llama_folder() writes config.json and model.safetensors with HF
// names, applying HF's q/k row permutation (rope_permutation.h). A shared
// classifier is written as tie_word_embeddings=true WITHOUT lm_head.weight,
// as transformers saves tied weights. No tokenizer files are written.
//
// Example:
//   write_safetensors("w.safetensors",
//                     {{"w", F32Tensor{{2, 3}, {1, 2, 3, 4, 5, 6}}}},
//                     {{"format", "pt"}});
//   write_hf_llama_folder("out/hf", Llama2cCheckpoint::open("stories260K.bin"));
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "converter/source/convert_error.h"
#include "converter/source/source_tensor.h"

namespace edgeattn::convert {

struct F32Tensor {
  std::vector<int64_t> shape;
  std::vector<float> data;
};

// A tensor of any SourceDType given as raw little-endian bytes.
struct RawTensor {
  std::string name;
  SourceDType dtype = SourceDType::kF32;
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;
};

// Throws ConvertError when a tensor's byte count does not match its shape,
// a name repeats or is "__metadata__", or the file cannot be written.
void write_safetensors(const std::string& path, const std::vector<RawTensor>& tensors,
                       const std::map<std::string, std::string>& metadata = {});
void write_safetensors(const std::string& path,
                       const std::vector<std::pair<std::string, F32Tensor>>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

class Llama2cCheckpoint;

// Writes `dir`/config.json and `dir`/model.safetensors (creating `dir`).
void write_hf_llama_folder(const std::string& dir, const Llama2cCheckpoint& ckpt);

// The HF tensor name for a GGUF-style llama2.c name, e.g.
// "blk.3.attn_q.weight" -> "model.layers.3.self_attn.q_proj.weight";
// "" for names without an HF counterpart.
std::string hf_llama_name(const std::string& gguf_name);

}  // namespace edgeattn::convert
