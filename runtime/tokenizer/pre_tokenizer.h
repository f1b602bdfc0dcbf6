// Byte-level BPE pre-tokenizers: where each pre-token of a text ends, for the
// regexes of PreTokenizer (tokenizer.h), matched by hand (no regex library)
// with the leftmost-alternative-first semantics of a backtracking engine.
// Internal to runtime/tokenizer (byte_level_bpe.cc and its tests); not a
// public API.
//
// Classes: \p{L} and \p{N} are the general categories L* and N*, \s the
// White_Space property (unicode.h); invalid UTF-8 is classified as U+FFFD
// (in [^\s\p{L}\p{N}]), one byte at a time, as llama.cpp does.
//
// Example:
//   for (size_t pos = 0; pos < text.size();) {
//     const size_t end = pre_token_end(PreTokenizer::kLlama3, text, pos);
//     use(text.substr(pos, end - pos));  // "Hello", " world", "123", "4"
//     pos = end;
//   }
#pragma once

#include <cstddef>
#include <string_view>

#include "runtime/tokenizer/tokenizer.h"

namespace edgeattn {

// End (exclusive, > pos) of the pre-token that starts at text[pos]; requires
// pos < text.size(). Every byte belongs to exactly one pre-token, so
// iterating from 0 covers the text. kGpt2Digits treats each \p{N} as a
// pre-token of its own and a boundary the GPT-2 regex does not see past,
// like llama.cpp's sequential application of "\p{N}" then the GPT-2 regex.
size_t pre_token_end(PreTokenizer kind, std::string_view text, size_t pos);

}  // namespace edgeattn
