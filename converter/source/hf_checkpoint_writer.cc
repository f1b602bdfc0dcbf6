#include "converter/source/hf_checkpoint_writer.h"

#include <filesystem>
#include <set>

#include <nlohmann/json.hpp>

#include "converter/source/byte_writer.h"
#include "converter/source/convert_error.h"
#include "converter/source/llama2c.h"
#include "converter/source/rope_permutation.h"

namespace edgeattn::convert {

void write_safetensors(const std::string& path, const std::vector<RawTensor>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  // ordered_json keeps the data_offsets increasing in header order, which
  // makes the files easy to inspect.
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::set<std::string> seen;
  uint64_t offset = 0;
  for (const RawTensor& t : tensors) {
    uint64_t n = 0, nbytes = 0;
    if (!shape_numel(t.shape, dtype_size(t.dtype), &n, &nbytes) || nbytes != t.bytes.size()) {
      throw_convert_error(path, "tensor '" + t.name + "': " + std::to_string(t.bytes.size()) +
                                    " bytes do not match shape " + shape_to_string(t.shape) +
                                    " of " + dtype_name(t.dtype));
    }
    if (t.name == "__metadata__" || !seen.insert(t.name).second) {
      throw_convert_error(path, "tensor name '" + t.name + "' is reserved or repeated");
    }
    header[t.name] = {{"dtype", dtype_name(t.dtype)},
                      {"shape", t.shape},
                      {"data_offsets", {offset, offset + nbytes}}};
    offset += nbytes;
  }
  std::string text = header.dump();
  while (text.size() % 8 != 0) text.push_back(' ');
  ByteWriter w;
  w.u64(text.size());
  w.str(text);
  for (const RawTensor& t : tensors) w.raw(t.bytes.data(), t.bytes.size());
  w.write_to(path);
}

void write_safetensors(const std::string& path,
                       const std::vector<std::pair<std::string, F32Tensor>>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  std::vector<RawTensor> raw;
  raw.reserve(tensors.size());
  for (const auto& [name, t] : tensors) {
    RawTensor r;
    r.name = name;
    r.dtype = SourceDType::kF32;
    r.shape = t.shape;
    const auto* p = reinterpret_cast<const uint8_t*>(t.data.data());
    r.bytes.assign(p, p + t.data.size() * sizeof(float));
    raw.push_back(std::move(r));
  }
  write_safetensors(path, raw, metadata);
}

std::string hf_llama_name(const std::string& gguf_name) {
  static const std::pair<const char*, const char*> kGlobal[] = {
      {"token_embd.weight", "model.embed_tokens.weight"},
      {"output_norm.weight", "model.norm.weight"},
      {"output.weight", "lm_head.weight"},
  };
  for (const auto& [g, h] : kGlobal) {
    if (gguf_name == g) return h;
  }
  static const std::pair<const char*, const char*> kLayer[] = {
      {"attn_q.weight", "self_attn.q_proj.weight"},
      {"attn_k.weight", "self_attn.k_proj.weight"},
      {"attn_v.weight", "self_attn.v_proj.weight"},
      {"attn_output.weight", "self_attn.o_proj.weight"},
      {"attn_norm.weight", "input_layernorm.weight"},
      {"ffn_gate.weight", "mlp.gate_proj.weight"},
      {"ffn_up.weight", "mlp.up_proj.weight"},
      {"ffn_down.weight", "mlp.down_proj.weight"},
      {"ffn_norm.weight", "post_attention_layernorm.weight"},
  };
  if (gguf_name.rfind("blk.", 0) != 0) return "";
  const size_t dot = gguf_name.find('.', 4);
  if (dot == std::string::npos || dot == 4) return "";
  const std::string layer = gguf_name.substr(4, dot - 4);
  if (layer.find_first_not_of("0123456789") != std::string::npos) return "";
  const std::string rest = gguf_name.substr(dot + 1);
  for (const auto& [g, h] : kLayer) {
    if (rest == g) return "model.layers." + layer + "." + h;
  }
  return "";
}

void write_hf_llama_folder(const std::string& dir, const Llama2cCheckpoint& ckpt) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw_convert_error(dir, "cannot create folder: " + ec.message());
  const Llama2cConfig& c = ckpt.config();

  nlohmann::ordered_json config = {
      {"architectures", {"LlamaForCausalLM"}},
      {"model_type", "llama"},
      {"hidden_size", c.dim},
      {"intermediate_size", c.hidden_dim},
      {"num_hidden_layers", c.n_layers},
      {"num_attention_heads", c.n_heads},
      {"num_key_value_heads", c.n_kv_heads},
      {"vocab_size", c.vocab_size},
      {"max_position_embeddings", c.seq_len},
      {"rms_norm_eps", 1e-5},
      {"rope_theta", 10000.0},
      {"hidden_act", "silu"},
      {"tie_word_embeddings", c.shared_classifier},
      {"torch_dtype", "float32"},
      {"bos_token_id", 1},
      {"eos_token_id", 2},
  };
  const std::string config_text = config.dump(2) + "\n";
  write_file(dir + "/config.json", config_text.data(), config_text.size());

  std::vector<std::pair<std::string, F32Tensor>> out;
  for (const SourceTensor& t : ckpt.tensors()) {
    std::string name = hf_llama_name(t.name);
    if (name.empty()) throw_convert_error(ckpt.path(), "no HF name for tensor '" + t.name + "'");
    F32Tensor f{t.shape, to_f32(t)};
    const bool is_q = t.name.size() > 13 && t.name.compare(t.name.size() - 13, 13, "attn_q.weight") == 0;
    const bool is_k = t.name.size() > 13 && t.name.compare(t.name.size() - 13, 13, "attn_k.weight") == 0;
    if (is_q || is_k) {
      f.data = permute_rotary_rows(f.data.data(), t.shape[0], t.shape[1],
                                   is_q ? c.n_heads : c.n_kv_heads);
    }
    out.emplace_back(std::move(name), std::move(f));
  }
  write_safetensors(dir + "/model.safetensors", out, {{"format", "pt"}});
}

}  // namespace edgeattn::convert
