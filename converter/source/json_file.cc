#include "converter/source/json_file.h"

#include "converter/source/convert_error.h"
#include "converter/source/mapped_file.h"

namespace edgeattn::convert {

namespace {
constexpr size_t kMaxJsonFileBytes = 100u << 20;

const nlohmann::json& member(const nlohmann::json& obj, const std::string& key,
                             const std::string& file) {
  if (!obj.is_object()) throw_convert_error(file, "expected a JSON object looking up key '" + key + "'");
  auto it = obj.find(key);
  if (it == obj.end()) throw_convert_error(file, "missing key '" + key + "'");
  return *it;
}
}  // namespace

nlohmann::json read_json_file(const std::string& path) {
  MappedFile f = MappedFile::open(path);
  if (f.size() > kMaxJsonFileBytes) {
    throw_convert_error(path, "JSON file is " + std::to_string(f.size()) +
                                  " bytes, over the 100 MB limit");
  }
  const char* begin = reinterpret_cast<const char*>(f.data());
  try {
    return nlohmann::json::parse(begin, begin + f.size());
  } catch (const nlohmann::json::exception& e) {
    throw_convert_error(path, std::string("invalid JSON: ") + e.what());
  }
}

int64_t json_get_int(const nlohmann::json& obj, const std::string& key, const std::string& file) {
  const nlohmann::json& v = member(obj, key, file);
  if (!v.is_number_integer()) throw_convert_error(file, "key '" + key + "' is not an integer: " + v.dump());
  if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
    throw_convert_error(file, "key '" + key + "' is out of range: " + v.dump());
  }
  return v.get<int64_t>();
}

double json_get_number(const nlohmann::json& obj, const std::string& key, const std::string& file) {
  const nlohmann::json& v = member(obj, key, file);
  if (!v.is_number()) throw_convert_error(file, "key '" + key + "' is not a number: " + v.dump());
  return v.get<double>();
}

std::string json_get_string(const nlohmann::json& obj, const std::string& key,
                            const std::string& file) {
  const nlohmann::json& v = member(obj, key, file);
  if (!v.is_string()) throw_convert_error(file, "key '" + key + "' is not a string: " + v.dump());
  return v.get<std::string>();
}

}  // namespace edgeattn::convert
