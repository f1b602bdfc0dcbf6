// WordPiece on the real all-MiniLM-L6-v2 vocab.txt against ids produced by
// Hugging Face `tokenizers` (tests/reference/make_tokenizer_fixtures.py).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "runtime/tokenizer/tokenizer.h"
#include "tests/support/model_gate.h"
#include "tests/support/model_paths.h"
#include "tests/tokenizer/test_util.h"

EDGEATTN_TEST_MODELS(kMiniLM);

namespace edgeattn {
namespace {

using Ids = std::vector<int32_t>;

struct MiniLm {
  testing::OwnedVocab vocab;
  std::unique_ptr<Tokenizer> tok;
};

const MiniLm& minilm() {
  static MiniLm* m = [] {
    auto* out = new MiniLm;
    const std::string path = testing::require_model("all-MiniLM-L6-v2/vocab.txt");
    REQUIRE(testing::load_vocab_txt(path, &out->vocab));
    REQUIRE(out->vocab.strings.size() == 30522);
    TokenizerSpec spec = testing::bert_spec(out->vocab);
    REQUIRE(spec.cls_id == 101);
    Result<std::unique_ptr<Tokenizer>> r = Tokenizer::create(spec);
    REQUIRE_MESSAGE(r.is_ok(), r.status().message());
    out->tok = std::move(r).value();
    return out;
  }();
  return *m;
}

TEST_CASE("MiniLM: ids and decoded text match HF tokenizers") {
  const Tokenizer& tok = *minilm().tok;
  testing::Json root;
  const std::string json =
      testing::read_file(testing::fixture_path("tokenizer_wordpiece_minilm.json"));
  REQUIRE(testing::JsonParser(json).parse(&root));
  const testing::Json* cases = root.find("cases");
  REQUIRE(cases != nullptr);
  REQUIRE(cases->items.size() >= 40);
  EncodeOptions opts;
  opts.max_tokens = static_cast<size_t>(root.find("max_tokens")->number);
  size_t matched_ids = 0;
  size_t matched_text = 0;
  for (const testing::Json& c : cases->items) {
    const std::string& name = c.find("name")->str;
    Ids expected;
    for (const testing::Json& id : c.find("ids")->items) expected.push_back(static_cast<int32_t>(id.number));
    Ids got;
    REQUIRE(tok.encode(c.find("text")->str, opts, &got).is_ok());
    CHECK_MESSAGE(got == expected, "ids of case ", name);
    if (got == expected) ++matched_ids;
    std::string text;
    REQUIRE(tok.decode(Span<const int32_t>(expected.data(), expected.size()), &text).is_ok());
    CHECK_MESSAGE(text == c.find("decoded")->str, "decoded text of case ", name);
    if (text == c.find("decoded")->str) ++matched_text;
  }
  MESSAGE("MiniLM fixtures: ids matched ", matched_ids, "/", cases->items.size(),
          ", decoded text matched ", matched_text, "/", cases->items.size());
  CHECK(matched_ids == cases->items.size());
}

TEST_CASE("MiniLM: random bytes never crash and ids stay in range") {
  const Tokenizer& tok = *minilm().tok;
  testing::ByteFuzzer fuzzer(99);
  Ids ids;
  std::string text;
  for (int i = 0; i < 5000; ++i) {
    const std::string input = fuzzer.make(i % 20 == 0 ? 2000 : 64);
    EncodeOptions opts;
    opts.max_tokens = (i % 3 == 0) ? 256 : 0;
    REQUIRE(tok.encode(input, opts, &ids).is_ok());
    REQUIRE(ids.size() >= 2);
    CHECK(ids.front() == 101);
    CHECK(ids.back() == 102);
    for (int32_t id : ids) REQUIRE((id >= 0 && id < tok.vocab_size()));
    REQUIRE(tok.decode(Span<const int32_t>(ids.data(), ids.size()), &text).is_ok());
  }
}

}  // namespace
}  // namespace edgeattn
