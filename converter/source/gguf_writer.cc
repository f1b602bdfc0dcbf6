#include "converter/source/gguf_writer.h"

#include <cstring>

#include "converter/source/byte_writer.h"

namespace edgeattn::convert {
namespace {

// Errors raised while building have no file yet; this names the writer.
constexpr const char* kWriter = "gguf writer";
constexpr uint32_t kVersion = 3;
constexpr size_t kMaxDims = 4;  // GGML_MAX_DIMS: llama.cpp rejects more

// Byte size of each fixed-size GgufType by id (UINT8 .. FLOAT64); 0 for
// STRING and ARRAY, which have no fixed size.
constexpr uint8_t kScalarSize[] = {1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8};

size_t scalar_size(GgufType t) {
  const auto i = static_cast<uint32_t>(t);
  return i < sizeof kScalarSize ? kScalarSize[i] : 0;
}

bool is_signed(GgufType t) {
  return t == GgufType::kInt8 || t == GgufType::kInt16 || t == GgufType::kInt32 || t == GgufType::kInt64;
}

bool is_integer(GgufType t) {
  return scalar_size(t) != 0 && t != GgufType::kFloat32 && t != GgufType::kFloat64 && t != GgufType::kBool;
}

uint32_t ggml_type_of(SourceDType dtype) {
  switch (dtype) {
    case SourceDType::kF32: return kGgmlF32;
    case SourceDType::kF16: return kGgmlF16;
    case SourceDType::kBF16: return kGgmlBF16;
    case SourceDType::kI8: return kGgmlI8;
    case SourceDType::kI32: return kGgmlI32;
    case SourceDType::kI64: return kGgmlI64;
    case SourceDType::kF64: return kGgmlF64;
    case SourceDType::kQ4_0: return kGgmlQ4_0;
    case SourceDType::kQ4_1: return kGgmlQ4_1;
    case SourceDType::kQ8_0: return kGgmlQ8_0;
    case SourceDType::kQ5_0: return kGgmlQ5_0;
    case SourceDType::kQ5_1: return kGgmlQ5_1;
    case SourceDType::kQ4_K: return kGgmlQ4_K;
    case SourceDType::kQ5_K: return kGgmlQ5_K;
    case SourceDType::kQ6_K: return kGgmlQ6_K;
  }
  throw_convert_error(kWriter, "unknown dtype");
}

void put_string(ByteWriter& w, const std::string& s) {
  w.u64(s.size());
  w.str(s);
}

std::vector<uint8_t> as_bytes(const void* p, size_t n) {
  const auto* b = static_cast<const uint8_t*>(p);
  return std::vector<uint8_t>(b, b + n);
}

}  // namespace

GgufWriter::Entry& GgufWriter::new_entry(const std::string& key, GgufType type) {
  if (!keys_.insert(key).second) throw_convert_error(kWriter, "key '" + key + "' added twice");
  Entry& e = entries_.emplace_back();
  e.key = key;
  e.type = type;
  return e;
}

void GgufWriter::add_scalar(const std::string& key, GgufType type, const void* p, size_t n) {
  new_entry(key, type).raw = as_bytes(p, n);
}

void GgufWriter::add_string(const std::string& key, const std::string& value) {
  new_entry(key, GgufType::kString).strings = {value};
}
void GgufWriter::add_u32(const std::string& key, uint32_t value) {
  add_scalar(key, GgufType::kUint32, &value, sizeof value);
}
void GgufWriter::add_i32(const std::string& key, int32_t value) {
  add_scalar(key, GgufType::kInt32, &value, sizeof value);
}
void GgufWriter::add_f32(const std::string& key, float value) {
  add_scalar(key, GgufType::kFloat32, &value, sizeof value);
}
void GgufWriter::add_bool(const std::string& key, bool value) {
  const uint8_t b = value ? 1 : 0;
  add_scalar(key, GgufType::kBool, &b, 1);
}

void GgufWriter::add_string_array(const std::string& key, const std::vector<std::string>& values) {
  Entry& e = new_entry(key, GgufType::kArray);
  e.elem_type = GgufType::kString;
  e.count = values.size();
  e.strings = values;
}
void GgufWriter::add_f32_array(const std::string& key, const std::vector<float>& values) {
  Entry& e = new_entry(key, GgufType::kArray);
  e.elem_type = GgufType::kFloat32;
  e.count = values.size();
  e.raw = as_bytes(values.data(), values.size() * sizeof(float));
}
void GgufWriter::add_i32_array(const std::string& key, const std::vector<int32_t>& values) {
  Entry& e = new_entry(key, GgufType::kArray);
  e.elem_type = GgufType::kInt32;
  e.count = values.size();
  e.raw = as_bytes(values.data(), values.size() * sizeof(int32_t));
}

void GgufWriter::add_value(const std::string& key, const GgufValue& value) {
  if (value.type == GgufType::kString) {
    if (value.strings.size() != 1) throw_convert_error(kWriter, "key '" + key + "': STRING without a value");
    add_string(key, value.strings[0]);
    return;
  }
  if (value.type != GgufType::kArray) {
    const size_t n = scalar_size(value.type);
    if (n == 0 || value.raw == nullptr) {
      throw_convert_error(kWriter, "key '" + key + "': cannot copy a " + gguf_type_name(value.type));
    }
    add_scalar(key, value.type, value.raw, n);
    return;
  }
  if (value.elem_type == GgufType::kString) {
    add_string_array(key, value.strings);
    return;
  }
  const size_t es = scalar_size(value.elem_type);
  // GgufFile validates nested arrays but keeps none of their elements.
  if (es == 0) {
    throw_convert_error(kWriter, "key '" + key + "': cannot copy an ARRAY of " +
                                     gguf_type_name(value.elem_type));
  }
  Entry& e = new_entry(key, GgufType::kArray);
  e.elem_type = value.elem_type;
  e.count = value.count;
  e.raw = as_bytes(value.raw, value.count * es);
}

void GgufWriter::add_tensor(const std::string& name, SourceDType dtype,
                            const std::vector<int64_t>& shape, const void* data, size_t nbytes) {
  const std::string where = "tensor '" + name + "'";
  const uint32_t ggml_type = ggml_type_of(dtype);
  if (shape.size() > kMaxDims) {
    throw_convert_error(kWriter, where + ": " + std::to_string(shape.size()) + " dims (max " +
                                     std::to_string(kMaxDims) + ")");
  }
  uint64_t n = 0, expected = 0;
  if (!tensor_bytes(dtype, shape, &n, &expected) || expected != nbytes) {
    throw_convert_error(kWriter, where + ": " + std::to_string(nbytes) + " bytes do not match shape " +
                                     shape_to_string(shape) + " of " + dtype_name(dtype));
  }
  if (!names_.insert(name).second) throw_convert_error(kWriter, where + " added twice");
  Tensor& t = tensors_.emplace_back();
  t.name = name;
  t.ggml_type = ggml_type;
  t.dims.assign(shape.rbegin(), shape.rend());  // GGUF stores fastest-first
  t.bytes = as_bytes(data, nbytes);
}

void GgufWriter::add_tensor_f32(const std::string& name, const std::vector<int64_t>& shape,
                                const std::vector<float>& data) {
  add_tensor(name, SourceDType::kF32, shape, data.data(), data.size() * sizeof(float));
}

void GgufWriter::add_tensor_f16(const std::string& name, const std::vector<int64_t>& shape,
                                const std::vector<float>& data) {
  std::vector<uint16_t> half(data.size());
  for (size_t i = 0; i < data.size(); ++i) half[i] = float_to_half(data[i]);
  add_tensor(name, SourceDType::kF16, shape, half.data(), half.size() * sizeof(uint16_t));
}

uint64_t GgufWriter::alignment() const {
  for (const Entry& e : entries_) {
    if (e.key != "general.alignment") continue;
    if (!is_integer(e.type)) {
      throw_convert_error(kWriter, std::string("key 'general.alignment' has type ") +
                                       gguf_type_name(e.type) + ", expected an integer");
    }
    // Little-endian: the low bytes hold the value; a negative signed value
    // is caught by the power-of-two check after sign extension.
    uint64_t v = 0;
    std::memcpy(&v, e.raw.data(), e.raw.size());
    if (is_signed(e.type) && (e.raw.back() & 0x80) != 0) v = 0;
    if (v == 0 || v > UINT32_MAX || (v & (v - 1)) != 0) {
      throw_convert_error(kWriter, "general.alignment " + std::to_string(v) +
                                       " is not a power of two that fits in u32");
    }
    return v;
  }
  return GgufFile::kDefaultAlignment;
}

std::vector<uint8_t> GgufWriter::bytes() const {
  const uint64_t align = alignment();
  ByteWriter w;
  w.raw("GGUF", 4);
  w.u32(kVersion);
  w.u64(tensors_.size());
  w.u64(entries_.size());
  for (const Entry& e : entries_) {
    put_string(w, e.key);
    w.u32(static_cast<uint32_t>(e.type));
    if (e.type == GgufType::kString) {
      put_string(w, e.strings[0]);
    } else if (e.type == GgufType::kArray) {
      w.u32(static_cast<uint32_t>(e.elem_type));
      w.u64(e.count);
      if (e.elem_type == GgufType::kString) {
        for (const std::string& s : e.strings) put_string(w, s);
      } else {
        w.raw(e.raw.data(), e.raw.size());
      }
    } else {
      w.raw(e.raw.data(), e.raw.size());
    }
  }
  // Offsets are relative to the data section; each tensor starts aligned.
  uint64_t offset = 0;
  for (const Tensor& t : tensors_) {
    put_string(w, t.name);
    w.u32(static_cast<uint32_t>(t.dims.size()));
    for (uint64_t d : t.dims) w.u64(d);
    w.u32(t.ggml_type);
    w.u64(offset);
    offset += (t.bytes.size() + align - 1) / align * align;
  }
  w.pad_to(align);
  for (const Tensor& t : tensors_) {
    w.raw(t.bytes.data(), t.bytes.size());
    w.pad_to(align);  // also after the last tensor, as llama.cpp does
  }
  return std::move(w.bytes());
}

void GgufWriter::write(const std::string& path) const {
  const std::vector<uint8_t> b = bytes();
  write_file(path, b.data(), b.size());
}

GgufWriter gguf_writer_from(const GgufFile& src, const GgufCopyOptions& options) {
  GgufWriter w;
  for (const std::string& key : src.keys()) w.add_value(key, *src.find_value(key));
  for (const SourceTensor& t : src.tensors()) {  // throws on quantised tensors
    const bool convert = options.mode != GgufFloatMode::kKeep && t.dtype == SourceDType::kF32 &&
                         !(options.keep_1d_f32 && t.shape.size() == 1);
    if (!convert) {
      w.add_tensor(t.name, t.dtype, t.shape, t.data, t.nbytes);
    } else if (options.mode == GgufFloatMode::kF16) {
      w.add_tensor_f16(t.name, t.shape, to_f32(t));
    } else {
      std::vector<float> v = to_f32(t);
      for (float& x : v) x = half_to_float(float_to_half(x));
      w.add_tensor_f32(t.name, t.shape, v);
    }
  }
  return w;
}

void write_gguf_copy(const GgufFile& src, const std::string& path, const GgufCopyOptions& options) {
  gguf_writer_from(src, options).write(path);
}

}  // namespace edgeattn::convert
