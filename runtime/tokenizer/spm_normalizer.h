// SpmNormalizer: SentencePiece's text normalizer (normalizer.cc,
// Normalizer::Normalize), as the unigram tokenizer runs it before Viterbi.
//
// The rules come from the model's NormalizerSpec.precompiled_charsmap (e.g.
// "nmt_nfkc": NFKC plus SentencePiece's NMT tweaks), stored in the .eatn
// exactly as the .spm holds it:
//
//   uint32 trie_size (little-endian)
//   trie_size bytes: a darts-clone double array, uint32 units (LE)
//   the replacement strings, each NUL-terminated
//
// A key of the double array is a UTF-8 sequence; its value is the offset of
// its replacement in the strings. At each position the longest key that
// prefixes the rest of the input is replaced; with no key, one UTF-8
// character is copied, and a byte that does not start a valid one becomes
// U+FFFD (consuming that one byte). Then, like SentencePiece:
//   remove_extra_whitespaces  drop leading, repeated and trailing ' '
//   escape_whitespaces        ' ' -> U+2581 "▁"
//   add_dummy_prefix          "▁" (or ' ') in front of non-empty output
// User-defined pieces (when given a trie of them) are matched first, on the
// raw input, and copied as they are.
//
// The charsmap is untrusted (it comes from the model file): init() makes
// the checks sentencepiece 0.2.3 makes when it loads a model (the framing,
// blocks of 256 units, strings ending in NUL, and darts-clone's validate():
// every unit's children and every string offset in range), and the lookup
// bounds-checks every unit index and string offset anyway. Like
// SentencePiece, only the first kMaxMatches keys along the input count.
// Keys longer than kMaxKeyBytes are not followed (SentencePiece's builder
// makes keys of a few characters: nmt_nfkc's longest is 10 bytes), which
// bounds the work per input byte whatever loops a hostile trie holds;
// SentencePiece itself would walk on.
//
// Example:
//   SpmNormalizer norm;
//   EA_RETURN_IF_ERROR(norm.init(charsmap, SpmNormalizer::Options(), nullptr));
//   std::string out;
//   norm.normalize("  ＡＢＣ  ﬁ ", 1 << 20, &out);   // "▁ABC▁fi"
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "runtime/core/span.h"
#include "runtime/core/status.h"
#include "runtime/tokenizer/piece_trie.h"

namespace edgeattn {

// Length of the valid UTF-8 character `s` starts with (1-4), or 0 when its
// first byte does not start one (SentencePiece's IsValidDecodeUTF8: strict
// UTF-8, no overlongs, surrogates or values above U+10FFFF). `s` non-empty.
size_t spm_valid_char_length(std::string_view s);

class SpmNormalizer {
 public:
  static constexpr size_t kMaxKeyBytes = 256;
  static constexpr size_t kMaxMatches = 32;  // SentencePiece's kMaxTrieResultsSize

  struct Options {
    bool add_dummy_prefix = true;
    bool remove_extra_whitespaces = true;
    bool escape_whitespaces = true;
  };

  // `charsmap` empty: no rules (characters are only validated). Otherwise it
  // must pass SentencePiece's load-time checks (kInvalidModel, see above).
  // `charsmap` and `user_defined` (nullptr: none) must outlive this
  // normalizer.
  Status init(Span<const uint8_t> charsmap, const Options& options, const PieceTrie* user_defined);

  // Replaces *out with the normalized `input`. Returns false (and *out
  // empty) if the result would exceed `max_bytes`: a charsmap may expand
  // each input character into a long string, so the caller bounds the
  // memory. Allocates (outside invoke).
  bool normalize(std::string_view input, size_t max_bytes, std::string* out) const;

 private:
  // The replacement of the longest rule `input` (non-empty) starts with,
  // and in *consumed how many input bytes it covers.
  std::string_view normalize_prefix(std::string_view input, size_t* consumed) const;
  // darts-clone's commonPrefixSearch over input[0, n), keeping the longest
  // match: its length (0: none) and value.
  size_t longest_rule(const uint8_t* input, size_t n, uint32_t* value) const;
  uint32_t unit(size_t i) const;

  Options options_;
  const uint8_t* units_ = nullptr;  // trie_size bytes of LE uint32 units
  size_t unit_count_ = 0;
  const char* strings_ = nullptr;   // the replacement strings
  size_t strings_size_ = 0;
  const PieceTrie* user_defined_ = nullptr;
};

}  // namespace edgeattn
