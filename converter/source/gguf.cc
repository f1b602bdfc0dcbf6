#include "converter/source/gguf.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "converter/source/byte_reader.h"
#include "converter/source/convert_error.h"

namespace edgeattn::convert {

namespace {

constexpr uint32_t kMaxDims = 8;             // ggml uses 4; leave headroom
constexpr uint32_t kMaxArrayNesting = 4;     // bounds recursion on corrupt input
constexpr uint64_t kMinKvBytes = 8 + 4 + 1;  // empty key, type, 1-byte value
constexpr uint64_t kMinTensorInfoBytes = 8 + 4 + 4 + 8;  // empty name, 0 dims

// Byte size of a fixed-size GGUF value type, 0 for STRING / ARRAY / unknown.
size_t scalar_size(GgufType t) {
  switch (t) {
    case GgufType::kUint8:
    case GgufType::kInt8:
    case GgufType::kBool: return 1;
    case GgufType::kUint16:
    case GgufType::kInt16: return 2;
    case GgufType::kUint32:
    case GgufType::kInt32:
    case GgufType::kFloat32: return 4;
    case GgufType::kUint64:
    case GgufType::kInt64:
    case GgufType::kFloat64: return 8;
    case GgufType::kString:
    case GgufType::kArray: return 0;
  }
  return 0;
}

bool known_type(uint32_t t) { return t <= static_cast<uint32_t>(GgufType::kFloat64); }

bool is_integer(GgufType t) {
  switch (t) {
    case GgufType::kUint8:
    case GgufType::kInt8:
    case GgufType::kUint16:
    case GgufType::kInt16:
    case GgufType::kUint32:
    case GgufType::kInt32:
    case GgufType::kUint64:
    case GgufType::kInt64: return true;
    default: return false;
  }
}

// Reads integer element `i` of type `t` at `p`. Sets *negative / returns the
// magnitude so callers can range-check without overflow.
void read_integer(GgufType t, const uint8_t* p, bool* negative, uint64_t* magnitude) {
  auto load = [p](auto v) {
    std::memcpy(&v, p, sizeof(v));
    return v;
  };
  int64_t s = 0;
  uint64_t u = 0;
  bool is_signed = true;
  switch (t) {
    case GgufType::kUint8: u = load(uint8_t{}); is_signed = false; break;
    case GgufType::kInt8: s = load(int8_t{}); break;
    case GgufType::kUint16: u = load(uint16_t{}); is_signed = false; break;
    case GgufType::kInt16: s = load(int16_t{}); break;
    case GgufType::kUint32: u = load(uint32_t{}); is_signed = false; break;
    case GgufType::kInt32: s = load(int32_t{}); break;
    case GgufType::kUint64: u = load(uint64_t{}); is_signed = false; break;
    case GgufType::kInt64: s = load(int64_t{}); break;
    default: break;
  }
  if (!is_signed) {
    *negative = false;
    *magnitude = u;
  } else if (s < 0) {
    *negative = true;
    *magnitude = static_cast<uint64_t>(-(s + 1)) + 1;  // no overflow for INT64_MIN
  } else {
    *negative = false;
    *magnitude = static_cast<uint64_t>(s);
  }
}

float narrow_to_float(double d) {
  constexpr double kRoundsToInf = 0x1.ffffffp127;
  constexpr double kMax = std::numeric_limits<float>::max();
  if (d >= kRoundsToInf) return std::numeric_limits<float>::infinity();
  if (d <= -kRoundsToInf) return -std::numeric_limits<float>::infinity();
  if (d > kMax) return std::numeric_limits<float>::max();
  if (d < -kMax) return -std::numeric_limits<float>::max();
  return static_cast<float>(d);
}

// Block geometry of ggml types, for bounds checks and messages.
struct GgmlTypeInfo {
  const char* name;
  uint32_t block_elems;  // 0: size unknown to this reader
  uint32_t block_bytes;
};

GgmlTypeInfo ggml_info(uint32_t t) {
  switch (t) {
    case 0: return {"F32", 1, 4};
    case 1: return {"F16", 1, 2};
    case 2: return {"Q4_0", 32, 18};
    case 3: return {"Q4_1", 32, 20};
    case 6: return {"Q5_0", 32, 22};
    case 7: return {"Q5_1", 32, 24};
    case 8: return {"Q8_0", 32, 34};
    case 9: return {"Q8_1", 32, 36};
    case 10: return {"Q2_K", 256, 84};
    case 11: return {"Q3_K", 256, 110};
    case 12: return {"Q4_K", 256, 144};
    case 13: return {"Q5_K", 256, 176};
    case 14: return {"Q6_K", 256, 210};
    case 15: return {"Q8_K", 256, 292};
    case 24: return {"I8", 1, 1};
    case 25: return {"I16", 1, 2};
    case 26: return {"I32", 1, 4};
    case 27: return {"I64", 1, 8};
    case 28: return {"F64", 1, 8};
    case 30: return {"BF16", 1, 2};
    default: return {nullptr, 0, 0};
  }
}

bool source_dtype(uint32_t ggml_type, SourceDType* out) {
  switch (ggml_type) {
    case kGgmlF32: *out = SourceDType::kF32; return true;
    case kGgmlF16: *out = SourceDType::kF16; return true;
    case kGgmlBF16: *out = SourceDType::kBF16; return true;
    case kGgmlF64: *out = SourceDType::kF64; return true;
    case kGgmlI8: *out = SourceDType::kI8; return true;
    case kGgmlI32: *out = SourceDType::kI32; return true;
    case kGgmlI64: *out = SourceDType::kI64; return true;
    case kGgmlQ4_0: *out = SourceDType::kQ4_0; return true;
    case kGgmlQ4_1: *out = SourceDType::kQ4_1; return true;
    case kGgmlQ8_0: *out = SourceDType::kQ8_0; return true;
    case kGgmlQ5_0: *out = SourceDType::kQ5_0; return true;
    case kGgmlQ5_1: *out = SourceDType::kQ5_1; return true;
    case kGgmlQ4_K: *out = SourceDType::kQ4_K; return true;
    case kGgmlQ5_K: *out = SourceDType::kQ5_K; return true;
    case kGgmlQ6_K: *out = SourceDType::kQ6_K; return true;
    default: return false;
  }
}

std::string printable(const std::string& s) {
  std::string out = s.size() > 200 ? s.substr(0, 197) + "..." : s;
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20) c = '?';
  }
  return out;
}

}  // namespace

