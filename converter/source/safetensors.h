// Readers for Hugging Face safetensors checkpoints.
//
// SafetensorsFile reads one .safetensors file: an 8-byte little-endian
// header length N, N bytes of JSON {"name": {"dtype", "shape",
// "data_offsets": [begin, end]}, "__metadata__": {str: str}}, then the data
// area; offsets are relative to the start of the data area. Everything is
// validated on open(); tensors point into the memory-mapped file.
//
// SafetensorsCheckpoint reads a Hugging Face model folder: either a single
// model.safetensors or model.safetensors.index.json whose "weight_map" maps
// each tensor name to a shard file in the same folder.
//
// Example:
//   SafetensorsCheckpoint ckpt = SafetensorsCheckpoint::open("/models/llama");
//   for (const std::string& name : ckpt.names()) ...;
//   const SourceTensor* q = ckpt.find("model.layers.0.self_attn.q_proj.weight");
//   std::vector<float> w = to_f32(*q);
#pragma once

#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "converter/source/convert_error.h"
#include "converter/source/mapped_file.h"
#include "converter/source/source_tensor.h"

namespace edgeattn::convert {

class SafetensorsFile {
 public:
  // Upper bound on the JSON header; real headers are a few hundred KB.
  static constexpr uint64_t kMaxHeaderBytes = 100ull << 20;

  // Maps and validates `path`. Throws ConvertError naming the path (and the
  // tensor / key) on any problem: short file, header length >= file size or
  // > 100 MB, JSON syntax errors, unknown or unsupported dtype, bad shape,
  // data_offsets with begin > end or past the data area, or a byte count
  // that differs from product(shape) * dtype size.
  static SafetensorsFile open(const std::string& path);

  // All tensors, sorted by name.
  const std::vector<SourceTensor>& tensors() const { return tensors_; }
  // The tensor called `name`, or nullptr.
  const SourceTensor* find(const std::string& name) const;
  // "__metadata__" (empty when absent).
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  const std::string& path() const { return file_.path(); }

 private:
  MappedFile file_;
  std::vector<SourceTensor> tensors_;
  std::unordered_map<std::string, size_t> index_;
  std::map<std::string, std::string> metadata_;
};

class SafetensorsCheckpoint {
 public:
  // `path` is a folder holding model.safetensors.index.json (preferred) or
  // model.safetensors, or directly a .safetensors file or an index .json
  // file. Every shard named by the index is opened and every name in the
  // weight_map must exist in its shard. Throws ConvertError otherwise.
  static SafetensorsCheckpoint open(const std::string& path);

  // Every tensor name, sorted.
  const std::vector<std::string>& names() const { return names_; }
  // The tensor called `name` in whichever shard holds it, or nullptr.
  const SourceTensor* find(const std::string& name) const;
  // Like find(), but throws ConvertError naming the checkpoint if missing.
  const SourceTensor& tensor(const std::string& name) const;
  // The opened shard files, in the order they were first named.
  const std::vector<std::unique_ptr<SafetensorsFile>>& shards() const { return shards_; }
  // Folder (or file) the checkpoint was opened from.
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::vector<std::unique_ptr<SafetensorsFile>> shards_;
  std::unordered_map<std::string, const SourceTensor*> by_name_;
  std::vector<std::string> names_;
};

// Parses a safetensors dtype string ("F32", "BF16", ...). Returns false for
// strings that are not SourceDType names (including valid safetensors
// dtypes this converter does not support, e.g. "U8", "BOOL", "F8_E4M3").
bool parse_safetensors_dtype(const std::string& s, SourceDType* out);

}  // namespace edgeattn::convert
