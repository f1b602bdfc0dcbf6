// converter/gguf_bpe_tokenizer on SmolLM2-135M-Instruct's GGUF ("gpt2"
// byte-level BPE, pre-tokenizer "smollm", 49,152 pieces, control tokens
// <|im_start|> ...), stored in a model file and run by the runtime
// Tokenizer, against llama.cpp's llama_tokenize / detokenize on the same
// file (committed fixture tests/fixtures/tokenizer_smollm2_llamacpp.json,
// written by tests/reference/make_smollm2_tokenizer_fixture.py): the ids of
// every string, with and without parse_special, and the decoded text. Also:
// what the converter refuses in a GGUF vocabulary (small GGUF files written
// by GgufWriter). And TextGenerator::chat() on a tiny random Llama with
// SmolLM2's vocabulary and chat template: the prompt ids it feeds are
// llama.cpp's ids of the rendered conversation.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "converter/source/convert_error.h"
#include "converter/source/gguf.h"
#include "converter/source/gguf_writer.h"
#include "converter/tokenizer_import.h"
#include "runtime/model.h"
#include "runtime/tasks/text_generator.h"
#include "tests/support/model_gate.h"
#include "tests/tokenizer/model_with_tokenizer.h"

EDGEATTN_TEST_MODELS(kSmolLM2);

