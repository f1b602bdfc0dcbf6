// converter/tokenizer_import on GPT-2 style HF folders: tests/fixtures/gpt2_tiny
// through tokenizer.json and through vocab.json + merges.txt, stored in a
// model file and loaded by the runtime, behaves like Hugging Face
// `tokenizers` on the fixture strings. Also: the Llama (Metaspace) BPE path
// still imports as SentencePiece BPE, and unsupported byte-level variants are
// refused.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <unistd.h>

#include "converter/source/convert_error.h"
#include "converter/tokenizer_import.h"
#include "runtime/model.h"
#include "tests/tokenizer/model_with_tokenizer.h"
#include "tests/tokenizer/gpt2_fixture.h"

namespace edgeattn {
namespace {

namespace fs = std::filesystem;
using Ids = std::vector<int32_t>;

// A temporary folder removed at the end of the scope.
struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& name) {
    path = fs::temp_directory_path() / (name + "-" + std::to_string(::getpid()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string str() const { return path.string(); }
  void write(const std::string& file, const std::string& text) const {
    std::ofstream out(path / file, std::ios::binary);
    out << text;
  }
};

using testing::load_with_tokenizer;
using testing::LoadedModel;

void check_matches_fixture(const Tokenizer& tok) {
  CHECK(tok.kind() == TokenizerKind::kByteLevelBpe);
  size_t matched = 0;
  const auto& cases = testing::gpt2_fixture().cases;
  EncodeOptions opts;
  opts.add_special_tokens = false;
  for (const testing::Gpt2Case& c : cases) {
    CAPTURE(c.name);
    Ids ids;
    REQUIRE(tok.encode(c.text, opts, &ids).is_ok());
    CHECK(ids == c.ids);
    if (ids == c.ids) ++matched;
    std::string text;
    REQUIRE(tok.decode(Span<const int32_t>(ids.data(), ids.size()), &text).is_ok());
    CHECK(text == c.decoded);
  }
  CHECK(matched == cases.size());
}

TEST_CASE("import_hf_tokenizer: GPT-2 tokenizer.json") {
  std::unique_ptr<fb::TokenizerT> t = convert::import_hf_tokenizer(testing::gpt2_tiny_dir(), 128);
  const testing::Gpt2Vocab vocab = testing::load_gpt2_vocab(testing::gpt2_tiny_dir());
  CHECK(t->kind == fb::TokenizerKind::ByteLevelBpe);
  CHECK(t->pieces == vocab.pieces);
  CHECK(t->merges == vocab.merges);  // [["a","b"], ...] in tokenizer.json
  CHECK(t->bos_id == testing::gpt2_fixture().endoftext_id);
  CHECK(t->eos_id == testing::gpt2_fixture().endoftext_id);
  CHECK(t->unk_id == -1);
  CHECK(!t->add_prefix_space);
  CHECK(t->max_length == 128);
  CHECK(t->scores.empty());

  std::unique_ptr<LoadedModel> m = load_with_tokenizer(std::move(t));
  check_matches_fixture(*m->model->tokenizer());
}

TEST_CASE("import_hf_tokenizer: GPT-2 vocab.json + merges.txt") {
  TempDir dir("edgeattn-gpt2-files");
  for (const char* f : {"vocab.json", "merges.txt"}) {
    fs::copy_file(fs::path(testing::gpt2_tiny_dir()) / f, dir.path / f);
  }
  std::unique_ptr<fb::TokenizerT> t = convert::import_hf_tokenizer(dir.str(), 0);
  std::unique_ptr<fb::TokenizerT> from_json = convert::import_hf_tokenizer(testing::gpt2_tiny_dir(), 0);
  CHECK(t->kind == fb::TokenizerKind::ByteLevelBpe);
  CHECK(t->pieces == from_json->pieces);
  CHECK(t->merges == from_json->merges);
  CHECK(t->bos_id == from_json->bos_id);
  CHECK(t->eos_id == from_json->eos_id);
  CHECK(!t->add_prefix_space);

  std::unique_ptr<LoadedModel> m = load_with_tokenizer(std::move(t));
  check_matches_fixture(*m->model->tokenizer());
}

// The fixture's tokenizer.json with its pre_tokenizer replaced.
std::string gpt2_json_with(const std::function<void(nlohmann::json&)>& edit) {
  nlohmann::json j = nlohmann::json::parse(testing::read_text_file(testing::gpt2_tiny_dir() + "/tokenizer.json"));
  edit(j);
  return j.dump();
}

TEST_CASE("import_hf_tokenizer: ByteLevel options") {
  TempDir dir("edgeattn-gpt2-variants");
  // add_prefix_space true, merges as "a b" strings: imported as is.
  dir.write("tokenizer.json", gpt2_json_with([](nlohmann::json& j) {
              j["pre_tokenizer"]["add_prefix_space"] = true;
              nlohmann::json merges = nlohmann::json::array();
              for (const auto& m : j["model"]["merges"]) {
                merges.push_back(m[0].get<std::string>() + " " + m[1].get<std::string>());
              }
              j["model"]["merges"] = merges;
            }));
  std::unique_ptr<fb::TokenizerT> t = convert::import_hf_tokenizer(dir.str(), 0);
  CHECK(t->kind == fb::TokenizerKind::ByteLevelBpe);
  CHECK(t->add_prefix_space);
  CHECK(t->merges == testing::load_gpt2_vocab(testing::gpt2_tiny_dir()).merges);
  std::unique_ptr<LoadedModel> m = load_with_tokenizer(std::move(t));
  for (const testing::Gpt2Case& c : testing::gpt2_fixture().prefix_space_cases) {
    CAPTURE(c.name);
    Ids ids;
    EncodeOptions opts;
    opts.add_special_tokens = false;
    REQUIRE(m->model->tokenizer()->encode(c.text, opts, &ids).is_ok());
    CHECK(ids == c.ids);
  }

  // Variants whose results the runtime would not reproduce are refused.
  const std::vector<std::function<void(nlohmann::json&)>> unsupported = {
      [](nlohmann::json& j) { j["pre_tokenizer"]["use_regex"] = false; },
      [](nlohmann::json& j) { j["normalizer"] = {{"type", "NFC"}}; },
      [](nlohmann::json& j) { j["model"]["ignore_merges"] = true; },
      [](nlohmann::json& j) {
        j["pre_tokenizer"] = {{"type", "Sequence"},
                              {"pretokenizers", {{{"type", "Split"}}, j["pre_tokenizer"]}}};
      },
  };
  for (size_t i = 0; i < unsupported.size(); ++i) {
    CAPTURE(i);
    dir.write("tokenizer.json", gpt2_json_with(unsupported[i]));
    CHECK_THROWS_AS(convert::import_hf_tokenizer(dir.str(), 0), convert::ConvertError);
  }
}

TEST_CASE("import_hf_tokenizer: Llama-style BPE (Metaspace) is still SentencePiece BPE") {
  TempDir dir("edgeattn-llama-json");
  nlohmann::json vocab = {{"<unk>", 0}, {"<s>", 1}, {"</s>", 2}};
  std::vector<std::string> extra = {"\xE2\x96\x81", "a", "b", "ab", "\xE2\x96\x81" "ab"};
  for (int b = 0; b < 256; ++b) {
    char name[8];
    std::snprintf(name, sizeof(name), "<0x%02X>", b);
    vocab[name] = 3 + b;
  }
  for (size_t i = 0; i < extra.size(); ++i) vocab[extra[i]] = 259 + static_cast<int>(i);
  nlohmann::json j = {
      {"normalizer", {{"type", "Sequence"}, {"normalizers", nlohmann::json::array()}}},
      {"pre_tokenizer", {{"type", "Metaspace"}, {"replacement", "\xE2\x96\x81"}}},
      {"decoder", {{"type", "Sequence"}, {"decoders", nlohmann::json::array()}}},
      {"model",
       {{"type", "BPE"},
        {"byte_fallback", true},
        {"vocab", vocab},
        {"merges", {"a b", "\xE2\x96\x81 ab"}}}},
  };
  dir.write("tokenizer.json", j.dump());
  std::unique_ptr<fb::TokenizerT> t = convert::import_hf_tokenizer(dir.str(), 0);
  CHECK(t->kind == fb::TokenizerKind::SentencePieceBpe);
  CHECK(t->merges.empty());
  CHECK(t->byte_fallback);
  CHECK(t->bos_id == 1);
  CHECK(t->pieces[259] == " ");
  std::unique_ptr<LoadedModel> m = load_with_tokenizer(std::move(t));
  const Tokenizer& tok = *m->model->tokenizer();
  CHECK(tok.kind() == TokenizerKind::kSentencePieceBpe);
  Ids ids;
  REQUIRE(tok.encode("ab", EncodeOptions(), &ids).is_ok());
  CHECK(ids == Ids{1, 263});  // <s> "▁ab"
}

}  // namespace
}  // namespace edgeattn
