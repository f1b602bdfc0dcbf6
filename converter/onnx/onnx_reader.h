// ONNX reader: a ModelProto's bytes -> plain structs the importer works on.
//
// The file is untrusted input. read_onnx() parses it with libprotobuf (a
// size limit first), then checks everything the importer will touch: the
// default-domain opset, every node's op type, inputs, outputs and attribute
// types, every constant (initializers and Constant nodes' `value`): data
// type, rank, dims, element count, and that raw_data / float_data /
// int64_data hold exactly the elements the dims ask for. A malformed file is
// one ConvertError "<file>: node 'NAME' (OP): what" (or the initializer /
// input named). No pointer into the protobuf survives: constants are copied
// out as float or int64 vectors.
//
// Example:
//   OnnxModel m = read_onnx_file("det.onnx");
//   for (const OnnxNode& n : m.nodes) ... n.op_type, n.attr_int("group", 1)
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace edgeattn::convert::onnx_import {

// Limits on what an ONNX file may declare (a real PP-OCR model is ~11 MB).
constexpr size_t kMaxModelBytes = size_t{1} << 30;     // the serialized model
constexpr int64_t kMaxElements = int64_t{1} << 28;      // one constant tensor
constexpr size_t kMaxNodes = 1u << 20;
constexpr int kMaxRank = 8;

// A constant: float (FLOAT, DOUBLE) or integer (INT64, INT32, BOOL) data.
struct OnnxTensor {
  std::vector<int64_t> dims;
  bool is_float = true;
  std::vector<float> f;
  std::vector<int64_t> i;
  int64_t numel() const;
};

struct OnnxAttribute {
  enum class Type { kFloat, kInt, kString, kFloats, kInts, kTensor, kOther };
  std::string name;
  Type type = Type::kOther;
  float f = 0;
  int64_t i = 0;
  std::string s;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  std::shared_ptr<OnnxTensor> t;
};

struct OnnxNode {
  size_t index = 0;  // position in the graph
  std::string name;  // the file's, or "#<index>" when it has none
  std::string op_type;
  std::vector<std::string> inputs;  // "" = an omitted optional input
  std::vector<std::string> outputs;
  std::vector<OnnxAttribute> attrs;

  const OnnxAttribute* attr(const std::string& name) const;
  // Typed getters: the default when absent; ConvertError (through `what`)
  // when present with another type.
  int64_t attr_int(const std::string& name, int64_t def) const;
  float attr_float(const std::string& name, float def) const;
  std::string attr_string(const std::string& name, const std::string& def) const;
  std::vector<int64_t> attr_ints(const std::string& name, std::vector<int64_t> def = {}) const;
  // "node 'NAME' (OP)" for messages.
  std::string what() const;
};

struct OnnxDim {
  int64_t value = 0;   // > 0: fixed
  std::string param;   // dim_param (symbolic), or "" with value <= 0: unknown
};

struct OnnxValueInfo {
  std::string name;
  int32_t elem_type = 0;  // TensorProto.DataType
  bool has_shape = false;
  std::vector<OnnxDim> dims;
};

struct OnnxModel {
  std::string source;   // file name, for messages
  int64_t opset = 0;    // of the default domain
  std::vector<OnnxNode> nodes;
  std::map<std::string, OnnxTensor> initializers;
  std::vector<OnnxValueInfo> inputs;   // without initializers listed as inputs
  std::vector<OnnxValueInfo> outputs;
  std::map<std::string, std::string> metadata;  // metadata_props
};

// Throws ConvertError naming `source` and what is wrong.
OnnxModel read_onnx(const uint8_t* data, size_t size, const std::string& source);
OnnxModel read_onnx_file(const std::string& path);

}  // namespace edgeattn::convert::onnx_import
