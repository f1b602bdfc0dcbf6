// YamlLite: the flat YAML subset Marian writes for its configs
// (special:model.yml inside a model, the decoder's config.yml next to it):
//
//   key: scalar              # comments and blank lines are ignored
//   key: "quoted"            # '' and "" quotes are removed
//   key: []                  # an empty list
//   key:
//     - item                 # a list of scalars, indented
//
// Nested mappings, flow mappings and multi-line scalars are not Marian
// config syntax and are refused with a ConvertError naming the file and
// line, as is a key given twice.
//
// Example:
//   YamlLite y = YamlLite::parse(text, "special:model.yml");
//   int depth = y.get_int("enc-depth");              // 6
//   std::vector<std::string> v = y.list("vocabs");   // {"vocab.enpt.spm", ...}
#pragma once

#include <map>
#include <string>
#include <vector>

namespace edgeattn::convert {

class YamlLite {
 public:
  // `source` names the text in errors (a file, or "model.bin:special:model.yml").
  static YamlLite parse(const std::string& text, const std::string& source);

  bool has(const std::string& key) const { return values_.count(key) != 0; }
  // A scalar value; throws ConvertError if missing or a list.
  const std::string& get(const std::string& key) const;
  std::string get_or(const std::string& key, const std::string& fallback) const;
  int64_t get_int(const std::string& key) const;
  double get_double(const std::string& key) const;
  bool get_bool(const std::string& key) const;  // true/false
  // A list (a scalar is a one-element list); throws if missing.
  std::vector<std::string> list(const std::string& key) const;

 private:
  struct Value {
    bool is_list = false;
    std::vector<std::string> items;  // one item for a scalar
  };
  std::string source_;
  std::map<std::string, Value> values_;
};

}  // namespace edgeattn::convert
