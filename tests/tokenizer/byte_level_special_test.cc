// Byte-level BPE with piece types (llama.cpp's token types): the special-token
// partition of encode() (llama.cpp's tokenizer_st_partition), decode of
// control and user-defined pieces, create() validation of piece_types, and
// TokenizerSpec::add_bos. A hand-made vocabulary: the 256 byte characters
// (id = byte value), a merge "h i", and special pieces after them.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "runtime/tokenizer/tokenizer.h"
#include "tests/tokenizer/test_util.h"

namespace edgeattn {
namespace {

using Ids = std::vector<int32_t>;

enum : int32_t {
  kHi = 256,        // "hi", normal (merge "h i")
  kA = 257,         // "<a>", user-defined
  kAB = 258,        // "<a><b>", user-defined
  kB = 259,         // "<b>", user-defined
  kImStart = 260,   // "<|im_start|>", control
  kImEnd = 261,     // "<|im_end|>", control
  kAbc = 262,       // "abc", user-defined
  kXa = 263,        // "xa", user-defined
  kEmpty = 264,     // "", user-defined: must never match
  kSpaces = 265,    // "ĠĠ" (U+0120 twice), user-defined: decodes raw
  kBos = 266,       // "<s>", control
  kVocab = 267,
};

std::vector<std::string> make_pieces() {
  std::vector<std::string> pieces = testing::byte_level_pieces();
  for (const char* p : {"hi", "<a>", "<a><b>", "<b>", "<|im_start|>", "<|im_end|>", "abc", "xa", "",
                        "\xC4\xA0\xC4\xA0", "<s>"}) {
    pieces.push_back(p);
  }
  REQUIRE(pieces.size() == static_cast<size_t>(kVocab));
  return pieces;
}

std::vector<uint8_t> make_types() {
  std::vector<uint8_t> types(kVocab, static_cast<uint8_t>(PieceType::kNormal));
  for (int32_t id : {kA, kAB, kB, kAbc, kXa, kEmpty, kSpaces}) types[id] = static_cast<uint8_t>(PieceType::kUserDefined);
  for (int32_t id : {kImStart, kImEnd, kBos}) types[id] = static_cast<uint8_t>(PieceType::kControl);
  return types;
}

// Owns the storage a spec points into.
struct Vocab {
  std::vector<std::string> pieces = make_pieces();
  std::vector<std::string_view> views{pieces.begin(), pieces.end()};
  std::vector<uint8_t> types = make_types();
  std::vector<std::string_view> merges = {"h i"};