const char* gguf_type_name(GgufType type) {
  switch (type) {
    case GgufType::kUint8: return "UINT8";
    case GgufType::kInt8: return "INT8";
    case GgufType::kUint16: return "UINT16";
    case GgufType::kInt16: return "INT16";
    case GgufType::kUint32: return "UINT32";
    case GgufType::kInt32: return "INT32";
    case GgufType::kFloat32: return "FLOAT32";
    case GgufType::kBool: return "BOOL";
    case GgufType::kString: return "STRING";
    case GgufType::kArray: return "ARRAY";
    case GgufType::kUint64: return "UINT64";
    case GgufType::kInt64: return "INT64";
    case GgufType::kFloat64: return "FLOAT64";
  }
  return "UNKNOWN";
}

std::string ggml_type_name(uint32_t ggml_type) {
  GgmlTypeInfo info = ggml_info(ggml_type);
  return info.name ? info.name : "type" + std::to_string(ggml_type);
}

// Parses the byte stream into a GgufFile; a class only so it can fill the
// GgufFile's private members.
class GgufParser {
 public:
  explicit GgufParser(GgufFile* g) : g_(g), r_(g->file_.path(), g->file_.data(), g->file_.size()) {}

  void parse() {
    const std::string& path = g_->file_.path();
    r_.require(4, "magic");
    const uint8_t* magic = r_.take(4, "magic");
    if (std::memcmp(magic, "GGUF", 4) != 0) {
      throw_convert_error(path, "bad magic (expected \"GGUF\"): not a GGUF file");
    }
    uint32_t version = r_.u32("version");
    if (version != 2 && version != 3) {
      const uint32_t swapped = __builtin_bswap32(version);
      if (swapped == 2 || swapped == 3) {
        throw_convert_error(path, "big-endian GGUF (version " + std::to_string(swapped) +
                                      ") is not supported");
      }
      throw_convert_error(path, "unsupported GGUF version " + std::to_string(version) +
                                    " (supported: 2, 3)");
    }
    g_->version_ = version;
    const uint64_t tensor_count = r_.u64("tensor_count");
    const uint64_t kv_count = r_.u64("kv_count");
    // Bound the counts by what the rest of the file could possibly hold
    // before reserving anything.
    const uint64_t left = r_.remaining();
    if (kv_count > left / kMinKvBytes || tensor_count > left / kMinTensorInfoBytes ||
        kv_count * kMinKvBytes + tensor_count * kMinTensorInfoBytes > left) {
      throw_convert_error(path, "header claims " + std::to_string(kv_count) + " metadata entries and " +
                                    std::to_string(tensor_count) + " tensors, more than the " +
                                    std::to_string(left) + " bytes after the header can hold");
    }

    g_->keys_.reserve(kv_count);
    g_->values_.reserve(kv_count);
    for (uint64_t i = 0; i < kv_count; ++i) parse_kv();

    if (const GgufValue* a = g_->find_value("general.alignment")) {
      // llama.cpp requires UINT32 here; accept any integer that fits.
      const uint32_t alignment = g_->get_u32("general.alignment");
      if (alignment == 0 || (alignment & (alignment - 1)) != 0) {
        throw_convert_error(path, "key 'general.alignment' at offset " + std::to_string(a->offset) +
                                      ": alignment " + std::to_string(alignment) +
                                      " is not a power of two");
      }
      g_->alignment_ = alignment;
    }

    g_->infos_.reserve(tensor_count);
    for (uint64_t i = 0; i < tensor_count; ++i) parse_tensor_info();

    const uint64_t end_of_infos = r_.offset();
    const uint64_t align = g_->alignment_;
    g_->data_offset_ = (end_of_infos + align - 1) / align * align;
    if (tensor_count > 0 && g_->data_offset_ > r_.size()) {
      throw_convert_error(path, "data section offset " + std::to_string(g_->data_offset_) +
                                    " past end of file (size " + std::to_string(r_.size()) + ")");
    }
    locate_tensors();
  }

