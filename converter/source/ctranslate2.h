// Ct2File: reader for CTranslate2 `model.bin` files (binary version 6).
//
// Layout, as ctranslate2's specs/model_spec.py `_serialize` writes it (all
// little-endian):
//   u32 binary_version (6)
//   string spec_name              e.g. "WhisperSpec"
//   u32 spec_revision
//   u32 n_variables
//     n_variables x { string name; u8 rank; u32 dims[rank]; u8 dtype;
//                     u32 num_bytes; bytes[num_bytes] }
//   u32 n_aliases
//     n_aliases x { string alias; string variable_name }
// A string is {u16 length, `length` bytes}, the last of which is a NUL.
// dtype ids: 0 float32, 1 int8, 2 int16, 3 int32, 4 float16, 5 bfloat16.
// Dims are row-major, slowest first (a Linear weight is [out, in]); rank 0
// is a scalar (ctranslate2 stores flags such as `decoder/scale_embeddings`
// and `encoder/num_heads` that way).
//
// The file is untrusted and everything is validated on open(): every count
// and length is bounded by the bytes left before anything is allocated or
// read; num_bytes must equal product(dims) x dtype size (overflow-checked);
// rank <= 8; names are non-empty, NUL-terminated, free of interior NULs and
// unique across variables and aliases. Only binary version 6 is accepted
// (the one this reader was checked against; older layouts differ). Bytes
// after the alias table are refused: the writer never emits any, so they
// mean a corrupt or misidentified file.
//
// Aliases (the Whisper LM head `decoder/projection/weight` is an alias of
// `decoder/embeddings/weight`) must name a variable. An alias of an alias is
// refused: ctranslate2's own loader resolves an alias against variables
// only, so such a file would not load there either.
//
// float32, float16, bfloat16, int8 and int32 variables are readable as
// SourceTensor (pointing into the mapped file). int16 has no SourceDType:
// such variables are listed in variables() and reported as unsupported by
// tensor()/find(); rank-0 integer flags of any integer dtype are read with
// get_int().
//
// Example:
//   Ct2File m = Ct2File::open("whisper-tiny.en-ct2/model.bin");
//   if (m.spec_name() != "WhisperSpec") ...;
//   const SourceTensor& conv1 = m.tensor("encoder/conv1/weight");  // [384, 80, 3] F16
//   const SourceTensor& head = m.tensor("decoder/projection/weight");  // the alias' target
//   int64_t heads = m.get_int("encoder/num_heads");                   // int16 scalar: 6
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "converter/source/convert_error.h"
#include "converter/source/mapped_file.h"
#include "converter/source/source_tensor.h"

namespace edgeattn::convert {

// ctranslate2 dtype ids (model_spec.py _dtype_to_type_id).
constexpr uint8_t kCt2Float32 = 0;
constexpr uint8_t kCt2Int8 = 1;
constexpr uint8_t kCt2Int16 = 2;
constexpr uint8_t kCt2Int32 = 3;
constexpr uint8_t kCt2Float16 = 4;
constexpr uint8_t kCt2BFloat16 = 5;

// "float32", "int16", ... or "dtype<N>" for ids this reader does not know.
std::string ct2_dtype_name(uint8_t dtype);

struct Ct2Variable {
  std::string name;
  std::vector<uint32_t> dims;  // row-major, slowest first; empty for a scalar
  uint8_t dtype = kCt2Float32;
  uint64_t offset = 0;         // file offset of the variable's bytes
  uint64_t nbytes = 0;         // = product(dims) x dtype size
  uint64_t record_offset = 0;  // file offset of the record (its name), for messages
  const uint8_t* data = nullptr;  // into the mapped file (any dtype, unaligned)
  bool supported = false;      // readable as a SourceTensor
};

struct Ct2Alias {
  std::string alias;
  std::string variable;        // always the name of a variable (not an alias)
  uint64_t record_offset = 0;
};

class Ct2File {
 public:
  static constexpr uint32_t kSupportedVersion = 6;
  static constexpr uint32_t kMaxRank = 8;

  // Maps, parses and validates `path`. Throws ConvertError naming the path,
  // the byte offset and the variable / alias at fault.
  static Ct2File open(const std::string& path);

  const std::string& path() const { return file_.path(); }
  uint32_t binary_version() const { return version_; }
  const std::string& spec_name() const { return spec_name_; }
  uint32_t spec_revision() const { return revision_; }

  // Every variable in file order, supported or not.
  const std::vector<Ct2Variable>& variables() const { return variables_; }
  // Every alias in file order.
  const std::vector<Ct2Alias>& aliases() const { return aliases_; }

  // True for a variable or an alias called `name`.
  bool has(const std::string& name) const;
  // The variable `name` names (directly or through an alias), or nullptr.
  const Ct2Variable* find_variable(const std::string& name) const;
  // As SourceTensor, aliases resolved (the tensor carries the target's
  // name). nullptr if absent; throws ConvertError if its dtype is not
  // supported (int16).
  const SourceTensor* find(const std::string& name) const;
  // Like find() but also throws when `name` is missing.
  const SourceTensor& tensor(const std::string& name) const;
  // The value of a one-element integer variable (int8, int16, int32),
  // e.g. "encoder/num_heads". Throws ConvertError otherwise.
  int64_t get_int(const std::string& name) const;

 private:
  const Ct2Variable& require(const std::string& name) const;

  MappedFile file_;
  uint32_t version_ = 0;
  std::string spec_name_;
  uint32_t revision_ = 0;
  std::vector<Ct2Variable> variables_;
  std::vector<SourceTensor> tensors_;  // parallel to variables_; data only if supported
  std::vector<Ct2Alias> aliases_;
  // Variable and alias names -> index into variables_.
  std::unordered_map<std::string, size_t> index_;

  friend class Ct2Parser;
};

}  // namespace edgeattn::convert
