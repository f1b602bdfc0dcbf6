// tests/fixtures/ocr/postprocess_reference.json (written by
// tests/reference/make_ocr_postprocess_fixtures.py from RapidOCR 1.4.4's own
// functions) and its encodings: base64 bytes, run-length uint8 maps.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace edgeattn::ocr::testing {

inline const nlohmann::json& fixture() {
  static const nlohmann::json j = [] {
    std::ifstream in(std::string(EDGEATTN_SOURCE_DIR) + "/tests/fixtures/ocr/postprocess_reference.json");
    REQUIRE(in);
    return nlohmann::json::parse(in);
  }();
  return j;
}

inline std::vector<uint8_t> base64(const std::string& s) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::vector<uint8_t> out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : s) {
    const int v = value(c);
    if (v < 0) continue;  // '=' padding
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<uint8_t>(acc >> bits));
    }
  }
  return out;
}

// A map's uint8 values from {"rle": [v, n, ...]} or {"b64": "..."}.
inline std::vector<uint8_t> map_bytes(const nlohmann::json& m) {
  if (m.contains("b64")) return base64(m["b64"].get<std::string>());
  std::vector<uint8_t> out;
  const auto& r = m["rle"];
  for (size_t i = 0; i + 1 < r.size(); i += 2) out.insert(out.end(), r[i + 1].get<size_t>(), r[i].get<uint8_t>());
  return out;
}

// q / 255 in float32, as numpy computes it.
inline std::vector<float> probabilities(const std::vector<uint8_t>& q) {
  std::vector<float> p(q.size());
  for (size_t i = 0; i < q.size(); ++i) p[i] = static_cast<float>(q[i]) / 255.f;
  return p;
}

// A gray image as RGB bytes (R = G = B).
inline std::vector<uint8_t> gray_to_rgb(const std::vector<uint8_t>& g) {
  std::vector<uint8_t> out(3 * g.size());
  for (size_t i = 0; i < g.size(); ++i) out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = g[i];
  return out;
}

}  // namespace edgeattn::ocr::testing