 private:
  // Runs `f`; a truncation error from the ByteReader (which only knows the
  // offset) is rethrown with `where` (the key or tensor being read) added.
  template <typename F>
  void with_context(const std::string& where, F&& f) {
    try {
      f();
    } catch (const ConvertError& e) {
      const std::string& path = g_->file_.path();
      std::string msg = e.what();
      const std::string prefix = path + ": ";
      if (msg.rfind(prefix + "truncated", 0) != 0) throw;
      throw_convert_error(path, where + ": " + msg.substr(prefix.size()));
    }
  }

  std::string read_string(const char* what) {
    const uint64_t len = r_.u64(what);
    return r_.bytes_as_string(len, what);
  }

  void parse_kv() {
    const std::string& path = g_->file_.path();
    const uint64_t entry_offset = r_.offset();
    std::string key = read_string("metadata key");
    const std::string where = "key '" + printable(key) + "' at offset " + std::to_string(entry_offset);
    if (g_->kv_index_.count(key)) throw_convert_error(path, where + ": duplicate key");
    const uint32_t type = r_.u32("metadata value type");
    if (!known_type(type)) {
      throw_convert_error(path, where + ": unknown value type " + std::to_string(type));
    }
    GgufValue v;
    v.type = static_cast<GgufType>(type);
    v.offset = entry_offset;
    with_context(where, [&] { parse_value(&v, where, 0); });
    g_->kv_index_[key] = g_->values_.size();
    g_->keys_.push_back(std::move(key));
    g_->values_.push_back(std::move(v));
  }

