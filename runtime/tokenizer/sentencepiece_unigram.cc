// SentencePiece's unigram model exactly as the `sentencepiece` library runs
// it: Normalizer::Normalize (spm_normalizer.cc), unigram::Model's
// EncodeOptimized Viterbi, SentencePieceProcessor's unknown-piece handling
// (byte fallback, or a run of unknowns merged into one unk) and its Decode.
#include <algorithm>
#include <cfloat>
#include <vector>

#include "runtime/tokenizer/tokenizer.h"

namespace edgeattn {
namespace {

// SentencePiece's kUnkPenalty: an unknown character scores min_score - 10.
constexpr float kUnkPenalty = 10.0f;
// SentencePiece's default TrainerSpec.unk_surface, what the unk piece decodes to.
constexpr std::string_view kUnkSurface = " \xE2\x81\x87 ";  // " ⁇ "
constexpr std::string_view kSpaceSymbol = "\xE2\x96\x81";   // "▁"

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;  // SentencePiece spells byte pieces with upper-case hex only
}

// The byte of a "<0xNN>" piece, or -1.
int byte_piece_value(std::string_view piece) {
  if (piece.size() != 6 || piece.substr(0, 3) != "<0x" || piece[5] != '>') return -1;
  const int hi = hex_digit(piece[3]);
  const int lo = hex_digit(piece[4]);
  return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

// SentencePiece's OneCharLen: the length a UTF-8 lead byte announces (1 for
// a stray continuation byte), not validated.
size_t one_char_len(char c) { return "\1\1\1\1\1\1\1\1\1\1\1\1\2\2\3\4"[static_cast<uint8_t>(c) >> 4]; }

bool starts_with_space_symbol(std::string_view piece) { return piece.substr(0, kSpaceSymbol.size()) == kSpaceSymbol; }

// Best path ending at a position of the normalized text.
}  // namespace

Status Tokenizer::init_unigram() {
  EA_RETURN_IF_ERROR(init_unigram_pieces());
  const size_t vocab = spec_.pieces.size();
  // SentencePiece's trie holds Normal, UserDefined and Unused pieces and
  // skips Unused ones when it meets them: leaving them out is the same.
  Vector<int32_t> matched, user_defined;
  EA_RETURN_IF_ERROR(matched.reserve(vocab, "unigram: the matched piece list"));
  for (size_t i = 0; i < vocab; ++i) {
    const PieceType t = piece_type(static_cast<int32_t>(i));
    if (t == PieceType::kNormal || t == PieceType::kUserDefined) matched.try_push_back(static_cast<int32_t>(i));
    if (t == PieceType::kUserDefined) {
      EA_RETURN_IF_ERROR(user_defined.push_back(static_cast<int32_t>(i), "unigram: the user-defined piece list"));
    }
  }
  Status built = unigram_trie_.build(spec_.pieces, matched.span());
  if (built.is_ok()) built = user_defined_trie_.build(spec_.pieces, user_defined.span());
  if (!built.is_ok()) return built.with_context("unigram");
  SpmNormalizer::Options options;
  options.add_dummy_prefix = spec_.add_dummy_prefix;
  options.remove_extra_whitespaces = spec_.remove_extra_whitespaces;
  options.escape_whitespaces = spec_.escape_whitespaces;
  const Status normalizer = normalizer_.init(spec_.normalizer_charsmap, options, &user_defined_trie_);
  if (!normalizer.is_ok()) return normalizer.with_context("unigram");
  return Status::ok();
}

// Types, the unk and byte pieces, the score range and the display text,
// checked as SentencePiece's ModelInterface::InitializePieces does.
Status Tokenizer::init_unigram_pieces() {
  const size_t vocab = spec_.pieces.size();
  EA_ENSURE(spec_.piece_types.size() == vocab, StatusCode::kInvalidModel, "unigram: %zu piece types for %zu pieces",
            spec_.piece_types.size(), vocab);
  EA_ENSURE(spec_.unk_id >= 0, StatusCode::kInvalidModel, "unigram: the vocabulary has no unk_id");
  EA_RETURN_IF_ERROR(byte_of_id_.assign(vocab, -1, "unigram: the byte piece table"));
  EA_RETURN_IF_ERROR(display_offsets_.reserve(vocab + 1, "unigram: the display offsets"));
  display_offsets_.try_push_back(0);  // reserved: cannot fail
  for (int b = 0; b < 256; ++b) {
    byte_ids_[b] = -1;
    byte_chars_[b] = static_cast<char>(b);
  }
  min_score_ = FLT_MAX;
  max_score_ = FLT_MIN;  // sic: SentencePiece starts the max at the smallest positive float
  for (size_t i = 0; i < vocab; ++i) {
    const std::string_view piece = spec_.pieces[i];
    const uint8_t type = spec_.piece_types[i];
    EA_ENSURE(is_known_piece_type(type), StatusCode::kInvalidModel, "unigram: piece %zu has unknown type %u", i,
              static_cast<unsigned>(type));
    EA_ENSURE(!piece.empty(), StatusCode::kInvalidModel, "unigram: piece %zu is empty", i);
    const PieceType t = static_cast<PieceType>(type);
    EA_ENSURE(t != PieceType::kUnknown || static_cast<int32_t>(i) == spec_.unk_id, StatusCode::kInvalidModel,
              "unigram: piece %zu is a second unknown piece (unk_id %d)", i, spec_.unk_id);
    if (t == PieceType::kNormal) {
      if (spec_.scores[i] < min_score_) min_score_ = spec_.scores[i];
      if (spec_.scores[i] > max_score_) max_score_ = spec_.scores[i];
    }
    if (t == PieceType::kByte) {
      EA_ENSURE(spec_.byte_fallback, StatusCode::kInvalidModel, "unigram: byte piece %zu without byte_fallback", i);
      const int b = byte_piece_value(piece);
      EA_ENSURE(b >= 0, StatusCode::kInvalidModel, "unigram: byte piece %zu is not <0xNN>", i);
      if (byte_ids_[b] < 0) byte_ids_[b] = static_cast<int32_t>(i);
      byte_of_id_[i] = static_cast<int16_t>(b);
    }
    // Display text: every "▁" becomes " " (never longer than the piece).
    for (size_t k = 0; k < piece.size();) {
      const bool marker = starts_with_space_symbol(piece.substr(k));
      EA_ENSURE(display_.try_push_back(marker ? ' ' : piece[k]), StatusCode::kOutOfMemory,
                "unigram: out of memory for the display text");
      k += marker ? kSpaceSymbol.size() : 1;
    }
    EA_ENSURE(display_.size() <= UINT32_MAX, StatusCode::kInvalidModel, "unigram: display text over 4 GiB");
    display_offsets_.try_push_back(static_cast<uint32_t>(display_.size()));  // reserved: cannot fail
  }
  EA_ENSURE(piece_type(spec_.unk_id) == PieceType::kUnknown, StatusCode::kInvalidModel,
            "unigram: unk_id %d is not an unknown piece", spec_.unk_id);
  for (int b = 0; b < 256; ++b) {
    EA_ENSURE(!spec_.byte_fallback || byte_ids_[b] >= 0, StatusCode::kInvalidModel,
              "unigram: byte_fallback needs piece <0x%02X>", b);
  }
  return Status::ok();
}

Status Tokenizer::encode_unigram(std::string_view text, std::vector<int32_t>* ids, TokenizerWorkspace& ws) const {
  std::string& normalized = ws.normalized_;
  EA_ENSURE(normalizer_.normalize(text, kMaxNormalizedBytes, &normalized), StatusCode::kInvalidArgument,
            "encode: text of %zu bytes normalizes to more than %zu bytes", text.size(), kMaxNormalizedBytes);
  const size_t n = normalized.size();
  if (n == 0) return Status::ok();

  // Viterbi over byte positions: best_*[e] is the best path over
  // normalized[0, e). Each start extends by every piece the trie finds
  // there, and by one unknown character when no piece is exactly that
  // character. Ties keep the earlier candidate (strictly better replaces).
  // The arrays live in the workspace: no allocation once it is big enough.
  std::vector<float>& best_score = ws.best_score_;
  std::vector<int32_t>& best_start = ws.best_start_;
  std::vector<int32_t>& best_id = ws.best_id_;
  best_score.assign(n + 1, 0.0f);
  best_start.assign(n + 1, -1);
  best_id.assign(n + 1, -1);
  const float unk_score = min_score_ - kUnkPenalty;
  auto offer = [&](size_t end, float candidate, size_t start, int32_t id) {
    if (best_start[end] < 0 || candidate > best_score[end]) {
      best_score[end] = candidate;
      best_start[end] = static_cast<int32_t>(start);
      best_id[end] = id;
    }
  };
  for (size_t start = 0; start < n;) {
    const float here = best_score[start];
    const size_t char_len = std::min(one_char_len(normalized[start]), n - start);
    bool char_covered = false;
    uint32_t node = PieceTrie::kRoot;
    for (size_t end = start; end < n;) {
      node = unigram_trie_.child(node, static_cast<uint8_t>(normalized[end++]));
      if (node == PieceTrie::kNone) break;
      const int32_t id = unigram_trie_.piece(node);
      if (id < 0) continue;
      const size_t length = end - start;
      // Sums in float: exact ties (e.g. "." + "..." vs "..." + "." after
      // NFKC turns "…" into "...") are then decided the way the
      // `sentencepiece` package decides them; summing in double, as its
      // source's `auto` suggests, flips some of them.
      const float score = piece_type(id) == PieceType::kUserDefined
                              ? static_cast<float>(static_cast<float>(length) * max_score_ - 0.1)
                              : spec_.scores[static_cast<size_t>(id)];
      offer(end, score + here, start, id);
      if (length == char_len) char_covered = true;
    }
    if (!char_covered) offer(start + char_len, unk_score + here, start, spec_.unk_id);
    start += char_len;
  }

  // Backtrack (every start the loop visited was reached, so the chain ends
  // at 0), then emit left to right.
  std::vector<int32_t>& ends = ws.ends_;
  ends.clear();
  for (int32_t end = static_cast<int32_t>(n); end > 0;) {
    const int32_t start = best_start[static_cast<size_t>(end)];
    if (start < 0 || start >= end) break;  // unreachable: defensive
    ends.push_back(end);
    end = start;
  }
  bool prev_unk = false;
  for (size_t k = ends.size(); k-- > 0;) {
    const int32_t id = best_id[static_cast<size_t>(ends[k])];
    const bool unk = id == spec_.unk_id;
    if (unk && spec_.byte_fallback) {
      for (int32_t i = best_start[static_cast<size_t>(ends[k])]; i < ends[k]; ++i) {
        ids->push_back(byte_ids_[static_cast<uint8_t>(normalized[static_cast<size_t>(i)])]);
      }
    } else if (!(unk && prev_unk)) {  // a run of unknowns is one unk
      ids->push_back(id);
    }
    prev_unk = unk;
  }
  return Status::ok();
}

std::string_view Tokenizer::decode_unigram(int32_t prev_id, int32_t id) const {
  switch (piece_type(id)) {
    case PieceType::kUnknown:
      return kUnkSurface;
    case PieceType::kByte:
      return std::string_view(&byte_chars_[byte_of_id_[static_cast<size_t>(id)]], 1);
    default:
      break;
  }
  const size_t begin = display_offsets_[static_cast<size_t>(id)];
  std::string_view text(display_.data() + begin, display_offsets_[static_cast<size_t>(id) + 1] - begin);
  const bool at_start = prev_id < 0 || (prev_id < vocab_size() && piece_type(prev_id) == PieceType::kControl);
  if (at_start && (spec_.add_dummy_prefix || spec_.remove_extra_whitespaces) &&
      starts_with_space_symbol(spec_.pieces[static_cast<size_t>(id)])) {
    text.remove_prefix(1);
  }
  return text;
}

// SentencePieceProcessor::Decode: the first "▁" is dropped from the first
// piece with text (from every piece until the text is non-empty, with
// remove_extra_whitespaces), and a run of byte pieces becomes UTF-8, each
// byte that does not belong to a valid character U+FFFD.
void Tokenizer::decode_unigram_ids(Span<const int32_t> ids, std::string* text) const {
  text->clear();
  const bool strip = spec_.add_dummy_prefix || spec_.remove_extra_whitespaces;
  bool at_start = true;
  bool start_space_seen = false;
  std::string bytes;
  for (size_t i = 0; i < ids.size();) {
    if (piece_type(ids[i]) == PieceType::kByte) {
      bytes.clear();
      for (; i < ids.size() && piece_type(ids[i]) == PieceType::kByte; ++i) {
        bytes.push_back(byte_chars_[byte_of_id_[static_cast<size_t>(ids[i])]]);
      }
      for (size_t k = 0; k < bytes.size();) {
        const size_t len = spm_valid_char_length(std::string_view(bytes).substr(k));
        text->append(len > 0 ? std::string_view(bytes).substr(k, len) : std::string_view("\xEF\xBF\xBD"));
        k += len > 0 ? len : 1;
      }
      continue;
    }
    const int32_t id = ids[i++];
    if (start_space_seen || !text->empty()) at_start = false;
    start_space_seen = false;
    const PieceType t = piece_type(id);
    if (t == PieceType::kControl) continue;
    if (t == PieceType::kUnknown) {
      text->append(kUnkSurface.data(), kUnkSurface.size());
      continue;
    }
    const size_t begin = display_offsets_[static_cast<size_t>(id)];
    std::string_view piece(display_.data() + begin, display_offsets_[static_cast<size_t>(id) + 1] - begin);
    if (at_start && strip && starts_with_space_symbol(spec_.pieces[static_cast<size_t>(id)])) {
      piece.remove_prefix(1);
      start_space_seen = !spec_.remove_extra_whitespaces;
    }
    text->append(piece.data(), piece.size());
  }
}

}  // namespace edgeattn
