// The readers on the real stories260K files (llama2.c .bin, tok512.bin and
// the GGUF conversion of the same weights), and on SmolLM2-135M's Q4_1 GGUF
// (its block-quantized tensors dequantized as gguf-py does). The models are
// declared below (tests/support/model_gate.h: skip, or fail in CI, before
// the first check).
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "converter/source/convert_error.h"
#include "converter/source/gguf.h"
#include "converter/source/hf_checkpoint_writer.h"
#include "converter/source/llama2c.h"
#include "converter/source/mapped_file.h"
#include "converter/source/rope_permutation.h"
#include "converter/source/safetensors.h"
#include "tests/converter/test_files.h"
#include "tests/support/model_gate.h"
#include "tests/support/model_paths.h"

EDGEATTN_TEST_MODELS(kStories260K, kStories260KGguf, kSmolLM2);

namespace edgeattn::convert {
namespace {

using edgeattn::testing::require_model;
using edgeattn::testing::temp_dir;
using namespace test_files;  // tests/converter/test_files.h

TEST_CASE("stories260K.bin: config and tensors") {
  const std::string path = require_model("stories260K/stories260K.bin");
  Llama2cCheckpoint ck = Llama2cCheckpoint::open(path);
  const Llama2cConfig& c = ck.config();
  CHECK(c.dim == 64);
  CHECK(c.hidden_dim == 172);
  CHECK(c.n_layers == 5);
  CHECK(c.n_heads == 8);
  CHECK(c.n_kv_heads == 4);
  CHECK(c.vocab_size == 512);
  CHECK(c.seq_len == 512);
  CHECK(c.shared_classifier);
  CHECK(c.head_size() == 8);
  CHECK(c.kv_dim() == 32);
  CHECK(ck.tensors().size() == 1 + 9 * 5 + 1);
  CHECK(ck.tensor("token_embd.weight").shape == std::vector<int64_t>{512, 64});
  CHECK(ck.tensor("blk.4.attn_k.weight").shape == std::vector<int64_t>{32, 64});
  CHECK(ck.tensor("blk.4.ffn_down.weight").shape == std::vector<int64_t>{64, 172});
  CHECK(ck.tensor("blk.4.ffn_gate.weight").shape == std::vector<int64_t>{172, 64});
  CHECK(ck.freq_cis_real().shape == std::vector<int64_t>{512, 4});
  // freq_cis_real[0][*] = cos(0) = 1: the tables are where the layout says.
  CHECK(to_f32(ck.freq_cis_real())[0] == 1.0f);
  CHECK(to_f32(ck.freq_cis_imag())[0] == 0.0f);
  // RMSNorm weights are O(1), which catches an off-by-one-array layout bug.
  for (float w : to_f32(ck.tensor("output_norm.weight"))) {
    CHECK(w > 0.0f);
    CHECK(w < 20.0f);
  }
}

TEST_CASE("tok512.bin: 512 pieces with byte tokens at 3..258") {
  const std::string path = require_model("stories260K/tok512.bin");
  Llama2cTokenizerFile tok = Llama2cTokenizerFile::open(path, 512);
  CHECK(tok.size() == 512);
  CHECK(tok.max_token_length() > 0);
  CHECK(tok.pieces()[0] == "<unk>");
  CHECK(tok.pieces()[3] == "<0x00>");
  CHECK(tok.pieces()[258] == "<0xFF>");
  size_t longest = 0;
  for (const std::string& p : tok.pieces()) longest = std::max(longest, p.size());
  CHECK(longest <= static_cast<size_t>(tok.max_token_length()));
  CHECK(error_of([&] { (void)Llama2cTokenizerFile::open(path, 511); }).find("trailing bytes") !=
        std::string::npos);
}

TEST_CASE("stories260K.gguf: header and metadata") {
  const std::string path = require_model("stories260K-gguf/stories260K.gguf");
  GgufFile g = GgufFile::open(path);
  CHECK(g.version() == 3);
  CHECK(g.alignment() == 32);
  CHECK(g.keys().size() == 19);
  CHECK(g.tensor_infos().size() == 48);
  CHECK(g.data_offset() == 14176);
  CHECK(g.get_string("general.architecture") == "llama");
  CHECK(g.get_string("tokenizer.ggml.model") == "llama");
  CHECK(g.get_u32("llama.embedding_length") == 64);
  CHECK(g.get_u32("llama.feed_forward_length") == 172);
  CHECK(g.get_u32("llama.block_count") == 5);
  CHECK(g.get_u32("llama.attention.head_count") == 8);
  CHECK(g.get_u32("llama.attention.head_count_kv") == 4);
  CHECK(g.get_u32("llama.rope.dimension_count") == 8);
  CHECK(g.get_u32("llama.context_length") == 2048);
  CHECK(g.get_u32("tokenizer.ggml.bos_token_id") == 1);
  CHECK(g.get_u32("tokenizer.ggml.eos_token_id") == 2);
  CHECK(g.get_u32("tokenizer.ggml.unknown_token_id") == 0);
  CHECK(g.get_u32("tokenizer.ggml.padding_token_id") == 4294967295u);
  CHECK(g.get_f32("llama.attention.layer_norm_rms_epsilon") == 1e-5f);
  const std::vector<std::string> tokens = g.get_string_array("tokenizer.ggml.tokens");
  REQUIRE(tokens.size() == 512);
  CHECK(tokens[0] == "<unk>");
  CHECK(tokens[1] == "<s>");
  CHECK(tokens[2] == "</s>");
  CHECK(tokens[3] == "<0x00>");
  CHECK(g.get_f32_array("tokenizer.ggml.scores").size() == 512);
  const std::vector<int32_t> types = g.get_i32_array("tokenizer.ggml.token_type");
  REQUIRE(types.size() == 512);
  CHECK(types[0] == 2);
  CHECK(types[1] == 3);
  CHECK(types[3] == 6);

  const SourceTensor& emb = g.tensor("token_embd.weight");
  CHECK(emb.shape == std::vector<int64_t>{512, 64});  // GGUF 64x512 reversed
  CHECK(g.tensor("blk.0.attn_k.weight").shape == std::vector<int64_t>{32, 64});
  CHECK(g.tensor("blk.0.ffn_down.weight").shape == std::vector<int64_t>{64, 172});
  CHECK(g.tensor("output_norm.weight").shape == std::vector<int64_t>{64});
  CHECK(g.tensors().size() == 48);
}

TEST_CASE("GGUF tensors are bit-identical to the llama2.c tensors") {
  Llama2cCheckpoint ck = Llama2cCheckpoint::open(require_model("stories260K/stories260K.bin"));
  GgufFile g = GgufFile::open(require_model("stories260K-gguf/stories260K.gguf"));
  Llama2cTokenizerFile tok = Llama2cTokenizerFile::open(require_model("stories260K/tok512.bin"), 512);
  for (const SourceTensor& t : ck.tensors()) {
    CAPTURE(t.name);
    const SourceTensor* gt = g.find(t.name);
    REQUIRE(gt != nullptr);
    CHECK(gt->dtype == SourceDType::kF32);
    CHECK(gt->shape == t.shape);
    CHECK(same_bytes(*gt, t));
  }
  // The GGUF stores the shared classifier explicitly.
  CHECK(same_bytes(g.tensor("output.weight"), ck.tensor("token_embd.weight")));
  // Same vocabulary scores.
  CHECK(g.get_f32_array("tokenizer.ggml.scores") == tok.scores());
}

TEST_CASE("HF folder written from stories260K reads back with HF names and permuted q/k") {
  Llama2cCheckpoint ck = Llama2cCheckpoint::open(require_model("stories260K/stories260K.bin"));
  const std::string dir = temp_dir("source_real_hf") + "/stories260K-hf";
  write_hf_llama_folder(dir, ck);
  SafetensorsCheckpoint hf = SafetensorsCheckpoint::open(dir);
  CHECK(hf.names().size() == ck.tensors().size());
  CHECK(hf.find("lm_head.weight") == nullptr);  // tied
  for (const SourceTensor& t : ck.tensors()) {
    CAPTURE(t.name);
    const SourceTensor& h = hf.tensor(hf_llama_name(t.name));
    REQUIRE(h.shape == t.shape);
    if (t.name.find("attn_q") != std::string::npos || t.name.find("attn_k") != std::string::npos) {
      const int64_t heads = t.name.find("attn_q") != std::string::npos ? 8 : 4;
      const std::vector<float> back = unpermute_rotary_rows(to_f32(h).data(), h.shape[0], h.shape[1], heads);
      CHECK(back == to_f32(t));
    } else {
      CHECK(same_bytes(h, t));
    }
  }
}

// tests/fixtures/ggml_blocks.json "smollm2" (tests/reference/
// make_ggml_blocks_fixture.py): gguf-py's dequantization of three tensors.
TEST_CASE("SmolLM2 Q4_1 / Q8_0 tensors dequantize as gguf-py's") {
  std::ifstream in(std::string(EDGEATTN_SOURCE_DIR) + "/tests/fixtures/ggml_blocks.json");
  REQUIRE(in.good());
  const nlohmann::json j = nlohmann::json::parse(in).at("smollm2");
  REQUIRE(j.size() == 3);
  const GgufFile g = GgufFile::open(require_model("smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"));
  for (const auto& t : j) {
    const std::string name = t.at("name").get<std::string>();
    CAPTURE(name);
    const SourceTensor& st = g.tensor(name);
    CHECK(dtype_name(st.dtype) == t.at("type").get<std::string>());
    CHECK(st.shape == t.at("shape").get<std::vector<int64_t>>());
    const std::vector<float> v = to_f32(st);
    const std::vector<size_t> idx = t.at("indices").get<std::vector<size_t>>();
    const std::string hex = t.at("values").get<std::string>();
    REQUIRE(hex.size() == idx.size() * 8);
    size_t equal = 0;
    for (size_t i = 0; i < idx.size(); ++i) {
      uint8_t b[4];
      for (size_t k = 0; k < 4; ++k) b[k] = static_cast<uint8_t>(std::stoi(hex.substr(8 * i + 2 * k, 2), nullptr, 16));
      uint32_t want, got;
      std::memcpy(&want, b, 4);
      std::memcpy(&got, &v.at(idx[i]), 4);
      if (want == got) ++equal;
    }
    CHECK(equal == idx.size());
    double sum = 0;
    for (float x : v) sum += x;
    // Summation order differs from numpy's pairwise sum: 1e-9 relative of
    // the sum of |x| covers it; a wrong block would move it by far more.
    double abs_sum = 0;
    for (float x : v) abs_sum += std::fabs(x);
    CHECK(std::fabs(sum - t.at("sum").get<double>()) <= 1e-9 * abs_sum);
  }
}

TEST_CASE("real files truncated at many offsets throw ConvertError") {
  const std::string dir = temp_dir("source_real_truncated");
  struct Input {
    std::string model;
    std::string name;
    int kind;  // 0 gguf, 1 llama2.c, 2 tokenizer
  };
  const Input inputs[] = {{"stories260K-gguf/stories260K.gguf", "t.gguf", 0},
                          {"stories260K/stories260K.bin", "t.bin", 1},
                          {"stories260K/tok512.bin", "tok.bin", 2}};
  for (const Input& in : inputs) {
    MappedFile f = MappedFile::open(require_model(in.model));
    const std::string path = dir + "/" + in.name;
    std::vector<size_t> cuts;
    // Dense through the GGUF header / tokenizer, sparse through the weights.
    for (size_t n = 0; n < std::min<size_t>(f.size(), 16384); n += 37) cuts.push_back(n);
    for (size_t n = 16384; n < f.size(); n += 65537) cuts.push_back(n);
    cuts.push_back(f.size() - 1);
    for (size_t n : cuts) {
      CAPTURE(in.name);
      CAPTURE(n);
      rewrite_file(path, f.data(), n);
      const std::string msg = error_of([&] {
        if (in.kind == 0) (void)GgufFile::open(path);
        if (in.kind == 1) (void)Llama2cCheckpoint::open(path);
        if (in.kind == 2) (void)Llama2cTokenizerFile::open(path, 512);
      });
      CHECK(msg.rfind(path + ": ", 0) == 0);
    }
  }
}

}  // namespace
}  // namespace edgeattn::convert
