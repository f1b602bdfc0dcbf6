// Strict UTF-8 validation for tests of what the tools print: no stray
// continuation bytes, no truncated, overlong or surrogate sequences, nothing
// above U+10FFFF. Independent of demo/text.h on purpose, so a bug there
// cannot hide itself.
#pragma once

#include <cstddef>
#include <string_view>

namespace edgeattn::testing {

inline bool is_valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char b = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    unsigned long cp = 0;
    if (b < 0x80) {
      ++i;
      continue;
    } else if ((b & 0xE0) == 0xC0) {
      n = 1;
      cp = b & 0x1F;
    } else if ((b & 0xF0) == 0xE0) {
      n = 2;
      cp = b & 0x0F;
    } else if ((b & 0xF8) == 0xF0) {
      n = 3;
      cp = b & 0x07;
    } else {
      return false;  // a continuation byte where a character should start, or 0xF8..0xFF
    }
    if (i + n >= s.size()) return false;  // truncated at the end
    for (size_t k = 1; k <= n; ++k) {
      const unsigned char c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3F);
    }
    const unsigned long min_for_length[] = {0, 0x80, 0x800, 0x10000};
    if (cp < min_for_length[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

}  // namespace edgeattn::testing
