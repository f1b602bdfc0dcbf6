#include "converter/source/yaml_lite.h"

#include <cerrno>
#include <cstdlib>
#include <sstream>

#include "converter/source/convert_error.h"

namespace edgeattn::convert {

namespace {

std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  const size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

// Drops a "# comment" that is not inside quotes.
std::string strip_comment(const std::string& s) {
  char quote = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (quote != 0) {
      if (s[i] == quote) quote = 0;
    } else if (s[i] == '"' || s[i] == '\'') {
      quote = s[i];
    } else if (s[i] == '#' && (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t')) {
      return s.substr(0, i);
    }
  }
  return s;
}

std::string unquote(const std::string& s) {
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front()) {
    return s.substr(1, s.size() - 2);
  }
  return s;
}

}  // namespace

YamlLite YamlLite::parse(const std::string& text, const std::string& source) {
  YamlLite y;
  y.source_ = source;
  std::istringstream in(text);
  std::string raw, list_key;
  int line_no = 0;
  auto fail = [&](const std::string& what) {
    throw_convert_error(source, "line " + std::to_string(line_no) + ": " + what);
  };
  while (std::getline(in, raw)) {
    ++line_no;
    const std::string line = strip_comment(raw);
    const std::string t = trim(line);
    if (t.empty() || t == "---") continue;
    if (t[0] == '-') {
      if (list_key.empty()) fail("list item outside a list");
      y.values_[list_key].items.push_back(unquote(trim(t.substr(1))));
      continue;
    }
    if (line[0] == ' ' || line[0] == '\t') fail("nested mapping (not Marian config syntax)");
    const size_t colon = t.find(':');
    if (colon == std::string::npos || colon == 0) fail("expected 'key: value'");
    const std::string key = trim(t.substr(0, colon));
    const std::string value = trim(t.substr(colon + 1));
    if (y.values_.count(key) != 0) fail("key '" + key + "' given twice");
    Value& v = y.values_[key];
    list_key.clear();
    if (value.empty()) {
      v.is_list = true;
      list_key = key;
    } else if (value == "[]") {
      v.is_list = true;
    } else if (value[0] == '{' || value[0] == '[' || value[0] == '|' || value[0] == '>') {
      fail("value of '" + key + "': flow collections and block scalars are not read");
    } else {
      v.items.push_back(unquote(value));
    }
  }
  return y;
}

const std::string& YamlLite::get(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) throw_convert_error(source_, "no key '" + key + "'");
  if (it->second.is_list || it->second.items.size() != 1) throw_convert_error(source_, "'" + key + "' is a list, not a value");
  return it->second.items[0];
}

std::string YamlLite::get_or(const std::string& key, const std::string& fallback) const {
  return has(key) ? get(key) : fallback;
}

int64_t YamlLite::get_int(const std::string& key) const {
  const std::string& s = get(key);
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(s.c_str(), &end, 10);
  if (errno != 0 || end == s.c_str() || *end != '\0') throw_convert_error(source_, "'" + key + "': '" + s + "' is not an integer");
  return v;
}

double YamlLite::get_double(const std::string& key) const {
  const std::string& s = get(key);
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || *end != '\0') throw_convert_error(source_, "'" + key + "': '" + s + "' is not a number");
  return v;
}

bool YamlLite::get_bool(const std::string& key) const {
  const std::string& s = get(key);
  if (s == "true") return true;
  if (s == "false") return false;
  throw_convert_error(source_, "'" + key + "': '" + s + "' is not true or false");
}

std::vector<std::string> YamlLite::list(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) throw_convert_error(source_, "no key '" + key + "'");
  return it->second.items;
}

}  // namespace edgeattn::convert
