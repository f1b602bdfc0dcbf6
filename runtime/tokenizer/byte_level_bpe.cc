// Byte-level BPE as in GPT-2 and Hugging Face `tokenizers` (BPE model with a
// ByteLevel pre-tokenizer and decoder), with llama.cpp's pre-tokenizers and
// special-token partition for GGUF-style vocabularies.
//
// encode: with piece types, the text is first partitioned at the special
// pieces it spells, as llama.cpp's tokenizer_st_partition (see
// partition_specials()). Each remaining fragment is split into pre-tokens
// by spec.pre_tokenizer (pre_tokenizer.h; GPT-2's regex by default); each
// pre-token's bytes become one-character pieces through bytes_to_unicode, and
// merges are applied lowest rank first, leftmost first among equal ranks,
// exactly as HF's Word::merge_all (including how it validates stale queue
// entries). Invalid UTF-8 (which HF cannot receive) decodes to U+FFFD for
// classification only: its bytes are still byte-level mapped, so
// decode(encode(x)) == x for every byte string whose bytes are all in the
// vocabulary.
//
// decode: each piece's characters map back to bytes (precomputed per id);
// user-defined pieces are their text unchanged, control pieces "".
#include <algorithm>
#include <string>

#include "runtime/tokenizer/pre_tokenizer.h"
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

// Working memory of merge_word(), kept across the pre-tokens of one text.
struct MergeScratch {
  std::vector<Symbol> symbols;
  std::vector<Candidate> heap;
};

// Appends to *ids the pieces BPE merges the bytes of `word` (one pre-token)
// into. byte_ids[b] is the id of byte b's character (-1: none; then unk_id,
// or the byte is dropped without one, as HF does).
void merge_word(std::string_view word, const MergeTable& merges, const int32_t (&byte_ids)[256], int32_t unk_id,
                MergeScratch& scratch, std::vector<int32_t>* ids) {
  std::vector<Symbol>& symbols = scratch.symbols;
  std::vector<Candidate>& heap = scratch.heap;
  auto push_candidate = [&](int32_t pos) {
    const Symbol& left = symbols[static_cast<size_t>(pos)];
    if (left.next < 0) return;
    const BpeMerge* m = merges.find(left.id, symbols[static_cast<size_t>(left.next)].id);
    if (m == nullptr) return;
    heap.push_back(Candidate{m->rank, pos, m->merged_id});
    std::push_heap(heap.begin(), heap.end(), candidate_after);
  };

  symbols.clear();
  for (const char c : word) {
    int32_t id = byte_ids[static_cast<uint8_t>(c)];
    if (id < 0) id = unk_id;
    if (id < 0) continue;
    const int32_t index = static_cast<int32_t>(symbols.size());
    symbols.push_back(Symbol{id, index - 1, index + 1, true});
  }
  if (symbols.empty()) return;
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
    const BpeMerge* now = merges.find(left.id, right.id);
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

// A piece of the text after the special-token partition: [begin, end) of
// raw text (id -1) or the special piece `id`.
struct Fragment {
  size_t begin;
  size_t end;
  int32_t id;
};

// True for the piece types the partition matches: kUserDefined always,
// kControl with parse_special.
bool is_partition_type(PieceType t) { return t == PieceType::kUserDefined || t == PieceType::kControl; }

// llama.cpp's tokenizer_st_partition: each special piece in turn (`specials`
// is sorted longest first) splits every raw fragment at each of its
// non-overlapping occurrences, leftmost first; the special fragments it
// makes are final. So a longer piece wins over a shorter one even when the
// shorter one starts earlier ("xabc" with "abc" and "xa": "x" + <abc>).
// kControl pieces take part only with parse_special.
void partition_specials(std::string_view text, Span<const int32_t> specials, const TokenizerSpec& spec,
                        bool parse_special, std::vector<Fragment>* fragments) {
  std::vector<Fragment> split;
  for (const int32_t id : specials) {
    const size_t index = static_cast<size_t>(id);
    if (!parse_special && static_cast<PieceType>(spec.piece_types[index]) == PieceType::kControl) continue;
    const std::string_view piece = spec.pieces[index];
    if (text.find(piece) == std::string_view::npos) continue;  // the common case: nothing to split
    split.clear();
    for (const Fragment& f : *fragments) {
      if (f.id >= 0) {
        split.push_back(f);
        continue;
      }
      // Searching the text cut at the fragment's end keeps matches inside it.
      const std::string_view upto = text.substr(0, f.end);
      size_t pos = f.begin;
      for (size_t m; (m = upto.find(piece, pos)) != std::string_view::npos; pos = m + piece.size()) {
        if (m > pos) split.push_back(Fragment{pos, m, -1});
        split.push_back(Fragment{m, m + piece.size(), id});
      }
      if (pos < f.end) split.push_back(Fragment{pos, f.end, -1});
    }
    fragments->swap(split);
  }
}

}  // namespace

