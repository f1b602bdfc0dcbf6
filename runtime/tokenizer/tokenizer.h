// Tokenizers: text <-> token ids for the models edgeattn runs.
//
// Four algorithms, chosen by TokenizerSpec::kind:
//   - kWordPiece: BERT-style (e.g. all-MiniLM-L6-v2). Matches Hugging Face
//     `tokenizers` BertNormalizer + BertPreTokenizer + WordPiece +
//     "[CLS] A [SEP]" post-processing, and its WordPiece decoder.
//   - kSentencePieceBpe: score-driven BPE over UTF-8 codepoints with byte
//     fallback, exactly as llama2.c's encode()/decode() (Llama 2 vocabularies,
//     stories260K's tok512).
//   - kByteLevelBpe: GPT-2's byte-level BPE, as Hugging Face `tokenizers`
//     BPE + ByteLevel pre-tokenizer/decoder: the GPT-2 regex
//     's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//     (implemented by hand), bytes_to_unicode, merges applied lowest rank
//     first within each pre-token. Text that spells a special token
//     ("<|endoftext|>") is encoded as ordinary text, not as the special id,
//     unless the vocabulary has piece types (GGUF "gpt2" vocabularies, as
//     llama.cpp: user-defined pieces always, control pieces with
//     EncodeOptions::parse_special). Other pre-tokenizers: PreTokenizer.
//   - kSentencePieceUnigram: SentencePiece's unigram model (Marian/Bergamot
//     .spm vocabularies), exactly as the `sentencepiece` library encodes and
//     decodes: its normalizer (precompiled charsmap, whitespace rules; see
//     spm_normalizer.h), then the best-scoring split of the normalized text
//     into pieces (Viterbi). Characters no piece covers become unk_id (a run
//     of them one unk_id) or, with byte_fallback, <0xNN> pieces. Pieces keep
//     SentencePiece's "▁" for a space; decoding turns it back.
//
// A Tokenizer does not own its vocabulary: TokenizerSpec holds views into
// the model file (or into the converter's buffers), and they must outlive the
// Tokenizer. create() validates the spec; encode()/decode() accept any bytes
// (invalid UTF-8 included) and never crash. They allocate, so they belong
// outside invoke(); decode_piece() does not allocate, for streaming output.
//
// Example:
//   TokenizerSpec spec;
//   spec.kind = TokenizerKind::kSentencePieceBpe;
//   spec.pieces = Span<const std::string_view>(pieces.data(), pieces.size());
//   spec.scores = Span<const float>(scores.data(), scores.size());
//   spec.unk_id = 0; spec.bos_id = 1; spec.eos_id = 2;
//   EA_ASSIGN_OR_RETURN(std::unique_ptr<Tokenizer> tok, Tokenizer::create(spec));
//   std::vector<int32_t> ids;
//   EA_RETURN_IF_ERROR(tok->encode("Once upon a time", EncodeOptions(), &ids));
//   // ids == {1, <" Once">, <" upon">, <" a">, <" time">}
//   int32_t prev = ids[0];
//   for (size_t i = 1; i < ids.size(); ++i) {
//     std::string_view piece = tok->decode_piece(prev, ids[i]);  // "Once", " upon", ...
//     prev = ids[i];
//   }
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/core/fallible_vector.h"
#include "runtime/core/span.h"
#include "runtime/core/status.h"
#include "runtime/tokenizer/lookup_tables.h"
#include "runtime/tokenizer/piece_trie.h"
#include "runtime/tokenizer/spm_normalizer.h"

