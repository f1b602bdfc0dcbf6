// The byte-level BPE pre-tokenizers of pre_tokenizer.h. Each matcher returns
// the end of the one regex match that starts at `pos`: every position starts
// a non-empty match, because every codepoint is \s, \p{L}, \p{N} or in
// [^\s\p{L}\p{N}] and each regex ends with a catch-all \s+.
#include "runtime/tokenizer/pre_tokenizer.h"

#include <cstdint>

#include "runtime/tokenizer/unicode.h"

namespace edgeattn {
namespace {

enum class CharClass : uint8_t { kSpace, kLetter, kNumber, kOther };

// \s, \p{L}, \p{N} or none of them. \s is the White_Space property in
// Oniguruma's and Python regex's Unicode mode (U+001C..U+001F are not spaces,
// U+0085 and U+00A0 are).
CharClass classify(char32_t cp) {
  if (cp < 0x80) {
    if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z')) return CharClass::kLetter;
    if (cp >= '0' && cp <= '9') return CharClass::kNumber;
    if (cp == ' ' || (cp >= 0x09 && cp <= 0x0D)) return CharClass::kSpace;
    return CharClass::kOther;
  }
  if (unicode::is_white_space(cp)) return CharClass::kSpace;
  if (unicode::is_letter(cp)) return CharClass::kLetter;
  if (unicode::is_number(cp)) return CharClass::kNumber;
  return CharClass::kOther;
}

// Class of the codepoint at text[pos] (pos < size); *next is set past it.
CharClass class_at(std::string_view text, size_t pos, size_t* next) {
  *next = pos;
  return classify(unicode::next_codepoint(text, next));
}

bool is_cr_or_lf(char c) { return c == '\r' || c == '\n'; }

// ASCII-only lowercase: llama.cpp's contractions compare unicode_tolower()
// with 's', 't', ...; no non-ASCII character lowercases to those (Python's
// regex module would also fold U+017F 'ſ' to 's'; llama.cpp does not).
char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// 's|'t|'re|'ve|'m|'ll|'d at text[pos] (case-insensitive if `fold`): the
// end of the contraction, or 0.
size_t contraction_end(std::string_view text, size_t pos, bool fold) {
  const size_t n = text.size();
  if (text[pos] != '\'' || pos + 1 >= n) return 0;
  auto at = [&](size_t i) { return fold ? ascii_lower(text[i]) : text[i]; };
  const char c = at(pos + 1);
  if (c == 's' || c == 't' || c == 'm' || c == 'd') return pos + 2;
  if (pos + 2 < n) {
    const char d = at(pos + 2);
    if ((c == 'r' && d == 'e') || (c == 'v' && d == 'e') || (c == 'l' && d == 'l')) return pos + 3;
  }
  return 0;
}

// GPT-2: 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// With `split_digits` (kGpt2Digits), a \p{N} is a pre-token of its own and
// ends the text the regex sees (its lookahead and " ?" stop there), so the
// match equals the regex's within the digit-free fragment.
size_t gpt2_end(std::string_view text, size_t pos, bool split_digits) {
  const size_t n = text.size();
  size_t next;
  if (split_digits && class_at(text, pos, &next) == CharClass::kNumber) return next;
  // At a fragment end: the end of the text or (split_digits) a number.
  auto fragment_end = [&](size_t i) {
    size_t unused;
    return i == n || (split_digits && class_at(text, i, &unused) == CharClass::kNumber);
  };
  if (const size_t end = contraction_end(text, pos, /*fold=*/false)) return end;
  // ' ?\p{L}+', ' ?\p{N}+', ' ?[^\s\p{L}\p{N}]+': an optional space, then a
  // run of one class. Without the space the run would have to start at a
  // space, which none of the three classes contains.
  const size_t start = (text[pos] == ' ' && !fragment_end(pos + 1)) ? pos + 1 : pos;
  const CharClass cls = class_at(text, start, &next);
  if (cls != CharClass::kSpace) {
    size_t end = next;
    while (end < n && class_at(text, end, &next) == cls) end = next;
    return end;
  }
  // '\s+(?!\S)|\s+': the run of spaces from pos. At the fragment end it is
  // taken whole; before a non-space, all of it but its last character if
  // that leaves any (the last one then leads the next match), else the one
  // character.
  size_t last = pos;
  size_t end = pos;
  while (end < n && class_at(text, end, &next) == CharClass::kSpace) {
    last = end;
    end = next;
  }
  if (fragment_end(end) || last == pos) return end;
  return last;
}

// Llama 3 (max_digits 3) and Qwen2 (max_digits 1):
// (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,max}|
//  ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
size_t llama3_end(std::string_view text, size_t pos, int max_digits) {
  const size_t n = text.size();
  if (const size_t end = contraction_end(text, pos, /*fold=*/true)) return end;
  size_t next;
  const CharClass cls = class_at(text, pos, &next);
  // [^\r\n\p{L}\p{N}]?\p{L}+: letters, or one space / other character (not
  // CR or LF) that leads letters.
  size_t after;
  const bool leads_letters = cls != CharClass::kLetter && cls != CharClass::kNumber && !is_cr_or_lf(text[pos]) &&
                             next < n && class_at(text, next, &after) == CharClass::kLetter;
  if (cls == CharClass::kLetter || leads_letters) {
    size_t end = next;
    while (end < n && class_at(text, end, &after) == CharClass::kLetter) end = after;
    return end;
  }
  // \p{N}{1,max}: greedy, so a long run splits into max-digit groups from
  // the left.
  if (cls == CharClass::kNumber) {
    size_t end = next;
    for (int count = 1; count < max_digits && end < n && class_at(text, end, &after) == CharClass::kNumber; ++count) {
      end = after;
    }
    return end;
  }
  // ' ?[^\s\p{L}\p{N}]+[\r\n]*'.
  size_t start = pos;
  if (text[pos] == ' ' && next < n && class_at(text, next, &after) == CharClass::kOther) start = next;
  if (class_at(text, start, &next) == CharClass::kOther) {
    size_t end = next;
    while (end < n && class_at(text, end, &after) == CharClass::kOther) end = after;
    while (end < n && is_cr_or_lf(text[end])) ++end;
    return end;
  }
  // Here text[pos] is a space. '\s*[\r\n]+': \s* backtracks to the last CR
  // or LF of the run, so the match ends just after it. Otherwise
  // '\s+(?!\S)|\s+' as in GPT-2.
  size_t last = pos;
  size_t end = pos;
  size_t after_cr_lf = 0;
  while (end < n && class_at(text, end, &next) == CharClass::kSpace) {
    if (is_cr_or_lf(text[end])) after_cr_lf = end + 1;
    last = end;
    end = next;
  }
  if (after_cr_lf != 0) return after_cr_lf;
  if (end == n || last == pos) return end;
  return last;
}

}  // namespace

size_t pre_token_end(PreTokenizer kind, std::string_view text, size_t pos) {
  switch (kind) {
    case PreTokenizer::kGpt2:
      return gpt2_end(text, pos, /*split_digits=*/false);
    case PreTokenizer::kGpt2Digits:
      return gpt2_end(text, pos, /*split_digits=*/true);
    case PreTokenizer::kLlama3:
      return llama3_end(text, pos, 3);
    case PreTokenizer::kQwen2:
      return llama3_end(text, pos, 1);
  }
  return gpt2_end(text, pos, /*split_digits=*/false);  // create() admits only the four kinds
}

}  // namespace edgeattn
