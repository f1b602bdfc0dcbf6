// converter/tokenizer_import on a Llama-style HF tokenizer.json (BPE with
// byte_fallback, Prepend/Replace "▁" normalizer, no pre-tokenizer), stored in
// a model file and run by the runtime Tokenizer, against Hugging Face
// `tokenizers`: encode() gives HF's ids and decode() of ids starting with <s>
// gives HF's text, exactly. Where the runtime deliberately keeps llama2.c's
// rules instead (a "▁" typed in the text, decoding without <s>, <unk>, cut
// UTF-8, special-token text) the test asserts the runtime's exact result and
// says what HF gives. The fixture folder tests/fixtures/llama_tokenizer_json/
// (tokenizer.json + expected_ids.json) is written by
// tests/reference/make_llama_tokenizer_json.py.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "converter/tokenizer_import.h"
#include "runtime/model.h"
#include "tests/support/process.h"
#include "tests/tokenizer/model_with_tokenizer.h"

namespace edgeattn {
namespace {

namespace fs = std::filesystem;
using Ids = std::vector<int32_t>;

const char kMarker[] = "\xE2\x96\x81";  // "▁"

std::string fixture_dir() { return std::string(EDGEATTN_SOURCE_DIR) + "/tests/fixtures/llama_tokenizer_json"; }

struct LlamaCase {
  std::string name, text;
  Ids ids, ids_no_special;  // encode() with / without "<s>"
  std::string decoded, decoded_no_special;
  Ids hf_default_ids;  // set when HF's default differs (special-token text)
};

// Ids encode() does not produce, and HF's decode() of them.
struct DecodeCase {
  std::string name;
  Ids ids;
  std::string decoded;
};

struct LlamaFixture {
  int32_t vocab_size = 0;
  std::vector<LlamaCase> cases;
  std::vector<DecodeCase> decode_cases;
  // tokenizer.json plus these pieces and merges: no merge makes "<s>".
  std::vector<std::string> variant_pieces, variant_merges;
  std::vector<LlamaCase> variant_cases;  // text, ids, decoded
};

const LlamaFixture& fixture() {
  static const LlamaFixture* f = [] {
    auto* out = new LlamaFixture;
    const nlohmann::json j = nlohmann::json::parse(testing::read_file(fixture_dir() + "/expected_ids.json"));
    out->vocab_size = j.at("vocab_size").get<int32_t>();
    for (const auto& c : j.at("cases")) {
      LlamaCase k;
      k.name = c.at("name").get<std::string>();
      k.text = c.at("text").get<std::string>();
      k.ids = c.at("ids").get<Ids>();
      k.ids_no_special = c.at("ids_no_special").get<Ids>();
      k.decoded = c.at("decoded").get<std::string>();
      k.decoded_no_special = c.at("decoded_no_special").get<std::string>();
      if (c.contains("hf_default_ids")) k.hf_default_ids = c["hf_default_ids"].get<Ids>();
      out->cases.push_back(std::move(k));
    }
    for (const auto& c : j.at("decode_cases")) {
      out->decode_cases.push_back(
          {c.at("name").get<std::string>(), c.at("ids").get<Ids>(), c.at("decoded").get<std::string>()});
    }
    const nlohmann::json& v = j.at("unmerged_special");
    out->variant_pieces = v.at("extra_pieces").get<std::vector<std::string>>();
    out->variant_merges = v.at("extra_merges").get<std::vector<std::string>>();
    for (const auto& c : v.at("cases")) {
      LlamaCase k;
      k.name = k.text = c.at("text").get<std::string>();
      k.ids = c.at("ids").get<Ids>();
      k.decoded = c.at("decoded").get<std::string>();
      out->variant_cases.push_back(std::move(k));
    }
    return out;
  }();
  return *f;
}

using testing::load_with_tokenizer;
using testing::LoadedModel;

std::string decode(const Tokenizer& tok, const Ids& ids) {
  std::string text;
  REQUIRE(tok.decode(Span<const int32_t>(ids.data(), ids.size()), &text).is_ok());
  return text;
}

Ids encode(const Tokenizer& tok, const std::string& text, bool special = true) {
  EncodeOptions opts;
  opts.add_special_tokens = special;
  Ids ids;
  REQUIRE(tok.encode(text, opts, &ids).is_ok());
  return ids;
}

// Ids as text, so that a failed CHECK shows them.
std::string str(const Ids& ids) {
  std::string s;
  for (int32_t id : ids) s += (s.empty() ? "" : " ") + std::to_string(id);
  return s;
}

bool has_marker(const std::string& text) { return text.find(kMarker) != std::string::npos; }

std::string marker_as_space(std::string text) {
  for (size_t at; (at = text.find(kMarker)) != std::string::npos;) text.replace(at, 3, " ");
  return text;
}

// The fixture's tokenizer imported, stored in a model file and loaded; kept
// for the whole run (shared by the test cases).
const Tokenizer& runtime_tokenizer() {
  static const LoadedModel* m = load_with_tokenizer(convert::import_hf_tokenizer(fixture_dir(), 0)).release();
  return *m->model->tokenizer();
}

// A folder removed at the end of the scope, holding `j` as tokenizer.json.
struct TempTokenizerJson {
  fs::path dir;
  TempTokenizerJson(const std::string& name, const nlohmann::json& j) {
    dir = fs::temp_directory_path() / (name + "-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    std::ofstream(dir / "tokenizer.json", std::ios::binary) << j.dump();
  }
  ~TempTokenizerJson() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

TEST_CASE("import_hf_tokenizer: Llama tokenizer.json imports as SentencePiece BPE") {
  std::unique_ptr<fb::TokenizerT> t = convert::import_hf_tokenizer(fixture_dir(), 64);
  CHECK(t->kind == fb::TokenizerKind::SentencePieceBpe);
  REQUIRE(static_cast<int32_t>(t->pieces.size()) == fixture().vocab_size);
  CHECK(t->pieces.size() == 903);
  CHECK(t->scores.size() == t->pieces.size());
  CHECK(t->merges.empty());  // merge priority is carried by the scores
  CHECK(t->byte_fallback);
  CHECK(t->add_dummy_prefix);
  CHECK(t->max_length == 64);
  CHECK(t->unk_id == 0);
  CHECK(t->bos_id == 1);
  CHECK(t->eos_id == 2);
  CHECK(t->pad_id == -1);
  CHECK(t->pieces[3] == "<0x00>");
  CHECK(t->pieces[258] == "<0xFF>");
  // "▁" is stored as a space, as in llama2.c's tokenizer.bin.
  CHECK(t->pieces[259] == "  ");  // "▁▁", Llama's first merged piece
  CHECK(t->scores[259] == 0.0f);  // made by merge 0, "▁ ▁"
  for (const std::string& p : t->pieces) CHECK(p.find(kMarker) == std::string::npos);
  // Pieces no merge makes are never merged into.
  for (int id : {0, 1, 2, 3, 258}) CHECK(t->scores[static_cast<size_t>(id)] < -1e30f);
}

TEST_CASE("Llama tokenizer.json: encode == Hugging Face tokenizers") {
  const Tokenizer& tok = runtime_tokenizer();
  REQUIRE(tok.kind() == TokenizerKind::kSentencePieceBpe);
  REQUIRE(tok.vocab_size() == fixture().vocab_size);
  REQUIRE(fixture().cases.size() == 47);
  size_t matched = 0;
  for (const LlamaCase& c : fixture().cases) {
    if (has_marker(c.text)) continue;  // known difference, tested below
    CAPTURE(c.name);
    const std::string ids = str(encode(tok, c.text));
    const std::string bare = str(encode(tok, c.text, false));
    CHECK(ids == str(c.ids));
    CHECK(bare == str(c.ids_no_special));
    if (ids == str(c.ids) && bare == str(c.ids_no_special)) ++matched;
  }
  CHECK(matched == 45);  // all but the 2 "▁" cases
}

TEST_CASE("Llama tokenizer.json: decode with <s> == Hugging Face tokenizers") {
  const Tokenizer& tok = runtime_tokenizer();
  size_t matched = 0;
  for (const LlamaCase& c : fixture().cases) {
    CAPTURE(c.name);
    const std::string text = decode(tok, c.ids);
    CHECK(text == c.decoded);
    // Streaming from the first id gives the same text.
    std::string streamed;
    int32_t prev = -1;
    for (int32_t id : c.ids) {
      streamed += tok.decode_piece(prev, id);
      prev = id;
    }
    CHECK(streamed == text);
    if (text == c.decoded) ++matched;
  }
  CHECK(matched == fixture().cases.size());
}

// Known difference 1. HF's normalizer (like SentencePiece) writes spaces as
// "▁" before matching, so a "▁" already in the text is a space: "a▁b" and
// "a b" have the same ids and decode to "a b". The runtime follows llama2.c
// here: "▁" is three bytes of text, encoded through byte fallback, which
// keeps decode(encode(x)) == x for every x (the promise in tokenizer.h that
// fuzz/spm_bpe_fuzzer.cc checks). Everything else about those texts matches.
TEST_CASE("Llama tokenizer.json: known difference: \"▁\" in the text stays text") {
  const Tokenizer& tok = runtime_tokenizer();
  const Ids marker_bytes = {3 + 0xE2, 3 + 0x96, 3 + 0x81};
  size_t n = 0;
  for (const LlamaCase& c : fixture().cases) {
    if (!has_marker(c.text)) continue;
    CAPTURE(c.name);
    ++n;
    const Ids ids = encode(tok, c.text);
    CHECK(str(ids) != str(c.ids));
    CHECK(std::search(ids.begin(), ids.end(), marker_bytes.begin(), marker_bytes.end()) != ids.end());
    CHECK(decode(tok, ids) == c.text);
    // Spelled with spaces, the text gets HF's ids (and HF's decode of them).
    CHECK(str(encode(tok, marker_as_space(c.text))) == str(c.ids));
    CHECK(str(encode(tok, marker_as_space(c.text), false)) == str(c.ids_no_special));
    CHECK(decode(tok, c.ids) == c.decoded);
  }
  CHECK(n == 2);
}

// Known difference 2. HF's decoder (Strip 1 left, like SentencePiece) drops
// one leading space of the decoded text whether or not <s> came first. The
// runtime follows llama2.c: the dummy-prefix space goes only right after <s>
// (tokenizer.h; tokenizer_test.cc asserts " a" for ids without BOS). Ids
// from encode() without <s> therefore decode to " " + HF's text.
TEST_CASE("Llama tokenizer.json: known difference: decode without <s> keeps the leading space") {
  const Tokenizer& tok = runtime_tokenizer();
  for (const LlamaCase& c : fixture().cases) {
    CAPTURE(c.name);
    const std::string expected = c.text.empty() ? "" : " " + c.decoded_no_special;
    CHECK(decode(tok, c.ids_no_special) == expected);
  }
}

// Known difference 3: ids encode() never gives. Besides the rule above the
// runtime (llama2.c) drops the space after every <s>, not only at the start;
// emits <unk> as its text (HF skips it as a special); and returns the raw
// bytes of a cut UTF-8 sequence (HF: one U+FFFD per byte).
TEST_CASE("Llama tokenizer.json: known difference: decoding ids encode() does not produce") {
  const Tokenizer& tok = runtime_tokenizer();
  const struct {
    const char* name;
    const char* runtime;
    bool same_as_hf;
  } expected[] = {
      {"two_sequences", "Hello worldOnce upon a time", false},  // HF "... world Once ..."
      {"eos_between", "Helloworld", false},                     // HF "Hello world"
      {"unk_inside", "a<unk> b", false},                        // HF "a b"
      {"byte_space_first", " a", false},                        // HF "a" (no <s>: rule 2)
      {"byte_space_after_bos", "a", true},
      {"cut_utf8", "\xE6\x88 a", false},  // HF "\uFFFD\uFFFD a"
  };
  REQUIRE(fixture().decode_cases.size() == std::size(expected));
  for (size_t i = 0; i < std::size(expected); ++i) {
    const DecodeCase& c = fixture().decode_cases[i];
    CAPTURE(c.name);
    REQUIRE(c.name == expected[i].name);
    const std::string text = decode(tok, c.ids);
    CHECK(text == expected[i].runtime);
    CHECK((text == c.decoded) == expected[i].same_as_hf);
  }
}

// Known difference 4, by design: HF's default encode() turns text spelling
// an added special token ("<s>", "</s>", "<unk>") into that token's id; the
// runtime encodes all text as text (like SentencePiece itself, so a prompt
// cannot inject control tokens), which is HF with `encode_special_tokens =
// True`, the ids the fixture holds.
TEST_CASE("Llama tokenizer.json: special-token text is text (HF's default differs)") {
  size_t differing = 0;
  for (const LlamaCase& c : fixture().cases) {
    if (c.hf_default_ids.empty()) continue;
    CAPTURE(c.name);
    ++differing;
    CHECK(c.name == "special_text");
    // HF's default: <s> <s> "▁▁" "a" "nd" "▁" </s> "▁▁" "a" "nd" "▁" <unk>
    // (each piece of text between specials gets its own "▁" prefix).
    CHECK(c.hf_default_ids.size() == 12);
    CHECK(c.hf_default_ids[1] == 1);
    CHECK(c.hf_default_ids[6] == 2);
    CHECK(c.hf_default_ids.back() == 0);
    const Ids ids = encode(runtime_tokenizer(), c.text);
    CHECK(str(ids) == str(c.ids));
    CHECK(std::count(ids.begin(), ids.end(), 1) == 1);  // only the BOS encode() adds
  }
  CHECK(differing == 1);
}

// A file trained by `tokenizers` (not converted from SentencePiece) can have
// the pieces "<s" and ">" without a merge that makes "<s>": HF never forms
// the special from text then. Before the importer scored unmerged pieces
// -inf, the runtime merged "<s" + ">" into the BOS id.
TEST_CASE("Llama tokenizer.json: a piece no merge makes is never formed") {
  nlohmann::json j = nlohmann::json::parse(testing::read_file(fixture_dir() + "/tokenizer.json"));
  nlohmann::json& vocab = j["model"]["vocab"];
  for (const std::string& p : fixture().variant_pieces) vocab[p] = static_cast<int>(vocab.size());
  for (const std::string& m : fixture().variant_merges) j["model"]["merges"].push_back(m);
  TempTokenizerJson file("edgeattn-llama-unmerged", j);
  std::unique_ptr<LoadedModel> m = load_with_tokenizer(convert::import_hf_tokenizer(file.dir.string(), 0));
  const Tokenizer& tok = *m->model->tokenizer();
  REQUIRE(fixture().variant_cases.size() == 3);
  for (const LlamaCase& c : fixture().variant_cases) {
    CAPTURE(c.text);
    const Ids ids = encode(tok, c.text);
    CHECK(str(ids) == str(c.ids));
    CHECK(std::count(ids.begin(), ids.end(), 1) == 1);
    CHECK(decode(tok, ids) == c.decoded);
  }
}

// Hub files written by tokenizers >= 0.20 list merges as ["left", "right"]
// pairs instead of the "left right" strings of Llama 2's file.
TEST_CASE("Llama tokenizer.json: merges as pairs import the same") {
  nlohmann::json j = nlohmann::json::parse(testing::read_file(fixture_dir() + "/tokenizer.json"));
  nlohmann::json pairs = nlohmann::json::array();
  for (const auto& merge : j["model"]["merges"]) {
    const std::string s = merge.get<std::string>();
    const size_t space = s.find(' ');
    REQUIRE(space != std::string::npos);
    pairs.push_back({s.substr(0, space), s.substr(space + 1)});
  }
  j["model"]["merges"] = pairs;
  TempTokenizerJson file("edgeattn-llama-pairs", j);
  std::unique_ptr<fb::TokenizerT> from_pairs = convert::import_hf_tokenizer(file.dir.string(), 0);
  std::unique_ptr<fb::TokenizerT> from_strings = convert::import_hf_tokenizer(fixture_dir(), 0);
  CHECK(from_pairs->pieces == from_strings->pieces);
  CHECK(from_pairs->scores == from_strings->scores);
}

}  // namespace
}  // namespace edgeattn
