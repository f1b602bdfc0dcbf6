// Text helpers for edgeattn-demo's terminal output.
//
// Texts come from the command line as UTF-8. Cutting them at a byte count
// (printf's "%.50s") can split a multi-byte sequence ("soirée", CJK, emoji)
// and write invalid UTF-8 to the terminal or a log, so truncation counts
// characters (code points) and only ever cuts between them.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace edgeattn::demo {

// Appended to a text that was cut: one character wide, like the characters
// it stands for.
inline constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // U+2026 "…"

// Byte length of the UTF-8 sequence starting at text[at]: 2-4 for a lead
// byte followed by enough continuation bytes (10xxxxxx), otherwise 1, so a
// malformed byte counts as one character of its own and is never split from
// or merged with its neighbours.
inline size_t utf8_sequence_bytes(std::string_view text, size_t at) {
  const unsigned char lead = static_cast<unsigned char>(text[at]);
  const size_t length = lead >= 0xF0 && lead <= 0xF4   ? 4
                        : lead >= 0xE0 && lead <= 0xEF ? 3
                        : lead >= 0xC2 && lead <= 0xDF ? 2
                                                       : 1;
  if (length == 1 || at + length > text.size()) return 1;
  for (size_t i = 1; i < length; ++i) {
    if ((static_cast<unsigned char>(text[at + i]) & 0xC0) != 0x80) return 1;
  }
  return length;
}

// The longest prefix of `text` holding at most `max_chars` characters; it
// ends on a character boundary.
inline std::string_view utf8_prefix(std::string_view text, size_t max_chars) {
  size_t end = 0;
  for (size_t chars = 0; chars < max_chars && end < text.size(); ++chars) end += utf8_sequence_bytes(text, end);
  return text.substr(0, end);
}

// `text` itself if it has at most `max_chars` characters, otherwise its first
// max_chars - 1 characters and "…": never more than max_chars characters.
inline std::string truncate_for_display(std::string_view text, size_t max_chars) {
  const std::string_view whole = utf8_prefix(text, max_chars);
  if (whole.size() == text.size()) return std::string(text);
  if (max_chars == 0) return std::string();
  std::string cut(utf8_prefix(text, max_chars - 1));
  cut += kEllipsis;
  return cut;
}

}  // namespace edgeattn::demo
