#include "converter/source/safetensors.h"

#include <algorithm>
#include <cstring>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "converter/source/convert_error.h"
#include "converter/source/json_file.h"

namespace edgeattn::convert {

namespace fs = std::filesystem;

bool parse_safetensors_dtype(const std::string& s, SourceDType* out) {
  static const std::pair<const char*, SourceDType> kNames[] = {
      {"F32", SourceDType::kF32}, {"F16", SourceDType::kF16}, {"BF16", SourceDType::kBF16},
      {"I8", SourceDType::kI8},   {"I32", SourceDType::kI32}, {"I64", SourceDType::kI64},
      {"F64", SourceDType::kF64},
  };
  for (const auto& [name, dtype] : kNames) {
    if (s == name) {
      *out = dtype;
      return true;
    }
  }
  return false;
}

namespace {

// Valid safetensors dtypes this converter does not read; named separately so
// the error says "unsupported" rather than "unknown".
bool is_other_safetensors_dtype(const std::string& s) {
  static const char* const kOther[] = {"BOOL", "U8", "I16", "U16", "U32", "U64",
                                       "F8_E4M3", "F8_E5M2", "F8_E8M0", "F4", "F6_E2M3",
                                       "F6_E3M2"};
  for (const char* o : kOther) {
    if (s == o) return true;
  }
  return false;
}

// Bounded for messages: a corrupt header could hold a megabyte-long value.
std::string short_dump(const nlohmann::json& j) {
  std::string s = j.dump(-1, ' ', /*ensure_ascii=*/true);
  if (s.size() > 80) s = s.substr(0, 77) + "...";
  return s;
}

std::string short_name(const std::string& name) {
  std::string s = name.size() > 200 ? name.substr(0, 197) + "..." : name;
  for (char& c : s) {
    if (static_cast<unsigned char>(c) < 0x20) c = '?';  // keep the message one line
  }
  return s;
}

// Reads a non-negative JSON integer, or throws with `what` in the message.
uint64_t json_uint(const nlohmann::json& v, const std::string& file, const std::string& what) {
  if (v.is_number_unsigned()) return v.get<uint64_t>();
  if (v.is_number_integer() && v.get<int64_t>() >= 0) return static_cast<uint64_t>(v.get<int64_t>());
  throw_convert_error(file, what + " must be a non-negative integer, got " + short_dump(v));
}

}  // namespace

SafetensorsFile SafetensorsFile::open(const std::string& path) {
  SafetensorsFile out;
  out.file_ = MappedFile::open(path);
  const uint8_t* base = out.file_.data();
  const uint64_t size = out.file_.size();
  if (size < 8) {
    throw_convert_error(path, "file is " + std::to_string(size) +
                                  " bytes, too short for the 8-byte safetensors header length");
  }
  uint64_t header_len;
  std::memcpy(&header_len, base, 8);
  if (header_len > kMaxHeaderBytes) {
    throw_convert_error(path, "header length " + std::to_string(header_len) +
                                  " exceeds the 100 MB limit (not a safetensors file?)");
  }
  if (header_len > size - 8) {
    throw_convert_error(path, "header length " + std::to_string(header_len) +
                                  " runs past end of file (size " + std::to_string(size) + ")");
  }
  const uint64_t data_start = 8 + header_len;
  const uint64_t data_size = size - data_start;

  nlohmann::json header;
  const char* text = reinterpret_cast<const char*>(base + 8);
  try {
    header = nlohmann::json::parse(text, text + header_len);
  } catch (const nlohmann::json::exception& e) {
    throw_convert_error(path, std::string("invalid JSON header: ") + e.what());
  }
  if (!header.is_object()) {
    throw_convert_error(path, "JSON header is not an object: " + short_dump(header));
  }

  for (auto it = header.begin(); it != header.end(); ++it) {
    const std::string& name = it.key();
    const nlohmann::json& entry = it.value();
    if (name == "__metadata__") {
      if (!entry.is_object()) throw_convert_error(path, "'__metadata__' is not an object");
      for (auto m = entry.begin(); m != entry.end(); ++m) {
        if (!m.value().is_string()) {
          throw_convert_error(path, "metadata key '" + short_name(m.key()) +
                                        "' is not a string: " + short_dump(m.value()));
        }
        out.metadata_[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    const std::string where = "tensor '" + short_name(name) + "'";
    if (!entry.is_object()) throw_convert_error(path, where + ": entry is not an object");

    auto dt = entry.find("dtype");
    if (dt == entry.end() || !dt->is_string()) {
      throw_convert_error(path, where + ": missing or non-string 'dtype'");
    }
    SourceTensor t;
    t.name = name;
    t.source = path;
    const std::string dtype = dt->get<std::string>();
    if (!parse_safetensors_dtype(dtype, &t.dtype)) {
      throw_convert_error(path, where + (is_other_safetensors_dtype(dtype) ? ": unsupported" : ": unknown") +
                                    " dtype '" + short_name(dtype) + "'");
    }

    auto sh = entry.find("shape");
    if (sh == entry.end() || !sh->is_array()) {
      throw_convert_error(path, where + ": missing or non-array 'shape'");
    }
    for (const nlohmann::json& d : *sh) {
      uint64_t v = json_uint(d, path, where + ": shape dimension");
      if (v > static_cast<uint64_t>(INT64_MAX)) {
        throw_convert_error(path, where + ": shape dimension " + std::to_string(v) + " too large");
      }
      t.shape.push_back(static_cast<int64_t>(v));
    }

    auto off = entry.find("data_offsets");
    if (off == entry.end() || !off->is_array() || off->size() != 2) {
      throw_convert_error(path, where + ": 'data_offsets' must be an array [begin, end]");
    }
    const uint64_t begin = json_uint((*off)[0], path, where + ": data_offsets begin");
    const uint64_t end = json_uint((*off)[1], path, where + ": data_offsets end");
    if (begin > end) {
      throw_convert_error(path, where + ": data_offsets begin " + std::to_string(begin) +
                                    " > end " + std::to_string(end));
    }
    if (end > data_size) {
      throw_convert_error(path, where + ": data range [" + std::to_string(begin) + ", " +
                                    std::to_string(end) + ") past end of data area (size " +
                                    std::to_string(data_size) + ", file size " +
                                    std::to_string(size) + ")");
    }
    uint64_t n = 0, nbytes = 0;
    if (!shape_numel(t.shape, dtype_size(t.dtype), &n, &nbytes)) {
      throw_convert_error(path, where + ": shape " + shape_to_string(t.shape) + " overflows");
    }
    if (nbytes != end - begin) {
      throw_convert_error(path, where + ": shape " + shape_to_string(t.shape) + " of " + dtype +
                                    " needs " + std::to_string(nbytes) + " bytes but data_offsets [" +
                                    std::to_string(begin) + ", " + std::to_string(end) + ") hold " +
                                    std::to_string(end - begin));
    }
    t.data = base + data_start + begin;
    t.nbytes = static_cast<size_t>(nbytes);
    out.tensors_.push_back(std::move(t));
  }

  std::sort(out.tensors_.begin(), out.tensors_.end(),
            [](const SourceTensor& a, const SourceTensor& b) { return a.name < b.name; });
  for (size_t i = 0; i < out.tensors_.size(); ++i) out.index_[out.tensors_[i].name] = i;
  return out;
}

const SourceTensor* SafetensorsFile::find(const std::string& name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &tensors_[it->second];
}

SafetensorsCheckpoint SafetensorsCheckpoint::open(const std::string& path) {
  SafetensorsCheckpoint out;
  out.path_ = path;
  std::error_code ec;
  std::string index_path;
  std::string single_path;
  if (fs::is_directory(path, ec)) {
    const fs::path dir(path);
    if (fs::exists(dir / "model.safetensors.index.json", ec)) {
      index_path = (dir / "model.safetensors.index.json").string();
    } else if (fs::exists(dir / "model.safetensors", ec)) {
      single_path = (dir / "model.safetensors").string();
    } else {
      throw_convert_error(path, "folder has neither model.safetensors nor model.safetensors.index.json");
    }
  } else if (fs::path(path).extension() == ".json") {
    index_path = path;
  } else {
    single_path = path;
  }

  if (!single_path.empty()) {
    out.shards_.push_back(std::make_unique<SafetensorsFile>(SafetensorsFile::open(single_path)));
    for (const SourceTensor& t : out.shards_[0]->tensors()) {
      out.by_name_[t.name] = &t;
      out.names_.push_back(t.name);
    }
    return out;
  }

  nlohmann::json index = read_json_file(index_path);
  if (!index.is_object()) throw_convert_error(index_path, "index is not a JSON object");
  auto wm = index.find("weight_map");
  if (wm == index.end() || !wm->is_object()) {
    throw_convert_error(index_path, "missing or non-object 'weight_map'");
  }
  if (wm->empty()) throw_convert_error(index_path, "'weight_map' is empty");
  const fs::path dir = fs::path(index_path).parent_path();
  std::map<std::string, SafetensorsFile*> by_shard_name;
  for (auto it = wm->begin(); it != wm->end(); ++it) {
    const std::string& name = it.key();
    if (!it.value().is_string()) {
      throw_convert_error(index_path, "weight_map entry for tensor '" + short_name(name) +
                                          "' is not a string: " + short_dump(it.value()));
    }
    const std::string shard = it.value().get<std::string>();
    // Shards live next to the index; refusing paths keeps a crafted index
    // from pointing the converter at arbitrary files.
    if (shard.empty() || shard.find('/') != std::string::npos ||
        shard.find('\\') != std::string::npos || shard == "." || shard == "..") {
      throw_convert_error(index_path, "tensor '" + short_name(name) + "': shard name '" +
                                          short_name(shard) + "' must be a plain file name");
    }
    auto found = by_shard_name.find(shard);
    if (found == by_shard_name.end()) {
      out.shards_.push_back(
          std::make_unique<SafetensorsFile>(SafetensorsFile::open((dir / shard).string())));
      found = by_shard_name.emplace(shard, out.shards_.back().get()).first;
    }
    const SourceTensor* t = found->second->find(name);
    if (t == nullptr) {
      throw_convert_error(index_path, "tensor '" + short_name(name) + "' is mapped to shard '" +
                                          shard + "', which does not contain it");
    }
    out.by_name_[name] = t;
    out.names_.push_back(name);
  }
  std::sort(out.names_.begin(), out.names_.end());
  return out;
}

const SourceTensor* SafetensorsCheckpoint::find(const std::string& name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second;
}

const SourceTensor& SafetensorsCheckpoint::tensor(const std::string& name) const {
  const SourceTensor* t = find(name);
  if (t == nullptr) throw_convert_error(path_, "tensor '" + name + "' not found");
  return *t;
}

}  // namespace edgeattn::convert