namespace edgeattn {

enum class TokenizerKind : uint8_t {
  kWordPiece = 0,
  kSentencePieceBpe = 1,
  kByteLevelBpe = 2,
  kSentencePieceUnigram = 3,
  // A CTC recognizer's classes (format 1.5): pieces[0] the blank (""), then
  // characters. Decode only: encode() reports kUnsupported.
  kCtcCharacters = 4,
};

// SentencePiece's piece types (ModelProto.SentencePiece.Type), the values
// the model file stores: unigram vocabularies, and byte-level BPE ones from
// GGUF (llama.cpp's token types are the same values).
enum class PieceType : uint8_t {
  kNormal = 1,       // matched in text, scored
  kUnknown = 2,      // the unk piece; decodes to " ⁇ " (U+2047)
  kControl = 3,      // </s>, <s>, <pad>: never matched in text, decodes to ""
  kUserDefined = 4,  // always matched where it occurs, never normalized
  kUnused = 5,       // never matched
  kByte = 6,         // <0xNN>, for byte_fallback
};

// True for the PieceType values above (a model file's byte may hold any).
constexpr bool is_known_piece_type(uint8_t type) { return type >= 1 && type <= 6; }

// How byte-level BPE splits text into pre-tokens before merging (llama.cpp's
// tokenizer.ggml.pre names in parentheses). Each is a regex, matched by
// hand in pre_tokenizer.cc:
enum class PreTokenizer : uint8_t {
  // 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
  // (GPT-2; "gpt2", Hugging Face's ByteLevel pre-tokenizer).
  kGpt2 = 0,
  // Every \p{N} on its own first, then kGpt2 within the text between them
  // ("smollm", "starcoder", "refact").
  kGpt2Digits = 1,
  // (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
  // ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+ ("llama-bpe", Llama 3).
  // As llama.cpp does for this vocabulary, a pre-token that is itself a
  // piece is not merged (ignore_merges).
  kLlama3 = 2,
  // kLlama3 with \p{N} (one digit per pre-token) for \p{N}{1,3} ("qwen2").
  kQwen2 = 3,
};

// Everything a tokenizer needs, as views. The runtime fills it from the model
// file; the converter from tokenizer.json / vocab.txt / vocab.json +
// merges.txt, GGUF metadata or a llama2.c tokenizer.bin. Special ids are -1
// when the vocabulary has none.
struct TokenizerSpec {
  TokenizerKind kind = TokenizerKind::kWordPiece;
  Span<const std::string_view> pieces;  // id -> piece bytes
  Span<const float> scores;             // SPM BPE merge scores; empty for WordPiece
  int32_t unk_id = -1, bos_id = -1, eos_id = -1, pad_id = -1, cls_id = -1, sep_id = -1,
          mask_id = -1;

  // WordPiece / BERT normalizer.
  bool lowercase = true;
  bool strip_accents = true;  // HF's `strip_accents: null` means "= lowercase"
  bool tokenize_chinese_chars = true;
  bool clean_text = true;
  std::string_view continuing_subword_prefix = "##";
  uint32_t max_input_chars_per_word = 100;
  bool cleanup_spaces = true;  // decoder: "a ." -> "a." like HF's cleanup

  // SentencePiece BPE and unigram.
  bool add_dummy_prefix = true;  // prepend " " ("▁" for unigram) to non-empty text
  bool byte_fallback = true;     // unknown codepoints -> <0xNN> pieces; else unk_id

  // SentencePiece unigram: the piece type of each id (PieceType values, one
  // per piece), `scores` are the pieces' log probabilities, and the
  // NormalizerSpec: precompiled_charsmap bytes exactly as in the .spm (empty:
  // no rules) and its whitespace flags.
  Span<const uint8_t> piece_types;
  Span<const uint8_t> normalizer_charsmap;
  bool remove_extra_whitespaces = true;
  bool escape_whitespaces = true;

  // Byte-level BPE (GPT-2). Pieces are in the bytes_to_unicode alphabet
  // ("Ġthe"). merges[r] is "left right" (one space between the two pieces),
  // rank r; earlier merges apply first.
  Span<const std::string_view> merges;
  bool add_prefix_space = false;  // prepend " " unless the text starts with one
  PreTokenizer pre_tokenizer = PreTokenizer::kGpt2;
  // add_special_tokens prepends bos_id (GGUF tokenizer.ggml.add_bos_token;
  // SmolLM2 says false).
  bool add_bos = true;
  // Byte-level BPE may also have piece_types (empty: every piece normal),
  // as llama.cpp's token types: a kUserDefined piece is matched wherever
  // its text occurs and a kControl piece only with
  // EncodeOptions::parse_special (longer pieces first, leftmost first, as
  // llama.cpp partitions); the text between them is pre-tokenized and
  // merged as usual. decode: kControl pieces give "", kUserDefined pieces
  // their text unchanged.
};

struct EncodeOptions {
  // WordPiece: wrap in [CLS] ... [SEP]. SentencePiece BPE and byte-level
  // BPE: prepend BOS (GPT-2: "<|endoftext|>"; HF's GPT-2 tokenizer adds
  // nothing, so pass false to get its ids). Unigram: prepend BOS only if the
  // vocabulary has one (SentencePiece vocabularies often have none, e.g.
  // Marian's), never a failure.
  bool add_special_tokens = true;
  // SentencePiece and byte-level BPE: append EOS (Marian: "</s>" after
  // every source sentence).
  bool add_eos = false;
  // 0 = no limit. Otherwise the result has at most max_tokens ids, special
  // tokens included: text tokens are dropped from the end and the specials
  // kept (HF's LongestFirst truncation for a single sequence).
  size_t max_tokens = 0;
  // Byte-level BPE with piece types: text that spells a kControl piece
  // ("<|im_start|>") becomes its id, as llama.cpp's parse_special; without
  // it, that text is encoded as ordinary text.
  bool parse_special = false;
};

// Working memory of Tokenizer::encode() that a caller keeps between calls:
// with one, encoding a text no longer than the longest seen (or reserved)
// allocates nothing (unigram; the other kinds ignore it). Not shared
// between threads; a Tokenizer may be.
class TokenizerWorkspace {
 public:
  // Room for texts of up to `text_bytes` bytes that normalize to at most 3x
  // (ordinary NFKC text stays ~1x). Allocation failure: kOutOfMemory.
  Status reserve(size_t text_bytes);