namespace edgeattn {
namespace {

using Ids = std::vector<int32_t>;
using testing::load_with_tokenizer;

struct LlamaCppCase {
  std::string text;
  Ids ids, ids_special;
  std::string decoded, decoded_special;
};

std::vector<LlamaCppCase> load_cases() {
  std::ifstream in(std::string(EDGEATTN_SOURCE_DIR) + "/tests/fixtures/tokenizer_smollm2_llamacpp.json");
  REQUIRE(in.good());
  const nlohmann::json j = nlohmann::json::parse(in);
  std::vector<LlamaCppCase> cases;
  for (const auto& c : j.at("cases")) {
    cases.push_back({c.at("text").get<std::string>(), c.at("ids").get<Ids>(), c.at("ids_special").get<Ids>(),
                     c.at("decoded").get<std::string>(), c.at("decoded_special").get<std::string>()});
  }
  return cases;
}

std::string smollm2_path() { return testing::require_model("smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"); }

TEST_CASE("GGUF gpt2 vocabulary: the table SmolLM2's file gives") {
  const convert::GgufFile gguf = convert::GgufFile::open(smollm2_path());
  const std::unique_ptr<fb::TokenizerT> t = convert::import_gguf_tokenizer(gguf);
  CHECK(t->kind == fb::TokenizerKind::ByteLevelBpe);
  CHECK(t->pieces.size() == 49152);
  CHECK(t->merges.size() == gguf.get_string_array("tokenizer.ggml.merges").size());
  CHECK(t->pre_tokenizer == fb::PreTokenizer::Gpt2Digits);
  CHECK_FALSE(t->add_bos);  // tokenizer.ggml.add_bos_token false
  CHECK(t->bos_id == 1);
  CHECK(t->eos_id == 2);
  CHECK(t->pieces[1] == "<|im_start|>");
  CHECK(t->piece_types.at(1) == fb::PieceType::Control);
  CHECK(t->chat_template.find("<|im_start|>") != std::string::npos);
}

TEST_CASE("GGUF gpt2 vocabulary: ids and text equal llama.cpp's on SmolLM2") {
  const convert::GgufFile gguf = convert::GgufFile::open(smollm2_path());
  auto loaded = load_with_tokenizer(convert::import_gguf_tokenizer(gguf));
  const Tokenizer& tok = *loaded->model->tokenizer();
  const std::vector<LlamaCppCase> cases = load_cases();
  REQUIRE(cases.size() >= 200);
  size_t matched = 0;
  for (const LlamaCppCase& c : cases) {
    CAPTURE(c.text);
    EncodeOptions plain;  // add_special_tokens: no BOS for this vocabulary
    EncodeOptions special;
    special.parse_special = true;
    Ids ids, ids_special;
    REQUIRE(tok.encode(c.text, plain, &ids).is_ok());
    REQUIRE(tok.encode(c.text, special, &ids_special).is_ok());
    CHECK(ids == c.ids);
    CHECK(ids_special == c.ids_special);
    std::string text, text_special;
    REQUIRE(tok.decode(Span<const int32_t>(ids.data(), ids.size()), &text).is_ok());
    REQUIRE(tok.decode(Span<const int32_t>(ids_special.data(), ids_special.size()), &text_special).is_ok());
    CHECK(text == c.decoded);
    CHECK(text_special == c.decoded_special);
    if (ids == c.ids && ids_special == c.ids_special) ++matched;
  }
  MESSAGE(matched << " of " << cases.size() << " strings tokenized exactly as llama.cpp");
  CHECK(matched == cases.size());
}

const LlamaCppCase& find_case(const std::vector<LlamaCppCase>& cases, const std::string& text) {
  for (const LlamaCppCase& c : cases) {
    if (c.text == text) return c;
  }
  FAIL("no fixture case for " << text);
  return cases.front();
}

TEST_CASE("TextGenerator::chat writes SmolLM2's template and tokenizes it as llama.cpp") {
  const convert::GgufFile gguf = convert::GgufFile::open(smollm2_path());
  auto loaded = load_with_tokenizer(convert::import_gguf_tokenizer(gguf), 160);
  const Model& model = *loaded->model;
  REQUIRE(!model.info().chat_template.empty());
  const std::vector<LlamaCppCase> cases = load_cases();
  const LlamaCppCase& rendered = find_case(
      cases,
      "<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nWhat is 2+2?<|im_end|>\n"
      "<|im_start|>assistant\n");
  TextGeneratorOptions o;
  o.max_context = 160;
  o.system_prompt = "You are helpful.";
  Result<std::unique_ptr<TextGenerator>> created = TextGenerator::create(model, o);
  REQUIRE(created.is_ok());
  TextGenerator& g = **created;
  GenerationRequest r;
  r.max_tokens = 3;
  REQUIRE(g.chat("What is 2+2?", r).is_ok());
  const Span<const int32_t> context = g.context();
  const std::vector<int32_t> prompt(context.begin(), context.begin() + rendered.ids_special.size());
  CHECK(prompt == rendered.ids_special);
  CHECK(context.size() == rendered.ids_special.size() + static_cast<size_t>(g.last_stats().generated));
  // The next turn closes the reply, then the user's message: the ids of
  // "<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n".
  const size_t before = context.size();
  REQUIRE(g.chat("Hi", r).is_ok());
  const Span<const int32_t> after = g.context();
  // llama.cpp's ids of the same text (the fixture's case).
  const Ids expect =
      find_case(cases, "<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n").ids_special;
  REQUIRE(after.size() > before + expect.size());
  CHECK(Ids(after.begin() + before, after.begin() + before + expect.size()) == expect);
  // Typed special-token text stays text in a chat message.
  g.reset();
  REQUIRE(g.chat("<|im_end|>", r).is_ok());
  const Span<const int32_t> sneaky = g.context();
  CHECK(std::count(sneaky.begin(), sneaky.end(), 2) == 2);  // the system's and the user's <|im_end|> only
}

TEST_CASE("TextGenerator::chat: an unrecognized template is refused by name; generate() still runs") {
  const convert::GgufFile gguf = convert::GgufFile::open(smollm2_path());
  std::unique_ptr<fb::TokenizerT> t = convert::import_gguf_tokenizer(gguf);
  t->chat_template = "{% for message in messages %}{{ '<|user|>' + message['content'] }}{% endfor %}";
  auto loaded = load_with_tokenizer(std::move(t), 64);
  TextGeneratorOptions o;
  o.max_context = 64;
  Result<std::unique_ptr<TextGenerator>> created = TextGenerator::create(*loaded->model, o);
  REQUIRE(created.is_ok());
  GenerationRequest r;
  r.max_tokens = 2;
  const Status s = (*created)->chat("Hi", r);
  CHECK(s.code() == StatusCode::kUnsupported);
  CHECK(std::string(s.message()).find("{% for message in messages %}") != std::string::npos);
  // SmolLM2's vocabulary adds no BOS: an echoed prompt starts at its first token.
  std::string text;
  r.echo_prompt = true;
  r.user = &text;
  r.on_text = [](void* user, std::string_view piece) {
    static_cast<std::string*>(user)->append(piece);
    return true;
  };
  CHECK((*created)->generate("Hi there", r).is_ok());
  CHECK(text.rfind("Hi there", 0) == 0);
}

// A GGUF file holding only a gpt2 vocabulary of the 256 byte pieces (plus
// `extra`), with `pre` as tokenizer.ggml.pre ("" leaves it out).
struct TinyGguf {
  std::string path;
  explicit TinyGguf(const std::string& pre, const std::vector<int32_t>& types = {}, int64_t bos = -1) {
    path = (std::filesystem::temp_directory_path() / ("gguf-bpe-" + std::to_string(::getpid()) + ".gguf")).string();
    convert::GgufWriter w;
    w.add_string("general.architecture", "llama");
    w.add_string("tokenizer.ggml.model", "gpt2");
    if (!pre.empty()) w.add_string("tokenizer.ggml.pre", pre);
    std::vector<std::string> pieces;
    for (int b = 0x21; b <= 0x7E; ++b) pieces.push_back(std::string(1, static_cast<char>(b)));
    pieces.push_back("ab");
    w.add_string_array("tokenizer.ggml.tokens", pieces);
    w.add_string_array("tokenizer.ggml.merges", {"a b"});
    if (!types.empty()) w.add_i32_array("tokenizer.ggml.token_type", types);
    if (bos >= 0) {
      w.add_u32("tokenizer.ggml.bos_token_id", static_cast<uint32_t>(bos));
      w.add_bool("tokenizer.ggml.add_bos_token", true);
    }
    w.write(path);
  }
  ~TinyGguf() { std::filesystem::remove(path); }
  static size_t vocab() { return 0x7E - 0x21 + 2; }
};

std::string import_error(const TinyGguf& g) {
  try {
    convert::import_gguf_tokenizer(convert::GgufFile::open(g.path));
  } catch (const convert::ConvertError& e) {
    return e.what();
  }
  return "";
}

TEST_CASE("GGUF gpt2 vocabulary: pre-tokenizer names") {
  const struct {
    const char* pre;
    fb::PreTokenizer expect;
  } known[] = {{"", fb::PreTokenizer::Gpt2},           {"gpt2", fb::PreTokenizer::Gpt2},
               {"smollm", fb::PreTokenizer::Gpt2Digits}, {"starcoder", fb::PreTokenizer::Gpt2Digits},
               {"refact", fb::PreTokenizer::Gpt2Digits}, {"llama-bpe", fb::PreTokenizer::Llama3},
               {"qwen2", fb::PreTokenizer::Qwen2}};
  for (const auto& k : known) {
    CAPTURE(k.pre);
    TinyGguf g(k.pre);
    const auto t = convert::import_gguf_tokenizer(convert::GgufFile::open(g.path));
    CHECK(t->pre_tokenizer == k.expect);
    CHECK_FALSE(t->add_bos);
    CHECK(t->piece_types == std::vector<fb::PieceType>(TinyGguf::vocab(), fb::PieceType::Normal));
  }
  const std::string err = import_error(TinyGguf("deepseek-llm"));
  CHECK(err.find("tokenizer.ggml.pre 'deepseek-llm' is not supported") != std::string::npos);
}

TEST_CASE("GGUF gpt2 vocabulary: token types and BOS are checked") {
  std::vector<int32_t> types(TinyGguf::vocab(), 1);
  types[3] = 7;
  CHECK(import_error(TinyGguf("gpt2", types)).find("token_type of token 3 is 7") != std::string::npos);
  types.pop_back();
  CHECK(import_error(TinyGguf("gpt2", types)).find("token_type has 94 entries for 95 tokens") != std::string::npos);
  CHECK(import_error(TinyGguf("gpt2", {}, 500)).find("tokenizer.ggml.bos_token_id 500 is not a token id") !=
        std::string::npos);
  TinyGguf with_bos("gpt2", {}, 2);
  const auto t = convert::import_gguf_tokenizer(convert::GgufFile::open(with_bos.path));
  CHECK(t->add_bos);
  CHECK(t->bos_id == 2);
}

}  // namespace
}  // namespace edgeattn
