// Reading small JSON files of a checkpoint folder (config.json,
// model.safetensors.index.json) with errors that name the file.
//
// Example:
//   nlohmann::json cfg = read_json_file(dir + "/config.json");
//   int64_t hidden = json_get_int(cfg, "hidden_size", dir + "/config.json");
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "converter/source/convert_error.h"

namespace edgeattn::convert {

// Parses `path` as JSON. Throws ConvertError naming the path for a missing
// file, a parse error (with its byte position) or a file over 100 MB.
nlohmann::json read_json_file(const std::string& path);

// Required-member accessors; throw ConvertError "<file>: key 'k' ..." when
// the key is missing or has the wrong type.
int64_t json_get_int(const nlohmann::json& obj, const std::string& key, const std::string& file);
double json_get_number(const nlohmann::json& obj, const std::string& key,
                       const std::string& file);
std::string json_get_string(const nlohmann::json& obj, const std::string& key,
                            const std::string& file);

}  // namespace edgeattn::convert
