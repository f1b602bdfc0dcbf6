// SentencePiece BPE on stories260K's tok512.bin (llama2.c format): fixture
// ids from an independent Python implementation, round-trips, the reference
// greedy generation text, and random bytes.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "runtime/tokenizer/tokenizer.h"
#include "tests/support/model_gate.h"
#include "tests/support/model_paths.h"
#include "tests/tokenizer/test_util.h"

EDGEATTN_TEST_MODELS(kStories260K);

namespace edgeattn {
namespace {

using Ids = std::vector<int32_t>;

struct Tok512 {
  testing::OwnedVocab vocab;
  std::unique_ptr<Tokenizer> tok;
};

const Tok512& tok512() {
  static Tok512* t = [] {
    auto* out = new Tok512;
    const std::string path = testing::require_model("stories260K/tok512.bin");
    REQUIRE(testing::load_llama2c_tokenizer(path, &out->vocab));
    REQUIRE(out->vocab.strings.size() == 512);
    Result<std::unique_ptr<Tokenizer>> r = Tokenizer::create(testing::llama2c_spec(out->vocab));
    REQUIRE_MESSAGE(r.is_ok(), r.status().message());
    out->tok = std::move(r).value();
    return out;
  }();
  return *t;
}

Ids enc(std::string_view text, EncodeOptions opts = {}) {
  Ids ids;
  REQUIRE(tok512().tok->encode(text, opts, &ids).is_ok());
  return ids;
}

std::string dec(const Ids& ids) {
  std::string text;
  REQUIRE(tok512().tok->decode(Span<const int32_t>(ids.data(), ids.size()), &text).is_ok());
  return text;
}

// Text from the pieces, as streamed by a generation loop.
std::string stream(const Ids& ids) {
  std::string text;
  int32_t prev = -1;
  for (int32_t id : ids) {
    text += tok512().tok->decode_piece(prev, id);
    prev = id;
  }
  return text;
}

TEST_CASE("tok512: known encodings") {
  const Tokenizer& tok = *tok512().tok;
  const int32_t space = tok.piece_to_id(" ");
  REQUIRE(space >= 0);
  CHECK(enc("") == Ids{1});
  CHECK(enc("a") == Ids{1, tok.piece_to_id(" a")});
  CHECK(enc("Once upon a time") == Ids{1, tok.piece_to_id(" Once"), tok.piece_to_id(" upon"),
                                       tok.piece_to_id(" a"), tok.piece_to_id(" time")});
  // An emoji is not in the vocabulary: its four bytes fall back to <0xNN>.
  const Ids emoji = enc("\xF0\x9F\x98\x80");
  CHECK(emoji == Ids{1, space, 3 + 0xF0, 3 + 0x9F, 3 + 0x98, 3 + 0x80});
  EncodeOptions eos;
  eos.add_eos = true;
  CHECK(enc("a", eos) == Ids{1, tok.piece_to_id(" a"), 2});
}

TEST_CASE("tok512: ids match the Python reference fixtures") {
  testing::Json root;
  const std::string json = testing::read_file(testing::fixture_path("tokenizer_spm_tok512.json"));
  REQUIRE(testing::JsonParser(json).parse(&root));
  const testing::Json* cases = root.find("cases");
  REQUIRE(cases != nullptr);
  REQUIRE(cases->items.size() >= 20);
  size_t matched = 0;
  for (const testing::Json& c : cases->items) {
    const testing::Json* text = c.find("text");
    const testing::Json* hex = c.find("hex");
    const std::string input = text != nullptr ? text->str : testing::from_hex(hex->str);
    Ids expected;
    for (const testing::Json& id : c.find("ids")->items) expected.push_back(static_cast<int32_t>(id.number));
    const Ids got = enc(input);
    CHECK_MESSAGE(got == expected, "case ", c.find("name")->str);
    if (got == expected) ++matched;
    CHECK(dec(got) == input);
  }
  MESSAGE("tok512 fixtures matched: ", matched, "/", cases->items.size());
  CHECK(matched == cases->items.size());
}

TEST_CASE("tok512: decode(encode(x)) == x, streaming included") {
  const std::vector<std::string> texts = {
      "Once upon a time", " leading space", "  two", "trailing  ", "\n\nnewlines\n",
      "Tom's mom said, \"No!\"", "\xF0\x9F\x98\x80 emoji first", "caf\xC3\xA9",
      "\xE4\xB8\xAD\xE6\x96\x87", "bad \xFF\xFE bytes", "\xC3", "\x80\x80", "\xED\xA0\x80",
      "\xC0\xAF", std::string("nul\0byte", 8), "x",
  };
  for (const std::string& t : texts) {
    const Ids ids = enc(t);
    CHECK_MESSAGE(dec(ids) == t, t);
    CHECK(stream(ids) == t);
  }
}

TEST_CASE("tok512: the reference generation text round-trips") {
  const std::string path = testing::require_model("stories260K/greedy_t0_256steps.txt");
  const std::string text = testing::read_file(path);
  REQUIRE(!text.empty());
  const Ids ids = enc(text);
  CHECK(ids.size() < text.size());  // merges happened
  CHECK(dec(ids) == text);
  CHECK(stream(ids) == text);
  // Every id but the byte fallbacks decodes to its own piece.
  for (size_t i = 1; i < ids.size(); ++i) CHECK(ids[i] >= 3);
}

TEST_CASE("tok512: random bytes round-trip and stay in range") {
  testing::ByteFuzzer fuzzer(20240601);
  Ids ids;
  std::string text;
  int mismatches = 0;
  for (int i = 0; i < 5000; ++i) {
    const std::string input = fuzzer.make(i % 20 == 0 ? 2000 : 64);
    REQUIRE(tok512().tok->encode(input, EncodeOptions(), &ids).is_ok());
    for (int32_t id : ids) REQUIRE((id >= 0 && id < 512));
    REQUIRE(tok512().tok->decode(Span<const int32_t>(ids.data(), ids.size()), &text).is_ok());
    if (text != input) ++mismatches;
  }
  CHECK(mismatches == 0);
}

}  // namespace
}  // namespace edgeattn
