// SpmModel: a SentencePiece model file (.spm / .model, e.g. Marian's
// vocab.enpt.spm), read without libprotobuf.
//
// The file is one serialized sentencepiece.ModelProto (sentencepiece_model.proto):
//   1 pieces           repeated SentencePiece {1 piece: string, 2 score: float,
//                                              3 type: enum, default NORMAL}
//   2 trainer_spec     {3 model_type (UNIGRAM 1, BPE 2, WORD 3, CHAR 4; default
//                       UNIGRAM), 24 treat_whitespace_as_suffix, 35 byte_fallback,
//                       40-43 unk/bos/eos/pad_id (defaults 0, 1, 2, -1),
//                       44 unk_surface, 45-48 unk/bos/eos/pad_piece}
//   3 normalizer_spec  {1 name, 2 precompiled_charsmap: bytes,
//                       3 add_dummy_prefix, 4 remove_extra_whitespaces,
//                       5 escape_whitespaces: bool, all three default TRUE}
//   5 denormalizer_spec  (a NormalizerSpec)
// Everything else (training inputs, self-test data, unknown fields) is
// skipped by wire type. proto2 defaults apply to absent fields, so a file
// that omits add_dummy_prefix has it true.
//
// The bytes are untrusted: every varint, length and field is checked against
// the bytes left in its message, and a malformed file is a ConvertError
// naming the file, the byte offset and what was being read. Values that
// protobuf would accept but SentencePiece cannot mean anything by (an
// unknown piece type or model type, an empty piece) are errors too.
//
// Example:
//   SpmModel m = SpmModel::open("vocab.enpt.spm");
//   m.pieces.size();                       // 32000
//   m.pieces[0].piece;                     // "</s>", type kControl
//   m.normalizer.name;                     // "nmt_nfkc"
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace edgeattn::convert {

struct SpmPiece {
  // ModelProto.SentencePiece.Type values.
  enum Type : int { kNormal = 1, kUnknown = 2, kControl = 3, kUserDefined = 4, kUnused = 5, kByte = 6 };
  std::string piece;
  float score = 0.0f;
  int type = kNormal;
};

struct SpmNormalizerSpec {
  bool present = false;  // the message is in the file
  std::string name;
  std::string precompiled_charsmap;  // uint32 trie size + darts-clone array + strings
  bool add_dummy_prefix = true;
  bool remove_extra_whitespaces = true;
  bool escape_whitespaces = true;
};

struct SpmModel {
  // TrainerSpec.ModelType.
  enum ModelType : int { kUnigram = 1, kBpe = 2, kWord = 3, kChar = 4 };

  std::vector<SpmPiece> pieces;
  // TrainerSpec (proto2 defaults when absent).
  int model_type = kUnigram;
  bool treat_whitespace_as_suffix = false;
  bool byte_fallback = false;
  int32_t unk_id = 0, bos_id = 1, eos_id = 2, pad_id = -1;
  bool has_unk_surface = false;
  std::string unk_surface = " \xE2\x81\x87 ";  // " ⁇ "
  // The names SentencePieceProcessor looks the special ids up by (its
  // unk_id()/bos_id()/... ignore the numeric ids above).
  std::string unk_piece = "<unk>", bos_piece = "<s>", eos_piece = "</s>", pad_piece = "<pad>";
  SpmNormalizerSpec normalizer;
  SpmNormalizerSpec denormalizer;

  // Reads and validates `path` (throws ConvertError).
  static SpmModel open(const std::string& path);
  // The same from bytes; `name` prefixes error messages.
  static SpmModel parse(const std::string& name, const uint8_t* data, size_t size);
};

// "UNIGRAM", "BPE", "WORD", "CHAR", or the number.
std::string spm_model_type_name(int model_type);

}  // namespace edgeattn::convert
