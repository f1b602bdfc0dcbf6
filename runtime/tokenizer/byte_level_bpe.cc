// Byte-level BPE as in GPT-2 and Hugging Face `tokenizers` (BPE model with a
// ByteLevel pre-tokenizer and decoder).
//
// encode: the text is split by GPT-2's pre-tokenization regex
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// (matched by hand below, leftmost alternative first as Oniguruma does); each
// pre-token's bytes become one-character pieces through bytes_to_unicode, and
// merges are applied lowest rank first, leftmost first among equal ranks,
// exactly as HF's Word::merge_all (including how it validates stale queue
// entries). Invalid UTF-8 (which HF cannot receive) decodes to U+FFFD for
// classification only: its bytes are still byte-level mapped, so
// decode(encode(x)) == x for every byte string whose bytes are all in the
// vocabulary.
//
// decode: each piece's characters map back to bytes (precomputed per id).
#include <algorithm>
#include <string>

#include "runtime/tokenizer/tokenizer.h"
#include "runtime/tokenizer/unicode.h"

namespace edgeattn {
namespace {

// GPT-2's bytes_to_unicode(): printable bytes ('!'..'~', U+00A1..U+00AC,
// U+00AE..U+00FF) stand for themselves; the other 68 bytes map, in order,
// to U+0100, U+0101, ... (so ' ' is 'Ġ' U+0120 and '\n' is 'Ċ' U+010A).
constexpr char32_t kFirstShifted = 0x100;
constexpr size_t kByteCharLimit = 0x144;  // all characters are below this

bool byte_is_printable(int b) {
  return (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
}

void byte_to_unicode_table(char32_t (&out)[256]) {
  char32_t next = kFirstShifted;
  for (int b = 0; b < 256; ++b) out[b] = byte_is_printable(b) ? static_cast<char32_t>(b) : next++;
}

enum class CharClass : uint8_t { kSpace, kLetter, kNumber, kOther };

// \s, \p{L}, \p{N} or none of them. \s is the White_Space property in
// Oniguruma's Unicode mode (U+001C..U+001F are not spaces, U+0085 and
// U+00A0 are).
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

// End of the regex match that starts at text[pos] (pos < size). Every
// position starts a non-empty match: each codepoint is \s, \p{L}, \p{N} or
// in [^\s\p{L}\p{N}].
size_t match_end(std::string_view text, size_t pos) {
  const size_t n = text.size();
  // 's|'t|'re|'ve|'m|'ll|'d (case-sensitive).
  if (text[pos] == '\'' && pos + 1 < n) {
    const char c = text[pos + 1];
    if (c == 's' || c == 't' || c == 'm' || c == 'd') return pos + 2;
    if (pos + 2 < n) {
      const std::string_view two = text.substr(pos + 1, 2);
      if (two == "re" || two == "ve" || two == "ll") return pos + 3;
    }
  }
  // ' ?\p{L}+', ' ?\p{N}+', ' ?[^\s\p{L}\p{N}]+': an optional space, then a
  // run of one class. Without the space the run would have to start at a
  // space, which none of the three classes contains.
  const size_t start = (text[pos] == ' ' && pos + 1 < n) ? pos + 1 : pos;
  size_t next;
  const CharClass cls = class_at(text, start, &next);
  if (cls != CharClass::kSpace) {
    size_t end = next;
    while (end < n && class_at(text, end, &next) == cls) end = next;
    return end;
  }
  // '\s+(?!\S)|\s+': the run of spaces from pos. At the end of the text it
  // is taken whole; before a non-space, all of it but its last character if
  // that leaves any (the last one then leads the next match), else the one
  // character.
  size_t last = pos;
  size_t end = pos;
  while (end < n && class_at(text, end, &next) == CharClass::kSpace) {
    last = end;
    end = next;
  }
  if (end == n || last == pos) return end;
  return last;
}

struct Symbol {
  int32_t id;
  int32_t prev;  // index of the previous live symbol, -1 at the start
  int32_t next;  // index of the next live symbol, -1 at the end
  bool alive;
};

struct Candidate {
  int32_t rank;
  int32_t pos;  // index of the left symbol
  int32_t merged_id;
};

// Heap order (std::push_heap builds a max-heap): lowest rank, then leftmost.
bool candidate_after(const Candidate& a, const Candidate& b) {
  if (a.rank != b.rank) return a.rank > b.rank;
  return a.pos > b.pos;
}

}  // namespace

Status Tokenizer::init_byte_level_bpe() {
  char32_t byte_char[256];
  byte_to_unicode_table(byte_char);
  int16_t char_byte[kByteCharLimit];
  std::fill(char_byte, char_byte + kByteCharLimit, int16_t{-1});
  for (int b = 0; b < 256; ++b) {
    char_byte[byte_char[b]] = static_cast<int16_t>(b);
    // UTF-8 of a character below kByteCharLimit (< U+0800): 1 or 2 bytes.
    const char32_t c = byte_char[b];
    const char utf8[2] = {static_cast<char>(c < 0x80 ? c : 0xC0 | (c >> 6)), static_cast<char>(0x80 | (c & 0x3F))};
    byte_ids_[b] = piece_to_id(std::string_view(utf8, c < 0x80 ? 1 : 2));
  }

  EA_ENSURE(spec_.merges.size() <= kMaxVocabSize, StatusCode::kInvalidModel,
            "byte-level bpe: %zu merges exceed %zu", spec_.merges.size(), kMaxVocabSize);
  EA_RETURN_IF_ERROR(merges_.init(spec_.merges.size()));
  for (size_t r = 0; r < spec_.merges.size(); ++r) {
    const std::string_view m = spec_.merges[r];
    EA_ENSURE(m.data() != nullptr || m.empty(), StatusCode::kInvalidModel,
              "byte-level bpe: merge %zu has no data", r);
    const size_t space = m.find(' ');
    EA_ENSURE(space != std::string_view::npos && space > 0 && space + 1 < m.size(),
              StatusCode::kInvalidModel, "byte-level bpe: merge %zu is not \"left right\"", r);
    const std::string_view left = m.substr(0, space);
    const std::string_view right = m.substr(space + 1);
    const int32_t left_id = piece_to_id(left);
    const int32_t right_id = piece_to_id(right);
    const int32_t merged_id = piece_ids_.find_concat(left, right);
    EA_ENSURE(left_id >= 0 && right_id >= 0 && merged_id >= 0, StatusCode::kInvalidModel,
              "byte-level bpe: merge %zu has a piece missing from the vocabulary", r);
    // Like HF's HashMap built from the list, a repeated pair keeps the last rank.
    // init() made room for every merge: cannot fail.
    merges_.set(left_id, right_id, BpeMerge{static_cast<int32_t>(r), merged_id});
  }

  // What each id decodes to: its characters as bytes, or (HF's ByteLevel
  // decoder) the piece unchanged if any character is not a byte character.
  EA_RETURN_IF_ERROR(display_offsets_.reserve(spec_.pieces.size() + 1, "byte-level bpe: the display offsets"));
  display_offsets_.try_push_back(0);  // reserved: cannot fail
  for (size_t i = 0; i < spec_.pieces.size(); ++i) {
    const std::string_view piece = spec_.pieces[i];
    const size_t begin = display_.size();
    bool mapped = true;
    for (size_t pos = 0; pos < piece.size();) {
      // Malformed UTF-8 decodes to U+FFFD, outside the alphabet: kept raw.
      const char32_t cp = unicode::next_codepoint(piece, &pos);
      if (cp >= kByteCharLimit || char_byte[cp] < 0) {
        mapped = false;
        break;
      }
      EA_ENSURE(display_.try_push_back(static_cast<char>(char_byte[cp])), StatusCode::kOutOfMemory,
                "byte-level bpe: out of memory allocating the display bytes (piece %zu)", i);
    }
    if (!mapped) {
      display_.truncate(begin);
      EA_ENSURE(display_.try_append(piece.data(), piece.size()), StatusCode::kOutOfMemory,
                "byte-level bpe: out of memory allocating the display bytes (piece %zu)", i);
    }
    EA_ENSURE(display_.size() <= UINT32_MAX, StatusCode::kInvalidModel,
              "byte-level bpe: vocabulary too large");
    display_offsets_.try_push_back(static_cast<uint32_t>(display_.size()));  // reserved: cannot fail
  }
  return Status::ok();
}

void Tokenizer::encode_byte_level_bpe(std::string_view text, std::vector<int32_t>* ids) const {
  // HF prepends the space only to non-empty text that does not start with ' '.
  std::string buf;
  if (spec_.add_prefix_space && !text.empty() && text[0] != ' ') {
    buf.reserve(text.size() + 1);
    buf.push_back(' ');
    buf.append(text.data(), text.size());
    text = buf;
  }

  std::vector<Symbol> symbols;
  std::vector<Candidate> heap;
  auto find_merge = [&](int32_t left_id, int32_t right_id) -> const BpeMerge* {
    return merges_.find(left_id, right_id);
  };
  auto push_candidate = [&](int32_t pos) {
    const Symbol& left = symbols[static_cast<size_t>(pos)];
    if (left.next < 0) return;
    const BpeMerge* m = find_merge(left.id, symbols[static_cast<size_t>(left.next)].id);
    if (m == nullptr) return;
    heap.push_back(Candidate{m->rank, pos, m->merged_id});
    std::push_heap(heap.begin(), heap.end(), candidate_after);
  };

  for (size_t pos = 0; pos < text.size();) {
    const size_t end = match_end(text, pos);
    const std::string_view word = text.substr(pos, end - pos);
    pos = end;

    // One symbol per byte. A byte whose character is not in the vocabulary
    // becomes unk_id, or is dropped without one (as HF does).
    symbols.clear();
    for (const char c : word) {
      int32_t id = byte_ids_[static_cast<uint8_t>(c)];
      if (id < 0) id = spec_.unk_id;
      if (id < 0) continue;
      const int32_t index = static_cast<int32_t>(symbols.size());
      symbols.push_back(Symbol{id, index - 1, index + 1, true});
    }
    if (symbols.empty()) continue;
    symbols.back().next = -1;

    heap.clear();
    for (size_t i = 0; i + 1 < symbols.size(); ++i) push_candidate(static_cast<int32_t>(i));
    while (!heap.empty()) {
      std::pop_heap(heap.begin(), heap.end(), candidate_after);
      const Candidate c = heap.back();
      heap.pop_back();
      Symbol& left = symbols[static_cast<size_t>(c.pos)];
      if (!left.alive || left.next < 0) continue;
      Symbol& right = symbols[static_cast<size_t>(left.next)];
      // A stale entry: HF skips it unless the pair now there merges into
      // the same piece.
      const BpeMerge* now = find_merge(left.id, right.id);
      if (now == nullptr || now->merged_id != c.merged_id) continue;
      left.id = c.merged_id;
      left.next = right.next;
      right.alive = false;
      if (right.next >= 0) symbols[static_cast<size_t>(right.next)].prev = c.pos;
      if (left.prev >= 0) push_candidate(left.prev);
      push_candidate(c.pos);
    }
    // Merges keep the left symbol, so symbol 0 is alive.
    for (int32_t i = 0; i >= 0; i = symbols[static_cast<size_t>(i)].next) {
      ids->push_back(symbols[static_cast<size_t>(i)].id);
    }
  }
}

std::string_view Tokenizer::decode_byte_level(int32_t id) const {
  const uint32_t begin = display_offsets_[static_cast<size_t>(id)];
  const uint32_t end = display_offsets_[static_cast<size_t>(id) + 1];
  return std::string_view(display_.data() + begin, end - begin);
}

}  // namespace edgeattn
