// GgufWriter: writes small GGUF v3 files (the format gguf.h reads).
//
// Used by tests and dev tools to derive GGUF inputs whose content is known,
// e.g. an F16 copy of an F32 checkpoint, without Python or llama.cpp. The
// layout is the one gguf.h documents: little-endian header, metadata in the
// order added, tensor infos (dims fastest-first, i.e. the row-major shape
// reversed), zero padding to the alignment, then the tensor data. The
// alignment is general.alignment when that key is set (any integer type,
// a power of two), otherwise 32; every tensor's data offset is a multiple
// of it and every tensor is padded to it, as llama.cpp writes.
//
// Errors (repeated key or tensor name, bytes that do not match a shape, a
// bad general.alignment, an unwritable path) throw ConvertError.
//
// Example:
//   GgufWriter w;
//   w.add_string("general.architecture", "llama");
//   w.add_u32("llama.block_count", 2);
//   w.add_tensor_f16("token_embd.weight", {512, 64}, embedding);  // rounds
//   w.write("model.gguf");
//
//   // An all-F16 copy of an F32 file (1-D norm weights kept F32):
//   write_gguf_copy(GgufFile::open("in.gguf"), "out.gguf",
//                   {GgufFloatMode::kF16, /*keep_1d_f32=*/true});
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include "converter/source/convert_error.h"
#include "converter/source/gguf.h"
#include "converter/source/source_tensor.h"

namespace edgeattn::convert {

class GgufWriter {
 public:
  // ---- metadata (written in the order added) ------------------------------
  void add_string(const std::string& key, const std::string& value);
  void add_u32(const std::string& key, uint32_t value);
  void add_i32(const std::string& key, int32_t value);
  void add_f32(const std::string& key, float value);
  void add_bool(const std::string& key, bool value);
  void add_string_array(const std::string& key, const std::vector<std::string>& values);
  void add_f32_array(const std::string& key, const std::vector<float>& values);
  void add_i32_array(const std::string& key, const std::vector<int32_t>& values);
  // A value read by GgufFile, copied bit for bit: any scalar type, or an
  // array of scalars or strings. Nested arrays (which GgufFile skips without
  // keeping their contents) throw.
  void add_value(const std::string& key, const GgufValue& value);

  // ---- tensors (shape row-major, slowest dim first, as SourceTensor) ------
  void add_tensor_f32(const std::string& name, const std::vector<int64_t>& shape,
                      const std::vector<float>& data);
  // Stores F16, rounding each value to nearest even (float_to_half).
  void add_tensor_f16(const std::string& name, const std::vector<int64_t>& shape,
                      const std::vector<float>& data);
  // Raw little-endian bytes of any dtype GgufFile reads (F32, F16, BF16,
  // F64, I8, I32, I64); `nbytes` must match the shape.
  void add_tensor(const std::string& name, SourceDType dtype, const std::vector<int64_t>& shape,
                  const void* data, size_t nbytes);

  // general.alignment if set, otherwise GgufFile::kDefaultAlignment.
  uint64_t alignment() const;
  // The whole file in memory.
  std::vector<uint8_t> bytes() const;
  // Writes bytes() to `path`.
  void write(const std::string& path) const;

 private:
  struct Entry {
    std::string key;
    GgufType type = GgufType::kUint8;
    GgufType elem_type = GgufType::kUint8;  // ARRAY only
    uint64_t count = 0;                     // ARRAY only
    std::vector<uint8_t> raw;               // scalar or numeric array bytes
    std::vector<std::string> strings;       // STRING (one) or ARRAY of STRING
  };
  struct Tensor {
    std::string name;
    uint32_t ggml_type = 0;
    std::vector<uint64_t> dims;  // fastest-first, as stored
    std::vector<uint8_t> bytes;
  };

  Entry& new_entry(const std::string& key, GgufType type);
  void add_scalar(const std::string& key, GgufType type, const void* p, size_t n);

  std::vector<Entry> entries_;
  std::vector<Tensor> tensors_;
  std::unordered_set<std::string> keys_;
  std::unordered_set<std::string> names_;
};

// What write_gguf_copy does with F32 tensors (other dtypes are copied as
// stored).
enum class GgufFloatMode {
  kKeep,       // copy as stored
  kF16,        // store as F16, rounded to nearest even
  kF16Values,  // stay F32 but hold exactly the F16-rounded values, so a
               // reader of the kF16 copy that widens exactly sees the same
};

struct GgufCopyOptions {
  GgufFloatMode mode = GgufFloatMode::kKeep;
  // llama.cpp keeps 1-D tensors (norm weights, biases) F32 in F16 models;
  // when true, they are copied unchanged in every mode.
  bool keep_1d_f32 = true;
};

// A writer holding all metadata (in file order, general.alignment included)
// and all tensors (in file order) of `src`, F32 tensors converted per
// `options`. Throws ConvertError if `src` has a quantised tensor or a nested
// array value.
GgufWriter gguf_writer_from(const GgufFile& src, const GgufCopyOptions& options = {});

// gguf_writer_from(src, options).write(path).
void write_gguf_copy(const GgufFile& src, const std::string& path,
                     const GgufCopyOptions& options = {});

}  // namespace edgeattn::convert
