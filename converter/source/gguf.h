// GgufFile: reader for GGUF v2/v3 files (llama.cpp's checkpoint format).
//
// Layout (all little-endian): magic "GGUF", u32 version, u64 tensor_count,
// u64 kv_count; kv_count metadata entries {string key, u32 type, value};
// tensor_count tensor infos {string name, u32 n_dims, u64 dims[n_dims]
// (fastest-varying first), u32 ggml type, u64 offset}; padding to
// general.alignment (default 32); the data section, into which the tensor
// offsets point. A string is {u64 length, bytes}.
//
// Everything is validated on open(): counts and lengths are bounded by the
// bytes actually left in the file before anything is allocated, so a corrupt
// header cannot cause huge allocations or reads past the end. Tensors are
// exposed as SourceTensor with the dims REVERSED to row-major slowest-first
// (GGUF token_embd 64x512 becomes shape [512, 64], as in PyTorch). F32, F16,
// BF16, F64, I8, I32 and I64 tensors are readable; quantised types are
// recorded in tensor_infos() and reported as unsupported when accessed.
//
// Example:
//   GgufFile g = GgufFile::open("stories260K.gguf");
//   uint32_t layers = g.get_u32("llama.block_count");
//   std::vector<std::string> vocab = g.get_string_array("tokenizer.ggml.tokens");
//   const SourceTensor& emb = g.tensor("token_embd.weight");   // [512, 64]
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "converter/source/convert_error.h"
#include "converter/source/mapped_file.h"
#include "converter/source/source_tensor.h"

namespace edgeattn::convert {

enum class GgufType : uint32_t {
  kUint8 = 0,
  kInt8 = 1,
  kUint16 = 2,
  kInt16 = 3,
  kUint32 = 4,
  kInt32 = 5,
  kFloat32 = 6,
  kBool = 7,
  kString = 8,
  kArray = 9,
  kUint64 = 10,
  kInt64 = 11,
  kFloat64 = 12,
};

// "UINT32", "STRING", ... ("UNKNOWN" otherwise).
const char* gguf_type_name(GgufType type);

// ggml tensor type ids used in tensor infos.
constexpr uint32_t kGgmlF32 = 0;
constexpr uint32_t kGgmlF16 = 1;
constexpr uint32_t kGgmlQ4_0 = 2;
constexpr uint32_t kGgmlQ4_1 = 3;
constexpr uint32_t kGgmlQ8_0 = 8;
constexpr uint32_t kGgmlQ5_0 = 6;
constexpr uint32_t kGgmlQ5_1 = 7;
constexpr uint32_t kGgmlQ4_K = 12;
constexpr uint32_t kGgmlQ5_K = 13;
constexpr uint32_t kGgmlQ6_K = 14;
constexpr uint32_t kGgmlI8 = 24;
constexpr uint32_t kGgmlI32 = 26;
constexpr uint32_t kGgmlI64 = 27;
constexpr uint32_t kGgmlF64 = 28;
constexpr uint32_t kGgmlBF16 = 30;

// "F32", "Q4_0", ... or "type<N>" for ids this reader does not know.
std::string ggml_type_name(uint32_t ggml_type);

// One metadata value. Numbers are kept as their little-endian bytes in the
// mapped file; use the GgufFile::get_* accessors rather than reading them.
struct GgufValue {
  GgufType type = GgufType::kUint8;
  uint64_t offset = 0;                // file offset of the entry's key, for messages
  const uint8_t* raw = nullptr;       // scalar bytes, or numeric array elements
  GgufType elem_type = GgufType::kUint8;  // ARRAY only
  uint64_t count = 0;                 // ARRAY only: element count
  std::vector<std::string> strings;   // STRING (1 entry) or ARRAY of STRING
};

struct GgufTensorInfo {
  std::string name;
  std::vector<uint64_t> dims;  // as stored in the file: fastest-varying first
  uint32_t ggml_type = 0;
  uint64_t offset = 0;         // relative to the data section
  uint64_t info_offset = 0;    // file offset of this tensor-info record
  bool supported = false;      // readable as a SourceTensor
};

class GgufFile {
 public:
  static constexpr uint32_t kDefaultAlignment = 32;

  // Maps, parses and validates `path`. Throws ConvertError naming the path
  // and the key / tensor / byte offset at fault.
  static GgufFile open(const std::string& path);

  const std::string& path() const { return file_.path(); }
  uint32_t version() const { return version_; }
  uint64_t alignment() const { return alignment_; }
  uint64_t data_offset() const { return data_offset_; }

  // ---- metadata -----------------------------------------------------------
  bool has(const std::string& key) const { return kv_index_.count(key) != 0; }
  // nullptr when absent.
  const GgufValue* find_value(const std::string& key) const;
  // Keys in file order.
  const std::vector<std::string>& keys() const { return keys_; }

  // Typed accessors. Each throws ConvertError "<file>: key '<key>' ..." when
  // the key is missing, has an incompatible type, or a value does not fit.
  std::string get_string(const std::string& key) const;
  // Any integer type whose value fits in uint32.
  uint32_t get_u32(const std::string& key) const;
  // Any integer type whose value fits in int64.
  int64_t get_i64(const std::string& key) const;
  // FLOAT32, or FLOAT64 narrowed to float.
  float get_f32(const std::string& key) const;
  bool get_bool(const std::string& key) const;
  std::vector<std::string> get_string_array(const std::string& key) const;
  // ARRAY of FLOAT32 (or FLOAT64, narrowed).
  std::vector<float> get_f32_array(const std::string& key) const;
  // ARRAY of any integer type whose values all fit in int32.
  std::vector<int32_t> get_i32_array(const std::string& key) const;

  // ---- tensors ------------------------------------------------------------
  // Every tensor in file order, supported or not.
  const std::vector<GgufTensorInfo>& tensor_infos() const { return infos_; }
  // All tensors as SourceTensor (row-major shapes). Throws ConvertError if
  // any tensor has an unsupported (e.g. quantised) type.
  std::vector<SourceTensor> tensors() const;
  // nullptr if there is no such tensor; throws ConvertError if its type is
  // unsupported.
  const SourceTensor* find(const std::string& name) const;
  // Like find() but also throws when the tensor is missing.
  const SourceTensor& tensor(const std::string& name) const;

 private:
  const GgufValue& require(const std::string& key) const;
  [[noreturn]] void fail_key(const std::string& key, const GgufValue& v,
                             const std::string& what) const;
  const SourceTensor& checked(size_t index) const;

  MappedFile file_;
  uint32_t version_ = 0;
  uint64_t alignment_ = kDefaultAlignment;
  uint64_t data_offset_ = 0;
  std::vector<std::string> keys_;
  std::vector<GgufValue> values_;
  std::unordered_map<std::string, size_t> kv_index_;
  std::vector<GgufTensorInfo> infos_;
  std::vector<SourceTensor> tensors_;  // parallel to infos_; data only if supported
  std::unordered_map<std::string, size_t> tensor_index_;

  friend class GgufParser;
};

}  // namespace edgeattn::convert
