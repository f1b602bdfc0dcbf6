// The tiny GPT-2-style byte-level BPE committed in tests/fixtures/gpt2_tiny
// (vocab.json, merges.txt, tokenizer.json) and the ids Hugging Face
// `tokenizers` gives for it (tests/fixtures/tokenizer_gpt2_tiny.json), both
// written by tests/reference/make_gpt2_tokenizer_fixtures.py. Shared by
// byte_level_bpe_test.cc and gpt2_import_test.cc.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/tokenizer/tokenizer.h"

namespace edgeattn::testing {

inline std::string gpt2_tiny_dir() { return std::string(EDGEATTN_SOURCE_DIR) + "/tests/fixtures/gpt2_tiny"; }

inline std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot open " << path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Gpt2Case {
  std::string name;
  std::string text;
  std::vector<int32_t> ids;
  std::vector<std::string> tokens;
  std::string decoded;
};

struct Gpt2Fixture {
  int32_t vocab_size = 0;
  int32_t endoftext_id = -1;
  std::vector<Gpt2Case> cases;             // add_prefix_space false
  std::vector<Gpt2Case> prefix_space_cases;  // add_prefix_space true
};

inline const Gpt2Fixture& gpt2_fixture() {
  static const Gpt2Fixture* f = [] {
    auto* out = new Gpt2Fixture;
    const nlohmann::json j = nlohmann::json::parse(
        read_text_file(std::string(EDGEATTN_SOURCE_DIR) + "/tests/fixtures/tokenizer_gpt2_tiny.json"));
    out->vocab_size = j.at("vocab_size").get<int32_t>();
    out->endoftext_id = j.at("endoftext_id").get<int32_t>();
    auto read_cases = [](const nlohmann::json& arr, std::vector<Gpt2Case>* cases) {
      for (const auto& c : arr) {
        Gpt2Case k;
        k.name = c.at("name").get<std::string>();
        k.text = c.at("text").get<std::string>();
        k.ids = c.at("ids").get<std::vector<int32_t>>();
        k.tokens = c.at("tokens").get<std::vector<std::string>>();
        k.decoded = c.at("decoded").get<std::string>();
        cases->push_back(std::move(k));
      }
    };
    read_cases(j.at("cases"), &out->cases);
    read_cases(j.at("prefix_space_cases"), &out->prefix_space_cases);
    return out;
  }();
  return *f;
}

// Pieces (from vocab.json) and merges (merges.txt without its "#version"
// line), owning the bytes a TokenizerSpec points into.
struct Gpt2Vocab {
  std::vector<std::string> pieces;
  std::vector<std::string> merges;
  std::vector<std::string_view> piece_views;
  std::vector<std::string_view> merge_views;

  TokenizerSpec spec(bool add_prefix_space = false) {
    piece_views.assign(pieces.begin(), pieces.end());
    merge_views.assign(merges.begin(), merges.end());
    TokenizerSpec s;
    s.kind = TokenizerKind::kByteLevelBpe;
    s.pieces = Span<const std::string_view>(piece_views.data(), piece_views.size());
    s.merges = Span<const std::string_view>(merge_views.data(), merge_views.size());
    for (size_t i = 0; i < pieces.size(); ++i) {
      if (pieces[i] == "<|endoftext|>") s.bos_id = s.eos_id = static_cast<int32_t>(i);
    }
    s.add_prefix_space = add_prefix_space;
    return s;
  }
};

inline Gpt2Vocab load_gpt2_vocab(const std::string& dir) {
  Gpt2Vocab v;
  const nlohmann::json vocab = nlohmann::json::parse(read_text_file(dir + "/vocab.json"));
  std::map<int64_t, std::string> by_id;
  for (auto it = vocab.begin(); it != vocab.end(); ++it) by_id[it.value().get<int64_t>()] = it.key();
  for (const auto& [id, piece] : by_id) {
    REQUIRE(id == static_cast<int64_t>(v.pieces.size()));
    v.pieces.push_back(piece);
  }
  std::istringstream merges(read_text_file(dir + "/merges.txt"));
  std::string line;
  while (std::getline(merges, line)) {
    if (line.empty() || line.rfind("#version", 0) == 0) continue;
    v.merges.push_back(line);
  }
  return v;
}

}  // namespace edgeattn::testing