 private:
  friend class Tokenizer;
  std::string normalized_;          // the normalized text
  std::vector<float> best_score_;   // [normalized + 1] Viterbi: best score ending here
  std::vector<int32_t> best_start_; // [normalized + 1] ... where its last piece starts (-1: unreached)
  std::vector<int32_t> best_id_;    // [normalized + 1] ... its last piece
  std::vector<int32_t> ends_;       // the best path's piece ends, backwards
};

class Tokenizer {
 public:
  // Inputs larger than this (4 MiB) are rejected: encode() holds the whole
  // text in working buffers (WordPiece: as UTF-32, up to 3 codepoints per
  // input codepoint), so this bounds its memory.
  static constexpr size_t kMaxTextBytes = size_t{1} << 22;
  static constexpr size_t kMaxVocabSize = size_t{1} << 22;
  // Unigram: the normalized text may be longer than the input (NFKC turns
  // a ligature into letters; a charsmap can map a character to any string),
  // and the Viterbi holds 12 bytes per normalized byte, so it is bounded
  // too (16 MiB; real NFKC grows text ~11x at most, ordinary text ~1x).
  static constexpr size_t kMaxNormalizedBytes = 4 * kMaxTextBytes;

  // Validates the spec (kInvalidModel): vocabulary non-empty and not too
  // large, special ids in range, scores sized like pieces (SPM), WordPiece
  // pieces non-empty and unk_id set, all 256 <0xNN> pieces present when
  // byte_fallback (else unk_id set); byte-level BPE: each merge is two pieces
  // of the vocabulary whose concatenation is one too, a known pre-tokenizer,
  // piece types (if any) one known type per piece; unigram: a known type
  // per piece, pieces non-empty, unk_id the one kUnknown piece, kByte pieces
  // only with byte_fallback, and a well-framed charsmap. Every allocation is
  // checked: out of memory is kOutOfMemory, with nothing left allocated.
  static Result<std::unique_ptr<Tokenizer>> create(const TokenizerSpec& spec);

  // Replaces *ids with the ids of `text`. Fails (kInvalidArgument, *ids
  // empty) only for text over kMaxTextBytes (unigram: or normalizing to
  // over kMaxNormalizedBytes), max_tokens too small for the specials, or
  // specials requested that the vocabulary lacks.
  Status encode(std::string_view text, const EncodeOptions& opts, std::vector<int32_t>* ids) const;
  // The same with the caller's working memory (see TokenizerWorkspace).
  Status encode(std::string_view text, const EncodeOptions& opts, std::vector<int32_t>* ids,
                TokenizerWorkspace* workspace) const;

  // Text of `id` when it follows `prev_id` (-1 at the start), for streaming.
  // SPM (llama2.c): <0xNN> yields the raw byte, and the leading space (the
  // dummy prefix) is stripped right after BOS — also from a <0x20> byte
  // piece, which llama2.c keeps, so decode(encode(x)) == x for any bytes. WordPiece (HF decoder): " piece", or the
  // piece without "##" for a continuation; the first piece (prev_id -1 or
  // a special) has no space. Byte-level BPE: the piece's characters mapped
  // back to bytes, which may be part of a UTF-8 sequence that the next
  // pieces complete (a piece with a character outside the byte alphabet is
  // returned as is, like HF's decoder). Special and out-of-range ids give
  // "". Unigram: "▁" becomes " ", and one leading "▁" is dropped at the
  // start (prev_id -1 or a control piece such as </s>); the unk piece gives
  // " ⁇ " (U+2047) and a <0xNN> piece its raw byte. The view points into the
  // spec's pieces or this Tokenizer; no allocation.
  std::string_view decode_piece(int32_t prev_id, int32_t id) const;