  // Reads the value of `v->type` (already set). Nested arrays are validated
  // and skipped (nothing reads them); `depth` bounds the recursion.
  void parse_value(GgufValue* v, const std::string& where, uint32_t depth) {
    const std::string& path = g_->file_.path();
    if (v->type == GgufType::kString) {
      v->strings.push_back(read_string("string value"));
      return;
    }
    if (v->type != GgufType::kArray) {
      v->raw = r_.take(scalar_size(v->type), "scalar value");
      return;
    }
    if (depth >= kMaxArrayNesting) {
      throw_convert_error(path, where + ": arrays nested deeper than " +
                                    std::to_string(kMaxArrayNesting) + " levels");
    }
    const uint64_t array_offset = r_.offset();
    const uint32_t elem = r_.u32("array element type");
    if (!known_type(elem)) {
      throw_convert_error(path, where + ": array at offset " + std::to_string(array_offset) +
                                    " has unknown element type " + std::to_string(elem));
    }
    v->elem_type = static_cast<GgufType>(elem);
    v->count = r_.u64("array length");
    const uint64_t left = r_.remaining();
    const size_t es = scalar_size(v->elem_type);
    // Minimum bytes per element: strings need their u64 length, nested
    // arrays their type + length.
    const uint64_t min_elem = es ? es : (v->elem_type == GgufType::kString ? 8 : 12);
    if (v->count > left / min_elem) {
      throw_convert_error(path, where + ": array length " + std::to_string(v->count) + " of " +
                                    gguf_type_name(v->elem_type) + " exceeds the " +
                                    std::to_string(left) + " bytes left in the file");
    }
    if (es) {
      v->raw = r_.take(v->count * es, "array elements");
    } else if (v->elem_type == GgufType::kString) {
      v->strings.reserve(v->count);
      for (uint64_t i = 0; i < v->count; ++i) v->strings.push_back(read_string("array string"));
    } else {
      for (uint64_t i = 0; i < v->count; ++i) {
        GgufValue inner;
        inner.type = GgufType::kArray;
        parse_value(&inner, where, depth + 1);
      }
    }
  }

  void parse_tensor_info() {
    const std::string& path = g_->file_.path();
    GgufTensorInfo info;
    info.info_offset = r_.offset();
    info.name = read_string("tensor name");
    const std::string where = "tensor '" + printable(info.name) + "' (info at offset " +
                              std::to_string(info.info_offset) + ")";
    if (g_->tensor_index_.count(info.name)) throw_convert_error(path, where + ": duplicate tensor name");
    with_context(where, [&] { parse_tensor_shape(&info, where); });
    g_->tensor_index_[info.name] = g_->infos_.size();
    g_->infos_.push_back(std::move(info));
  }

  void parse_tensor_shape(GgufTensorInfo* out, const std::string& where) {
    const std::string& path = g_->file_.path();
    GgufTensorInfo& info = *out;
    const uint32_t n_dims = r_.u32("tensor n_dims");
    if (n_dims > kMaxDims) {
      throw_convert_error(path, where + ": " + std::to_string(n_dims) + " dims (max " +
                                    std::to_string(kMaxDims) + ")");
    }
    for (uint32_t d = 0; d < n_dims; ++d) {
      const uint64_t dim = r_.u64("tensor dim");
      if (dim > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        throw_convert_error(path, where + ": dim " + std::to_string(dim) + " too large");
      }
      info.dims.push_back(dim);
    }
    info.ggml_type = r_.u32("tensor type");
    info.offset = r_.u64("tensor offset");
  }

