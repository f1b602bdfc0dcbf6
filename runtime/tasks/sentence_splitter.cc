#include "runtime/tasks/sentence_splitter.h"

#include <cstdint>
#include <cstring>

namespace edgeattn {
namespace {

// Lowercase words after which a period does not end a sentence.
constexpr const char* kAbbreviations[] = {
    "mr", "mrs", "ms", "dr", "drs", "prof", "sr", "sra", "srta", "srs", "sras", "st", "jr", "vs", "etc", "e.g",
    "i.e", "inc", "ltd", "co", "corp", "no", "nos", "fig", "figs", "cf", "av", "dra", "pp", "vol", "ed", "gen",
    "gov", "sen", "rep", "rev", "capt", "col", "lt", "sgt", "mt", "dept", "est", "approx", "jan", "feb", "mar",
    "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "tel", "n.º", "nº", "pág", "págs", "ex",
    "exa", "exmo", "exma", "v.ex", "a.c", "d.c", "a.m", "p.m", "u.s", "u.k", "ph.d", "sta", "sto",
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// Length of the UTF-8 sequence at s[i] if it is one of `chars` (each a
// NUL-terminated UTF-8 string in a list ending with nullptr), else 0.
size_t match_any(std::string_view s, size_t i, const char* const* chars) {
  for (; *chars != nullptr; ++chars) {
    const size_t n = std::strlen(*chars);
    if (s.compare(i, n, *chars) == 0) return n;
  }
  return 0;
}

constexpr const char* kTerminal[] = {".", "!", "?", "\xE2\x80\xA6", nullptr};  // … U+2026
constexpr const char* kClosing[] = {"\"", "'", ")", "]", "}", "\xE2\x80\x9D", "\xE2\x80\x99", "\xC2\xBB", nullptr};
constexpr const char* kOpening[] = {"\"", "'", "(", "[", "\xE2\x80\x9C", "\xE2\x80\x98", "\xC2\xAB", "\xC2\xBF",
                                    "\xC2\xA1", "-", "\xE2\x80\x94", nullptr};  // “ ‘ « ¿ ¡ - —

// True if a sentence may start at s[i]: uppercase letter, digit, opening mark.
bool starts_sentence(std::string_view s, size_t i) {
  const unsigned char c = static_cast<unsigned char>(s[i]);
  if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  if (match_any(s, i, kOpening) != 0) return true;
  if (c == 0xC3 && i + 1 < s.size()) {  // U+00C0..U+00DE uppercase (not U+00D7 ×)
    const unsigned char d = static_cast<unsigned char>(s[i + 1]);
    return d >= 0x80 && d <= 0x9E && d != 0x97;
  }
  if ((c == 0xC4 || c == 0xC5) && i + 1 < s.size()) {  // Latin Extended-A: even code points are uppercase
    const unsigned int cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu);
    return cp >= 0x100 && cp < 0x180 && cp % 2 == 0;
  }
  return false;
}

// The word before the period at `dot` (letters, digits, inner periods),
// lowercased ASCII, into buf; its length.
size_t word_before(std::string_view s, size_t dot, char* buf, size_t cap) {
  size_t b = dot;
  while (b > 0 && !is_space(s[b - 1]) && match_any(s, b - 1, kOpening) == 0) --b;
  const size_t n = dot - b;
  if (n == 0 || n >= cap) return n;
  for (size_t i = 0; i < n; ++i) {
    const char c = s[b + i];
    buf[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  buf[n] = '\0';
  return n;
}

// True if the period at `dot` ends an abbreviation or an initial.
bool is_abbreviation(std::string_view s, size_t dot) {
  char word[16];
  const size_t n = word_before(s, dot, word, sizeof(word));
  if (n == 0 || n >= sizeof(word)) return false;
  const unsigned char first = static_cast<unsigned char>(word[0]);
  if (n == 1 && first < 0x80 && first != '.' && !(first >= '0' && first <= '9')) return true;  // an initial
  for (const char* a : kAbbreviations) {
    if (std::strcmp(word, a) == 0) return true;
  }
  return false;
}

// If a sentence ends at position i (the start of a terminal run), the
// position just past its closing marks; else 0.
size_t sentence_end(std::string_view s, size_t i) {
  size_t j = i, n = 0;
  bool only_periods = true;
  while (j < s.size() && (n = match_any(s, j, kTerminal)) != 0) {
    only_periods = only_periods && s[j] == '.';
    j += n;
  }
  while (j < s.size() && (n = match_any(s, j, kClosing)) != 0) j += n;
  if (j >= s.size() || !is_space(s[j])) return 0;
  size_t k = j;
  while (k < s.size() && is_space(s[k])) ++k;
  if (k >= s.size() || !starts_sentence(s, k)) return 0;
  if (only_periods && j - i >= 1 && s[i] == '.' && is_abbreviation(s, i)) return 0;
  return j;
}

// True if s[i] starts a blank line: "\n", optional spaces, "\n".
bool blank_line(std::string_view s, size_t i) {
  if (s[i] != '\n') return false;
  for (size_t k = i + 1; k < s.size(); ++k) {
    if (s[k] == '\n') return true;
    if (s[k] != ' ' && s[k] != '\t' && s[k] != '\r') return false;
  }
  return false;
}

}  // namespace

TextSpan trim_whitespace(std::string_view text) {
  size_t b = 0, e = text.size();
  while (b < e && is_space(text[b])) ++b;
  while (e > b && is_space(text[e - 1])) --e;
  return TextSpan{b, e - b};
}

size_t split_sentences(std::string_view text, TextSpan* out, size_t max_out) {
  size_t count = 0, start = 0;
  auto emit = [&](size_t end) {
    const TextSpan t = trim_whitespace(text.substr(start, end - start));
    if (t.size > 0) {
      if (count < max_out) out[count] = TextSpan{start + t.offset, t.size};
      ++count;
    }
    start = end;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    if (blank_line(text, i)) {
      emit(i);
      continue;
    }
    if (match_any(text, i, kTerminal) == 0) continue;
    const size_t end = sentence_end(text, i);
    if (end != 0) {
      emit(end);
      i = end - 1;
    }
  }
  emit(text.size());
  return count;
}

}  // namespace edgeattn
