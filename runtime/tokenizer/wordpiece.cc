// WordPiece as in Hugging Face `tokenizers`: BertNormalizer, BertPreTokenizer,
// greedy longest-match-first WordPiece, and the WordPiece decoder.
#include <algorithm>
#include <cstring>

#include "runtime/tokenizer/tokenizer.h"
#include "runtime/tokenizer/unicode.h"

namespace edgeattn {
namespace {

// CJK ideograph blocks as in HF's BertNormalizer (which extends BERT's list
// with 0x2B920..0x2CEAF).
bool is_chinese_char(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0x2A700 && c <= 0x2B73F) ||
         (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

// BERT splits on ASCII symbols too ($, +, <, ^, `, | ...), not only P*.
bool is_bert_punctuation(char32_t c) {
  if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) ||
      (c >= 123 && c <= 126)) {
    return true;
  }
  return unicode::is_punctuation(c);
}

// Replaces every `from` (2 bytes or more) in s[0, n), left to right, by
// `to`, which is not longer, in place; returns the new length. Scanning
// resumes after each replacement, as std::string find + replace from there
// would. The first two bytes are compared before memcmp is called: this
// runs 11 times over each of a vocabulary's pieces at load (30,522 for
// BERT), where a memcmp per byte was 7 ms of MiniLM's load.
size_t replace_all(char* s, size_t n, std::string_view from, std::string_view to) {
  size_t r = 0, w = 0;
  while (r < n) {
    if (n - r >= from.size() && s[r] == from[0] && s[r + 1] == from[1] &&
        std::memcmp(s + r, from.data(), from.size()) == 0) {
      std::memcpy(s + w, to.data(), to.size());  // w + |to| <= r + |from|: only consumed bytes
      w += to.size();
      r += from.size();
    } else {
      s[w++] = s[r++];
    }
  }
  return w;
}

// HF's decoders::wordpiece::cleanup, applied to each decoded token; every
// replacement shortens, so it works in place. Returns the new length.
size_t cleanup(char* s, size_t n) {
  static constexpr std::string_view kReplacements[][2] = {
      {" .", "."},     {" ?", "?"},     {" !", "!"},           {" ,", ","},
      {" ' ", "'"},    {" n't", "n't"}, {" 'm", "'m"},         {" do not", " don't"},
      {" 's", "'s"},   {" 've", "'ve"}, {" 're", "'re"},
  };
  for (const auto& r : kReplacements) n = replace_all(s, n, r[0], r[1]);
  return n;
}

}  // namespace

Status Tokenizer::init_wordpiece() {
  EA_ENSURE(spec_.unk_id >= 0, StatusCode::kInvalidModel, "wordpiece: unk_id is required");
  EA_ENSURE(spec_.max_input_chars_per_word > 0, StatusCode::kInvalidModel,
            "wordpiece: max_input_chars_per_word must be positive");
  const std::string_view prefix = spec_.continuing_subword_prefix;
  EA_RETURN_IF_ERROR(display_offsets_.reserve(spec_.pieces.size() + 1, "wordpiece: the display offsets"));
  display_offsets_.try_push_back(0);  // reserved: cannot fail
  for (size_t i = 0; i < spec_.pieces.size(); ++i) {
    const std::string_view piece = spec_.pieces[i];
    EA_ENSURE(!piece.empty(), StatusCode::kInvalidModel, "wordpiece: piece %zu is empty", i);
    // The token: the piece without its prefix, or " " + the piece.
    const size_t begin = display_.size();
    bool grown;
    if (!prefix.empty() && piece.substr(0, prefix.size()) == prefix) {
      grown = display_.try_append(piece.data() + prefix.size(), piece.size() - prefix.size());
    } else {
      grown = display_.try_push_back(' ') && display_.try_append(piece.data(), piece.size());
    }
    EA_ENSURE(grown, StatusCode::kOutOfMemory, "wordpiece: out of memory allocating the display text (piece %zu)", i);
    if (spec_.cleanup_spaces) display_.truncate(begin + cleanup(display_.data() + begin, display_.size() - begin));
    EA_ENSURE(display_.size() <= UINT32_MAX, StatusCode::kInvalidModel,
              "wordpiece: vocabulary too large");
    display_offsets_.try_push_back(static_cast<uint32_t>(display_.size()));  // reserved: cannot fail
  }
  return Status::ok();
}

