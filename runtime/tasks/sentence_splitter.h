// Sentence splitting for translation: a text becomes the sentences a
// translation model was trained on, one at a time, with the whitespace
// between them kept as it was (Bergamot splits with ssplit-cpp the same way
// before translating a page).
//
// A sentence ends after a run of terminal punctuation (. ! ? …, then any
// closing quotes or brackets) that whitespace and a sentence start follow:
// an uppercase letter (ASCII, or a UTF-8 letter from Latin-1 Supplement /
// Latin Extended-A uppercase, e.g. "É"), a digit, an opening quote or
// bracket, or ¿ ¡. A period does not end a sentence after a known
// abbreviation (English and Portuguese titles and the like: Mr. Dr. Sra.
// e.g. etc.) or a single letter (initials, "U.S."). A blank line always
// ends one. Single newlines are ordinary whitespace.
//
// No allocation: spans into the text.
//
// Example:
//   TextSpan s[16];
//   size_t n = split_sentences("Dr. Smith arrived. He sat down.", s, 16);
//   // n == 2: "Dr. Smith arrived." and "He sat down."; s[1].offset == 19
#pragma once

#include <cstddef>
#include <string_view>

namespace edgeattn {

struct TextSpan {
  size_t offset = 0;
  size_t size = 0;
};

// `text` without its leading and trailing whitespace (spaces, tabs, line
// breaks), as a span into it; size 0 for a text of only whitespace.
TextSpan trim_whitespace(std::string_view text);

// Writes up to max_out sentence spans (without surrounding whitespace) and
// returns how many sentences the text has (may exceed max_out). A text of
// only whitespace has none.
size_t split_sentences(std::string_view text, TextSpan* out, size_t max_out);

}  // namespace edgeattn