  // Replaces *text with the concatenated decode_piece() of `ids`, skipping
  // special tokens (WordPiece: [PAD] [UNK] [CLS] [SEP] [MASK]; SPM and
  // byte-level BPE: BOS, EOS, PAD; unigram: control pieces). The result is
  // bytes: byte-level BPE ids need not form valid UTF-8. Unigram follows
  // SentencePiece's DecodeIds instead: leading "▁" dropped until the text is
  // non-empty (with remove_extra_whitespaces), and each run of <0xNN> pieces
  // turned into UTF-8 with U+FFFD for every byte that is not part of a valid
  // character. Out-of-range ids are kInvalidArgument.
  Status decode(Span<const int32_t> ids, std::string* text) const;

  // Id of an exact piece, or -1 (the lowest id if a piece is duplicated).
  int32_t piece_to_id(std::string_view piece) const;
  // The piece of `id`, or "" when out of range.
  std::string_view id_to_piece(int32_t id) const;

  TokenizerKind kind() const { return spec_.kind; }
  int32_t vocab_size() const { return static_cast<int32_t>(spec_.pieces.size()); }
  int32_t unk_id() const { return spec_.unk_id; }
  int32_t bos_id() const { return spec_.bos_id; }
  int32_t eos_id() const { return spec_.eos_id; }
  int32_t pad_id() const { return spec_.pad_id; }
  int32_t cls_id() const { return spec_.cls_id; }
  int32_t sep_id() const { return spec_.sep_id; }
  int32_t mask_id() const { return spec_.mask_id; }

 private:
  explicit Tokenizer(const TokenizerSpec& spec) : spec_(spec) {}

  // wordpiece.cc
  Status init_wordpiece();
  void encode_wordpiece(std::string_view text, std::vector<int32_t>* ids) const;
  void wordpiece_word(std::string_view word, size_t num_chars, std::vector<int32_t>* ids) const;
  std::string_view decode_wordpiece(int32_t prev_id, int32_t id) const;

  // sentencepiece_bpe.cc
  Status init_bpe();
  void encode_bpe(std::string_view text, std::vector<int32_t>* ids) const;
  std::string_view decode_bpe(int32_t prev_id, int32_t id) const;

  // sentencepiece_unigram.cc
  Status init_unigram();
  Status init_unigram_pieces();
  Status encode_unigram(std::string_view text, std::vector<int32_t>* ids, TokenizerWorkspace& ws) const;
  std::string_view decode_unigram(int32_t prev_id, int32_t id) const;
  void decode_unigram_ids(Span<const int32_t> ids, std::string* text) const;
  PieceType piece_type(int32_t id) const { return static_cast<PieceType>(spec_.piece_types[static_cast<size_t>(id)]); }

  // byte_level_bpe.cc
  Status init_byte_level_bpe();
  Status init_byte_level_specials();
  void encode_byte_level_bpe(std::string_view text, bool parse_special, std::vector<int32_t>* ids) const;
  std::string_view decode_byte_level(int32_t id) const;
  // The id of the piece spelling `word`'s bytes in the byte alphabet (built
  // in *mapped), or -1.
  int32_t whole_piece(std::string_view word, std::string* mapped) const;

  // True for ids decode() skips.
  bool is_skipped_special(int32_t id) const;

  TokenizerSpec spec_;
  PieceIndex piece_ids_;
  size_t max_piece_bytes_ = 0;

  // WordPiece: what each id decodes to when not first (" piece", or the
  // piece without its prefix), cleaned up. Byte-level BPE: the bytes of each
  // id. display_offsets_ has size V + 1.
  Vector<char> display_;
  Vector<uint32_t> display_offsets_;  // [V + 1]

  // SPM: id of piece "<0xNN>" per byte (-1 if absent), the byte value of each
  // byte piece per id (-1 for other pieces), and the 256 bytes that
  // decode_piece() returns views into. Byte-level BPE: byte_ids_ holds the
  // id of the one-character piece bytes_to_unicode(byte) (-1 if absent).
  int32_t byte_ids_[256] = {};
  Vector<int16_t> byte_of_id_;  // [V]
  char byte_chars_[256] = {};

  // Byte-level BPE: (left id, right id) -> rank and merged id.
  MergeTable merges_;
  // Byte-level BPE with piece types: the non-empty kUserDefined and kControl
  // ids, longest piece first (ties: lower id first), for the special-token
  // partition of encode().
  Vector<int32_t> special_ids_;

  // Unigram: the Normal and UserDefined pieces (what Viterbi matches), the
  // UserDefined ones alone (matched before normalizing), the normalizer,
  // and SentencePiece's min/max score over Normal pieces (an unknown
  // character costs min - 10; a user-defined piece scores length * max - 0.1).
  // Display text (display_) is the piece with "▁" -> " ".
  PieceTrie unigram_trie_;
  PieceTrie user_defined_trie_;
  SpmNormalizer normalizer_;
  float min_score_ = 0;
  float max_score_ = 0;
};

}  // namespace edgeattn
