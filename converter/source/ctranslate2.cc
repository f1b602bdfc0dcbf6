#include "converter/source/ctranslate2.h"

#include <cstring>

#include "converter/source/byte_reader.h"
#include "converter/source/convert_error.h"

namespace edgeattn::convert {

namespace {

// Smallest records, used to bound counts by the bytes left before any
// vector is sized from a count read from the file.
constexpr uint64_t kMinStringBytes = 2 + 1;                      // length, NUL
constexpr uint64_t kMinVariableBytes = kMinStringBytes + 1 + 1 + 4;  // rank 0, no data
constexpr uint64_t kMinAliasBytes = 2 * kMinStringBytes;

// Bytes per element, 0 for ids this reader does not know.
size_t ct2_dtype_size(uint8_t dtype) {
  switch (dtype) {
    case kCt2Float32: return 4;
    case kCt2Int8: return 1;
    case kCt2Int16: return 2;
    case kCt2Int32: return 4;
    case kCt2Float16: return 2;
    case kCt2BFloat16: return 2;
    default: return 0;
  }
}

bool source_dtype(uint8_t dtype, SourceDType* out) {
  switch (dtype) {
    case kCt2Float32: *out = SourceDType::kF32; return true;
    case kCt2Int8: *out = SourceDType::kI8; return true;
    case kCt2Int32: *out = SourceDType::kI32; return true;
    case kCt2Float16: *out = SourceDType::kF16; return true;
    case kCt2BFloat16: *out = SourceDType::kBF16; return true;
    default: return false;  // int16: no SourceDType
  }
}

std::string printable(const std::string& s) {
  std::string out = s.size() > 200 ? s.substr(0, 197) + "..." : s;
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20) c = '?';
  }
  return out;
}

std::string dims_to_string(const std::vector<uint32_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + "]";
}

}  // namespace

std::string ct2_dtype_name(uint8_t dtype) {
  switch (dtype) {
    case kCt2Float32: return "float32";
    case kCt2Int8: return "int8";
    case kCt2Int16: return "int16";
    case kCt2Int32: return "int32";
    case kCt2Float16: return "float16";
    case kCt2BFloat16: return "bfloat16";
    default: return "dtype" + std::to_string(dtype);
  }
}

// Parses the byte stream into a Ct2File; a class only so it can fill the
// Ct2File's private members.
class Ct2Parser {
 public:
  explicit Ct2Parser(Ct2File* m) : m_(m), r_(m->file_.path(), m->file_.data(), m->file_.size()) {}

  void parse() {
    m_->version_ = r_.u32("binary version");
    if (m_->version_ != Ct2File::kSupportedVersion) {
      fail(0, "unsupported CTranslate2 binary version " + std::to_string(m_->version_) +
                  " (supported: " + std::to_string(Ct2File::kSupportedVersion) + ")");
    }
    m_->spec_name_ = string("spec name");
    m_->revision_ = r_.u32("spec revision");
    const uint64_t n_vars = count("variable count", kMinVariableBytes);
    m_->variables_.reserve(n_vars);
    m_->tensors_.reserve(n_vars);
    for (uint64_t i = 0; i < n_vars; ++i) variable(i);
    const uint64_t n_aliases = count("alias count", kMinAliasBytes);
    m_->aliases_.reserve(n_aliases);
    for (uint64_t i = 0; i < n_aliases; ++i) alias(i);
    if (r_.remaining() != 0) {
      fail(r_.offset(), std::to_string(r_.remaining()) +
                            " trailing bytes after the alias table (a model.bin ends there)");
    }
  }

 private:
  [[noreturn]] void fail(uint64_t offset, const std::string& what) const {
    throw_convert_error(m_->path(), "offset " + std::to_string(offset) + ": " + what);
  }

  // u32 count of records of at least `min_bytes` each, bounded by the bytes left.
  uint64_t count(const char* what, uint64_t min_bytes) {
    const uint64_t at = r_.offset();
    const uint64_t n = r_.u32(what);
    if (n > r_.remaining() / min_bytes) {
      fail(at, std::string(what) + " " + std::to_string(n) + " cannot fit in the " +
                   std::to_string(r_.remaining()) + " bytes left");
    }
    return n;
  }

  // u16 length (including the trailing NUL), then the bytes.
  std::string string(const std::string& what) {
    const uint64_t at = r_.offset();
    const uint16_t n = r_.u16((what + " length").c_str());
    if (n == 0) fail(at, what + ": string length 0 (it must hold at least the NUL)");
    const uint8_t* p = r_.take(n, what.c_str());
    if (p[n - 1] != 0) fail(at, what + ": string of length " + std::to_string(n) + " not NUL-terminated");
    std::string s(reinterpret_cast<const char*>(p), n - 1u);
    if (s.find('\0') != std::string::npos) fail(at, what + ": interior NUL in '" + printable(s) + "'");
    if (s.empty()) fail(at, what + ": empty name");
    return s;
  }

  void add_name(const std::string& name, uint64_t at, size_t index, const char* kind) {
    if (!m_->index_.emplace(name, index).second) {
      fail(at, std::string(kind) + " '" + printable(name) + "': duplicate name");
    }
  }

