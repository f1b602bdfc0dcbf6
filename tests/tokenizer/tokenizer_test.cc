// Synthetic tokenizer tests: hand-made vocabularies, no model files needed.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "runtime/tokenizer/tokenizer.h"
#include "runtime/tokenizer/unicode.h"
#include "tests/tokenizer/test_util.h"

namespace edgeattn {
namespace {

using testing::ByteFuzzer;
using testing::OwnedVocab;

std::vector<char32_t> lower(char32_t c) {
  std::vector<char32_t> out;
  unicode::append_lowercase(c, &out);
  return out;
}

std::vector<char32_t> nfd(char32_t c) {
  std::vector<char32_t> out;
  unicode::append_nfd(c, &out);
  return out;
}

std::vector<char32_t> decode_all(std::string_view s) {
  std::vector<char32_t> out;
  for (size_t pos = 0; pos < s.size();) out.push_back(unicode::next_codepoint(s, &pos));
  return out;
}

TEST_CASE("UTF-8 decoding never fails and rejects malformed sequences") {
  using V = std::vector<char32_t>;
  const char32_t R = unicode::kReplacementChar;
  CHECK(decode_all("a\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80") == V{'a', 0xE9, 0x4E2D, 0x1F600});
  CHECK(decode_all("\xC0\xAF") == V{R, R});               // overlong '/'
  CHECK(decode_all("\xE0\x80\xAF") == V{R, R, R});        // overlong, 3 bytes
  CHECK(decode_all("\xED\xA0\x80") == V{R, R, R});        // encoded surrogate
  CHECK(decode_all("\xF4\x90\x80\x80") == V{R, R, R, R});  // > U+10FFFF
  CHECK(decode_all("\xC3") == V{R});                      // truncated
  CHECK(decode_all("\xE2\x82x") == V{R, R, 'x'});
  CHECK(decode_all("\x80\xBF") == V{R, R});               // stray continuation
  CHECK(decode_all(std::string_view("\0", 1)) == V{0});
  std::string s;
  for (char32_t c : {char32_t{'a'}, char32_t{0xE9}, char32_t{0x4E2D}, char32_t{0x1F600}}) {
    unicode::append_utf8(c, &s);
  }
  CHECK(s == "a\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80");
}

TEST_CASE("Unicode properties used by the BERT normalizer") {
  CHECK(unicode::is_other(0x07));
  CHECK(unicode::is_other(0x200B));   // Cf
  CHECK(unicode::is_other(0xE000));   // Co
  CHECK_FALSE(unicode::is_other('a'));
  CHECK(unicode::is_punctuation(0x3002));  // ideographic full stop
  CHECK(unicode::is_punctuation(0x2014));  // em dash
  CHECK(unicode::is_punctuation('!'));
  CHECK_FALSE(unicode::is_punctuation('$'));  // Sc: BERT adds ASCII symbols itself
  CHECK(unicode::is_nonspacing_mark(0x0301));
  CHECK_FALSE(unicode::is_nonspacing_mark('e'));
  CHECK(unicode::is_white_space(0x3000));
  CHECK(unicode::is_white_space(0xA0));
  CHECK_FALSE(unicode::is_white_space(0x200B));
  CHECK(unicode::combining_class(0x0301) == 230);
  CHECK(unicode::combining_class(0x0323) == 220);

  using V = std::vector<char32_t>;
  CHECK(lower('A') == V{'a'});
  CHECK(lower(0xC9) == V{0xE9});           // É
  CHECK(lower(0x130) == V{'i', 0x307});    // İ -> two codepoints
  CHECK(lower(0x3A3) == V{0x3C3});         // Σ -> σ (no final-sigma context)
  CHECK(lower(0x100) == V{0x101});         // stride-2 run
  CHECK(lower(0x10400) == V{0x10428});     // Deseret
  CHECK(lower(0x4E2D) == V{0x4E2D});
  CHECK(nfd(0xE9) == V{'e', 0x301});
  CHECK(nfd(0x1E69) == V{'s', 0x323, 0x307});  // recursive decomposition
  CHECK(nfd(0xAC00) == V{0x1100, 0x1161});     // Hangul LV
  CHECK(nfd(0xAC01) == V{0x1100, 0x1161, 0x11A8});
  CHECK(nfd('a') == V{'a'});
  V marks = {'a', 0x301, 0x323};  // ccc 230 then 220
  unicode::canonical_reorder(&marks);
  CHECK(marks == V{'a', 0x323, 0x301});
  CHECK(unicode::table_version()[0] >= 13);
}

// ---- WordPiece ---------------------------------------------------------------

OwnedVocab tiny_bert_vocab() {
  OwnedVocab v;
  v.strings = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", "un", "##aff",
               "##able", "!", ",", ".", "a", "b", "$", "cafe", "café", "Hello", "中", "文",
               "##s", "i", "\xCC\x87", "##\xCC\x87", "x", "##x"};
  v.finish();
  return v;
}

std::unique_ptr<Tokenizer> make(const TokenizerSpec& spec) {
  Result<std::unique_ptr<Tokenizer>> r = Tokenizer::create(spec);
  REQUIRE_MESSAGE(r.is_ok(), r.status().message());
  return std::move(r).value();
}

std::vector<int32_t> enc(const Tokenizer& tok, std::string_view text, EncodeOptions opts = {}) {
  std::vector<int32_t> ids;
  Status s = tok.encode(text, opts, &ids);
  REQUIRE_MESSAGE(s.is_ok(), s.message());
  return ids;
}

std::string dec(const Tokenizer& tok, const std::vector<int32_t>& ids) {
  std::string text;
  Status s = tok.decode(Span<const int32_t>(ids.data(), ids.size()), &text);
  REQUIRE_MESSAGE(s.is_ok(), s.message());
  return text;
}

TokenizerSpec tiny_bert_spec(const OwnedVocab& v) {
  TokenizerSpec spec = testing::bert_spec(v);
  REQUIRE(spec.unk_id == 1);
  return spec;
}

using Ids = std::vector<int32_t>;

TEST_CASE("WordPiece: normalization, punctuation and greedy longest match") {
  OwnedVocab v = tiny_bert_vocab();
  auto tok = make(tiny_bert_spec(v));
  CHECK(tok->vocab_size() == static_cast<int32_t>(v.strings.size()));
  CHECK(tok->cls_id() == 2);
  CHECK(tok->sep_id() == 3);
  CHECK(enc(*tok, "Hello, World!") == Ids{2, 5, 11, 6, 10, 3});
  CHECK(enc(*tok, "unaffable") == Ids{2, 7, 8, 9, 3});
  CHECK(enc(*tok, "unaffablex") == Ids{2, 7, 8, 9, 26, 3});
  CHECK(enc(*tok, "unknownword hello") == Ids{2, 1, 5, 3});  // a word that cannot split is one [UNK]
  CHECK(enc(*tok, "a.b$a") == Ids{2, 13, 12, 14, 15, 13, 3});  // '.' (Po) and '$' (ASCII symbol) split
  CHECK(enc(*tok, "") == Ids{2, 3});
  CHECK(enc(*tok, " \t\n ") == Ids{2, 3});
  CHECK(enc(*tok, "中文") == Ids{2, 19, 20, 3});  // CJK chars become separate words
  CHECK(enc(*tok, "a中b") == Ids{2, 13, 19, 14, 3});
  CHECK(enc(*tok, "hel\x01lo\xE2\x80\x8B") == Ids{2, 5, 3});  // control and Cf removed
  CHECK(enc(*tok, "hello\xC2\xA0world\xE3\x80\x80!") == Ids{2, 5, 6, 10, 3});
  CHECK(enc(*tok, "hello\xEF\xBF\xBD world") == Ids{2, 5, 6, 3});  // U+FFFD removed
  CHECK(enc(*tok, "hel\xFFlo") == Ids{2, 5, 3});  // invalid byte -> U+FFFD -> removed
  EncodeOptions no_special;
  no_special.add_special_tokens = false;
  CHECK(enc(*tok, "hello world", no_special) == Ids{5, 6});
}

TEST_CASE("WordPiece: accents and case options") {
  OwnedVocab v = tiny_bert_vocab();
  TokenizerSpec spec = tiny_bert_spec(v);
  auto strip = make(spec);
  CHECK(enc(*strip, "CAFÉ") == Ids{2, 16, 3});     // é -> e + U+0301, mark dropped
  CHECK(enc(*strip, "cafe\xCC\x81") == Ids{2, 16, 3});
  CHECK(enc(*strip, "\xC4\xB0") == Ids{2, 22, 3});  // İ -> I + U+0307 -> I -> i

  spec.strip_accents = false;
  auto keep = make(spec);
  CHECK(enc(*keep, "CAFÉ") == Ids{2, 17, 3});  // lowercased to "café"
  CHECK(enc(*keep, "\xC4\xB0") == Ids{2, 22, 24, 3});  // İ lowercases to "i" U+0307

  spec.lowercase = false;
  auto cased = make(spec);
  CHECK(enc(*cased, "Hello hello") == Ids{2, 18, 5, 3});
  CHECK(enc(*cased, "HELLO") == Ids{2, 1, 3});

  spec.tokenize_chinese_chars = false;
  auto no_cjk = make(spec);
  CHECK(enc(*no_cjk, "中文") == Ids{2, 1, 3});  // one word, not in vocab

  spec.clean_text = false;
  auto raw = make(spec);
  CHECK(enc(*raw, "hel\x01lo") == Ids{2, 1, 3});  // control char kept -> unknown word
  CHECK(enc(*raw, "hello\tworld") == Ids{2, 5, 6, 3});  // tab still splits words
}

TEST_CASE("WordPiece: max_input_chars_per_word and truncation") {
  OwnedVocab v = tiny_bert_vocab();
  TokenizerSpec spec = tiny_bert_spec(v);
  spec.max_input_chars_per_word = 5;
  auto tok = make(spec);
  CHECK(enc(*tok, "hello") == Ids{2, 5, 3});
  CHECK(enc(*tok, "xxxxx") == Ids{2, 25, 26, 26, 26, 26, 3});
  CHECK(enc(*tok, "xxxxxx") == Ids{2, 1, 3});  // 6 chars > 5
  CHECK(enc(*tok, "cafés") == Ids{2, 16, 21, 3});  // counted after normalization

  EncodeOptions opts;
  opts.max_tokens = 4;
  CHECK(enc(*tok, "hello world hello world", opts) == Ids{2, 5, 6, 3});  // [SEP] kept
  opts.max_tokens = 2;
  CHECK(enc(*tok, "hello world", opts) == Ids{2, 3});
  opts.max_tokens = 1;
  std::vector<int32_t> ids;
  CHECK(tok->encode("hello", opts, &ids).code() == StatusCode::kInvalidArgument);
}

TEST_CASE("WordPiece: decoding like the HF WordPiece decoder") {
  OwnedVocab v = tiny_bert_vocab();
  TokenizerSpec spec = tiny_bert_spec(v);
  auto tok = make(spec);
  const Ids ids = {2, 7, 8, 9, 11, 6, 10, 1, 3, 0};
  CHECK(dec(*tok, ids) == "unaffable, world!");
  CHECK(dec(*tok, {8, 5}) == "##aff hello");  // a first continuation keeps "##"
  // Streaming gives the same text.
  std::string streamed;
  int32_t prev = -1;
  for (int32_t id : ids) {
    streamed += tok->decode_piece(prev, id);
    if (!(id == 0 || id == 1 || id == 3)) prev = id;  // CLS stays prev: "first" rule
  }
  CHECK(streamed == "unaffable, world!");
  CHECK(tok->decode_piece(-1, 999).empty());
  CHECK(tok->decode_piece(5, 2).empty());  // specials decode to nothing

  spec.cleanup_spaces = false;
  auto raw = make(spec);
  CHECK(dec(*raw, ids) == "unaffable , world !");

  std::string text;
  const Ids bad = {5, 1000};
  CHECK(tok->decode(Span<const int32_t>(bad.data(), bad.size()), &text).code() ==
        StatusCode::kInvalidArgument);
  CHECK(tok->piece_to_id("##able") == 9);
  CHECK(tok->piece_to_id("nope") == -1);
  CHECK(tok->id_to_piece(9) == "##able");
  CHECK(tok->id_to_piece(-3).empty());
}

// ---- SentencePiece BPE ---------------------------------------------------------

// <unk> <s> </s>, the 256 byte pieces, then `extra` with their scores.
OwnedVocab tiny_spm_vocab(const std::vector<std::pair<std::string, float>>& extra) {
  OwnedVocab v;
  v.strings = {"<unk>", "<s>", "</s>"};
  v.scores = {0, 0, 0};
  char name[8];
  for (int b = 0; b < 256; ++b) {
    std::snprintf(name, sizeof(name), "<0x%02X>", b);
    v.strings.push_back(name);
    v.scores.push_back(0);
  }
  for (const auto& e : extra) {
    v.strings.push_back(e.first);
    v.scores.push_back(e.second);
  }
  v.finish();
  return v;
}

constexpr int32_t kFirstExtra = 259;

TEST_CASE("SentencePiece BPE: merge order, ties and byte fallback") {
  // 259 " ", 260 "a", 261 "b", 262 "c", 263 "ab", 264 "bc", 265 " a", 266 "abc"
  OwnedVocab v = tiny_spm_vocab({{" ", -10}, {"a", -10}, {"b", -10}, {"c", -10}, {"ab", -1},
                                 {"bc", -1}, {" a", -5}, {"abc", -3}});
  TokenizerSpec spec = testing::llama2c_spec(v);
  spec.add_dummy_prefix = false;
  auto tok = make(spec);
  // "ab" and "bc" tie: the leftmost pair merges first, then "ab"+"c".
  CHECK(enc(*tok, "abc") == Ids{1, 266});
  CHECK(enc(*tok, "bcab") == Ids{1, 264, 263});
  CHECK(enc(*tok, "") == Ids{1});
  CHECK(enc(*tok, "\xC3\xA9") == Ids{1, 3 + 0xC3, 3 + 0xA9});  // é not a piece
  CHECK(enc(*tok, "\xFF") == Ids{1, 3 + 0xFF});
  EncodeOptions opts;
  opts.add_eos = true;
  CHECK(enc(*tok, "ab", opts) == Ids{1, 263, 2});
  opts.max_tokens = 3;
  CHECK(enc(*tok, "ab ab", opts) == Ids{1, 263, 2});
  opts.add_special_tokens = false;
  opts.add_eos = false;
  opts.max_tokens = 0;
  CHECK(enc(*tok, "ab", opts) == Ids{263});

  spec.add_dummy_prefix = true;
  auto dummy = make(spec);
  CHECK(enc(*dummy, "a") == Ids{1, 265});  // " " + "a" -> " a"
  CHECK(enc(*dummy, "") == Ids{1});        // no prefix for empty text
  CHECK(dec(*dummy, {1, 265}) == "a");     // leading space stripped after BOS
  CHECK(dec(*dummy, {265}) == " a");       // ...but not without BOS
  CHECK(dec(*dummy, {1, 3 + 0xC3, 3 + 0xA9, 2}) == "\xC3\xA9");
  CHECK(dummy->decode_piece(265, 3 + 0x41) == "A");
  // " \x80" is not a piece: the dummy space falls back to <0x20>, which is
  // still stripped after BOS so the text round-trips.
  const Ids stray = enc(*dummy, "\x80");
  CHECK(stray == Ids{1, 3 + 0x20, 3 + 0x80});
  CHECK(dec(*dummy, stray) == "\x80");

  // A higher score wins regardless of position.
  OwnedVocab v2 = tiny_spm_vocab({{"a", -10}, {"b", -10}, {"c", -10}, {"ab", -2}, {"bc", -1}});
  TokenizerSpec spec2 = testing::llama2c_spec(v2);
  spec2.add_dummy_prefix = false;
  auto tok2 = make(spec2);
  CHECK(enc(*tok2, "abc") == Ids{1, kFirstExtra, kFirstExtra + 4});
}

TEST_CASE("SentencePiece BPE: without byte fallback unknown chunks are <unk>") {
  OwnedVocab v;
  v.strings = {"<unk>", "<s>", "</s>", " ", "a"};
  v.scores = {0, 0, 0, -1, -1};
  v.finish();
  TokenizerSpec spec = testing::llama2c_spec(v);
  spec.byte_fallback = false;
  auto tok = make(spec);
  CHECK(enc(*tok, "a\xC3\xA9" "a") == Ids{1, 3, 4, 0, 4});
}

// ---- create() validation ---------------------------------------------------------

TEST_CASE("create() rejects inconsistent specs") {
  OwnedVocab v = tiny_bert_vocab();
  auto rejects = [](const TokenizerSpec& s) {
    Result<std::unique_ptr<Tokenizer>> r = Tokenizer::create(s);
    return !r.is_ok() && r.status().code() == StatusCode::kInvalidModel;
  };
  TokenizerSpec good = tiny_bert_spec(v);
  CHECK(Tokenizer::create(good).is_ok());

  TokenizerSpec s = good;
  s.pieces = {};
  CHECK(rejects(s));
  s = good;
  s.cls_id = static_cast<int32_t>(v.strings.size());
  CHECK(rejects(s));
  s = good;
  s.mask_id = -2;
  CHECK(rejects(s));
  s = good;
  s.unk_id = -1;
  CHECK(rejects(s));
  s = good;
  s.max_input_chars_per_word = 0;
  CHECK(rejects(s));
  s = good;
  s.kind = static_cast<TokenizerKind>(7);
  CHECK(rejects(s));

  OwnedVocab with_empty = tiny_bert_vocab();
  with_empty.strings[6] = "";
  with_empty.finish();
  CHECK(rejects(tiny_bert_spec(with_empty)));

  OwnedVocab spm = tiny_spm_vocab({{" ", -1}});
  TokenizerSpec sp = testing::llama2c_spec(spm);
  CHECK(Tokenizer::create(sp).is_ok());
  sp.scores = Span<const float>(spm.scores.data(), spm.scores.size() - 1);
  CHECK(rejects(sp));  // scores size mismatch

  OwnedVocab no_bytes;
  no_bytes.strings = {"<unk>", "<s>", "</s>", "a"};
  no_bytes.scores = {0, 0, 0, 0};
  no_bytes.finish();
  TokenizerSpec nb = testing::llama2c_spec(no_bytes);
  CHECK(rejects(nb));  // byte_fallback without <0xNN> pieces
  nb.byte_fallback = false;
  CHECK(Tokenizer::create(nb).is_ok());
  nb.unk_id = -1;
  CHECK(rejects(nb));  // nothing to map unknown chunks to
}

TEST_CASE("encode() reports missing specials and oversized text") {
  OwnedVocab v;
  v.strings = {"[UNK]", "a"};
  v.finish();
  TokenizerSpec spec;
  spec.kind = TokenizerKind::kWordPiece;
  spec.pieces = v.piece_span();
  spec.unk_id = 0;
  auto tok = make(spec);
  std::vector<int32_t> ids;
  CHECK(tok->encode("a", EncodeOptions(), &ids).code() == StatusCode::kInvalidArgument);
  EncodeOptions opts;
  opts.add_special_tokens = false;
  CHECK(enc(*tok, "a b", opts) == Ids{1, 0});
  const std::string huge(Tokenizer::kMaxTextBytes + 1, 'a');
  CHECK(tok->encode(huge, opts, &ids).code() == StatusCode::kInvalidArgument);
}

// ---- robustness ----------------------------------------------------------------

void fuzz(const Tokenizer& tok, uint64_t seed, bool expect_round_trip) {
  ByteFuzzer fuzzer(seed);
  std::vector<int32_t> ids;
  std::string text;
  int failures = 0;
  for (int i = 0; i < 4000; ++i) {
    const std::string input = fuzzer.make(i % 10 == 0 ? 600 : 40);
    EncodeOptions opts;
    opts.max_tokens = (i % 7 == 0) ? 16 : 0;
    REQUIRE(tok.encode(input, opts, &ids).is_ok());
    for (int32_t id : ids) REQUIRE((id >= 0 && id < tok.vocab_size()));
    REQUIRE(tok.decode(Span<const int32_t>(ids.data(), ids.size()), &text).is_ok());
    if (expect_round_trip && opts.max_tokens == 0 && text != input) ++failures;
  }
  CHECK(failures == 0);
}

TEST_CASE("Random bytes never crash either tokenizer") {
  OwnedVocab bert = tiny_bert_vocab();
  fuzz(*make(tiny_bert_spec(bert)), 1234, false);
  OwnedVocab spm = tiny_spm_vocab({{" ", -1}, {"a", -2}, {" a", -3}, {"\xC3\xA9", -4}});
  fuzz(*make(testing::llama2c_spec(spm)), 5678, true);
}

}  // namespace
}  // namespace edgeattn
