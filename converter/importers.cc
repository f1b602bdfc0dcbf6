#include "converter/importers.h"

#include <cstring>
#include <filesystem>
#include <fstream>

#include "converter/graphs.h"
#include "converter/import_common.h"
#include "converter/source/convert_error.h"
#include "converter/source/ggml_blocks.h"
#include "converter/source/gguf.h"
#include "converter/source/json_file.h"
#include "converter/source/llama2c.h"
#include "converter/source/rope_permutation.h"
#include "converter/source/safetensors.h"
#include "converter/source/source_tensor.h"
#include "converter/tokenizer_import.h"

namespace edgeattn::convert {
namespace {

namespace fs = std::filesystem;

// Number of weights build_llama asks for (for progress reporting).
size_t llama_weight_count(int n_layers) { return static_cast<size_t>(n_layers) * 9 + 3; }


}  // namespace

void import_llama2c(const std::string& path, const ImportOptions& options, ModelBuilder& mb) {
  if (options.tokenizer_path.empty()) {
    throw_convert_error(path, "a llama2.c checkpoint needs --tokenizer tokenizer.bin");
  }
  Llama2cCheckpoint ckpt = Llama2cCheckpoint::open(path);
  const Llama2cConfig& cfg = ckpt.config();
  LlamaConfig c;
  c.dim = cfg.dim;
  c.hidden_dim = cfg.hidden_dim;
  c.n_layers = cfg.n_layers;
  c.n_heads = cfg.n_heads;
  c.n_kv_heads = cfg.n_kv_heads;
  c.vocab_size = cfg.vocab_size;
  c.max_positions = cfg.seq_len;
  c.norm_eps = 1e-5f;      // llama2.c hard-codes both
  c.rope_theta = 10000.0f;
  Progress progress{options, llama_weight_count(c.n_layers)};
  build_llama(
      mb, c,
      [&](const std::string& name, const std::vector<int64_t>& shape) {
        progress.tick(name);
        return checked_f32(ckpt.tensor(name), shape);
      },
      [&](const std::string& name) { return ckpt.find(name) != nullptr; });
  mb.model().tokenizer = import_llama2c_tokenizer(options.tokenizer_path, cfg.vocab_size);
  set_producer(mb, path, "llama2c");
}

namespace {

// The GGUF tensors stored as ggml blocks, registered beside their f32
// values as edgeattn's block weights (ggml_to_weight_blocks: Q4_0 / Q4_1 /
// Q8_0 exactly, Q4_K nearly, Q5 / Q6 types re-quantized to 8 bits), so
// `--dtype int4` writes those instead of quantizing the floats again.
void keep_gguf_blocks(const GgufFile& gguf, ModelBuilder& mb) {
  for (size_t i = 0; i < mb.model().tensors.size(); ++i) {
    const fb::TensorT& t = *mb.model().tensors[i];
    const SourceTensor* src = t.has_data ? gguf.find(t.name) : nullptr;
    if (src == nullptr || ggml_block_bytes(src->dtype) == 0 || src->shape != t.shape) continue;
    ModelBuilder::NativeBlocks blocks;
    bool int4 = true;
    blocks.bytes = ggml_to_weight_blocks(src->dtype, src->data, static_cast<size_t>(numel(*src)), &int4,
                                         src->source + ": " + t.name);
    blocks.dtype = int4 ? fb::DType::I4Blocks : fb::DType::I8Blocks;
    mb.set_native_blocks(static_cast<int>(i), std::move(blocks));
  }
}

}  // namespace

void import_gguf(const std::string& path, const ImportOptions& options, ModelBuilder& mb) {
  GgufFile gguf = GgufFile::open(path);
  const std::string arch = gguf.get_string("general.architecture");
  if (arch != "llama") throw_convert_error(path, "general.architecture '" + arch + "' is not supported (only llama)");
  LlamaConfig c;
  c.dim = static_cast<int>(gguf.get_u32("llama.embedding_length"));
  c.hidden_dim = static_cast<int>(gguf.get_u32("llama.feed_forward_length"));
  c.n_layers = static_cast<int>(gguf.get_u32("llama.block_count"));
  c.n_heads = static_cast<int>(gguf.get_u32("llama.attention.head_count"));
  c.n_kv_heads = gguf.has("llama.attention.head_count_kv") ? static_cast<int>(gguf.get_u32("llama.attention.head_count_kv"))
                                                            : c.n_heads;
  c.max_positions = static_cast<int>(gguf.get_u32("llama.context_length"));
  c.norm_eps = gguf.get_f32("llama.attention.layer_norm_rms_epsilon");
  if (gguf.has("llama.rope.freq_base")) c.rope_theta = gguf.get_f32("llama.rope.freq_base");
  if (gguf.has("llama.rope.dimension_count") && c.n_heads > 0 &&
      static_cast<int>(gguf.get_u32("llama.rope.dimension_count")) != c.dim / c.n_heads) {
    throw_convert_error(path, "llama.rope.dimension_count differs from head_dim: partial RoPE is not supported");
  }
  c.vocab_size = static_cast<int>(gguf.tensor("token_embd.weight").shape.at(0));
  Progress progress{options, llama_weight_count(c.n_layers)};
  build_llama(
      mb, c,
      [&](const std::string& name, const std::vector<int64_t>& shape) {
        progress.tick(name);
        return checked_f32(gguf.tensor(name), shape);
      },
      [&](const std::string& name) { return gguf.find(name) != nullptr; });
  keep_gguf_blocks(gguf, mb);
  if (!options.tokenizer_path.empty()) {
    mb.model().tokenizer = import_llama2c_tokenizer(options.tokenizer_path, c.vocab_size);
  } else {
    mb.model().tokenizer = import_gguf_tokenizer(gguf);
  }
  set_producer(mb, path, "gguf");
}

namespace {

void import_hf_llama(const std::string& dir, const nlohmann::json& config, const std::string& config_path,
                     const ImportOptions& options, ModelBuilder& mb) {
  SafetensorsCheckpoint ckpt = SafetensorsCheckpoint::open(dir);
  LlamaConfig c;
  c.dim = static_cast<int>(json_get_int(config, "hidden_size", config_path));
  c.hidden_dim = static_cast<int>(json_get_int(config, "intermediate_size", config_path));
  c.n_layers = static_cast<int>(json_get_int(config, "num_hidden_layers", config_path));
  c.n_heads = static_cast<int>(json_get_int(config, "num_attention_heads", config_path));
  c.n_kv_heads = config.contains("num_key_value_heads") ? static_cast<int>(json_get_int(config, "num_key_value_heads", config_path))
                                                         : c.n_heads;
  c.vocab_size = static_cast<int>(json_get_int(config, "vocab_size", config_path));
  c.max_positions = static_cast<int>(json_get_int(config, "max_position_embeddings", config_path));
  c.norm_eps = static_cast<float>(config.value("rms_norm_eps", 1e-6));
  c.rope_theta = static_cast<float>(config.value("rope_theta", 10000.0));
  if (config.contains("rope_scaling") && !config["rope_scaling"].is_null()) {
    throw_convert_error(config_path, "rope_scaling is not supported");
  }
  // GGUF-style canonical name -> HF name.
  auto hf_name = [](const std::string& name) -> std::string {
    if (name == "token_embd.weight") return "model.embed_tokens.weight";
    if (name == "output_norm.weight") return "model.norm.weight";
    if (name == "output.weight") return "lm_head.weight";
    // blk.N.<what>.weight
    const size_t dot = name.find('.', 4);
    const std::string layer = name.substr(4, dot - 4);
    const std::string what = name.substr(dot + 1);
    static const std::pair<const char*, const char*> kMap[] = {
        {"attn_q.weight", "self_attn.q_proj.weight"},      {"attn_k.weight", "self_attn.k_proj.weight"},
        {"attn_v.weight", "self_attn.v_proj.weight"},      {"attn_output.weight", "self_attn.o_proj.weight"},
        {"attn_norm.weight", "input_layernorm.weight"},    {"ffn_norm.weight", "post_attention_layernorm.weight"},
        {"ffn_gate.weight", "mlp.gate_proj.weight"},       {"ffn_up.weight", "mlp.up_proj.weight"},
        {"ffn_down.weight", "mlp.down_proj.weight"}};
    for (const auto& [from, to] : kMap) {
      if (what == from) return "model.layers." + layer + "." + to;
    }
    return name;
  };
  const bool tied = config.value("tie_word_embeddings", false);
  Progress progress{options, llama_weight_count(c.n_layers)};
  build_llama(
      mb, c,
      [&](const std::string& name, const std::vector<int64_t>& shape) {
        progress.tick(name);
        const SourceTensor& t = ckpt.tensor(hf_name(name));
        std::vector<float> w = checked_f32(t, shape);
        // HF permutes q/k rows so rotate-half RoPE matches Meta's interleaved
        // pairs; undo it and run interleaved RoPE.
        const bool is_q = name.size() > 13 && name.compare(name.size() - 13, 13, "attn_q.weight") == 0;
        const bool is_k = name.size() > 13 && name.compare(name.size() - 13, 13, "attn_k.weight") == 0;
        if (is_q || is_k) w = unpermute_rotary_rows(w.data(), shape[0], shape[1], is_q ? c.n_heads : c.n_kv_heads);
        return w;
      },
      [&](const std::string& name) { return !(name == "output.weight" && tied) && ckpt.find(hf_name(name)) != nullptr; });
  if (!options.tokenizer_path.empty()) {
    mb.model().tokenizer = import_llama2c_tokenizer(options.tokenizer_path, c.vocab_size);
  } else {
    mb.model().tokenizer = import_hf_tokenizer(dir, 0);
  }
  set_producer(mb, dir, "hf-safetensors");
}

void import_hf_bert(const std::string& dir, const nlohmann::json& config, const std::string& config_path,
                    const ImportOptions& options, ModelBuilder& mb) {
  SafetensorsCheckpoint ckpt = SafetensorsCheckpoint::open(dir);
  BertConfig c;
  c.hidden = static_cast<int>(json_get_int(config, "hidden_size", config_path));
  c.intermediate = static_cast<int>(json_get_int(config, "intermediate_size", config_path));
  c.n_layers = static_cast<int>(json_get_int(config, "num_hidden_layers", config_path));
  c.n_heads = static_cast<int>(json_get_int(config, "num_attention_heads", config_path));
  c.vocab_size = static_cast<int>(json_get_int(config, "vocab_size", config_path));
  c.max_positions = static_cast<int>(json_get_int(config, "max_position_embeddings", config_path));
  c.type_vocab_size = static_cast<int>(config.value("type_vocab_size", 2));
  c.norm_eps = static_cast<float>(config.value("layer_norm_eps", 1e-12));
  const std::string act = config.value("hidden_act", "gelu");
  if (act != "gelu") throw_convert_error(config_path, "hidden_act '" + act + "' is not supported (only gelu)");
  if (config.value("position_embedding_type", "absolute") != "absolute") {
    throw_convert_error(config_path, "only absolute position embeddings are supported");
  }
  // sentence-transformers folder: modules.json lists Pooling and Normalize.
  c.pooling = "";
  c.normalize = false;
  int max_length = c.max_positions;
  if (fs::exists(dir + "/modules.json")) {
    for (const auto& m : read_json_file(dir + "/modules.json")) {
      const std::string type = m.value("type", "");
      if (type.find("Pooling") != std::string::npos) {
        const std::string pool_config = dir + "/" + m.value("path", "1_Pooling") + "/config.json";
        nlohmann::json pc = read_json_file(pool_config);
        if (pc.value("pooling_mode_mean_tokens", false)) {
          c.pooling = "mean";
        } else {
          throw_convert_error(pool_config, "only mean pooling is supported");
        }
      } else if (type.find("Normalize") != std::string::npos) {
        c.normalize = true;
      }
    }
    if (fs::exists(dir + "/sentence_bert_config.json")) {
      nlohmann::json sb = read_json_file(dir + "/sentence_bert_config.json");
      max_length = static_cast<int>(sb.value("max_seq_length", max_length));
    }
  }
  // Some checkpoints prefix every name with "bert.".
  const std::string prefix = ckpt.find("bert.embeddings.word_embeddings.weight") != nullptr ? "bert." : "";
  const size_t total = 5 + static_cast<size_t>(c.n_layers) * 16;
  Progress progress{options, total};
  build_bert(mb, c, [&](const std::string& name, const std::vector<int64_t>& shape) {
    progress.tick(name);
    std::string full = prefix + name;
    // Very old checkpoints name LayerNorm parameters gamma/beta.
    if (ckpt.find(full) == nullptr && full.size() > 7 && full.compare(full.size() - 7, 7, ".weight") == 0 &&
        full.find("LayerNorm") != std::string::npos) {
      full = full.substr(0, full.size() - 7) + ".gamma";
    } else if (ckpt.find(full) == nullptr && full.find("LayerNorm.bias") != std::string::npos) {
      full = full.substr(0, full.size() - 5) + ".beta";
    }
    return checked_f32(ckpt.tensor(full), shape);
  });
  mb.model().tokenizer = import_hf_tokenizer(dir, max_length);
  set_producer(mb, dir, "hf-safetensors");
}

// Conv1D stores [in, out]; the runtime wants [out, in]. Columns
// [col0, col0 + cols) of a [rows, total_cols] matrix, transposed.
std::vector<float> transpose_columns(const std::vector<float>& m, int64_t rows, int64_t total_cols, int64_t col0,
                                     int64_t cols) {
  std::vector<float> out(static_cast<size_t>(rows * cols));
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) out[static_cast<size_t>(c * rows + r)] = m[static_cast<size_t>(r * total_cols + col0 + c)];
  }
  return out;
}