void Tokenizer::encode_wordpiece(std::string_view text, std::vector<int32_t>* ids) const {
  // Normalize (BertNormalizer), one pass per HF step so the order of
  // operations is the same: clean, CJK spacing, NFD + drop Mn, lowercase.
  std::vector<char32_t> cps;
  cps.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) {
    char32_t c = unicode::next_codepoint(text, &pos);
    if (spec_.clean_text) {
      const bool tab_or_newline = c == '\t' || c == '\n' || c == '\r';
      if (c == 0 || c == unicode::kReplacementChar || (!tab_or_newline && unicode::is_other(c))) {
        continue;
      }
      if (tab_or_newline || unicode::is_white_space(c)) c = ' ';
    }
    if (spec_.tokenize_chinese_chars && is_chinese_char(c)) {
      cps.push_back(' ');
      cps.push_back(c);
      cps.push_back(' ');
    } else {
      cps.push_back(c);
    }
  }
  std::vector<char32_t> tmp;
  if (spec_.strip_accents) {
    tmp.reserve(cps.size());
    for (char32_t c : cps) unicode::append_nfd(c, &tmp);
    unicode::canonical_reorder(&tmp);
    tmp.erase(std::remove_if(tmp.begin(), tmp.end(), unicode::is_nonspacing_mark), tmp.end());
    cps.swap(tmp);
  }
  if (spec_.lowercase) {
    tmp.clear();
    tmp.reserve(cps.size());
    for (char32_t c : cps) unicode::append_lowercase(c, &tmp);
    cps.swap(tmp);
  }

  // Pre-tokenize (BertPreTokenizer): whitespace separates words and is
  // dropped; each punctuation character is a word of its own.
  std::string word;
  size_t word_chars = 0;
  auto flush = [&]() {
    if (word_chars > 0) wordpiece_word(word, word_chars, ids);
    word.clear();
    word_chars = 0;
  };
  for (char32_t c : cps) {
    if (unicode::is_white_space(c)) {
      flush();
    } else if (is_bert_punctuation(c)) {
      flush();
      unicode::append_utf8(c, &word);
      word_chars = 1;
      flush();
    } else {
      unicode::append_utf8(c, &word);
      ++word_chars;
    }
  }
  flush();
}

void Tokenizer::wordpiece_word(std::string_view word, size_t num_chars,
                               std::vector<int32_t>* ids) const {
  if (num_chars > spec_.max_input_chars_per_word) {
    ids->push_back(spec_.unk_id);
    return;
  }
  const std::string_view prefix = spec_.continuing_subword_prefix;
  const size_t mark = ids->size();
  std::string candidate;
  size_t start = 0;
  while (start < word.size()) {
    // No piece is longer than max_piece_bytes_, so longer candidates are
    // skipped; `end` backs off to a character boundary (the word is valid
    // UTF-8, built by append_utf8).
    size_t end = std::min(word.size(), start + max_piece_bytes_);
    while (end < word.size() && (static_cast<uint8_t>(word[end]) & 0xC0) == 0x80) --end;
    int32_t found = -1;
    while (end > start) {
      std::string_view sub = word.substr(start, end - start);
      if (start > 0) {
        candidate.assign(prefix.data(), prefix.size());
        candidate.append(sub.data(), sub.size());
        sub = candidate;
      }
      found = piece_to_id(sub);
      if (found >= 0) break;
      do {
        --end;
      } while (end > start && (static_cast<uint8_t>(word[end]) & 0xC0) == 0x80);
    }
    if (found < 0) {
      // A word that cannot be fully split is a single [UNK].
      ids->resize(mark);
      ids->push_back(spec_.unk_id);
      return;
    }
    ids->push_back(found);
    start = end;
  }
}

std::string_view Tokenizer::decode_wordpiece(int32_t prev_id, int32_t id) const {
  const bool first = prev_id < 0 || prev_id >= vocab_size() || is_skipped_special(prev_id);
  if (first) return spec_.pieces[static_cast<size_t>(id)];
  const size_t begin = display_offsets_[static_cast<size_t>(id)];
  const size_t end = display_offsets_[static_cast<size_t>(id) + 1];
  return std::string_view(display_.data() + begin, end - begin);
}

}  // namespace edgeattn
