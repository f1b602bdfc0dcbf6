// Byte-level BPE pre-tokenizers (runtime/tokenizer/pre_tokenizer.h): the
// splits of every string in tests/fixtures/pretokenizer_splits.json must equal
// the Python `regex` module's for each of the four regexes (written by
// tests/reference/make_pretokenizer_fixture.py). The fixture's strings keep
// to characters whose \p{L} / \p{N} / \s class is the same in the `regex`
// module's Unicode version and in unicode_tables.inc (Unicode 14), so a
// mismatch is a matcher bug, not a table-version difference. Also: the
// splits tile any bytes, and TokenizerSpec::pre_tokenizer reaches encode().
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "runtime/tokenizer/pre_tokenizer.h"
#include "runtime/tokenizer/tokenizer.h"
#include "tests/tokenizer/test_util.h"

namespace edgeattn {
namespace {

using Splits = std::vector<std::string>;

Splits split(PreTokenizer kind, std::string_view text) {
  Splits out;
  for (size_t pos = 0; pos < text.size();) {
    const size_t end = pre_token_end(kind, text, pos);
    REQUIRE(end > pos);
    REQUIRE(end <= text.size());
    out.emplace_back(text.substr(pos, end - pos));
    pos = end;
  }
  return out;
}

// Pre-tokens joined with '|', control characters escaped, for messages.
std::string show(const Splits& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i) out += '|';
    for (const char c : s[i]) {
      if (static_cast<unsigned char>(c) < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof(buf), "\\x%02X", static_cast<unsigned>(static_cast<unsigned char>(c)));
        out += buf;
      } else {
        out += c;
      }
    }
  }
  return out;
}

struct FixtureCase {
  std::string text;
  Splits expected[4];  // indexed by PreTokenizer
};

std::vector<FixtureCase> load_fixture() {
  const std::string data = testing::read_file(testing::fixture_path("pretokenizer_splits.json"));
  REQUIRE(!data.empty());
  testing::Json root;
  REQUIRE(testing::JsonParser(data).parse(&root));
  const testing::Json* cases = root.find("cases");
  REQUIRE(cases != nullptr);
  const char* const keys[4] = {"gpt2", "gpt2_digits", "llama3", "qwen2"};
  std::vector<FixtureCase> out;
  for (const testing::Json& c : cases->items) {
    FixtureCase fc;
    fc.text = c.find("text")->str;
    for (int k = 0; k < 4; ++k) {
      const testing::Json* list = c.find(keys[k]);
      REQUIRE(list != nullptr);
      for (const testing::Json& s : list->items) fc.expected[k].push_back(s.str);
    }
    out.push_back(std::move(fc));
  }
  return out;
}

TEST_CASE("pre-tokenizers: splits equal the Python regex module's on the fixture") {
  const std::vector<FixtureCase> cases = load_fixture();
  REQUIRE(cases.size() >= 150);
  const PreTokenizer kinds[4] = {PreTokenizer::kGpt2, PreTokenizer::kGpt2Digits, PreTokenizer::kLlama3,
                                 PreTokenizer::kQwen2};
  const char* const names[4] = {"gpt2", "gpt2_digits", "llama3", "qwen2"};
  size_t matched[4] = {};
  for (const FixtureCase& c : cases) {
    CAPTURE(show({c.text}));
    for (int k = 0; k < 4; ++k) {
      CAPTURE(names[k]);
      const Splits got = split(kinds[k], c.text);
      CHECK_MESSAGE(got == c.expected[k], "got " << show(got) << ", regex " << show(c.expected[k]));
      if (got == c.expected[k]) ++matched[k];
    }
  }
  for (int k = 0; k < 4; ++k) {
    MESSAGE(std::string(names[k]) << ": " << matched[k] << "/" << cases.size() << " fixture strings split as regex does");
    CHECK(matched[k] == cases.size());
  }
  // The fixture exercises what distinguishes the four (guards against a
  // fixture regenerated with identical columns).
  size_t digits_differ = 0, llama_differs = 0, qwen_differs = 0;
  for (const FixtureCase& c : cases) {
    digits_differ += c.expected[0] != c.expected[1];
    llama_differs += c.expected[0] != c.expected[2];
    qwen_differs += c.expected[2] != c.expected[3];
  }
  CHECK(digits_differ >= 20);
  CHECK(llama_differs >= 40);
  CHECK(qwen_differs >= 10);
}