// Byte-level piece types are optional (empty: all normal). With them, the
// non-empty kUserDefined and kControl pieces, longest first (then lowest
// id, so the order is total), are what encode() partitions the text at.
Status Tokenizer::init_byte_level_specials() {
  if (spec_.piece_types.empty()) return Status::ok();
  const size_t vocab = spec_.pieces.size();
  EA_ENSURE(spec_.piece_types.size() == vocab, StatusCode::kInvalidModel,
            "byte-level bpe: %zu piece types for %zu pieces", spec_.piece_types.size(), vocab);
  size_t count = 0;
  for (size_t i = 0; i < vocab; ++i) {
    const uint8_t type = spec_.piece_types[i];
    EA_ENSURE(is_known_piece_type(type), StatusCode::kInvalidModel, "byte-level bpe: piece %zu has unknown type %u", i,
              static_cast<unsigned>(type));
    // An empty piece would match everywhere: never a special.
    if (is_partition_type(static_cast<PieceType>(type)) && !spec_.pieces[i].empty()) ++count;
  }
  EA_RETURN_IF_ERROR(special_ids_.reserve(count, "byte-level bpe: the special pieces"));
  for (size_t i = 0; i < vocab; ++i) {
    if (is_partition_type(piece_type(static_cast<int32_t>(i))) && !spec_.pieces[i].empty()) {
      special_ids_.try_push_back(static_cast<int32_t>(i));  // reserved: cannot fail
    }
  }
  // llama.cpp sorts by length alone with std::sort (ties in no set order);
  // ties here go to the lower id.
  std::sort(special_ids_.begin(), special_ids_.end(), [&](int32_t a, int32_t b) {
    const size_t la = spec_.pieces[static_cast<size_t>(a)].size();
    const size_t lb = spec_.pieces[static_cast<size_t>(b)].size();
    return la != lb ? la > lb : a < b;
  });
  return Status::ok();
}

Status Tokenizer::init_byte_level_bpe() {
  EA_ENSURE(spec_.pre_tokenizer == PreTokenizer::kGpt2 || spec_.pre_tokenizer == PreTokenizer::kGpt2Digits ||
                spec_.pre_tokenizer == PreTokenizer::kLlama3 || spec_.pre_tokenizer == PreTokenizer::kQwen2,
            StatusCode::kInvalidModel, "byte-level bpe: unknown pre-tokenizer %d",
            static_cast<int>(spec_.pre_tokenizer));
  EA_RETURN_IF_ERROR(init_byte_level_specials());
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
  // A user-defined piece is its text unchanged (llama.cpp's token_to_piece):
  // it is matched in the raw text, not in the byte alphabet.
  EA_RETURN_IF_ERROR(display_offsets_.reserve(spec_.pieces.size() + 1, "byte-level bpe: the display offsets"));
  display_offsets_.try_push_back(0);  // reserved: cannot fail
  for (size_t i = 0; i < spec_.pieces.size(); ++i) {
    const std::string_view piece = spec_.pieces[i];
    const size_t begin = display_.size();
    bool mapped = spec_.piece_types.empty() || piece_type(static_cast<int32_t>(i)) != PieceType::kUserDefined;
    for (size_t pos = 0; mapped && pos < piece.size();) {
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

void Tokenizer::encode_byte_level_bpe(std::string_view text, bool parse_special, std::vector<int32_t>* ids) const {
  // HF prepends the space only to non-empty text that does not start with ' '
  // (to the whole text, before any special-token partition).
  std::string buf;
  if (spec_.add_prefix_space && !text.empty() && text[0] != ' ') {
    buf.reserve(text.size() + 1);
    buf.push_back(' ');
    buf.append(text.data(), text.size());
    text = buf;
  }
  std::vector<Fragment> fragments = {Fragment{0, text.size(), -1}};
  if (!special_ids_.empty()) partition_specials(text, special_ids_.span(), spec_, parse_special, &fragments);

  // Each raw fragment is pre-tokenized on its own, so no pre-token spans a
  // special piece.
  MergeScratch scratch;
  std::string mapped;
  for (const Fragment& f : fragments) {
    if (f.id >= 0) {
      ids->push_back(f.id);
      continue;
    }
    const std::string_view raw = text.substr(f.begin, f.end - f.begin);
    for (size_t pos = 0; pos < raw.size();) {
      const size_t end = pre_token_end(spec_.pre_tokenizer, raw, pos);
      const std::string_view word = raw.substr(pos, end - pos);
      pos = end;
      // Llama 3's vocabulary ignores merges (llama.cpp's ignore_merges, HF's
      // BPE ignore_merges): a pre-token that is a piece is that piece.
      if (spec_.pre_tokenizer == PreTokenizer::kLlama3) {
        const int32_t whole = whole_piece(word, &mapped);
        if (whole >= 0) {
          ids->push_back(whole);
          continue;
        }
      }
      merge_word(word, merges_, byte_ids_, spec_.unk_id, scratch, ids);
    }
  }
}

int32_t Tokenizer::whole_piece(std::string_view word, std::string* mapped) const {
  mapped->clear();
  for (const char c : word) {
    const int32_t id = byte_ids_[static_cast<uint8_t>(c)];
    if (id < 0) return -1;
    const std::string_view piece = spec_.pieces[static_cast<size_t>(id)];
    mapped->append(piece.data(), piece.size());
  }
  return piece_to_id(*mapped);
}

std::string_view Tokenizer::decode_byte_level(int32_t id) const {
  const uint32_t begin = display_offsets_[static_cast<size_t>(id)];
  const uint32_t end = display_offsets_[static_cast<size_t>(id) + 1];
  return std::string_view(display_.data() + begin, end - begin);
}

}  // namespace edgeattn
