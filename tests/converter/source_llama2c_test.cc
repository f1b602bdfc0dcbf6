// llama2.c checkpoint and tokenizer readers on synthetic files, plus the HF
// folder writer built on them.
#include "converter/source/llama2c.h"

#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "converter/source/byte_writer.h"
#include "converter/source/convert_error.h"
#include "converter/source/hf_checkpoint_writer.h"
#include "converter/source/json_file.h"
#include "converter/source/rope_permutation.h"
#include "converter/source/safetensors.h"
#include "tests/converter/test_files.h"
#include "tests/support/model_paths.h"

namespace edgeattn::convert {
namespace {

using edgeattn::testing::temp_dir;
using namespace test_files;  // tests/converter/test_files.h

// dim 8, hidden 12, 2 layers, 2 heads (head size 4), 1 kv head, vocab 5,
// seq_len 3.
struct Tiny {
  int32_t dim = 8, hidden = 12, layers = 2, heads = 2, kv_heads = 1, vocab = 5, seq = 3;
  bool shared = true;
};

// Value of element i of section s: s * 1000 + i, so every float says where
// it came from. Sections in file order: 0 emb, 1 rms_att, 2 wq, 3 wk, 4 wv,
// 5 wo, 6 rms_ffn, 7 w1, 8 w2, 9 w3, 10 rms_final, 11 freq real,
// 12 freq imag, 13 wcls.
std::vector<uint8_t> make_checkpoint(const Tiny& t) {
  const int32_t kv_dim = t.dim / t.heads * t.kv_heads;
  const int32_t half = t.dim / t.heads / 2;
  const int64_t counts[] = {int64_t{t.vocab} * t.dim, int64_t{t.layers} * t.dim,
                            int64_t{t.layers} * t.dim * t.dim, int64_t{t.layers} * kv_dim * t.dim,
                            int64_t{t.layers} * kv_dim * t.dim, int64_t{t.layers} * t.dim * t.dim,
                            int64_t{t.layers} * t.dim, int64_t{t.layers} * t.hidden * t.dim,
                            int64_t{t.layers} * t.dim * t.hidden, int64_t{t.layers} * t.hidden * t.dim,
                            t.dim, int64_t{t.seq} * half, int64_t{t.seq} * half,
                            int64_t{t.vocab} * t.dim};
  ByteWriter w;
  for (int32_t v : {t.dim, t.hidden, t.layers, t.heads, t.kv_heads, t.shared ? t.vocab : -t.vocab, t.seq}) {
    w.i32(v);
  }
  const int sections = t.shared ? 13 : 14;
  for (int s = 0; s < sections; ++s) {
    for (int64_t i = 0; i < counts[s]; ++i) w.f32(static_cast<float>(s * 1000 + i));
  }
  return w.bytes();
}

float first(const SourceTensor& t) { return to_f32(t)[0]; }

TEST_CASE("llama2.c checkpoint: config, names, shapes and offsets") {
  const std::string dir = temp_dir("source_llama2c_basic");
  const std::string path = write_bytes(dir + "/tiny.bin", make_checkpoint(Tiny{}));
  Llama2cCheckpoint ck = Llama2cCheckpoint::open(path);
  const Llama2cConfig& c = ck.config();
  CHECK(c.dim == 8);
  CHECK(c.hidden_dim == 12);
  CHECK(c.n_layers == 2);
  CHECK(c.n_heads == 2);
  CHECK(c.n_kv_heads == 1);
  CHECK(c.vocab_size == 5);
  CHECK(c.seq_len == 3);
  CHECK(c.shared_classifier);
  CHECK(c.head_size() == 4);
  CHECK(c.kv_dim() == 4);
  CHECK(ck.tensors().size() == 1 + 9 * 2 + 1);
  CHECK(ck.find("output.weight") == nullptr);

  struct Expect {
    const char* name;
    std::vector<int64_t> shape;
    float first;
  };
  const Expect expects[] = {
      {"token_embd.weight", {5, 8}, 0},
      {"blk.0.attn_norm.weight", {8}, 1000},
      {"blk.1.attn_norm.weight", {8}, 1008},
      {"blk.0.attn_q.weight", {8, 8}, 2000},
      {"blk.1.attn_q.weight", {8, 8}, 2064},
      {"blk.1.attn_k.weight", {4, 8}, 3032},
      {"blk.1.attn_v.weight", {4, 8}, 4032},
      {"blk.1.attn_output.weight", {8, 8}, 5064},
      {"blk.1.ffn_norm.weight", {8}, 6008},
      {"blk.1.ffn_gate.weight", {12, 8}, 7096},
      {"blk.1.ffn_down.weight", {8, 12}, 8096},
      {"blk.1.ffn_up.weight", {12, 8}, 9096},
      {"output_norm.weight", {8}, 10000},
  };
  for (const Expect& e : expects) {
    CAPTURE(e.name);
    const SourceTensor& t = ck.tensor(e.name);
    CHECK(t.shape == e.shape);
    CHECK(t.dtype == SourceDType::kF32);
    CHECK(t.source == path);
    CHECK(first(t) == e.first);
    CHECK(to_f32(t).back() == e.first + static_cast<float>(numel(t) - 1));
  }
  CHECK(ck.freq_cis_real().shape == std::vector<int64_t>{3, 2});
  CHECK(first(ck.freq_cis_real()) == 11000);
  CHECK(first(ck.freq_cis_imag()) == 12000);
  CHECK(contains(error_of([&] { (void)ck.tensor("blk.2.attn_q.weight"); }),
                 path + ": tensor 'blk.2.attn_q.weight' not found"));
  CHECK(Llama2cCheckpoint::expected_file_size(c) == make_checkpoint(Tiny{}).size());
}

TEST_CASE("llama2.c checkpoint with an unshared classifier") {
  const std::string dir = temp_dir("source_llama2c_unshared");
  Tiny t;
  t.shared = false;
  Llama2cCheckpoint ck = Llama2cCheckpoint::open(write_bytes(dir + "/u.bin", make_checkpoint(t)));
  CHECK_FALSE(ck.config().shared_classifier);
  CHECK(ck.config().vocab_size == 5);
  const SourceTensor& out = ck.tensor("output.weight");
  CHECK(out.shape == std::vector<int64_t>{5, 8});
  CHECK(first(out) == 13000);
  CHECK(ck.tensors().back().name == "output.weight");
}

TEST_CASE("bad llama2.c checkpoints throw ConvertError naming the file") {
  const std::string dir = temp_dir("source_llama2c_bad");
  const std::vector<uint8_t> good = make_checkpoint(Tiny{});
  auto open_error = [&](const std::string& name, const std::vector<uint8_t>& bytes) {
    const std::string path = write_bytes(dir + "/" + name, bytes);
    std::string msg = error_of([&] { (void)Llama2cCheckpoint::open(path); });
    CHECK(msg.rfind(path + ": ", 0) == 0);
    CHECK(msg.find('\n') == std::string::npos);
    return msg;
  };
  auto with_field = [&](int field, int32_t v) {
    std::vector<uint8_t> b = good;
    std::memcpy(b.data() + 4 * field, &v, 4);
    return b;
  };
  CHECK(contains(open_error("short.bin", {1, 2, 3}), "too short for the 28-byte llama2.c header"));
  CHECK(contains(open_error("neg_dim.bin", with_field(0, -8)), "every field must be positive"));
  CHECK(contains(open_error("zero_layers.bin", with_field(2, 0)), "n_layers 0"));
  CHECK(contains(open_error("heads.bin", with_field(3, 3)), "n_heads does not divide dim"));
  CHECK(contains(open_error("odd_head.bin", with_field(3, 8)), "head size 1 is odd"));
  CHECK(contains(open_error("kv_heads.bin", with_field(4, 3)), "n_kv_heads does not divide n_heads"));
  CHECK(contains(open_error("zero_vocab.bin", with_field(5, 0)), "vocab_size 0"));
  CHECK(contains(open_error("huge.bin", with_field(0, 1 << 16)), "needs exactly"));
  CHECK(contains(open_error("overflow.bin", with_field(0, 1 << 30)), "sizes overflow"));
  std::vector<uint8_t> longer = good;
  longer.push_back(0);
  CHECK(contains(open_error("trailing.bin", longer),
                 "needs exactly " + std::to_string(good.size()) + " bytes (shared classifier) but the file has " +
                     std::to_string(good.size() + 1) + " (trailing bytes)"));
  // Flipping the classifier flag makes the file too short for wcls.
  CHECK(contains(open_error("unshared.bin", with_field(5, -5)), "(unshared classifier)"));
  CHECK(contains(open_error("unshared.bin", with_field(5, -5)), "(truncated)"));
  CHECK(contains(error_of([&] { (void)Llama2cCheckpoint::open(dir + "/missing.bin"); }),
                 "missing.bin: cannot open"));

  // Truncation: every offset through the header, then sampled (the size
  // check does not depend on where the cut is).
  const std::string path = dir + "/trunc.bin";
  for (size_t n = 0; n < good.size(); n += n < 64 ? 1 : 97) {
    rewrite_file(path, good.data(), n);
    CAPTURE(n);
    CHECK(error_of([&] { (void)Llama2cCheckpoint::open(path); }).rfind(path + ": ", 0) == 0);
  }
}

std::vector<uint8_t> make_tokenizer(const std::vector<std::string>& pieces, int32_t max_len) {
  ByteWriter w;
  w.i32(max_len);
  for (size_t i = 0; i < pieces.size(); ++i) {
    w.f32(-static_cast<float>(i));
    w.i32(static_cast<int32_t>(pieces[i].size()));
    w.str(pieces[i]);
  }
  return w.bytes();
}

TEST_CASE("llama2.c tokenizer file") {
  const std::string dir = temp_dir("source_llama2c_tok");
  const std::vector<std::string> pieces = {"<unk>", "<s>", "</s>", std::string("\0x", 2), " the"};
  const std::string path = write_bytes(dir + "/tok.bin", make_tokenizer(pieces, 5));
  Llama2cTokenizerFile tok = Llama2cTokenizerFile::open(path, 5);
  CHECK(tok.max_token_length() == 5);
  CHECK(tok.size() == 5);
  CHECK(tok.pieces() == pieces);
  CHECK(tok.scores() == std::vector<float>{0.0f, -1.0f, -2.0f, -3.0f, -4.0f});

  auto tok_error = [&](const std::string& name, const std::vector<uint8_t>& bytes, int32_t vocab) {
    const std::string p = write_bytes(dir + "/" + name, bytes);
    std::string msg = error_of([&] { (void)Llama2cTokenizerFile::open(p, vocab); });
    CHECK(msg.rfind(p + ": ", 0) == 0);
    return msg;
  };
  const std::vector<uint8_t> good = make_tokenizer(pieces, 5);
  CHECK(contains(tok_error("more.bin", good, 6), "token 5 at offset"));
  CHECK(contains(tok_error("fewer.bin", good, 4), "trailing bytes after 4 tokens"));
  CHECK(contains(tok_error("huge_vocab.bin", good, 1 << 30), "cannot hold 1073741824 token records"));
  CHECK(contains(tok_error("zero_vocab.bin", good, 0), "vocab_size 0 must be positive"));
  CHECK(contains(tok_error("bad_max.bin", make_tokenizer(pieces, 0), 5), "max_token_length 0"));
  std::vector<uint8_t> neg = good;
  const int32_t minus = -1;
  std::memcpy(neg.data() + 4 + 4, &minus, 4);  // first record's length
  CHECK(contains(tok_error("neg_len.bin", neg, 5), "token 0 at offset 4: negative length -1"));
  std::vector<uint8_t> big = good;
  const int32_t huge = 1 << 30;
  std::memcpy(big.data() + 4 + 4, &huge, 4);
  CHECK(contains(tok_error("big_len.bin", big, 5), "token 0 at offset 4: length 1073741824 runs past end"));
  for (size_t n = 0; n < good.size(); ++n) {
    CAPTURE(n);
    tok_error("trunc.bin", std::vector<uint8_t>(good.begin(), good.begin() + static_cast<long>(n)), 5);
  }
}

TEST_CASE("hf_llama_name maps GGUF-style names") {
  CHECK(hf_llama_name("token_embd.weight") == "model.embed_tokens.weight");
  CHECK(hf_llama_name("output_norm.weight") == "model.norm.weight");
  CHECK(hf_llama_name("output.weight") == "lm_head.weight");
  CHECK(hf_llama_name("blk.12.attn_q.weight") == "model.layers.12.self_attn.q_proj.weight");
  CHECK(hf_llama_name("blk.0.attn_output.weight") == "model.layers.0.self_attn.o_proj.weight");
  CHECK(hf_llama_name("blk.3.ffn_gate.weight") == "model.layers.3.mlp.gate_proj.weight");
  CHECK(hf_llama_name("blk.3.ffn_down.weight") == "model.layers.3.mlp.down_proj.weight");
  CHECK(hf_llama_name("blk.3.ffn_up.weight") == "model.layers.3.mlp.up_proj.weight");
  CHECK(hf_llama_name("blk.3.attn_norm.weight") == "model.layers.3.input_layernorm.weight");
  CHECK(hf_llama_name("blk.3.ffn_norm.weight") == "model.layers.3.post_attention_layernorm.weight");
  CHECK(hf_llama_name("blk.x.attn_q.weight").empty());
  CHECK(hf_llama_name("rope_freqs").empty());
}

TEST_CASE("write_hf_llama_folder writes config.json and permuted HF weights") {
  const std::string dir = temp_dir("source_llama2c_hf");
  for (bool shared : {true, false}) {
    CAPTURE(shared);
    Tiny t;
    t.shared = shared;
    Llama2cCheckpoint ck = Llama2cCheckpoint::open(write_bytes(dir + "/in.bin", make_checkpoint(t)));
    const std::string out = dir + (shared ? "/hf_shared" : "/hf_unshared");
    write_hf_llama_folder(out, ck);

    nlohmann::json cfg = read_json_file(out + "/config.json");
    CHECK(cfg["architectures"][0] == "LlamaForCausalLM");
    CHECK(cfg["hidden_size"] == 8);
    CHECK(cfg["intermediate_size"] == 12);
    CHECK(cfg["num_hidden_layers"] == 2);
    CHECK(cfg["num_attention_heads"] == 2);
    CHECK(cfg["num_key_value_heads"] == 1);
    CHECK(cfg["vocab_size"] == 5);
    CHECK(cfg["max_position_embeddings"] == 3);
    CHECK(cfg["rms_norm_eps"] == 1e-5);
    CHECK(cfg["rope_theta"] == 10000.0);
    CHECK(cfg["tie_word_embeddings"] == shared);
    CHECK(cfg["torch_dtype"] == "float32");

    SafetensorsCheckpoint hf = SafetensorsCheckpoint::open(out);
    CHECK(hf.names().size() == (shared ? 20u : 21u));
    CHECK((hf.find("lm_head.weight") != nullptr) == !shared);
    for (const SourceTensor& src : ck.tensors()) {
      CAPTURE(src.name);
      const SourceTensor& dst = hf.tensor(hf_llama_name(src.name));
      CHECK(dst.shape == src.shape);
      const std::vector<float> a = to_f32(src), b = to_f32(dst);
      const bool is_q = contains(src.name, "attn_q"), is_k = contains(src.name, "attn_k");
      if (is_q || is_k) {
        const int64_t heads = is_q ? 2 : 1;
        CHECK(b != a);
        CHECK(b == permute_rotary_rows(a.data(), src.shape[0], src.shape[1], heads));
        CHECK(unpermute_rotary_rows(b.data(), src.shape[0], src.shape[1], heads) == a);
      } else {
        CHECK(b == a);
      }
    }
    // Row 1 of head 0 in HF order is interleaved row 2 (head_dim 4).
    const std::vector<float> q = to_f32(hf.tensor("model.layers.0.self_attn.q_proj.weight"));
    CHECK(q[8] == 2000 + 2 * 8);
  }
}

}  // namespace
}  // namespace edgeattn::convert