  void variable(uint64_t i) {
    Ct2Variable v;
    v.record_offset = r_.offset();
    v.name = string("variable " + std::to_string(i) + " name");
    const std::string label = "variable '" + printable(v.name) + "'";
    const uint8_t rank = r_.u8((label + " rank").c_str());
    if (rank > Ct2File::kMaxRank) {
      fail(r_.offset() - 1, label + ": rank " + std::to_string(rank) + " > " +
                                std::to_string(Ct2File::kMaxRank));
    }
    r_.require(4ull * rank, (label + " dims").c_str());
    std::vector<int64_t> shape;
    for (uint8_t d = 0; d < rank; ++d) {
      v.dims.push_back(r_.u32("dim"));
      shape.push_back(v.dims.back());
    }
    const uint64_t dtype_at = r_.offset();
    v.dtype = r_.u8((label + " dtype").c_str());
    const size_t esize = ct2_dtype_size(v.dtype);
    if (esize == 0) fail(dtype_at, label + ": unknown dtype id " + std::to_string(v.dtype));
    const uint64_t size_at = r_.offset();
    v.nbytes = r_.u32((label + " num_bytes").c_str());
    uint64_t n = 0, expect = 0;
    if (!shape_numel(shape, esize, &n, &expect)) {
      fail(size_at, label + ": dims " + dims_to_string(v.dims) + " x " + ct2_dtype_name(v.dtype) +
                        " overflows");
    }
    if (expect != v.nbytes) {
      fail(size_at, label + ": num_bytes " + std::to_string(v.nbytes) + " != " +
                        dims_to_string(v.dims) + " x " + std::to_string(esize) + " bytes (" +
                        ct2_dtype_name(v.dtype) + ") = " + std::to_string(expect));
    }
    v.offset = r_.offset();
    v.data = r_.take(v.nbytes, (label + " data").c_str());
    add_name(v.name, v.record_offset, m_->variables_.size(), "variable");

    SourceTensor t;
    t.name = v.name;
    t.source = m_->path();
    v.supported = source_dtype(v.dtype, &t.dtype);
    if (v.supported) {
      t.shape = std::move(shape);
      t.data = v.data;
      t.nbytes = static_cast<size_t>(v.nbytes);
    }
    m_->variables_.push_back(std::move(v));
    m_->tensors_.push_back(std::move(t));
  }

  void alias(uint64_t i) {
    Ct2Alias a;
    a.record_offset = r_.offset();
    a.alias = string("alias " + std::to_string(i) + " name");
    const std::string label = "alias '" + printable(a.alias) + "'";
    a.variable = string(label + " target");
    // Targets are looked up among variables only: an alias of an alias is
    // refused (see ctranslate2.h).
    auto it = m_->index_.find(a.variable);
    if (it == m_->index_.end() || m_->variables_[it->second].name != a.variable) {
      fail(a.record_offset, label + ": target '" + printable(a.variable) + "' is not a variable");
    }
    add_name(a.alias, a.record_offset, it->second, "alias");
    m_->aliases_.push_back(std::move(a));
  }

  Ct2File* m_;
  ByteReader r_;
};

Ct2File Ct2File::open(const std::string& path) {
  Ct2File m;
  m.file_ = MappedFile::open(path);
  Ct2Parser(&m).parse();
  return m;
}

bool Ct2File::has(const std::string& name) const { return index_.count(name) != 0; }

const Ct2Variable* Ct2File::find_variable(const std::string& name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &variables_[it->second];
}

const SourceTensor* Ct2File::find(const std::string& name) const {
  auto it = index_.find(name);
  if (it == index_.end()) return nullptr;
  const Ct2Variable& v = variables_[it->second];
  if (!v.supported) {
    throw_convert_error(path(), "variable '" + v.name + "' (offset " + std::to_string(v.record_offset) +
                                    ") has dtype " + ct2_dtype_name(v.dtype) +
                                    ", which is not supported as a tensor (supported: float32, "
                                    "float16, bfloat16, int8, int32; integer scalars: get_int)");
  }
  return &tensors_[it->second];
}

const SourceTensor& Ct2File::tensor(const std::string& name) const {
  const SourceTensor* t = find(name);
  if (t == nullptr) throw_convert_error(path(), "variable '" + name + "' not found");
  return *t;
}

const Ct2Variable& Ct2File::require(const std::string& name) const {
  const Ct2Variable* v = find_variable(name);
  if (v == nullptr) throw_convert_error(path(), "variable '" + name + "' not found");
  return *v;
}

int64_t Ct2File::get_int(const std::string& name) const {
  const Ct2Variable& v = require(name);
  const size_t esize = ct2_dtype_size(v.dtype);
  const bool integer = v.dtype == kCt2Int8 || v.dtype == kCt2Int16 || v.dtype == kCt2Int32;
  if (!integer || v.nbytes != esize) {
    throw_convert_error(path(), "variable '" + v.name + "' (offset " + std::to_string(v.record_offset) +
                                    "): expected one int8/int16/int32 value, found " +
                                    ct2_dtype_name(v.dtype) + " " + dims_to_string(v.dims));
  }
  if (v.dtype == kCt2Int8) return static_cast<int8_t>(v.data[0]);
  if (v.dtype == kCt2Int16) {
    int16_t x;
    std::memcpy(&x, v.data, 2);
    return x;
  }
  int32_t x;
  std::memcpy(&x, v.data, 4);
  return x;
}

}  // namespace edgeattn::convert