  void locate_tensors() {
    const std::string& path = g_->file_.path();
    const uint64_t data_size = g_->data_offset_ <= r_.size() ? r_.size() - g_->data_offset_ : 0;
    g_->tensors_.resize(g_->infos_.size());
    for (size_t i = 0; i < g_->infos_.size(); ++i) {
      GgufTensorInfo& info = g_->infos_[i];
      SourceTensor& t = g_->tensors_[i];
      t.name = info.name;
      t.source = path;
      for (auto it = info.dims.rbegin(); it != info.dims.rend(); ++it) {
        t.shape.push_back(static_cast<int64_t>(*it));
      }
      const std::string where = "tensor '" + printable(info.name) + "'";
      if (info.offset % g_->alignment_ != 0) {
        throw_convert_error(path, where + ": data offset " + std::to_string(info.offset) +
                                      " is not a multiple of the alignment " +
                                      std::to_string(g_->alignment_));
      }
      if (info.offset > data_size) {
        throw_convert_error(path, where + ": data offset " + std::to_string(info.offset) +
                                      " past end of data section (size " +
                                      std::to_string(data_size) + ")");
      }
      const GgmlTypeInfo ti = ggml_info(info.ggml_type);
      if (ti.block_elems == 0) continue;  // unknown type: recorded, unsupported
      uint64_t n = 0, unused = 0;
      if (!shape_numel(t.shape, 1, &n, &unused)) {
        throw_convert_error(path, where + ": shape " + shape_to_string(t.shape) + " overflows");
      }
      const uint64_t row = info.dims.empty() ? 1 : info.dims[0];
      if (row % ti.block_elems != 0) {
        throw_convert_error(path, where + ": first dim " + std::to_string(row) +
                                      " is not a multiple of the " + ti.name + " block size " +
                                      std::to_string(ti.block_elems));
      }
      const uint64_t blocks = n / ti.block_elems;
      if (blocks > std::numeric_limits<uint64_t>::max() / ti.block_bytes) {
        throw_convert_error(path, where + ": byte size overflows");
      }
      const uint64_t nbytes = blocks * ti.block_bytes;
      if (nbytes > data_size - info.offset) {
        const std::string end = nbytes <= std::numeric_limits<uint64_t>::max() - info.offset
                                    ? std::to_string(info.offset + nbytes)
                                    : std::to_string(info.offset) + " + " + std::to_string(nbytes);
        throw_convert_error(path, where + ": " + ggml_type_name(info.ggml_type) + " shape " +
                                      shape_to_string(t.shape) + " data range [" +
                                      std::to_string(info.offset) + ", " + end +
                                      ") past end of data section (size " +
                                      std::to_string(data_size) + ", data section at file offset " +
                                      std::to_string(g_->data_offset_) + ")");
      }
      info.supported = source_dtype(info.ggml_type, &t.dtype);
      if (info.supported) {
        t.data = g_->file_.data() + g_->data_offset_ + info.offset;
        t.nbytes = static_cast<size_t>(nbytes);
      }
    }
  }

  GgufFile* g_;
  ByteReader r_;
};

GgufFile GgufFile::open(const std::string& path) {
  GgufFile g;
  g.file_ = MappedFile::open(path);
  GgufParser(&g).parse();
  return g;
}

const GgufValue* GgufFile::find_value(const std::string& key) const {
  auto it = kv_index_.find(key);
  return it == kv_index_.end() ? nullptr : &values_[it->second];
}

const GgufValue& GgufFile::require(const std::string& key) const {
  const GgufValue* v = find_value(key);
  if (v == nullptr) throw_convert_error(path(), "missing metadata key '" + key + "'");
  return *v;
}

void GgufFile::fail_key(const std::string& key, const GgufValue& v, const std::string& what) const {
  std::string type = gguf_type_name(v.type);
  if (v.type == GgufType::kArray) type += std::string(" of ") + gguf_type_name(v.elem_type);
  throw_convert_error(path(), "key '" + key + "' (" + type + ", at offset " +
                                  std::to_string(v.offset) + "): " + what);
}

std::string GgufFile::get_string(const std::string& key) const {
  const GgufValue& v = require(key);
  if (v.type != GgufType::kString) fail_key(key, v, "expected STRING");
  return v.strings[0];
}

int64_t GgufFile::get_i64(const std::string& key) const {
  const GgufValue& v = require(key);
  if (!is_integer(v.type)) fail_key(key, v, "expected an integer");
  bool neg;
  uint64_t mag;
  read_integer(v.type, v.raw, &neg, &mag);
  if (!neg && mag > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    fail_key(key, v, "value " + std::to_string(mag) + " does not fit in int64");
  }
  return neg ? static_cast<int64_t>(0 - mag) : static_cast<int64_t>(mag);
}

uint32_t GgufFile::get_u32(const std::string& key) const {
  const GgufValue& v = require(key);
  if (!is_integer(v.type)) fail_key(key, v, "expected an integer");
  bool neg;
  uint64_t mag;
  read_integer(v.type, v.raw, &neg, &mag);
  if (neg) fail_key(key, v, "negative value -" + std::to_string(mag) + " does not fit in uint32");
  if (mag > std::numeric_limits<uint32_t>::max()) {
    fail_key(key, v, "value " + std::to_string(mag) + " does not fit in uint32");
  }
  return static_cast<uint32_t>(mag);
}