void import_hf_gpt2(const std::string& dir, const nlohmann::json& config, const std::string& config_path,
                    const ImportOptions& options, ModelBuilder& mb) {
  SafetensorsCheckpoint ckpt = SafetensorsCheckpoint::open(dir);
  Gpt2Config c;
  c.dim = static_cast<int>(json_get_int(config, "n_embd", config_path));
  c.n_layers = static_cast<int>(json_get_int(config, "n_layer", config_path));
  c.n_heads = static_cast<int>(json_get_int(config, "n_head", config_path));
  c.vocab_size = static_cast<int>(json_get_int(config, "vocab_size", config_path));
  c.max_positions = static_cast<int>(json_get_int(config, "n_positions", config_path));
  c.inner = config.contains("n_inner") && !config["n_inner"].is_null()
                ? static_cast<int>(json_get_int(config, "n_inner", config_path))
                : 4 * c.dim;
  c.norm_eps = static_cast<float>(config.value("layer_norm_epsilon", 1e-5));
  const std::string act = config.value("activation_function", "gelu_new");
  if (act == "gelu_new" || act == "gelu_pytorch_tanh") {
    c.tanh_gelu = true;
  } else if (act == "gelu") {
    c.tanh_gelu = false;
  } else {
    throw_convert_error(config_path, "activation_function '" + act + "' is not supported (gelu_new, gelu)");
  }
  const bool tied = config.value("tie_word_embeddings", true);
  // GPT2LMHeadModel prefixes "transformer."; a bare GPT2Model does not.
  const std::string prefix = ckpt.find("transformer.wte.weight") != nullptr ? "transformer." : "";
  auto source = [&](const std::string& name) -> const SourceTensor& { return ckpt.tensor(prefix + name); };
  const int64_t d = c.dim;
  Progress progress{options, static_cast<size_t>(c.n_layers) * 16 + 5};
  build_gpt2(
      mb, c,
      [&](const std::string& name, const std::vector<int64_t>& shape) -> std::vector<float> {
        progress.tick(name);
        if (name == "lm_head.weight") return checked_f32(ckpt.tensor("lm_head.weight"), shape);
        // h.N.attn.{q,k,v}.{weight,bias}: slices of the fused c_attn.
        const size_t attn = name.find(".attn.");
        if (attn != std::string::npos && name.size() > attn + 7 && name[attn + 7] == '.' &&
            (name[attn + 6] == 'q' || name[attn + 6] == 'k' || name[attn + 6] == 'v')) {
          const int64_t part = name[attn + 6] == 'q' ? 0 : name[attn + 6] == 'k' ? 1 : 2;
          const std::string base = name.substr(0, attn) + ".attn.c_attn";
          if (name.compare(name.size() - 5, 5, ".bias") == 0) {
            std::vector<float> b = checked_f32(source(base + ".bias"), {3 * d});
            return std::vector<float>(b.begin() + part * d, b.begin() + (part + 1) * d);
          }
          return transpose_columns(checked_f32(source(base + ".weight"), {d, 3 * d}), d, 3 * d, part * d, d);
        }
        // Conv1D weights (c_proj, c_fc) are [in, out]: transpose.
        const bool conv1d = name.size() > 7 && name.compare(name.size() - 7, 7, ".weight") == 0 &&
                            (name.find(".c_proj.") != std::string::npos || name.find(".c_fc.") != std::string::npos);
        if (conv1d) {
          return transpose_columns(checked_f32(source(name), {shape[1], shape[0]}), shape[1], shape[0], 0, shape[0]);
        }
        return checked_f32(source(name), shape);
      },
      [&](const std::string& name) {
        if (name == "lm_head.weight") return !tied && ckpt.find("lm_head.weight") != nullptr;
        return ckpt.find(name) != nullptr;
      });
  if (!options.tokenizer_path.empty()) throw_convert_error(dir, "--tokenizer is for llama2.c tokenizers only");
  mb.model().tokenizer = import_hf_tokenizer(dir, c.max_positions);
  set_producer(mb, dir, "hf-safetensors");
}

}  // namespace

