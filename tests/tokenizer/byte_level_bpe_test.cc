// Byte-level BPE (GPT-2) on the tiny tokenizer in tests/fixtures/gpt2_tiny:
// ids, tokens and decodes must equal Hugging Face `tokenizers`' for every
// fixture string; decode(encode(x)) == x for any bytes; specials, streaming,
// and create() validation.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "runtime/tokenizer/tokenizer.h"
#include "tests/tokenizer/gpt2_fixture.h"
#include "tests/tokenizer/test_util.h"

namespace edgeattn {
namespace {

using Ids = std::vector<int32_t>;

std::string to_string(const Ids& ids) {
  std::string s = "[";
  for (size_t i = 0; i < ids.size(); ++i) s += (i ? ", " : "") + std::to_string(ids[i]);
  return s + "]";
}

struct Gpt2Tiny {
  testing::Gpt2Vocab vocab;
  std::unique_ptr<Tokenizer> tok;
  std::unique_ptr<Tokenizer> tok_prefix;  // add_prefix_space
};

const Gpt2Tiny& gpt2() {
  static Gpt2Tiny* t = [] {
    auto* out = new Gpt2Tiny;
    out->vocab = testing::load_gpt2_vocab(testing::gpt2_tiny_dir());
    Result<std::unique_ptr<Tokenizer>> r = Tokenizer::create(out->vocab.spec(false));
    REQUIRE_MESSAGE(r.is_ok(), r.status().message());
    out->tok = std::move(r).value();
    // spec() reassigns the views: the second spec shares the same storage.
    Result<std::unique_ptr<Tokenizer>> p = Tokenizer::create(out->vocab.spec(true));
    REQUIRE_MESSAGE(p.is_ok(), p.status().message());
    out->tok_prefix = std::move(p).value();
    return out;
  }();
  return *t;
}

EncodeOptions no_specials() {
  EncodeOptions o;
  o.add_special_tokens = false;
  return o;
}

Ids enc(const Tokenizer& tok, std::string_view text, const EncodeOptions& opts = no_specials()) {
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

std::string stream(const Tokenizer& tok, const Ids& ids) {
  std::string text;
  int32_t prev = -1;
  for (int32_t id : ids) {
    text += tok.decode_piece(prev, id);
    prev = id;
  }
  return text;
}

// Checks every case; returns how many matched HF's ids exactly.
size_t check_cases(const Tokenizer& tok, const std::vector<testing::Gpt2Case>& cases) {
  size_t matched = 0;
  for (const testing::Gpt2Case& c : cases) {
    CAPTURE(c.name);
    const Ids ids = enc(tok, c.text);
    CHECK_MESSAGE(ids == c.ids, "got " << to_string(ids) << ", HF " << to_string(c.ids));
    if (ids == c.ids) ++matched;
    for (size_t i = 0; i < ids.size() && i < c.tokens.size(); ++i) {
      CHECK(tok.id_to_piece(ids[i]) == c.tokens[i]);
    }
    CHECK(dec(tok, c.ids) == c.decoded);
    CHECK(stream(tok, c.ids) == c.decoded);
  }
  return matched;
}

TEST_CASE("gpt2_tiny: vocabulary and bytes_to_unicode") {
  const Tokenizer& tok = *gpt2().tok;
  const testing::Gpt2Fixture& f = testing::gpt2_fixture();
  CHECK(tok.kind() == TokenizerKind::kByteLevelBpe);
  CHECK(tok.vocab_size() == f.vocab_size);
  CHECK(tok.vocab_size() == 512);
  CHECK(gpt2().vocab.merges.size() == 255);
  CHECK(tok.bos_id() == f.endoftext_id);
  CHECK(tok.eos_id() == f.endoftext_id);
  // Printable bytes stand for themselves; ' ' is U+0120 'Ġ', '\n' U+010A 'Ċ',
  // 0x00 U+0100 'Ā', 0xAD U+0143 'Ń', 0x7F U+0121 'ġ'.
  CHECK(enc(tok, "!") == Ids{tok.piece_to_id("!")});
  CHECK(enc(tok, " ") == Ids{tok.piece_to_id("\xC4\xA0")});
  CHECK(enc(tok, "\n") == Ids{tok.piece_to_id("\xC4\x8A")});
  CHECK(enc(tok, std::string(1, '\0')) == Ids{tok.piece_to_id("\xC4\x80")});
  CHECK(enc(tok, "\xAD") == Ids{tok.piece_to_id("\xC5\x83")});
  CHECK(enc(tok, "\x7F") == Ids{tok.piece_to_id("\xC4\xA1")});
  CHECK(enc(tok, "\xE9") == Ids{tok.piece_to_id("\xC3\xA9")});  // 'é' stands for byte 0xE9
  // All 256 byte characters are pieces, and each decodes to its byte.
  for (int b = 0; b < 256; ++b) {
    const std::string byte(1, static_cast<char>(b));
    const Ids ids = enc(tok, byte);
    REQUIRE(ids.size() == 1);
    CHECK(tok.decode_piece(-1, ids[0]) == byte);
  }
}

TEST_CASE("gpt2_tiny: ids match Hugging Face tokenizers") {
  const std::vector<testing::Gpt2Case>& cases = testing::gpt2_fixture().cases;
  REQUIRE(cases.size() >= 40);
  const size_t matched = check_cases(*gpt2().tok, cases);
  MESSAGE("gpt2_tiny: " << matched << "/" << cases.size() << " fixture strings match HF ids");
  CHECK(matched == cases.size());
  for (const testing::Gpt2Case& c : cases) {
    CAPTURE(c.name);
    CHECK(dec(*gpt2().tok, enc(*gpt2().tok, c.text)) == c.text);
  }
}

TEST_CASE("gpt2_tiny: add_prefix_space matches Hugging Face tokenizers") {
  const std::vector<testing::Gpt2Case>& cases = testing::gpt2_fixture().prefix_space_cases;
  REQUIRE(!cases.empty());
  const size_t matched = check_cases(*gpt2().tok_prefix, cases);
  MESSAGE("gpt2_tiny add_prefix_space: " << matched << "/" << cases.size() << " match");
  CHECK(matched == cases.size());
}

TEST_CASE("gpt2_tiny: special tokens") {
  const Tokenizer& tok = *gpt2().tok;
  const int32_t eot = tok.eos_id();
  const Ids plain = enc(tok, "Hello world");
  EncodeOptions bos;  // add_special_tokens defaults to true
  Ids with_bos = plain;
  with_bos.insert(with_bos.begin(), eot);
  CHECK(enc(tok, "Hello world", bos) == with_bos);
  EncodeOptions both;
  both.add_eos = true;
  Ids with_both = with_bos;
  with_both.push_back(eot);
  CHECK(enc(tok, "Hello world", both) == with_both);
  CHECK(enc(tok, "", both) == Ids{eot, eot});
  both.max_tokens = 3;
  CHECK(enc(tok, "Hello world", both) == Ids{eot, plain[0], eot});
  // decode() skips the special; decode_piece() gives "" for it.
  CHECK(dec(tok, with_both) == "Hello world");
  CHECK(tok.decode_piece(-1, eot).empty());
  CHECK(tok.decode_piece(-1, -1).empty());
  CHECK(tok.decode_piece(-1, tok.vocab_size()).empty());
  // The special's text is ordinary text to encode() (no special-token split).
  const Ids spelled = enc(tok, "<|endoftext|>");
  CHECK(spelled.size() > 1);
  CHECK(dec(tok, spelled) == "<|endoftext|>");
  // Out-of-range ids are an error for decode().
  std::string out;
  const Ids bad{0, 512};
  CHECK(tok.decode(Span<const int32_t>(bad.data(), bad.size()), &out).code() == StatusCode::kInvalidArgument);
}

TEST_CASE("gpt2_tiny: streaming emits raw bytes, partial UTF-8 included") {
  const Tokenizer& tok = *gpt2().tok;
  const std::string text = "pizza \xF0\x9F\x8D\x95 caf\xC3\xA9 \xE6\x88\x91";
  const Ids ids = enc(tok, text);
  std::string joined;
  bool saw_partial = false;
  int32_t prev = -1;
  for (int32_t id : ids) {
    const std::string_view piece = tok.decode_piece(prev, id);
    // A piece that ends inside a multi-byte sequence.
    if (!piece.empty() && (static_cast<uint8_t>(piece.back()) & 0xC0) == 0xC0) saw_partial = true;
    joined.append(piece.data(), piece.size());
    prev = id;
  }
  CHECK(saw_partial);
  CHECK(joined == text);
}

TEST_CASE("gpt2_tiny: random bytes never crash and round-trip") {
  const Tokenizer& tok = *gpt2().tok;
  testing::ByteFuzzer fuzz(0x6770742D32ull);
  for (int i = 0; i < 3000; ++i) {
    const std::string text = fuzz.make(i < 2900 ? 48 : 4096);
    CAPTURE(i);
    const Ids ids = enc(tok, text);
    for (int32_t id : ids) REQUIRE((id >= 0 && id < tok.vocab_size()));
    CHECK(ids.size() <= text.size());
    CHECK(dec(tok, ids) == text);
    CHECK(stream(tok, ids) == text);
    CHECK(dec(*gpt2().tok_prefix, enc(*gpt2().tok_prefix, text)) ==
          (text.empty() || text[0] == ' ' ? text : " " + text));
  }
}

TEST_CASE("gpt2_tiny: long inputs") {
  const Tokenizer& tok = *gpt2().tok;
  // One long run of each class, and long whitespace before a word.
  for (const std::string& text :
       {std::string(200000, 'a'), std::string(200000, ' ') + "x", std::string(200000, '7'),
        std::string(200000, '!'), std::string(100000, '\n') + std::string(100000, ' ')}) {
    const Ids ids = enc(tok, text);
    CHECK(!ids.empty());
    CHECK(dec(tok, ids) == text);
  }
  std::vector<int32_t> ids;
  EncodeOptions o;
  CHECK(tok.encode(std::string(Tokenizer::kMaxTextBytes + 1, 'a'), o, &ids).code() ==
        StatusCode::kInvalidArgument);
}

TEST_CASE("byte-level bpe: merges by rank on a hand-made vocabulary") {
  // Byte characters for a, b, c plus merged pieces; merge order decides.
  std::vector<std::string> pieces = {"a", "b", "c", "ab", "bc", "abc", "\xC4\xA0", "\xC4\xA0" "a"};
  std::vector<std::string_view> pv(pieces.begin(), pieces.end());
  auto make = [&](std::vector<std::string_view> merges) {
    TokenizerSpec s;
    s.kind = TokenizerKind::kByteLevelBpe;
    s.pieces = Span<const std::string_view>(pv.data(), pv.size());
    s.merges = Span<const std::string_view>(merges.data(), merges.size());
    Result<std::unique_ptr<Tokenizer>> r = Tokenizer::create(s);
    REQUIRE_MESSAGE(r.is_ok(), r.status().message());
    return std::move(r).value();
  };
  // "b c" ranks first: a + bc, then "a bc" -> abc.
  std::vector<std::string_view> m1 = {"b c", "a bc", "a b"};
  CHECK(enc(*make(m1), "abc") == Ids{5});
  // "a b" first: ab + c, and no "ab c" merge.
  std::vector<std::string_view> m2 = {"a b", "b c", "a bc"};
  CHECK(enc(*make(m2), "abc") == Ids{3, 2});
  // Equal pairs merge leftmost first: "abab" -> ab ab.
  CHECK(enc(*make(m2), "abab") == Ids{3, 3});
  // Pre-tokens are merged separately: " a" is one pre-token, "b" another.
  std::vector<std::string_view> m3 = {"\xC4\xA0 a", "a b"};
  CHECK(enc(*make(m3), "ab ab") == Ids{3, 7, 1});
  // Bytes without a piece are dropped (no unk_id), like HF: the rest still
  // merge.
  CHECK(enc(*make(m2), "axb") == Ids{3});
}

TEST_CASE("byte-level bpe: create() rejects malformed merges") {
  std::vector<std::string> pieces = {"a", "b", "ab"};
  std::vector<std::string_view> pv(pieces.begin(), pieces.end());
  for (std::string_view bad : {std::string_view("ab"), std::string_view("a "), std::string_view(" b"),
                               std::string_view("a c"), std::string_view("b a"), std::string_view("")}) {
    CAPTURE(bad);
    std::vector<std::string_view> merges = {"a b", bad};
    TokenizerSpec s;
    s.kind = TokenizerKind::kByteLevelBpe;
    s.pieces = Span<const std::string_view>(pv.data(), pv.size());
    s.merges = Span<const std::string_view>(merges.data(), merges.size());
    Result<std::unique_ptr<Tokenizer>> r = Tokenizer::create(s);
    CHECK(!r.is_ok());
    if (!r.is_ok()) CHECK(r.status().code() == StatusCode::kInvalidModel);
  }
  // No merges at all is a valid (byte-only) tokenizer.
  TokenizerSpec s;
  s.kind = TokenizerKind::kByteLevelBpe;
  s.pieces = Span<const std::string_view>(pv.data(), pv.size());
  CHECK(Tokenizer::create(s).is_ok());
}

}  // namespace
}  // namespace edgeattn