TEST_CASE("pre-tokenizers: hand-checked splits") {
  // Llama 3: case-insensitive contractions, 3-digit groups, a space or a
  // punctuation character leads letters, punctuation keeps its newlines,
  // whitespace ends at the last newline.
  CHECK(split(PreTokenizer::kLlama3, "I'M 1234567") == Splits{"I", "'M", " ", "123", "456", "7"});
  CHECK(split(PreTokenizer::kLlama3, "?!abc;\n\nx") == Splits{"?!", "abc", ";\n\n", "x"});
  CHECK(split(PreTokenizer::kLlama3, "a  \n \n  b") == Splits{"a", "  \n \n", " ", " b"});
  CHECK(split(PreTokenizer::kQwen2, "x 1234") == Splits{"x", " ", "1", "2", "3", "4"});
  // GPT-2 keeps "'M" apart and digits in one run; the digit split cuts the
  // whitespace run's lookahead at the number ("a  1": "  " is at the end of
  // its fragment).
  CHECK(split(PreTokenizer::kGpt2, "I'M a  12") == Splits{"I", "'", "M", " a", " ", " 12"});
  CHECK(split(PreTokenizer::kGpt2Digits, "I'M a  12") == Splits{"I", "'", "M", " a", "  ", "1", "2"});
  CHECK(split(PreTokenizer::kGpt2Digits, " 1x") == Splits{" ", "1", "x"});
}

TEST_CASE("pre-tokenizers: any bytes are tiled, invalid UTF-8 included") {
  testing::ByteFuzzer fuzz(0x7072652D746F6Bull);
  const PreTokenizer kinds[4] = {PreTokenizer::kGpt2, PreTokenizer::kGpt2Digits, PreTokenizer::kLlama3,
                                 PreTokenizer::kQwen2};
  for (int i = 0; i < 2000; ++i) {
    const std::string text = fuzz.make(64);
    for (const PreTokenizer kind : kinds) {
      std::string joined;
      for (const std::string& s : split(kind, text)) joined += s;  // split() checks end > pos
      CHECK(joined == text);
    }
  }
}

TEST_CASE("pre-tokenizers: TokenizerSpec::pre_tokenizer decides where merges stop") {
  std::vector<std::string> pieces = testing::byte_level_pieces();
  pieces.push_back("12");   // 256
  pieces.push_back("123");  // 257
  std::vector<std::string_view> pv(pieces.begin(), pieces.end());
  std::vector<std::string_view> merges = {"1 2", "12 3"};
  auto encode = [&](PreTokenizer kind, std::string_view text) {
    TokenizerSpec s;
    s.kind = TokenizerKind::kByteLevelBpe;
    s.pieces = Span<const std::string_view>(pv.data(), pv.size());
    s.merges = Span<const std::string_view>(merges.data(), merges.size());
    s.pre_tokenizer = kind;
    Result<std::unique_ptr<Tokenizer>> r = Tokenizer::create(s);
    REQUIRE_MESSAGE(r.is_ok(), r.status().message());
    std::vector<int32_t> ids;
    EncodeOptions o;
    o.add_special_tokens = false;
    REQUIRE(r.value()->encode(text, o, &ids).is_ok());
    return ids;
  };
  using Ids = std::vector<int32_t>;
  CHECK(encode(PreTokenizer::kGpt2, "12312") == Ids{257, 256});
  CHECK(encode(PreTokenizer::kLlama3, "12312") == Ids{257, 256});
  CHECK(encode(PreTokenizer::kLlama3, "1231") == Ids{257, '1'});
  CHECK(encode(PreTokenizer::kQwen2, "123") == Ids{'1', '2', '3'});
  CHECK(encode(PreTokenizer::kGpt2Digits, "123") == Ids{'1', '2', '3'});
  // An out-of-range pre-tokenizer is refused.
  TokenizerSpec s;
  s.kind = TokenizerKind::kByteLevelBpe;
  s.pieces = Span<const std::string_view>(pv.data(), pv.size());
  s.pre_tokenizer = static_cast<PreTokenizer>(4);
  Result<std::unique_ptr<Tokenizer>> r = Tokenizer::create(s);
  REQUIRE(!r.is_ok());
  CHECK(r.status().code() == StatusCode::kInvalidModel);
}

}  // namespace
}  // namespace edgeattn
