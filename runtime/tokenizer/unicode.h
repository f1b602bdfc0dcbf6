// Unicode helpers for the tokenizers: UTF-8 decoding that never fails, and the
// character properties the BERT normalizer and pre-tokenizer and the GPT-2
// pre-tokenizer need.
//
// The property tables are generated from Python's unicodedata by
// scripts/gen_unicode_tables.py into unicode_tables.inc; only what the
// tokenizers use is kept (about 115 KB of source, ~60 KB of data).
//
// Example:
//   size_t pos = 0;
//   char32_t cp = next_codepoint("\xC3\xA9t\xE9", &pos);   // U+00E9, pos == 2
//   cp = next_codepoint("\xC3\xA9t\xE9", &pos);            // 't'
//   cp = next_codepoint("\xC3\xA9t\xE9", &pos);            // invalid: U+FFFD, pos == 4
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace edgeattn::unicode {

constexpr char32_t kReplacementChar = 0xFFFD;

// Decodes the codepoint at text[*pos] and advances *pos past it. Malformed
// input (stray continuation bytes, truncated sequences, overlong forms,
// surrogates, values above U+10FFFF) yields U+FFFD and advances by one byte,
// so every byte string decodes and the loop always terminates.
// Requires *pos < text.size().
char32_t next_codepoint(std::string_view text, size_t* pos);

// Appends the UTF-8 encoding of `cp` (U+FFFD for invalid values).
void append_utf8(char32_t cp, std::string* out);

// General category is Cc, Cf or Co (what the HF BERT normalizer calls
// "control"; \t \n \r are handled by the caller).
bool is_other(char32_t cp);
// General category P* (Pc Pd Pe Pf Pi Po Ps).
bool is_punctuation(char32_t cp);
// General category Mn (nonspacing marks: the accents strip_accents drops).
bool is_nonspacing_mark(char32_t cp);
// General category L* (Lu Ll Lt Lm Lo): the regex class \p{L}.
bool is_letter(char32_t cp);
// General category N* (Nd Nl No): the regex class \p{N}.
bool is_number(char32_t cp);
// The White_Space property (what Rust's char::is_whitespace and Oniguruma's
// Unicode \s test).
bool is_white_space(char32_t cp);
// Canonical combining class (0 for starters).
uint8_t combining_class(char32_t cp);

// Appends the per-character lowercase of `cp` (one codepoint, or several
// for e.g. U+0130 -> "i" U+0307), like Python's chr(cp).lower().
void append_lowercase(char32_t cp, std::vector<char32_t>* out);

// Appends the full canonical decomposition of `cp` (itself if none),
// including Hangul syllables. Does not reorder combining marks.
void append_nfd(char32_t cp, std::vector<char32_t>* out);

// Canonical ordering (the last step of NFD): stable-sorts each run of
// non-starters by combining class, in place.
void canonical_reorder(std::vector<char32_t>* cps);

// Version of the Unicode data the tables were generated from, e.g. {14,0,0}.
const uint32_t* table_version();

}  // namespace edgeattn::unicode