void import_hf(const std::string& dir, const ImportOptions& options, ModelBuilder& mb) {
  const std::string config_path = dir + "/config.json";
  if (!fs::exists(config_path)) throw_convert_error(dir, "not a Hugging Face folder: no config.json");
  nlohmann::json config = read_json_file(config_path);
  std::string arch;
  if (config.contains("architectures") && config["architectures"].is_array() && !config["architectures"].empty()) {
    arch = config["architectures"][0].get<std::string>();
  }
  const std::string model_type = config.value("model_type", "");
  if (arch == "LlamaForCausalLM" || (arch.empty() && model_type == "llama")) {
    import_hf_llama(dir, config, config_path, options, mb);
  } else if (arch == "GPT2LMHeadModel" || arch == "GPT2Model" || (arch.empty() && model_type == "gpt2")) {
    import_hf_gpt2(dir, config, config_path, options, mb);
  } else if (arch == "BertModel" || arch == "BertForMaskedLM" || (arch.empty() && model_type == "bert")) {
    import_hf_bert(dir, config, config_path, options, mb);
  } else {
    throw_convert_error(config_path, "unknown architecture '" + (arch.empty() ? model_type : arch) +
                                         "' (supported: BertModel, LlamaForCausalLM, GPT2LMHeadModel)");
  }
}

void import_any(const std::string& input, const ImportOptions& options, ModelBuilder& mb) {
  if (is_onnx_input(input)) return import_onnx(input, options.onnx, mb);
  if (options.onnx.all.height != 0 || options.onnx.all.width != 0 || !options.onnx.methods.empty()) {
    throw_convert_error(input, "--image-height / --image-width are for ONNX models");
  }
  if (fs::is_directory(input)) {
    if (fs::exists(fs::path(input) / "model.bin")) return import_ct2(input, options, mb);
    if (is_marian_dir(input)) return import_marian(input, options, mb);
    return import_hf(input, options, mb);
  }
  std::ifstream in(input, std::ios::binary);
  if (!in) throw_convert_error(input, "cannot open");
  char magic[4] = {0, 0, 0, 0};
  in.read(magic, 4);
  if (std::memcmp(magic, "GGUF", 4) == 0) return import_gguf(input, options, mb);
  if (fs::path(input).extension() == ".safetensors") return import_hf(fs::path(input).parent_path().string(), options, mb);
  return import_llama2c(input, options, mb);
}

}  // namespace edgeattn::convert
