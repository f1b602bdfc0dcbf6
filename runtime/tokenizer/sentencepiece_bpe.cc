// SentencePiece-style BPE exactly as llama2.c's encode() and decode().
//
// llama2.c rescans all adjacent pairs after every merge (quadratic); this
// keeps the candidate pairs in a heap instead and pops them in the same
// order (highest score, then leftmost), so the ids are identical.
#include <queue>

#include "runtime/tokenizer/tokenizer.h"

namespace edgeattn {
namespace {

// llama2.c starts its best score at -1e10 and merges only strictly better
// pairs; NaN never compares better either.
constexpr float kMinMergeScore = -1e10f;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// The byte of a "<0xNN>" piece, or -1.
int parse_byte_piece(std::string_view piece) {
  if (piece.size() != 6 || piece.substr(0, 3) != "<0x" || piece[5] != '>') return -1;
  const int hi = hex_value(piece[3]);
  const int lo = hex_value(piece[4]);
  return (hi < 0 || lo < 0) ? -1 : hi * 16 + lo;
}

struct Symbol {
  int32_t id;
  int32_t prev;  // index of the previous live symbol, -1 at the start
  int32_t next;  // index of the next live symbol, -1 at the end
  bool alive;
};

struct Candidate {
  float score;
  int32_t left;  // symbol index; order of indices == order in the text
  int32_t right;
  int32_t left_id;
  int32_t right_id;
  int32_t merged_id;
};

// Max-heap order: higher score first, then the leftmost pair.
struct CandidateLess {
  bool operator()(const Candidate& a, const Candidate& b) const {
    if (a.score != b.score) return a.score < b.score;
    return a.left > b.left;
  }
};

}  // namespace

Status Tokenizer::init_bpe() {
  for (int b = 0; b < 256; ++b) {
    static const char kHex[] = "0123456789ABCDEF";
    const char name[6] = {'<', '0', 'x', kHex[b >> 4], kHex[b & 15], '>'};
    byte_ids_[b] = piece_to_id(std::string_view(name, 6));
    byte_chars_[b] = static_cast<char>(b);
    EA_ENSURE(!spec_.byte_fallback || byte_ids_[b] >= 0, StatusCode::kInvalidModel,
              "bpe: byte_fallback needs piece <0x%02X>", b);
  }
  EA_ENSURE(spec_.byte_fallback || spec_.unk_id >= 0, StatusCode::kInvalidModel,
            "bpe: without byte_fallback an unk_id is required");
  EA_RETURN_IF_ERROR(byte_of_id_.assign(spec_.pieces.size(), -1, "bpe: the byte piece table"));
  for (size_t i = 0; i < spec_.pieces.size(); ++i) {
    byte_of_id_[i] = static_cast<int16_t>(parse_byte_piece(spec_.pieces[i]));
  }
  return Status::ok();
}

void Tokenizer::encode_bpe(std::string_view text, std::vector<int32_t>* ids) const {
  if (text.empty()) return;
  std::string buf;
  if (spec_.add_dummy_prefix) {
    buf.reserve(text.size() + 1);
    buf.push_back(' ');
    buf.append(text.data(), text.size());
    text = buf;
  }

  // Split into codepoint-ish chunks the way llama2.c does: a byte that is not
  // a continuation byte starts a chunk, which takes following continuation
  // bytes up to 4 bytes in all. Chunks are not validated: a chunk that is
  // not a piece becomes byte pieces.
  std::vector<Symbol> symbols;
  symbols.reserve(text.size());
  auto push = [&](int32_t id) {
    const int32_t index = static_cast<int32_t>(symbols.size());
    symbols.push_back(Symbol{id, index - 1, index + 1, true});
  };
  for (size_t i = 0; i < text.size();) {
    size_t j = i + 1;
    while (j < text.size() && j - i < 4 && (static_cast<uint8_t>(text[j]) & 0xC0) == 0x80) ++j;
    const int32_t id = piece_to_id(text.substr(i, j - i));
    if (id >= 0) {
      push(id);
    } else if (spec_.byte_fallback) {
      for (size_t k = i; k < j; ++k) push(byte_ids_[static_cast<uint8_t>(text[k])]);
    } else {
      push(spec_.unk_id);
    }
    i = j;
  }
  symbols.back().next = -1;

  std::priority_queue<Candidate, std::vector<Candidate>, CandidateLess> heap;
  std::string pair;
  auto consider = [&](int32_t left, int32_t right) {
    if (left < 0 || right < 0) return;
    const int32_t left_id = symbols[static_cast<size_t>(left)].id;
    const int32_t right_id = symbols[static_cast<size_t>(right)].id;
    const std::string_view a = spec_.pieces[static_cast<size_t>(left_id)];
    const std::string_view b = spec_.pieces[static_cast<size_t>(right_id)];
    if (a.size() + b.size() > max_piece_bytes_) return;
    pair.assign(a.data(), a.size());
    pair.append(b.data(), b.size());
    const int32_t merged = piece_to_id(pair);
    if (merged < 0) return;
    const float score = spec_.scores[static_cast<size_t>(merged)];
    if (!(score > kMinMergeScore)) return;
    heap.push(Candidate{score, left, right, left_id, right_id, merged});
  };
  for (size_t i = 0; i + 1 < symbols.size(); ++i) {
    consider(static_cast<int32_t>(i), static_cast<int32_t>(i + 1));
  }

  while (!heap.empty()) {
    const Candidate c = heap.top();
    heap.pop();
    Symbol& left = symbols[static_cast<size_t>(c.left)];
    Symbol& right = symbols[static_cast<size_t>(c.right)];
    // Stale entries: one side was merged away or changed since the push.
    if (!left.alive || !right.alive || left.next != c.right || left.id != c.left_id ||
        right.id != c.right_id) {
      continue;
    }
    left.id = c.merged_id;
    left.next = right.next;
    right.alive = false;
    if (right.next >= 0) symbols[static_cast<size_t>(right.next)].prev = c.left;
    consider(left.prev, c.left);
    consider(c.left, left.next);
  }

  for (int32_t i = 0; i >= 0; i = symbols[static_cast<size_t>(i)].next) {
    ids->push_back(symbols[static_cast<size_t>(i)].id);
  }
}

std::string_view Tokenizer::decode_bpe(int32_t prev_id, int32_t id) const {
  std::string_view piece = spec_.pieces[static_cast<size_t>(id)];
  const int byte = byte_of_id_[static_cast<size_t>(id)];
  if (byte >= 0) piece = std::string_view(&byte_chars_[byte], 1);
  // The decoder drops the dummy prefix: the leading space of the piece right
  // after BOS. llama2.c tests the piece before mapping <0xNN>, so it keeps a
  // <0x20> there (the text starts with a space chunk not in the vocabulary,
  // e.g. " " + stray continuation bytes); stripping it too keeps
  // decode(encode(x)) == x for every byte string.
  if (prev_id >= 0 && prev_id == spec_.bos_id && !piece.empty() && piece[0] == ' ') {
    piece.remove_prefix(1);
  }
  return piece;
}

}  // namespace edgeattn
