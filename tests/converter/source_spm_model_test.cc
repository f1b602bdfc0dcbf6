// SpmModel (the SentencePiece ModelProto reader) on synthetic files:
// fields, proto2 defaults, unknown fields, and malformed bytes, which must
// all be ConvertErrors naming the file and offset.
#include "converter/source/spm_model.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "converter/source/convert_error.h"
#include "tests/converter/test_files.h"
#include "tests/tokenizer/spm_test_model.h"

namespace edgeattn::convert {
namespace {

using namespace test_files;  // tests/converter/test_files.h
using edgeattn::testing::ProtoWriter;
using edgeattn::testing::SpmFile;

SpmFile small_file() {
  SpmFile f;
  f.pieces = {{"</s>", 0, 3}, {"<unk>", 0, 2}, {"\xE2\x96\x81" "a", -1.5f}, {"b", -2.25f, 1}, {"<x>", 0, 4}};
  f.charsmap = edgeattn::testing::build_charsmap({{"\xEF\xBC\xA1", "A"}});
  return f;
}

SpmModel parse(const std::vector<uint8_t>& bytes) { return SpmModel::parse("t.spm", bytes.data(), bytes.size()); }

std::string parse_error(const std::vector<uint8_t>& bytes) {
  return error_of([&] { (void)parse(bytes); });
}

TEST_CASE("SpmModel: pieces, trainer and normalizer fields") {
  SpmFile f = small_file();
  f.byte_fallback = true;
  f.add_dummy_prefix = false;
  f.remove_extra_whitespaces = false;
  f.escape_whitespaces = false;
  f.eos_piece = "<eos>";
  f.unk_surface = "?";
  const SpmModel m = parse(f.bytes());
  REQUIRE(m.pieces.size() == 5);
  CHECK(m.pieces[0].piece == "</s>");
  CHECK(m.pieces[0].type == SpmPiece::kControl);
  CHECK(m.pieces[2].piece == "\xE2\x96\x81" "a");
  CHECK(m.pieces[2].score == -1.5f);
  CHECK(m.pieces[2].type == SpmPiece::kNormal);  // type absent: NORMAL
  CHECK(m.pieces[3].score == -2.25f);
  CHECK(m.pieces[4].type == SpmPiece::kUserDefined);
  CHECK(m.model_type == SpmModel::kUnigram);
  CHECK(m.byte_fallback);
  CHECK(m.unk_id == 1);
  CHECK(m.bos_id == -1);  // written as a 10-byte varint
  CHECK(m.eos_id == 0);
  CHECK(m.pad_id == -1);
  CHECK(m.eos_piece == "<eos>");
  CHECK(m.bos_piece == "<s>");
  CHECK(m.has_unk_surface);
  CHECK(m.unk_surface == "?");
  CHECK(m.normalizer.present);
  CHECK(m.normalizer.name == "test");
  CHECK(m.normalizer.precompiled_charsmap == f.charsmap);
  CHECK_FALSE(m.normalizer.add_dummy_prefix);
  CHECK_FALSE(m.normalizer.remove_extra_whitespaces);
  CHECK_FALSE(m.normalizer.escape_whitespaces);
  CHECK_FALSE(m.denormalizer.present);
}

TEST_CASE("SpmModel: proto2 defaults for absent fields") {
  SpmFile f = small_file();
  f.with_trainer_spec = false;
  const SpmModel m = parse(f.bytes());
  CHECK(m.model_type == SpmModel::kUnigram);
  CHECK_FALSE(m.byte_fallback);
  CHECK(m.unk_id == 0);
  CHECK(m.bos_id == 1);
  CHECK(m.eos_id == 2);
  CHECK(m.pad_id == -1);
  CHECK_FALSE(m.has_unk_surface);
  // The whitespace flags default to TRUE in sentencepiece_model.proto.
  CHECK(m.normalizer.add_dummy_prefix);
  CHECK(m.normalizer.remove_extra_whitespaces);
  CHECK(m.normalizer.escape_whitespaces);
  f.with_normalizer_spec = false;
  const SpmModel bare = parse(f.bytes());
  CHECK_FALSE(bare.normalizer.present);
  CHECK(bare.normalizer.add_dummy_prefix);
  CHECK(bare.normalizer.precompiled_charsmap.empty());
}

TEST_CASE("SpmModel: unknown fields of every wire type are skipped") {
  SpmFile f = small_file();
  ProtoWriter extra;
  extra.int_field(4, 7);          // self_test_data slot, as a varint here
  extra.key(99, 1);               // fixed64
  for (int i = 0; i < 8; ++i) extra.varint(0);
  extra.float_field(100, 1.0f);   // fixed32
  extra.bytes_field(101, "skip me");
  f.trailing = extra.bytes();
  const SpmModel m = parse(f.bytes());
  CHECK(m.pieces.size() == 5);
  CHECK(m.normalizer.name == "test");
}

TEST_CASE("SpmModel: malformed files are ConvertErrors naming what and where") {
  CHECK(contains(parse_error({}), "t.spm: ModelProto: empty file"));
  SpmFile none = small_file();
  none.pieces.clear();
  CHECK(contains(parse_error(none.bytes()), "no pieces"));

  SpmFile bad_type = small_file();
  bad_type.pieces[2].type = 9;
  CHECK(contains(parse_error(bad_type.bytes()), "piece 2: type 9 is not a SentencePiece piece type"));
  SpmFile empty_piece = small_file();
  empty_piece.pieces[1].piece.clear();
  CHECK(contains(parse_error(empty_piece.bytes()), "piece 1: empty piece"));
  SpmFile bad_model = small_file();
  bad_model.model_type = 7;
  CHECK(contains(parse_error(bad_model.bytes()), "model_type 7 is not a SentencePiece model type"));

  ProtoWriter wrong_wire;  // a piece whose score is a varint
  ProtoWriter piece;
  piece.bytes_field(1, "a");
  piece.int_field(2, 5);
  wrong_wire.message_field(1, piece);
  CHECK(contains(parse_error(wrong_wire.bytes()), "score (field 2) has wire type varint, expected fixed32"));

  ProtoWriter group;
  group.key(7, 3);
  CHECK(contains(parse_error(group.bytes()), "unknown field 7 has wire type 3 (start-group)"));
  // Field 6 (a varint nobody reads) with bad varints.
  CHECK(contains(parse_error({0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x81, 0x01}),
                 "varint longer than 10 bytes"));
  CHECK(contains(parse_error({0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F}),
                 "varint overflows 64 bits"));
  CHECK(contains(parse_error({0x0A, 0x05, 'a', 'b'}), "length 5 of piece 0 exceeds the 2 bytes left in ModelProto"));
  CHECK(contains(parse_error({0x0A, 0x03, 0x0A, 0x05, 'a'}), "piece 0: length 5 of piece exceeds the 1 bytes left"));
  CHECK(contains(parse_error({0x00, 0x01}), "invalid field number 0 at offset 0"));
  CHECK(contains(parse_error({0x0A}), "truncated varint reading the length of piece 0 at offset 1"));
}

TEST_CASE("SpmModel: every truncation and random corruption parses or is a ConvertError") {
  const std::vector<uint8_t> bytes = small_file().bytes();
  size_t refused = 0;
  for (size_t n = 0; n < bytes.size(); ++n) {
    const std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
    refused += parse_error(cut) != "<no error>";
  }
  CHECK(refused > bytes.size() / 2);
  Lcg rng{424242};
  for (int i = 0; i < 3000; ++i) {
    std::vector<uint8_t> data = bytes;
    for (uint32_t k = 0, n = 1 + rng.next() % 4; k < n; ++k) {
      data[rng.next() % data.size()] = static_cast<uint8_t>(rng.next());
    }
    const std::string e = parse_error(data);
    CHECK((e == "<no error>" || e.rfind("t.spm: ", 0) == 0));
  }
}

}  // namespace
}  // namespace edgeattn::convert
