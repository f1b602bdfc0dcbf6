#include "converter/onnx/onnx_reader.h"

#include <onnx/onnx_pb.h>

#include <cstring>
#include <filesystem>
#include <set>

#include "converter/source/convert_error.h"
#include "converter/source/mapped_file.h"

namespace edgeattn::convert::onnx_import {
namespace {

// TensorProto.DataType values read here.
constexpr int32_t kFloat = 1, kInt32 = 6, kInt64 = 7, kBool = 9, kDouble = 11;

[[noreturn]] void fail(const std::string& source, const std::string& where, const std::string& what) {
  throw_convert_error(source, where + ": " + what);
}

const char* dtype_name(int32_t t) {
  switch (t) {
    case kFloat: return "float";
    case kInt32: return "int32";
    case kInt64: return "int64";
    case kBool: return "bool";
    case kDouble: return "double";
    default: return "unsupported";
  }
}

size_t elem_size(int32_t t) {
  switch (t) {
    case kFloat: case kInt32: return 4;
    case kInt64: case kDouble: return 8;
    case kBool: return 1;
    default: return 0;
  }
}

int64_t checked_numel(const std::vector<int64_t>& dims, const std::string& source, const std::string& where) {
  int64_t n = 1;
  for (int64_t d : dims) {
    if (d < 0 || d > kMaxElements) fail(source, where, "dimension " + std::to_string(d) + " out of range");
    if (d != 0 && n > kMaxElements / d) fail(source, where, "too many elements (over " + std::to_string(kMaxElements) + ")");
    n *= d;
  }
  return n;
}

// Copies a TensorProto's elements, checking every length against its dims.
OnnxTensor read_tensor(const onnx::TensorProto& t, const std::string& source, const std::string& where) {
  OnnxTensor out;
  if (t.dims_size() > kMaxRank) fail(source, where, "rank " + std::to_string(t.dims_size()) + " exceeds " + std::to_string(kMaxRank));
  out.dims.assign(t.dims().begin(), t.dims().end());
  const int64_t n = checked_numel(out.dims, source, where);
  if (t.data_location() == onnx::TensorProto::EXTERNAL || t.external_data_size() > 0) {
    fail(source, where, "external data is not supported (save the model with its weights inside)");
  }
  if (t.has_segment()) fail(source, where, "segmented tensors are not supported");
  const int32_t type = t.data_type();
  const size_t es = elem_size(type);
  if (es == 0) fail(source, where, "data type " + std::to_string(type) + " is not supported (float, double, int32, int64, bool)");
  out.is_float = type == kFloat || type == kDouble;
  const size_t count = static_cast<size_t>(n);
  if (out.is_float) out.f.resize(count); else out.i.resize(count);
  if (t.has_raw_data()) {
    const std::string& raw = t.raw_data();
    if (raw.size() != count * es) {
      fail(source, where, "raw_data holds " + std::to_string(raw.size()) + " bytes, " + std::to_string(count) + " " +
                              dtype_name(type) + " elements need " + std::to_string(count * es));
    }
    const char* p = raw.data();
    for (size_t k = 0; k < count; ++k) {
      switch (type) {
        case kFloat: std::memcpy(&out.f[k], p + 4 * k, 4); break;
        case kDouble: { double d; std::memcpy(&d, p + 8 * k, 8); out.f[k] = static_cast<float>(d); break; }
        case kInt64: std::memcpy(&out.i[k], p + 8 * k, 8); break;
        case kInt32: { int32_t v; std::memcpy(&v, p + 4 * k, 4); out.i[k] = v; break; }
        default: out.i[k] = p[k] != 0; break;
      }
    }
    return out;
  }
  auto check_count = [&](int have, const char* field) {
    if (static_cast<size_t>(have) != count) {
      fail(source, where, std::string(field) + " holds " + std::to_string(have) + " values, dims need " + std::to_string(count));
    }
  };
  switch (type) {
    case kFloat: check_count(t.float_data_size(), "float_data"); for (size_t k = 0; k < count; ++k) out.f[k] = t.float_data(static_cast<int>(k)); break;
    case kDouble: check_count(t.double_data_size(), "double_data"); for (size_t k = 0; k < count; ++k) out.f[k] = static_cast<float>(t.double_data(static_cast<int>(k))); break;
    case kInt64: check_count(t.int64_data_size(), "int64_data"); for (size_t k = 0; k < count; ++k) out.i[k] = t.int64_data(static_cast<int>(k)); break;
    default: check_count(t.int32_data_size(), "int32_data"); for (size_t k = 0; k < count; ++k) out.i[k] = t.int32_data(static_cast<int>(k)); break;
  }
  return out;
}

OnnxAttribute read_attribute(const onnx::AttributeProto& a, const std::string& source, const std::string& where) {
  OnnxAttribute out;
  out.name = a.name();
  if (out.name.empty()) fail(source, where, "an attribute has no name");
  const std::string aw = where + " attribute '" + out.name + "'";
  switch (a.type()) {
    case onnx::AttributeProto::FLOAT: out.type = OnnxAttribute::Type::kFloat; out.f = a.f(); break;
    case onnx::AttributeProto::INT: out.type = OnnxAttribute::Type::kInt; out.i = a.i(); break;
    case onnx::AttributeProto::STRING: out.type = OnnxAttribute::Type::kString; out.s = a.s(); break;
    case onnx::AttributeProto::FLOATS:
      out.type = OnnxAttribute::Type::kFloats;
      out.floats.assign(a.floats().begin(), a.floats().end());
      break;
    case onnx::AttributeProto::INTS:
      out.type = OnnxAttribute::Type::kInts;
      out.ints.assign(a.ints().begin(), a.ints().end());
      break;
    case onnx::AttributeProto::TENSOR:
      out.type = OnnxAttribute::Type::kTensor;
      out.t = std::make_shared<OnnxTensor>(read_tensor(a.t(), source, aw));
      break;
    default: out.type = OnnxAttribute::Type::kOther; break;  // graphs, sparse tensors: refused where used
  }
  return out;
}

OnnxValueInfo read_value_info(const onnx::ValueInfoProto& v, const std::string& source, const std::string& where) {
  OnnxValueInfo out;
  out.name = v.name();
  if (!v.has_type() || !v.type().has_tensor_type()) return out;
  const onnx::TypeProto::Tensor& tt = v.type().tensor_type();
  out.elem_type = tt.elem_type();
  if (!tt.has_shape()) return out;
  if (tt.shape().dim_size() > kMaxRank) fail(source, where, "rank " + std::to_string(tt.shape().dim_size()) + " exceeds " + std::to_string(kMaxRank));
  out.has_shape = true;
  for (const onnx::TensorShapeProto::Dimension& d : tt.shape().dim()) {
    OnnxDim od;
    if (d.has_dim_value()) {
      od.value = d.dim_value();
      if (od.value > kMaxElements) fail(source, where, "dimension " + std::to_string(od.value) + " out of range");
    } else {
      od.param = d.dim_param().empty() ? "?" : d.dim_param();
    }
    out.dims.push_back(od);
  }
  return out;
}

void read_nodes(const onnx::GraphProto& g, OnnxModel& m) {
  if (static_cast<size_t>(g.node_size()) > kMaxNodes) throw_convert_error(m.source, "too many nodes");
  for (int k = 0; k < g.node_size(); ++k) {
    const onnx::NodeProto& n = g.node(k);
    OnnxNode node;
    node.index = static_cast<size_t>(k);
    node.name = n.name().empty() ? "#" + std::to_string(k) : n.name();
    node.op_type = n.op_type();
    if (node.op_type.empty()) fail(m.source, "node '" + node.name + "'", "has no op_type");
    const std::string where = node.what();
    if (!n.domain().empty() && n.domain() != "ai.onnx") {
      fail(m.source, where, "domain '" + n.domain() + "' is not supported (only the default ONNX domain)");
    }
    node.inputs.assign(n.input().begin(), n.input().end());
    node.outputs.assign(n.output().begin(), n.output().end());
    if (node.outputs.empty()) fail(m.source, where, "has no outputs");
    for (const std::string& o : node.outputs) {
      if (o.empty()) fail(m.source, where, "has an unnamed output");
    }
    std::set<std::string> seen;
    for (const onnx::AttributeProto& a : n.attribute()) {
      node.attrs.push_back(read_attribute(a, m.source, where));
      if (!seen.insert(node.attrs.back().name).second) fail(m.source, where, "attribute '" + node.attrs.back().name + "' given twice");
    }
    m.nodes.push_back(std::move(node));
  }
}

}  // namespace

int64_t OnnxTensor::numel() const {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

const OnnxAttribute* OnnxNode::attr(const std::string& n) const {
  for (const OnnxAttribute& a : attrs) {
    if (a.name == n) return &a;
  }
  return nullptr;
}

std::string OnnxNode::what() const { return "node '" + name + "' (" + op_type + ")"; }

namespace {
[[noreturn]] void bad_attr(const OnnxNode& n, const std::string& name, const char* want) {
  throw ConvertError(n.what() + ": attribute '" + name + "' is not " + want);
}
}  // namespace

int64_t OnnxNode::attr_int(const std::string& n, int64_t def) const {
  const OnnxAttribute* a = attr(n);
  if (a == nullptr) return def;
  if (a->type != OnnxAttribute::Type::kInt) bad_attr(*this, n, "an int");
  return a->i;
}

float OnnxNode::attr_float(const std::string& n, float def) const {
  const OnnxAttribute* a = attr(n);
  if (a == nullptr) return def;
  if (a->type != OnnxAttribute::Type::kFloat) bad_attr(*this, n, "a float");
  return a->f;
}

std::string OnnxNode::attr_string(const std::string& n, const std::string& def) const {
  const OnnxAttribute* a = attr(n);
  if (a == nullptr) return def;
  if (a->type != OnnxAttribute::Type::kString) bad_attr(*this, n, "a string");
  return a->s;
}

std::vector<int64_t> OnnxNode::attr_ints(const std::string& n, std::vector<int64_t> def) const {
  const OnnxAttribute* a = attr(n);
  if (a == nullptr) return def;
  if (a->type != OnnxAttribute::Type::kInts) bad_attr(*this, n, "a list of ints");
  return a->ints;
}

OnnxModel read_onnx(const uint8_t* data, size_t size, const std::string& source) {
  OnnxModel m;
  m.source = source;
  if (size == 0) throw_convert_error(source, "empty file");
  if (size > kMaxModelBytes) throw_convert_error(source, "file of " + std::to_string(size) + " bytes exceeds the 1 GiB limit");
  onnx::ModelProto proto;
  if (!proto.ParseFromArray(data, static_cast<int>(size))) {
    throw_convert_error(source, "not an ONNX model: the protobuf does not parse (truncated or corrupt)");
  }
  if (!proto.has_graph()) throw_convert_error(source, "not an ONNX model: no graph");
  for (const onnx::OperatorSetIdProto& o : proto.opset_import()) {
    if (o.domain().empty() || o.domain() == "ai.onnx") m.opset = o.version();
  }
  if (m.opset < 7 || m.opset > 21) {
    throw_convert_error(source, "default-domain opset " + std::to_string(m.opset) + " is not supported (7..21)");
  }
  for (const onnx::StringStringEntryProto& p : proto.metadata_props()) m.metadata[p.key()] = p.value();
  const onnx::GraphProto& g = proto.graph();
  for (const onnx::TensorProto& t : g.initializer()) {
    if (t.name().empty()) throw_convert_error(source, "an initializer has no name");
    if (m.initializers.count(t.name()) != 0) throw_convert_error(source, "initializer '" + t.name() + "' given twice");
    m.initializers[t.name()] = read_tensor(t, source, "initializer '" + t.name() + "'");
  }
  if (g.sparse_initializer_size() > 0) throw_convert_error(source, "sparse initializers are not supported");
  for (const onnx::ValueInfoProto& v : g.input()) {
    if (m.initializers.count(v.name()) != 0) continue;
    m.inputs.push_back(read_value_info(v, source, "input '" + v.name() + "'"));
  }
  for (const onnx::ValueInfoProto& v : g.output()) m.outputs.push_back(read_value_info(v, source, "output '" + v.name() + "'"));
  read_nodes(g, m);
  return m;
}

OnnxModel read_onnx_file(const std::string& path) {
  MappedFile f = MappedFile::open(path);
  return read_onnx(f.data(), f.size(), std::filesystem::path(path).filename().string());
}

}  // namespace edgeattn::convert::onnx_import
