#include "converter/source/marian_model.h"

#include <cstring>

#include "converter/source/byte_reader.h"
#include "converter/source/convert_error.h"

namespace edgeattn::convert {

namespace {

constexpr uint64_t kHeaderBytes = 32;  // four u64 per item
constexpr uint64_t kMaxRank = 8;

// Bytes per element of the types this reader accepts, 0 otherwise.
uint64_t type_size(uint64_t type) {
  switch (type) {
    case kMarianInt8: return 1;
    case kMarianFloat32: return 4;
    case kMarianIntgemm8: return 1;
    default: return 0;
  }
}

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "%#llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

uint64_t MarianItem::elements() const {
  uint64_t n = 1;
  for (int64_t d : shape) n *= static_cast<uint64_t>(d);
  return n;
}

class MarianParser {
 public:
  explicit MarianParser(MarianFile& m) : m_(m), r_(m.file_.path(), m.file_.data(), m.file_.size()) {}

  void parse() {
    const uint64_t version = r_.u64("binary file version");
    if (version != 1) throw_convert_error(r_.file(), "binary file version " + std::to_string(version) + " (only 1 is read; 2 is encrypted)");
    const uint64_t n = r_.u64("item count");
    if (n == 0 || n > r_.remaining() / kHeaderBytes) {
      throw_convert_error(r_.file(), "item count " + std::to_string(n) + " does not fit the file");
    }
    struct Header { uint64_t name_length, type, shape_length, data_length; };
    std::vector<Header> headers(static_cast<size_t>(n));
    for (Header& h : headers) {
      h.name_length = r_.u64("item name length");
      h.type = r_.u64("item type");
      h.shape_length = r_.u64("item shape length");
      h.data_length = r_.u64("item data length");
    }
    m_.items_.resize(headers.size());
    for (size_t i = 0; i < headers.size(); ++i) read_name(headers[i].name_length, &m_.items_[i]);
    for (size_t i = 0; i < headers.size(); ++i) read_shape(headers[i].shape_length, &m_.items_[i]);
    const uint64_t pad = r_.u64("data alignment padding");
    r_.skip(pad, "data alignment padding");
    for (size_t i = 0; i < headers.size(); ++i) read_data(headers[i].type, headers[i].data_length, &m_.items_[i]);
  }

 private:
  void read_name(uint64_t length, MarianItem* item) {
    const uint64_t at = r_.offset();
    if (length < 2 || length > 4096) throw_convert_error(r_.file(), "item name length " + std::to_string(length) + " at offset " + std::to_string(at));
    std::string name = r_.bytes_as_string(length, "item name");
    if (name.back() != '\0' || std::strlen(name.c_str()) != length - 1) {
      throw_convert_error(r_.file(), "item name at offset " + std::to_string(at) + " is not one NUL-terminated string");
    }
    name.pop_back();
    if (!m_.index_.emplace(name, static_cast<size_t>(&*item - m_.items_.data())).second) {
      throw_convert_error(r_.file(), "item '" + name + "' appears twice");
    }
    item->name = std::move(name);
  }

  void read_shape(uint64_t rank, MarianItem* item) {
    if (rank == 0 || rank > kMaxRank) throw_convert_error(r_.file(), "item '" + item->name + "': rank " + std::to_string(rank));
    for (uint64_t d = 0; d < rank; ++d) {
      const int32_t v = r_.i32("item shape");
      if (v <= 0) throw_convert_error(r_.file(), "item '" + item->name + "': dim " + std::to_string(v));
      item->shape.push_back(v);
    }
  }

  void read_data(uint64_t type, uint64_t length, MarianItem* item) {
    const uint64_t size = type_size(type);
    if (size == 0) throw_convert_error(r_.file(), "item '" + item->name + "': type " + hex(type) + " is not read (float32, int8, intgemm8)");
    item->type = type;
    uint64_t elements = 1;
    for (int64_t d : item->shape) {
      if (elements > (uint64_t{1} << 40) / static_cast<uint64_t>(d)) throw_convert_error(r_.file(), "item '" + item->name + "': too many elements");
      elements *= static_cast<uint64_t>(d);
    }
    const uint64_t need = elements * size + (type == kMarianIntgemm8 ? 4 : 0);
    if (length < need) {
      throw_convert_error(r_.file(), "item '" + item->name + "': " + std::to_string(length) + " data bytes, its shape needs " + std::to_string(need));
    }
    item->offset = r_.offset();
    item->data = r_.take(length, "item data");
    item->bytes = length;
  }

  MarianFile& m_;
  ByteReader r_;
};

MarianFile MarianFile::open(const std::string& path) {
  MarianFile m;
  m.file_ = MappedFile::open(path);
  MarianParser(m).parse();
  return m;
}

const MarianItem* MarianFile::find(const std::string& name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &items_[it->second];
}

const MarianItem& MarianFile::item(const std::string& name) const {
  const MarianItem* item = find(name);
  if (item == nullptr) throw_convert_error(path(), "no item '" + name + "'");
  return *item;
}

float MarianFile::quant_mult(const MarianItem& item) const {
  if (item.type != kMarianIntgemm8) throw_convert_error(path(), "item '" + item.name + "' is not intgemm8");
  float mult;
  std::memcpy(&mult, item.data + item.elements(), sizeof(float));
  if (!(mult > 0) || mult > 1e30f) throw_convert_error(path(), "item '" + item.name + "': quantization multiplier " + std::to_string(mult));
  return mult;
}

float MarianFile::scalar(const std::string& name) const {
  const MarianItem& it = item(name);
  if (it.elements() != 1) throw_convert_error(path(), "item '" + name + "' is not a scalar");
  if (it.type == kMarianFloat32) return floats(it)[0];
  if (it.type == kMarianIntgemm8) {
    // As Marian's unquantizeWemb: q * (1 / mult).
    return static_cast<float>(static_cast<int8_t>(it.data[0])) * (1.0f / quant_mult(it));
  }
  throw_convert_error(path(), "item '" + name + "' is not a float scalar");
}

std::vector<float> MarianFile::floats(const MarianItem& item) const {
  if (item.type != kMarianFloat32) throw_convert_error(path(), "item '" + item.name + "' is not float32");
  std::vector<float> v(static_cast<size_t>(item.elements()));
  std::memcpy(v.data(), item.data, v.size() * sizeof(float));
  return v;
}

std::string MarianFile::text(const std::string& name) const {
  const MarianItem& it = item(name);
  if (it.type != kMarianInt8) throw_convert_error(path(), "item '" + name + "' is not text");
  std::string s(reinterpret_cast<const char*>(it.data), static_cast<size_t>(it.elements()));
  while (!s.empty() && s.back() == '\0') s.pop_back();
  return s;
}

}  // namespace edgeattn::convert