  TokenizerSpec spec() const {
    TokenizerSpec s;
    s.kind = TokenizerKind::kByteLevelBpe;
    s.pieces = Span<const std::string_view>(views.data(), views.size());
    s.merges = Span<const std::string_view>(merges.data(), merges.size());
    s.piece_types = Span<const uint8_t>(types.data(), types.size());
    s.pre_tokenizer = PreTokenizer::kLlama3;
    s.bos_id = kBos;
    s.eos_id = kImEnd;
    return s;
  }
};

std::unique_ptr<Tokenizer> make(const TokenizerSpec& spec) {
  Result<std::unique_ptr<Tokenizer>> r = Tokenizer::create(spec);
  REQUIRE_MESSAGE(r.is_ok(), r.status().message());
  return std::move(r).value();
}

Ids enc(const Tokenizer& tok, std::string_view text, bool parse_special = false, bool add_special = false) {
  EncodeOptions o;
  o.add_special_tokens = add_special;
  o.parse_special = parse_special;
  Ids ids;
  const Status s = tok.encode(text, o, &ids);
  REQUIRE_MESSAGE(s.is_ok(), s.message());
  return ids;
}

// The byte ids of `text` (no merges, no specials).
Ids bytes(std::string_view text) {
  Ids ids;
  for (const char c : text) ids.push_back(static_cast<uint8_t>(c));
  return ids;
}

Ids cat(std::initializer_list<Ids> parts) {
  Ids out;
  for (const Ids& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

std::string dec(const Tokenizer& tok, const Ids& ids) {
  std::string text;
  REQUIRE(tok.decode(Span<const int32_t>(ids.data(), ids.size()), &text).is_ok());
  return text;
}

TEST_CASE("byte-level specials: user-defined always, control only with parse_special") {
  const Vocab v;
  const std::unique_ptr<Tokenizer> tok = make(v.spec());
  CHECK(enc(*tok, "x<b>y") == Ids{'x', kB, 'y'});
  CHECK(enc(*tok, "x<b>y", true) == Ids{'x', kB, 'y'});
  CHECK(enc(*tok, "<|im_start|>") == bytes("<|im_start|>"));
  CHECK(enc(*tok, "<|im_start|>", true) == Ids{kImStart});
  CHECK(enc(*tok, "<|im_start|>user<|im_end|>", true) == cat({{kImStart}, bytes("user"), {kImEnd}}));
  // Without piece types nothing is special (today's behaviour).
  TokenizerSpec plain = v.spec();
  plain.piece_types = {};
  CHECK(enc(*make(plain), "x<b>y<|im_end|>", true) == bytes("x<b>y<|im_end|>"));
}

TEST_CASE("byte-level specials: longer pieces first, leftmost first") {
  const Vocab v;
  const std::unique_ptr<Tokenizer> tok = make(v.spec());
  CHECK(enc(*tok, "<a><b>") == Ids{kAB});
  CHECK(enc(*tok, "<a><a><b><b>") == Ids{kA, kAB, kB});
  // A longer piece wins even where a shorter one starts earlier: "abc" is
  // split out first, then "xa" only finds the "xa" of the rest.
  CHECK(enc(*tok, "xabc") == Ids{'x', kAbc});
  CHECK(enc(*tok, "xaxabc") == Ids{kXa, 'x', kAbc});
  // Every occurrence, leftmost first, non-overlapping.
  CHECK(enc(*tok, "abcabc") == Ids{kAbc, kAbc});
  CHECK(enc(*tok, "xaa") == Ids{kXa, 'a'});
}

TEST_CASE("byte-level specials: adjacent, at the start and end, inside a word, empty text") {
  const Vocab v;
  const std::unique_ptr<Tokenizer> tok = make(v.spec());
  CHECK(enc(*tok, "<b><b>") == Ids{kB, kB});
  CHECK(enc(*tok, "<|im_end|><|im_start|><b>", true) == Ids{kImEnd, kImStart, kB});
  CHECK(enc(*tok, "<b>hi<b>") == Ids{kB, kHi, kB});
  // "hi" merges, but not across a special: each fragment is pre-tokenized
  // and merged on its own.
  CHECK(enc(*tok, "hi") == Ids{kHi});
  CHECK(enc(*tok, "h<b>i") == Ids{'h', kB, 'i'});
  // The Llama 3 pre-tokenizer would make " hi" one pre-token; a special
  // between the space and the word keeps them apart.
  CHECK(enc(*tok, " <b>hi") == Ids{' ', kB, kHi});
  CHECK(enc(*tok, "") == Ids{});
  CHECK(enc(*tok, "", true, true) == Ids{kBos});
  // The empty piece never matches, and text without specials is plain bytes.
  CHECK(enc(*tok, "ab") == bytes("ab"));
  CHECK(enc(*tok, "a", true) == Ids{'a'});
}

TEST_CASE("byte-level specials: decode") {
  const Vocab v;
  const std::unique_ptr<Tokenizer> tok = make(v.spec());
  // Control pieces decode to "" and decode() skips them; user-defined
  // pieces give their text unchanged (not mapped through the byte alphabet).
  CHECK(tok->decode_piece(-1, kImStart).empty());
  CHECK(tok->decode_piece(-1, kB) == "<b>");
  CHECK(tok->decode_piece(-1, kSpaces) == "\xC4\xA0\xC4\xA0");
  CHECK(tok->decode_piece(-1, kHi) == "hi");
  const Ids ids = enc(*tok, "<|im_start|>a\xC4\xA0\xC4\xA0<b><|im_end|>", true);
  CHECK(ids == Ids{kImStart, 'a', kSpaces, kB, kImEnd});
  CHECK(dec(*tok, ids) == "a\xC4\xA0\xC4\xA0<b>");
  // The same piece as a normal piece is byte-level: two spaces.
  Vocab normal;
  normal.types[kSpaces] = static_cast<uint8_t>(PieceType::kNormal);
  CHECK(make(normal.spec())->decode_piece(-1, kSpaces) == "  ");
}

TEST_CASE("byte-level specials: create() validates piece_types") {
  Vocab v;
  SUBCASE("wrong size") {
    v.types.pop_back();
    Result<std::unique_ptr<Tokenizer>> r = Tokenizer::create(v.spec());
    REQUIRE(!r.is_ok());
    CHECK(r.status().code() == StatusCode::kInvalidModel);
    CHECK(std::string(r.status().message()).find("266 piece types for 267 pieces") != std::string::npos);
  }
  SUBCASE("unknown type values") {
    for (uint8_t bad : {uint8_t{0}, uint8_t{7}, uint8_t{255}}) {
      CAPTURE(static_cast<int>(bad));
      Vocab w;
      w.types[3] = bad;
      Result<std::unique_ptr<Tokenizer>> r = Tokenizer::create(w.spec());
      REQUIRE(!r.is_ok());
      CHECK(r.status().code() == StatusCode::kInvalidModel);
      CHECK(std::string(r.status().message()).find("piece 3 ") != std::string::npos);
    }
  }
  SUBCASE("every known type is accepted") {
    for (uint8_t t = 1; t <= 6; ++t) {
      v.types[5] = t;
      CHECK(Tokenizer::create(v.spec()).is_ok());
    }
  }
}

TEST_CASE("byte-level: add_bos") {
  const Vocab v;
  TokenizerSpec spec = v.spec();
  CHECK(enc(*make(spec), "hi", false, true) == Ids{kBos, kHi});
  spec.add_bos = false;
  const std::unique_ptr<Tokenizer> tok = make(spec);
  CHECK(enc(*tok, "hi", false, true) == Ids{kHi});
  CHECK(enc(*tok, "", false, true) == Ids{});
  // add_eos is independent of add_bos.
  EncodeOptions o;
  o.add_eos = true;
  Ids ids;
  REQUIRE(tok->encode("hi", o, &ids).is_ok());
  CHECK(ids == Ids{kHi, kImEnd});
}

}  // namespace
}  // namespace edgeattn

namespace edgeattn {
namespace {

// Llama 3 (llama.cpp's ignore_merges): a pre-token that is a piece of the
// vocabulary is that piece even when no merges build it; the other
// pre-tokenizers merge as usual.
TEST_CASE("byte-level: kLlama3 takes a whole pre-token that is a piece") {
  Vocab v;
  v.pieces.push_back("hih");  // normal, id kVocab: no merge makes it
  v.views.assign(v.pieces.begin(), v.pieces.end());
  v.types.push_back(static_cast<uint8_t>(PieceType::kNormal));
  TokenizerSpec spec = v.spec();
  CHECK(enc(*make(spec), "hih hi", false, false) == Ids{kVocab, ' ', kHi});
  // " hih" is not a piece: merged, so the leading space stays a byte.
  CHECK(enc(*make(spec), "x hih", false, false) == Ids{'x', ' ', kHi, 'h'});
  spec.pre_tokenizer = PreTokenizer::kQwen2;
  CHECK(enc(*make(spec), "hih hi", false, false) == Ids{kHi, 'h', ' ', kHi});
  spec.pre_tokenizer = PreTokenizer::kGpt2;
  CHECK(enc(*make(spec), "hih", false, false) == Ids{kHi, 'h'});
}

}  // namespace
}  // namespace edgeattn