float GgufFile::get_f32(const std::string& key) const {
  const GgufValue& v = require(key);
  if (v.type == GgufType::kFloat32) {
    float f;
    std::memcpy(&f, v.raw, 4);
    return f;
  }
  if (v.type == GgufType::kFloat64) {
    double d;
    std::memcpy(&d, v.raw, 8);
    return narrow_to_float(d);
  }
  fail_key(key, v, "expected FLOAT32");
}

bool GgufFile::get_bool(const std::string& key) const {
  const GgufValue& v = require(key);
  if (v.type != GgufType::kBool) fail_key(key, v, "expected BOOL");
  return v.raw[0] != 0;
}

std::vector<std::string> GgufFile::get_string_array(const std::string& key) const {
  const GgufValue& v = require(key);
  if (v.type != GgufType::kArray || v.elem_type != GgufType::kString) {
    fail_key(key, v, "expected ARRAY of STRING");
  }
  return v.strings;
}

std::vector<float> GgufFile::get_f32_array(const std::string& key) const {
  const GgufValue& v = require(key);
  if (v.type != GgufType::kArray ||
      (v.elem_type != GgufType::kFloat32 && v.elem_type != GgufType::kFloat64)) {
    fail_key(key, v, "expected ARRAY of FLOAT32");
  }
  std::vector<float> out(static_cast<size_t>(v.count));
  for (size_t i = 0; i < out.size(); ++i) {
    if (v.elem_type == GgufType::kFloat32) {
      std::memcpy(&out[i], v.raw + 4 * i, 4);
    } else {
      double d;
      std::memcpy(&d, v.raw + 8 * i, 8);
      out[i] = narrow_to_float(d);
    }
  }
  return out;
}

std::vector<int32_t> GgufFile::get_i32_array(const std::string& key) const {
  const GgufValue& v = require(key);
  if (v.type != GgufType::kArray || !is_integer(v.elem_type)) {
    fail_key(key, v, "expected ARRAY of an integer type");
  }
  const size_t es = scalar_size(v.elem_type);
  std::vector<int32_t> out(static_cast<size_t>(v.count));
  for (size_t i = 0; i < out.size(); ++i) {
    bool neg;
    uint64_t mag;
    read_integer(v.elem_type, v.raw + es * i, &neg, &mag);
    const uint64_t limit = neg ? 2147483648ull : 2147483647ull;
    if (mag > limit) {
      fail_key(key, v, "element " + std::to_string(i) + " (" + (neg ? "-" : "") +
                           std::to_string(mag) + ") does not fit in int32");
    }
    out[i] = neg ? static_cast<int32_t>(-static_cast<int64_t>(mag)) : static_cast<int32_t>(mag);
  }
  return out;
}

const SourceTensor& GgufFile::checked(size_t index) const {
  const GgufTensorInfo& info = infos_[index];
  if (!info.supported) {
    throw_convert_error(path(), "tensor '" + info.name + "' has ggml type " +
                                    ggml_type_name(info.ggml_type) + " (" +
                                    std::to_string(info.ggml_type) +
                                    "), which is not supported (supported: F32, F16, BF16, F64, "
                                    "I8, I32, I64, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q4_K, Q5_K, Q6_K)");
  }
  return tensors_[index];
}

std::vector<SourceTensor> GgufFile::tensors() const {
  std::vector<SourceTensor> out;
  out.reserve(tensors_.size());
  for (size_t i = 0; i < tensors_.size(); ++i) out.push_back(checked(i));
  return out;
}

const SourceTensor* GgufFile::find(const std::string& name) const {
  auto it = tensor_index_.find(name);
  return it == tensor_index_.end() ? nullptr : &checked(it->second);
}

const SourceTensor& GgufFile::tensor(const std::string& name) const {
  const SourceTensor* t = find(name);
  if (t == nullptr) throw_convert_error(path(), "tensor '" + name + "' not found");
  return *t;
}

}  // namespace edgeattn::convert
