#include "runtime/tokenizer/tokenizer.h"

namespace edgeattn {

Result<std::unique_ptr<Tokenizer>> Tokenizer::create(const TokenizerSpec& spec) {
  const size_t vocab = spec.pieces.size();
  EA_ENSURE(vocab > 0, StatusCode::kInvalidModel, "tokenizer: empty vocabulary");
  EA_ENSURE(vocab <= kMaxVocabSize, StatusCode::kInvalidModel,
            "tokenizer: vocabulary of %zu pieces exceeds %zu", vocab, kMaxVocabSize);
  EA_ENSURE(spec.kind == TokenizerKind::kWordPiece || spec.kind == TokenizerKind::kSentencePieceBpe ||
                spec.kind == TokenizerKind::kByteLevelBpe || spec.kind == TokenizerKind::kSentencePieceUnigram ||
                spec.kind == TokenizerKind::kCtcCharacters,
            StatusCode::kInvalidModel, "tokenizer: unknown kind %d", static_cast<int>(spec.kind));
  const struct {
    const char* name;
    int32_t id;
  } specials[] = {{"unk", spec.unk_id}, {"bos", spec.bos_id}, {"eos", spec.eos_id},
                  {"pad", spec.pad_id}, {"cls", spec.cls_id}, {"sep", spec.sep_id},
                  {"mask", spec.mask_id}};
  for (const auto& s : specials) {
    EA_ENSURE(s.id >= -1 && s.id < static_cast<int64_t>(vocab), StatusCode::kInvalidModel,
              "tokenizer: %s_id %d out of range [-1, %zu)", s.name, s.id, vocab);
  }
  if (spec.kind == TokenizerKind::kSentencePieceBpe || spec.kind == TokenizerKind::kSentencePieceUnigram) {
    EA_ENSURE(spec.scores.size() == vocab, StatusCode::kInvalidModel,
              "tokenizer: %zu scores for %zu pieces", spec.scores.size(), vocab);
  } else {
    EA_ENSURE(spec.scores.empty() || spec.scores.size() == vocab, StatusCode::kInvalidModel,
              "tokenizer: %zu scores for %zu pieces", spec.scores.size(), vocab);
  }

  std::unique_ptr<Tokenizer> tok(new (std::nothrow) Tokenizer(spec));
  EA_ENSURE(tok != nullptr, StatusCode::kOutOfMemory, "tokenizer: out of memory allocating the Tokenizer");
  for (size_t i = 0; i < vocab; ++i) {
    const std::string_view piece = spec.pieces[i];
    EA_ENSURE(piece.data() != nullptr || piece.empty(), StatusCode::kInvalidModel,
              "tokenizer: piece %zu has no data", i);
    if (piece.size() > tok->max_piece_bytes_) tok->max_piece_bytes_ = piece.size();
  }
  // Keeps the first (lowest) id of a duplicated piece.
  Status indexed = tok->piece_ids_.build(spec.pieces);
  if (!indexed.is_ok()) return indexed.with_context("tokenizer");
  switch (spec.kind) {
    case TokenizerKind::kWordPiece:
      EA_RETURN_IF_ERROR(tok->init_wordpiece());
      break;
    case TokenizerKind::kSentencePieceBpe:
      EA_RETURN_IF_ERROR(tok->init_bpe());
      break;
    case TokenizerKind::kByteLevelBpe:
      EA_RETURN_IF_ERROR(tok->init_byte_level_bpe());
      break;
    case TokenizerKind::kSentencePieceUnigram:
      EA_RETURN_IF_ERROR(tok->init_unigram());
      break;
    case TokenizerKind::kCtcCharacters:
      EA_ENSURE(spec.pieces[0].empty(), StatusCode::kInvalidModel, "tokenizer: a CTC table's piece 0 (the blank) must be empty");
      break;
  }
  return tok;
}

Status TokenizerWorkspace::reserve(size_t text_bytes) {
  EA_ENSURE(text_bytes <= Tokenizer::kMaxTextBytes, StatusCode::kInvalidArgument,
            "workspace for %zu bytes exceeds the %zu-byte text limit", text_bytes, Tokenizer::kMaxTextBytes);
  // Containers of a library built without exceptions: an allocation failure
  // here terminates like any other std:: allocation in the runtime's
  // set-up paths (create()).
  const size_t n = 3 * text_bytes + 8;
  normalized_.reserve(n);
  best_score_.reserve(n + 1);
  best_start_.reserve(n + 1);
  best_id_.reserve(n + 1);
  ends_.reserve(n);
  return Status::ok();
}

Status Tokenizer::encode(std::string_view text, const EncodeOptions& opts, std::vector<int32_t>* ids) const {
  TokenizerWorkspace ws;
  return encode(text, opts, ids, &ws);
}

Status Tokenizer::encode(std::string_view text, const EncodeOptions& opts, std::vector<int32_t>* ids,
                         TokenizerWorkspace* workspace) const {
  ids->clear();
  EA_ENSURE(text.size() <= kMaxTextBytes, StatusCode::kInvalidArgument,
            "encode: text of %zu bytes exceeds %zu", text.size(), kMaxTextBytes);
  EA_ENSURE(spec_.kind != TokenizerKind::kCtcCharacters, StatusCode::kUnsupported,
            "encode: a CTC character table only decodes");
  const bool wordpiece = spec_.kind == TokenizerKind::kWordPiece;
  int32_t first = -1;
  int32_t last = -1;
  if (wordpiece && opts.add_special_tokens) {
    EA_ENSURE(spec_.cls_id >= 0 && spec_.sep_id >= 0, StatusCode::kInvalidArgument,
              "encode: vocabulary has no [CLS]/[SEP] for add_special_tokens");
    first = spec_.cls_id;
    last = spec_.sep_id;
  } else if (!wordpiece) {
    const bool unigram = spec_.kind == TokenizerKind::kSentencePieceUnigram;
    // Byte-level BPE prepends BOS only if the vocabulary asks for it
    // (GGUF's add_bos_token: SmolLM2, Qwen2 say false).
    const bool byte_level_no_bos = spec_.kind == TokenizerKind::kByteLevelBpe && !spec_.add_bos;
    if (opts.add_special_tokens && !(unigram && spec_.bos_id < 0) && !byte_level_no_bos) {
      EA_ENSURE(spec_.bos_id >= 0, StatusCode::kInvalidArgument,
                "encode: vocabulary has no BOS for add_special_tokens");
      first = spec_.bos_id;
    }
    if (opts.add_eos) {
      EA_ENSURE(spec_.eos_id >= 0, StatusCode::kInvalidArgument,
                "encode: vocabulary has no EOS for add_eos");
      last = spec_.eos_id;
    }
  }
  const size_t num_special = (first >= 0 ? 1 : 0) + (last >= 0 ? 1 : 0);
  EA_ENSURE(opts.max_tokens == 0 || opts.max_tokens >= num_special, StatusCode::kInvalidArgument,
            "encode: max_tokens %zu leaves no room for %zu special tokens", opts.max_tokens,
            num_special);

  if (first >= 0) ids->push_back(first);
  switch (spec_.kind) {
    case TokenizerKind::kWordPiece:
      encode_wordpiece(text, ids);
      break;
    case TokenizerKind::kSentencePieceBpe:
      encode_bpe(text, ids);
      break;
    case TokenizerKind::kByteLevelBpe:
      encode_byte_level_bpe(text, opts.parse_special, ids);
      break;
    case TokenizerKind::kSentencePieceUnigram: {
      const Status s = encode_unigram(text, ids, *workspace);
      if (!s.is_ok()) {
        ids->clear();
        return s;
      }
      break;
    }
    case TokenizerKind::kCtcCharacters:
      break;  // refused above
  }
  const size_t reserve_last = last >= 0 ? 1 : 0;
  if (opts.max_tokens != 0 && ids->size() + reserve_last > opts.max_tokens) {
    ids->resize(opts.max_tokens - reserve_last);
  }
  if (last >= 0) ids->push_back(last);
  return Status::ok();
}

std::string_view Tokenizer::decode_piece(int32_t prev_id, int32_t id) const {
  if (id < 0 || id >= vocab_size() || is_skipped_special(id)) return {};
  switch (spec_.kind) {
    case TokenizerKind::kWordPiece:
      return decode_wordpiece(prev_id, id);
    case TokenizerKind::kSentencePieceBpe:
      return decode_bpe(prev_id, id);
    case TokenizerKind::kByteLevelBpe:
      return decode_byte_level(id);
    case TokenizerKind::kSentencePieceUnigram:
      return decode_unigram(prev_id, id);
    case TokenizerKind::kCtcCharacters:
      return spec_.pieces[static_cast<size_t>(id)];
  }
  return {};
}

Status Tokenizer::decode(Span<const int32_t> ids, std::string* text) const {
  text->clear();
  int32_t prev = -1;
  for (size_t i = 0; i < ids.size(); ++i) {
    const int32_t id = ids[i];
    EA_ENSURE(id >= 0 && id < vocab_size(), StatusCode::kInvalidArgument,
              "decode: id %d at position %zu out of range [0, %d)", id, i, vocab_size());
    if (spec_.kind == TokenizerKind::kSentencePieceUnigram) continue;  // below, once all are checked
    // HF's WordPiece decoder drops special tokens before deciding which
    // piece is first; llama2.c strips the space after BOS, so SPM keeps
    // specials as `prev`.
    if (spec_.kind == TokenizerKind::kWordPiece && is_skipped_special(id)) continue;
    const std::string_view piece = decode_piece(prev, id);
    text->append(piece.data(), piece.size());
    prev = id;
  }
  if (spec_.kind == TokenizerKind::kSentencePieceUnigram) decode_unigram_ids(ids, text);
  return Status::ok();
}

int32_t Tokenizer::piece_to_id(std::string_view piece) const { return piece_ids_.find(piece); }

std::string_view Tokenizer::id_to_piece(int32_t id) const {
  if (id < 0 || id >= vocab_size()) return {};
  return spec_.pieces[static_cast<size_t>(id)];
}

bool Tokenizer::is_skipped_special(int32_t id) const {
  if (id < 0) return false;
  if (spec_.kind == TokenizerKind::kWordPiece) {
    return id == spec_.pad_id || id == spec_.unk_id || id == spec_.cls_id ||
           id == spec_.sep_id || id == spec_.mask_id;
  }
  // SentencePiece hides control pieces (</s>, <s>, <pad>), whatever their ids.
  if (spec_.kind == TokenizerKind::kSentencePieceUnigram) {
    return id < vocab_size() && piece_type(id) == PieceType::kControl;
  }
  // Byte-level BPE with piece types also hides control pieces, as llama.cpp
  // prints them only when asked to.
  if (spec_.kind == TokenizerKind::kByteLevelBpe && !spec_.piece_types.empty() && id < vocab_size() &&
      piece_type(id) == PieceType::kControl) {
    return true;
  }
  return id == spec_.bos_id || id == spec_.eos_id || id == spec_.pad_id;
}

}  // namespace edgeattn
