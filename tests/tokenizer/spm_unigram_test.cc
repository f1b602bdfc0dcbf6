// SentencePiece unigram on tiny models built in the test (no model files):
// Viterbi picking the best-scoring split, unknown characters (one unk per
// run, or byte fallback), user-defined / unused / control pieces, the
// normalizer's charsmap rules and whitespace flags, decode, create()
// validation, and hostile charsmaps. Each tiny model goes through the whole
// path: .spm bytes -> SpmModel::parse -> spm_tokenizer_table -> a model file
// -> Model::load_buffer -> Tokenizer.
//
// The expected ids and texts were checked once against the `sentencepiece`
// package (0.2.3) on the very .spm bytes these builders produce (written out
// by compiling this file with DOCTEST_CONFIG_DISABLE and calling the
// builders): every case below is what SentencePieceProcessor gives.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "converter/source/convert_error.h"
#include "converter/source/spm_model.h"
#include "converter/tokenizer_import.h"
#include "runtime/tokenizer/piece_trie.h"
#include "runtime/tokenizer/tokenizer.h"
#include "tests/tokenizer/model_with_tokenizer.h"
#include "tests/tokenizer/spm_test_model.h"
#include "tests/tokenizer/test_util.h"

namespace edgeattn {
namespace {

using Ids = std::vector<int32_t>;
using testing::SpmFile;
using testing::SpmTestPiece;

const char* const kMark = "\xE2\x96\x81";  // "▁"

std::string marked(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '_' ? std::string(kMark) : std::string(1, c);
  return out;
}

// Scores chosen so the best split is not the longest piece: "▁abc" is
// worse than "▁a" + "bc". All scores negative, so SentencePiece's max score
// stays FLT_MIN and a user-defined piece scores about -0.1.
SpmFile viterbi_model() {
  SpmFile f;
  f.pieces = {
      {"</s>", 0, 3},          {"<unk>", 0, 2},        {marked("_"), -2.0f},  {marked("_a"), -3.0f},
      {marked("_ab"), -4.0f},  {"b", -3.0f},           {"c", -2.5f},          {marked("_abc"), -10.0f},
      {"bc", -3.0f},           {"a", -3.5f},           {"<sep>", 0, 4},       {"d", 0, 5},
      {"fi", -2.0f},           {"A", -2.0f},           {"q", -2.0f},          {"\xC3\xA9", -2.0f},
      {marked("_x"), -1.0f},   {"x", -5.0f},           {"y", -5.0f},          {marked("_q"), -6.0f},
  };
  f.charsmap = testing::build_charsmap({
      {"\xEF\xBC\xA1", "A"},   // full-width A
      {"\xEF\xAC\x81", "fi"},  // ligature fi
      {"\t", " "},
      {"\xC2\xA0", " "},  // no-break space
      {"Q", " q "},       // spaces inside a replacement
      {"z", ""},          // a character that normalizes to nothing
      {"e\xCC\x81", "\xC3\xA9"},  // e + combining acute -> é (a 3-byte key)
      {"e", "e"},                 // a shorter key under it: the longest wins
  });
  return f;
}

// Byte fallback, no charsmap, spaces kept as they come (no extra-space removal).
SpmFile byte_fallback_model() {
  SpmFile f;
  f.pieces = {{"</s>", 0, 3}, {"<unk>", 0, 2}};
  for (int b = 0; b < 256; ++b) {
    char name[8];
    std::snprintf(name, sizeof(name), "<0x%02X>", b);
    f.pieces.push_back({name, 0, 6});
  }
  for (const char* p : {"_", "_a", "a", "b", "_b"}) f.pieces.push_back({marked(p), -2.0f});
  f.byte_fallback = true;
  f.normalizer_name = "identity";
  f.remove_extra_whitespaces = false;
  return f;
}

// All three whitespace flags off: spaces stay spaces, no dummy prefix.
SpmFile raw_spaces_model() {
  SpmFile f;
  f.pieces = {{"</s>", 0, 3}, {"<unk>", 0, 2}, {" ", -1.0f}, {"a", -1.0f}, {"b", -1.0f}, {" a", -1.5f}};
  f.add_dummy_prefix = false;
  f.remove_extra_whitespaces = false;
  f.escape_whitespaces = false;
  return f;
}

std::unique_ptr<testing::LoadedModel> load(const SpmFile& f) {
  const std::vector<uint8_t> bytes = f.bytes();
  const convert::SpmModel m = convert::SpmModel::parse("test.spm", bytes.data(), bytes.size());
  return testing::load_with_tokenizer(convert::spm_tokenizer_table(m, "test.spm"));
}

const Tokenizer& viterbi() {
  static const testing::LoadedModel* m = load(viterbi_model()).release();
  return *m->model->tokenizer();
}

const Tokenizer& byte_fallback() {
  static const testing::LoadedModel* m = load(byte_fallback_model()).release();
  return *m->model->tokenizer();
}

const Tokenizer& raw_spaces() {
  static const testing::LoadedModel* m = load(raw_spaces_model()).release();
  return *m->model->tokenizer();
}

EncodeOptions with_eos() {
  EncodeOptions o;
  o.add_eos = true;
  return o;
}

Ids enc(const Tokenizer& tok, std::string_view text, EncodeOptions opts = with_eos()) {
  Ids ids;
  const Status s = tok.encode(text, opts, &ids);
  REQUIRE_MESSAGE(s.is_ok(), s.message());
  return ids;
}

std::string dec(const Tokenizer& tok, const Ids& ids) {
  std::string text;
  const Status s = tok.decode(Span<const int32_t>(ids.data(), ids.size()), &text);
  REQUIRE_MESSAGE(s.is_ok(), s.message());
  return text;
}

struct Case {
  std::string text;
  Ids ids;  // with EOS
  std::string decoded;
};

void check_cases(const Tokenizer& tok, const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    CAPTURE(c.text);
    CHECK(enc(tok, c.text) == c.ids);
    CHECK(dec(tok, c.ids) == c.decoded);
  }
}

TEST_CASE("unigram import: kind, ids and normalizer of a tiny .spm") {
  const Tokenizer& tok = viterbi();
  CHECK(tok.kind() == TokenizerKind::kSentencePieceUnigram);
  CHECK(tok.vocab_size() == 20);
  CHECK(tok.unk_id() == 1);
  CHECK(tok.eos_id() == 0);  // "</s>", a control piece
  CHECK(tok.bos_id() == -1);  // no "<s>" piece
  CHECK(tok.pad_id() == -1);
  CHECK(tok.id_to_piece(3) == marked("_a"));  // pieces keep "▁"
  CHECK(tok.piece_to_id(marked("_abc")) == 7);
}

TEST_CASE("unigram: Viterbi picks the best-scoring split") {
  check_cases(viterbi(), {
                             {"ab", {4, 0}, "ab"},              // "▁ab" -4 beats "▁a"+"b" -6
                             {"abc", {3, 8, 0}, "abc"},         // "▁a"+"bc" -6 beats "▁abc" -10, "▁ab"+"c" -6.5
                             {"a b", {3, 2, 5, 0}, "a b"},      // no "▁b": "▁" + "b"
                             {"  a   b  ", {3, 2, 5, 0}, "a b"},  // extra spaces removed
                             {"x", {16, 0}, "x"},
                             {"xx", {16, 17, 0}, "xx"},
                             {"", {0}, ""},
                             {"   ", {0}, ""},
                         });
}

TEST_CASE("unigram: unknown characters, one unk per run") {
  check_cases(viterbi(), {
                             // 中文 is one run: one unk; "a" after it is a piece.
                             {"a\xE4\xB8\xAD\xE6\x96\x87" "a", {3, 1, 9, 0}, "a \xE2\x81\x87 a"},
                             // Separate runs: two unks.
                             {"\xE4\xB8\xAD" "b\xE6\x96\x87", {2, 1, 5, 1, 0}, " \xE2\x81\x87 b \xE2\x81\x87 "},
                             // An unused piece is never matched: "d" is unknown.
                             {"d", {2, 1, 0}, " \xE2\x81\x87 "},
                             // Control pieces are not matched from text either.
                             {"</s>", {2, 1, 0}, " \xE2\x81\x87 "},
                             // Invalid UTF-8 becomes U+FFFD, also unknown.
                             {"a\xFF", {3, 1, 0}, "a \xE2\x81\x87 "},
                         });
}

TEST_CASE("unigram: user-defined pieces are always matched, unnormalized") {
  check_cases(viterbi(), {
                             {"a<sep>b", {3, 10, 5, 0}, "a<sep>b"},
                             {"<sep>", {2, 10, 0}, "<sep>"},
                         });
}

TEST_CASE("unigram: charsmap rules, longest key first") {
  check_cases(viterbi(), {
                             {"\xEF\xBC\xA1", {2, 13, 0}, "A"},           // full-width A -> A
                             {"\xEF\xAC\x81", {2, 12, 0}, "fi"},          // ligature -> fi
                             {"a\tb", {3, 2, 5, 0}, "a b"},               // tab -> space
                             {"a\xC2\xA0\xC2\xA0" "b", {3, 2, 5, 0}, "a b"},  // no-break spaces collapse
                             // " q " inside a word: "▁" + "q" (-4) beats "▁q" (-6).
                             {"aQb", {3, 2, 14, 2, 5, 0}, "a q b"},
                             {"azzb", {4, 0}, "ab"},  // z -> nothing: "▁ab" as for "ab"
                             {"e\xCC\x81", {2, 15, 0}, "\xC3\xA9"},       // e + U+0301 -> é
                             {"e", {2, 1, 0}, " \xE2\x81\x87 "},          // "e" -> "e", not a piece
                         });
}

TEST_CASE("unigram: byte fallback") {
  const Tokenizer& tok = byte_fallback();
  auto b = [](int byte) { return 2 + byte; };
  check_cases(tok, {
                       {"ab", {259, 261, 0}, "ab"},  // "▁a" "b"
                       // 中 is E4 B8 AD: three byte pieces.
                       {"a \xE4\xB8\xAD", {259, 258, b(0xE4), b(0xB8), b(0xAD), 0}, "a \xE4\xB8\xAD"},
                       // remove_extra_whitespaces off: spaces are kept.
                       {" a  b ", {258, 259, 258, 262, 258, 0}, " a  b "},
                       // An invalid byte was U+FFFD after normalizing: its 3 bytes.
                       {"\xFF", {258, b(0xEF), b(0xBF), b(0xBD), 0}, "\xEF\xBF\xBD"},
                   });
  // Decoding byte runs: each byte outside a valid character is U+FFFD.
  CHECK(dec(tok, {b('h'), b(0xC3), b(0xA9), b(0xC3)}) == "h\xC3\xA9\xEF\xBF\xBD");
  CHECK(dec(tok, {b(0xE4), b(0xB8), 260, b(0xAD)}) == "\xEF\xBF\xBD\xEF\xBF\xBD" "a\xEF\xBF\xBD");
}

TEST_CASE("unigram: whitespace flags off") {
  check_cases(raw_spaces(), {
                                {"a  b", {3, 2, 2, 4, 0}, "a  b"},
                                {" a", {5, 0}, " a"},
                            });
}

TEST_CASE("unigram: decode and decode_piece") {
  const Tokenizer& tok = viterbi();
  // The leading "▁" is dropped from every piece until text appears
  // (remove_extra_whitespaces), and control pieces vanish.
  CHECK(dec(tok, {2, 2, 3}) == "a");
  CHECK(dec(tok, {0, 3, 0, 3}) == "a a");
  CHECK(dec(tok, {1, 3}) == " \xE2\x81\x87  a");
  // Streaming: the first piece (or one after a control piece) loses its "▁".
  CHECK(tok.decode_piece(-1, 3) == "a");
  CHECK(tok.decode_piece(0, 3) == "a");
  CHECK(tok.decode_piece(9, 3) == " a");
  CHECK(tok.decode_piece(3, 0).empty());  // </s>
  CHECK(tok.decode_piece(3, 1) == " \xE2\x81\x87 ");
  Ids ids = {3, 8, 2, 5};
  std::string streamed;
  int32_t prev = -1;
  for (int32_t id : ids) {
    streamed += tok.decode_piece(prev, id);
    prev = id;
  }
  CHECK(streamed == dec(tok, ids));
  CHECK(streamed == "abc b");
  std::string text;
  const int32_t bad[] = {3, 20};
  CHECK(tok.decode(Span<const int32_t>(bad, 2), &text).code() == StatusCode::kInvalidArgument);
}

TEST_CASE("unigram: encode options") {
  const Tokenizer& tok = viterbi();
  EncodeOptions plain;
  plain.add_special_tokens = true;  // no BOS in the vocabulary: nothing added, no error
  CHECK(enc(tok, "ab", plain) == Ids{4});
  EncodeOptions cut = with_eos();
  cut.max_tokens = 2;
  CHECK(enc(tok, "abc", cut) == Ids{3, 0});
}

// ---- converter import errors ------------------------------------------------

std::string import_error(const SpmFile& f) {
  const std::vector<uint8_t> bytes = f.bytes();
  try {
    const convert::SpmModel m = convert::SpmModel::parse("bad.spm", bytes.data(), bytes.size());
    (void)convert::spm_tokenizer_table(m, "bad.spm");
  } catch (const convert::ConvertError& e) {
    return e.what();
  }
  return "<no error>";
}

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

TEST_CASE("unigram import: what the runtime cannot run is a ConvertError") {
  SpmFile bpe = viterbi_model();
  bpe.model_type = 2;
  CHECK(import_error(bpe) == "bad.spm: SentencePiece model_type BPE is not supported (only UNIGRAM)");
  SpmFile word = viterbi_model();
  word.model_type = 3;
  CHECK(has(import_error(word), "model_type WORD is not supported"));
  SpmFile suffix = viterbi_model();
  suffix.treat_whitespace_as_suffix = true;
  CHECK(has(import_error(suffix), "treat_whitespace_as_suffix is not supported"));
  SpmFile denorm = viterbi_model();
  denorm.denormalizer_charsmap = testing::build_charsmap({{"a", "b"}});
  CHECK(has(import_error(denorm), "denormalizer_spec ('denormalizer') is not supported"));
  SpmFile surface = viterbi_model();
  surface.unk_surface = "<?>";
  CHECK(has(import_error(surface), "unk_surface '<?>' is not supported"));
  SpmFile default_surface = viterbi_model();
  default_surface.unk_surface = " \xE2\x81\x87 ";
  CHECK(import_error(default_surface) == "<no error>");

  SpmFile duplicate = viterbi_model();
  duplicate.pieces.push_back({"bc", -1.0f});
  CHECK(has(import_error(duplicate), "piece 20 'bc' repeats piece 8"));
  SpmFile two_unk = viterbi_model();
  two_unk.pieces[9].type = 2;
  CHECK(has(import_error(two_unk), "pieces 1 and 9 are both of type UNKNOWN"));
  SpmFile no_unk = viterbi_model();
  no_unk.pieces[1].type = 3;
  CHECK(has(import_error(no_unk), "no piece of type UNKNOWN"));
  SpmFile byte_piece = viterbi_model();
  byte_piece.pieces.push_back({"<0x41>", 0, 6});
  CHECK(has(import_error(byte_piece), "byte piece 20 '<0x41>' but byte_fallback is false"));
  SpmFile bad_byte = byte_fallback_model();
  bad_byte.pieces[2 + 0x41].piece = "<0x4g>";
  CHECK(has(import_error(bad_byte), "'<0x4g>' is not <0xNN>"));
  SpmFile missing_bytes = byte_fallback_model();
  missing_bytes.pieces[2 + 0x41].type = 1;
  CHECK(has(import_error(missing_bytes), "not all 256 byte pieces"));
  SpmFile bad_charsmap = viterbi_model();
  bad_charsmap.charsmap.back() = 'x';  // the strings must end with NUL
  CHECK(has(import_error(bad_charsmap), "SentencePiece model refused: unigram: normalizer charsmap: the replacement "
                                        "strings do not end with NUL"));
}

TEST_CASE("unigram: a model file with a bad tokenizer table does not load") {
  const std::vector<uint8_t> bytes = viterbi_model().bytes();
  const convert::SpmModel m = convert::SpmModel::parse("t.spm", bytes.data(), bytes.size());
  std::unique_ptr<fb::TokenizerT> bad_type = convert::spm_tokenizer_table(m, "t.spm");
  bad_type->piece_types[4] = static_cast<fb::PieceType>(9);  // the schema's enum is not checked by FlatBuffers
  Status s = testing::load_status_with_tokenizer(std::move(bad_type));
  CHECK(s.code() == StatusCode::kInvalidModel);
  CHECK(has(s.message(), "piece 4 has unknown type 9"));
  std::unique_ptr<fb::TokenizerT> short_map = convert::spm_tokenizer_table(m, "t.spm");
  short_map->normalizer_charsmap.resize(600);
  s = testing::load_status_with_tokenizer(std::move(short_map));
  CHECK(s.code() == StatusCode::kInvalidModel);
  CHECK(has(s.message(), "charsmap"));
}

// ---- Tokenizer::create() validation -----------------------------------------

struct SpecParts {
  std::vector<std::string_view> pieces = {"</s>", "<unk>", "\xE2\x96\x81", "a"};
  std::vector<float> scores = {0, 0, -1, -2};
  std::vector<uint8_t> types = {3, 2, 1, 1};
  std::string charsmap;
  TokenizerSpec spec() const {
    TokenizerSpec s;
    s.kind = TokenizerKind::kSentencePieceUnigram;
    s.pieces = Span<const std::string_view>(pieces.data(), pieces.size());
    s.scores = Span<const float>(scores.data(), scores.size());
    s.piece_types = Span<const uint8_t>(types.data(), types.size());
    s.normalizer_charsmap =
        Span<const uint8_t>(reinterpret_cast<const uint8_t*>(charsmap.data()), charsmap.size());
    s.unk_id = 1;
    s.eos_id = 0;
    s.byte_fallback = false;
    return s;
  }
};

std::string create_error(const TokenizerSpec& spec) {
  Result<std::unique_ptr<Tokenizer>> t = Tokenizer::create(spec);
  if (t.is_ok()) return "<no error>";
  CHECK(t.status().code() == StatusCode::kInvalidModel);
  return t.status().message();
}

TEST_CASE("unigram create(): the spec is validated") {
  SpecParts ok;
  CHECK(create_error(ok.spec()) == "<no error>");
  SpecParts short_types;
  short_types.types.pop_back();
  CHECK(has(create_error(short_types.spec()), "3 piece types for 4 pieces"));
  SpecParts bad_type;
  bad_type.types[3] = 7;
  CHECK(has(create_error(bad_type.spec()), "piece 3 has unknown type 7"));
  SpecParts empty_piece;
  empty_piece.pieces[3] = "";
  CHECK(has(create_error(empty_piece.spec()), "piece 3 is empty"));
  SpecParts no_unk;
  TokenizerSpec s = no_unk.spec();
  s.unk_id = -1;
  CHECK(has(create_error(s), "has no unk_id"));
  s.unk_id = 3;
  CHECK(has(create_error(s), "piece 1 is a second unknown piece (unk_id 3)"));
  SpecParts wrong_unk;
  wrong_unk.types[1] = 1;
  s = wrong_unk.spec();
  s.unk_id = 1;
  CHECK(has(create_error(s), "unk_id 1 is not an unknown piece"));
  SpecParts bytes;
  bytes.pieces.push_back("<0x41>");
  bytes.scores.push_back(0);
  bytes.types.push_back(6);
  CHECK(has(create_error(bytes.spec()), "byte piece 4 without byte_fallback"));
  s = bytes.spec();
  s.byte_fallback = true;
  CHECK(has(create_error(s), "byte_fallback needs piece <0x00>"));
}

TEST_CASE("unigram: BOS only when the vocabulary has one") {
  SpecParts p;
  p.pieces.push_back("<s>");
  p.scores.push_back(0);
  p.types.push_back(3);
  TokenizerSpec spec = p.spec();
  spec.bos_id = 4;
  Result<std::unique_ptr<Tokenizer>> tok = Tokenizer::create(spec);
  REQUIRE(tok.is_ok());
  CHECK(enc(**tok, "a", EncodeOptions()) == Ids{4, 2, 3});  // <s> "▁" "a"
  EncodeOptions no_bos;
  no_bos.add_special_tokens = false;
  CHECK(enc(**tok, "a", no_bos) == Ids{2, 3});
}

TEST_CASE("unigram: text that normalizes past kMaxNormalizedBytes is refused") {
  SpecParts p;
  p.charsmap = testing::build_charsmap({{"x", std::string(100, 'a')}});
  Result<std::unique_ptr<Tokenizer>> tok = Tokenizer::create(p.spec());
  REQUIRE(tok.is_ok());
  std::vector<int32_t> ids = {7};
  const std::string text(Tokenizer::kMaxNormalizedBytes / 100 + 1, 'x');
  const Status s = (*tok)->encode(text, EncodeOptions(), &ids);
  CHECK(s.code() == StatusCode::kInvalidArgument);
  CHECK(has(s.message(), "normalizes to more than"));
  CHECK(ids.empty());
  CHECK((*tok)->encode(text.substr(0, 1000), EncodeOptions(), &ids).is_ok());
  CHECK(ids.size() == 100 * 1000 + 1);  // "▁" then one "a" per byte
}

TEST_CASE("unigram create(): charsmap framing as sentencepiece 0.2.3 checks it") {
  const std::string good = testing::build_charsmap({{"x", "y"}});
  auto error_for = [](std::string charsmap) {
    SpecParts p;
    p.charsmap = std::move(charsmap);
    return create_error(p.spec());
  };
  auto with_size = [&](uint32_t trie_size) {
    std::string c = good;
    for (int i = 0; i < 4; ++i) c[static_cast<size_t>(i)] = static_cast<char>(trie_size >> (8 * i));
    return c;
  };
  CHECK(error_for(good) == "<no error>");
  CHECK(has(error_for(good.substr(0, 4)), "charsmap of 4 bytes is too short"));
  CHECK(has(error_for(with_size(static_cast<uint32_t>(good.size()))), "leaves no strings"));
  CHECK(has(error_for(with_size(1020)), "trie size 1020 is not a non-zero multiple of 1024"));
  CHECK(has(error_for(with_size(0)), "trie size 0 is not a non-zero multiple of 1024"));
  std::string no_nul = good;
  no_nul.back() = 'z';
  CHECK(has(error_for(no_nul), "do not end with NUL"));
  std::string bad_root = good;
  bad_root[4] = 1;  // the root unit's label must be 0
  CHECK(has(error_for(bad_root), "invalid root unit"));
  std::string far_offset = good;
  far_offset[4 + 4 * 5 + 3] = 0x7F;  // unit 5: an offset far past the array
  CHECK(has(error_for(far_offset), "unit 5 points past the 256 units"));
}

TEST_CASE("unigram: random charsmaps are refused or normalize in bounds") {
  testing::ByteFuzzer rng(99);
  std::vector<int32_t> ids;
  size_t created = 0;
  for (int i = 0; i < 400; ++i) {
    // 256 random units, random strings. Every other map is shaped to pass
    // validate(): a root with label 0 and an offset, offsets below 256,
    // string offsets in range; the lookups then wander a random automaton.
    std::string strings = rng.make(40);
    if (rng.next() % 8 != 0) strings.push_back('\0');
    const uint32_t n = static_cast<uint32_t>(std::max<size_t>(strings.size(), 1));
    std::string c(4 + 1024, '\0');
    c[1] = 4;  // trie size 1024
    for (size_t u = 0; u < 256; ++u) {
      uint32_t v = rng.next() << 8 | rng.next() % 256;
      if (i % 2 == 0) {
        v = (v >> 31) != 0 ? (1U << 31 | v % n) : (v & 0x3FDFF);  // leaf: a value; else label, leaf bit, offset
        if (u == 0) v = (1 + rng.next() % 255) << 10;
      }
      for (int k = 0; k < 4; ++k) c[4 + 4 * u + static_cast<size_t>(k)] = static_cast<char>(v >> (8 * k));
    }
    c += strings;
    SpecParts p;
    p.charsmap = c;
    Result<std::unique_ptr<Tokenizer>> tok = Tokenizer::create(p.spec());
    if (!tok.is_ok()) continue;
    ++created;
    for (int t = 0; t < 8; ++t) {
      REQUIRE((*tok)->encode(rng.make(100), EncodeOptions(), &ids).is_ok());
      for (int32_t id : ids) REQUIRE((id >= 0 && id < 4));
    }
  }
  MESSAGE("random charsmaps accepted: ", created, "/400");
  CHECK(created > 0);
}

// ---- PieceTrie ----------------------------------------------------------------

TEST_CASE("PieceTrie: the same prefix matches as a brute-force scan") {
  testing::ByteFuzzer rng(5);
  std::vector<std::string> owned;
  for (int i = 0; i < 400; ++i) {
    std::string p;
    for (uint32_t k = 0, n = rng.next() % 6; k < n; ++k) p.push_back("abc\xC3\xA9\xFF"[rng.next() % 6]);
    owned.push_back(p);  // some empty, some repeated
  }
  std::vector<std::string_view> pieces(owned.begin(), owned.end());
  std::vector<int32_t> ids;
  for (int32_t i = 0; i < 400; i += 1 + static_cast<int32_t>(i % 3 == 0)) ids.push_back(i);
  PieceTrie trie;
  REQUIRE(trie.build(Span<const std::string_view>(pieces.data(), pieces.size()),
                     Span<const int32_t>(ids.data(), ids.size()))
              .is_ok());
  for (int t = 0; t < 300; ++t) {
    const std::string text = rng.make(12);
    // Expected: for each length, the lowest indexed id spelling that prefix.
    std::vector<int32_t> want(text.size() + 1, -1);
    for (int32_t id : ids) {
      const std::string& p = owned[static_cast<size_t>(id)];
      if (!p.empty() && text.compare(0, p.size(), p) == 0 && (want[p.size()] < 0 || id < want[p.size()])) {
        want[p.size()] = id;
      }
    }
    std::vector<int32_t> got(text.size() + 1, -1);
    uint32_t node = PieceTrie::kRoot;
    for (size_t i = 0; i < text.size(); ++i) {
      node = trie.child(node, static_cast<uint8_t>(text[i]));
      if (node == PieceTrie::kNone) break;
      got[i + 1] = trie.piece(node);
    }
    CHECK(got == want);
    size_t longest = 0;
    for (size_t n = 0; n < want.size(); ++n) longest = want[n] >= 0 ? n : longest;
    CHECK(trie.longest_prefix(text) == longest);
  }
}

}  // namespace
}  // namespace edgeattn
