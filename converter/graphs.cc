#include "converter/graphs.h"

#include <cmath>

#include "converter/source/convert_error.h"

namespace edgeattn::convert {
namespace {

std::string blk(int layer, const char* what) { return "blk." + std::to_string(layer) + "." + what; }

fb::NormOptionsT norm_options(float eps) {
  fb::NormOptionsT o;
  o.epsilon = eps;
  return o;
}

}  // namespace

void build_llama(ModelBuilder& mb, const LlamaConfig& c, const WeightFn& weight, const WeightExistsFn& exists) {
  if (c.dim <= 0 || c.n_heads <= 0 || c.n_kv_heads <= 0 || c.dim % c.n_heads != 0 || c.n_heads % c.n_kv_heads != 0 ||
      c.n_layers <= 0 || c.vocab_size <= 0 || c.hidden_dim <= 0) {
    throw ConvertError("llama: inconsistent hyper-parameters (dim " + std::to_string(c.dim) + ", heads " +
                       std::to_string(c.n_heads) + "/" + std::to_string(c.n_kv_heads) + ")");
  }
  const int64_t d = c.dim, hd = c.head_dim(), kv = int64_t{c.n_kv_heads} * hd, ff = c.hidden_dim, v = c.vocab_size;
  fb::HyperParametersT& hp = mb.hparams();
  hp.architecture = fb::Architecture::LlamaDecoder;
  hp.vocab_size = c.vocab_size;
  hp.hidden_size = c.dim;
  hp.intermediate_size = c.hidden_dim;
  hp.n_layers = c.n_layers;
  hp.n_heads = c.n_heads;
  hp.n_kv_heads = c.n_kv_heads;
  hp.head_dim = static_cast<int>(hd);
  hp.max_positions = c.max_positions;
  hp.norm_epsilon = c.norm_eps;
  hp.rope_theta = c.rope_theta;

  auto w = [&](const std::string& name, std::vector<int64_t> shape) {
    return mb.add_constant_f32(name, shape, weight(name, shape));
  };
  auto act = [&](const std::string& name, int64_t width) { return mb.add_activation(name, {batch(), seq(), fixed(width)}); };

  const int ids = mb.add_activation("token_ids", {batch(), seq()}, fb::DType::I32);
  const int tok = w("token_embd.weight", {v, d});
  int x = act("embeddings", d);
  mb.add_op(fb::OpCode::Embedding, {ids, tok, -1, -1}, {x}, "embedding");

  for (int l = 0; l < c.n_layers; ++l) {
    const std::string p = "blk." + std::to_string(l) + ".";
    const int attn_norm = w(blk(l, "attn_norm.weight"), {d});
    const int wq = w(blk(l, "attn_q.weight"), {d, d});
    const int wk = w(blk(l, "attn_k.weight"), {kv, d});
    const int wv = w(blk(l, "attn_v.weight"), {kv, d});
    const int wo = w(blk(l, "attn_output.weight"), {d, d});
    const int ffn_norm = w(blk(l, "ffn_norm.weight"), {d});
    const int w_gate = w(blk(l, "ffn_gate.weight"), {ff, d});
    const int w_down = w(blk(l, "ffn_down.weight"), {d, ff});
    const int w_up = w(blk(l, "ffn_up.weight"), {ff, d});

    const int h = act(p + "attn_norm.out", d);
    mb.add_op(fb::OpCode::RmsNorm, {x, attn_norm}, {h}, p + "attn_norm", norm_options(c.norm_eps));
    const int q = act(p + "q", d), k = act(p + "k", kv), vv = act(p + "v", kv);
    mb.add_op(fb::OpCode::FullyConnected, {h, wq, -1}, {q}, p + "attn_q");
    mb.add_op(fb::OpCode::FullyConnected, {h, wk, -1}, {k}, p + "attn_k");
    mb.add_op(fb::OpCode::FullyConnected, {h, wv, -1}, {vv}, p + "attn_v");
    const int qr = act(p + "q_rope", d), kr = act(p + "k_rope", kv);
    fb::RopeOptionsT rope;
    rope.head_dim = static_cast<int>(hd);
    rope.rotary_dim = static_cast<int>(hd);
    rope.theta = c.rope_theta;
    rope.style = fb::RopeStyle::Interleaved;
    rope.n_heads = c.n_heads;
    mb.add_op(fb::OpCode::Rope, {q}, {qr}, p + "rope_q", rope);
    rope.n_heads = c.n_kv_heads;
    mb.add_op(fb::OpCode::Rope, {k}, {kr}, p + "rope_k", rope);
    fb::AttentionOptionsT attn;
    attn.n_heads = c.n_heads;
    attn.n_kv_heads = c.n_kv_heads;
    attn.head_dim = static_cast<int>(hd);
    attn.mask = fb::AttentionMask::Causal;
    attn.kv_cache_slot = l;
    const int a = act(p + "attn", d);
    mb.add_op(fb::OpCode::Attention, {qr, kr, vv}, {a}, p + "attention", attn);
    const int o = act(p + "attn_output", d);
    mb.add_op(fb::OpCode::FullyConnected, {a, wo, -1}, {o}, p + "attn_output");
    const int x2 = act(p + "attn_residual", d);
    mb.add_op(fb::OpCode::Add, {x, o}, {x2}, p + "attn_residual");

    const int h2 = act(p + "ffn_norm.out", d);
    mb.add_op(fb::OpCode::RmsNorm, {x2, ffn_norm}, {h2}, p + "ffn_norm", norm_options(c.norm_eps));
    const int g = act(p + "ffn_gate.out", ff), u = act(p + "ffn_up.out", ff), m = act(p + "ffn_swiglu", ff);
    mb.add_op(fb::OpCode::FullyConnected, {h2, w_gate, -1}, {g}, p + "ffn_gate");
    mb.add_op(fb::OpCode::FullyConnected, {h2, w_up, -1}, {u}, p + "ffn_up");
    fb::GatedUnitOptionsT gated;
    gated.activation = fb::Activation::Silu;
    mb.add_op(fb::OpCode::GatedUnit, {g, u}, {m}, p + "ffn_swiglu", gated);
    const int dn = act(p + "ffn_down.out", d);
    mb.add_op(fb::OpCode::FullyConnected, {m, w_down, -1}, {dn}, p + "ffn_down");
    const int x3 = act(p + "ffn_residual", d);
    mb.add_op(fb::OpCode::Add, {x2, dn}, {x3}, p + "ffn_residual");
    x = x3;
  }

  // Select first: the final norm and the LM head then run on the kept rows only.
  const int sel = mb.add_activation("selected", {batch(), out_seq(), fixed(d)});
  mb.add_op(fb::OpCode::SelectTokens, {x}, {sel}, "select_tokens");
  const int out_norm = w("output_norm.weight", {d});
  const int normed = mb.add_activation("output_norm.out", {batch(), out_seq(), fixed(d)});
  mb.add_op(fb::OpCode::RmsNorm, {sel, out_norm}, {normed}, "output_norm", norm_options(c.norm_eps));
  const int head = exists("output.weight") ? w("output.weight", {v, d}) : tok;
  const int logits = mb.add_activation("logits", {batch(), out_seq(), fixed(v)});
  mb.add_op(fb::OpCode::FullyConnected, {normed, head, -1}, {logits}, "lm_head");
  mb.set_graph_io({ids}, {logits});
}

void set_transformer_hparams(ModelBuilder& mb, fb::Architecture architecture, int vocab_size, int dim, int ffn,
                             int n_layers, int n_heads, int max_positions, float norm_eps) {
  fb::HyperParametersT& hp = mb.hparams();
  hp.architecture = architecture;
  hp.vocab_size = vocab_size;
  hp.hidden_size = dim;
  hp.intermediate_size = ffn;
  hp.n_layers = n_layers;
  hp.n_heads = n_heads;
  hp.n_kv_heads = n_heads;
  hp.head_dim = dim / n_heads;
  hp.max_positions = max_positions;
  hp.norm_epsilon = norm_eps;
}

void build_bert(ModelBuilder& mb, const BertConfig& c, const WeightFn& weight) {
  if (c.hidden <= 0 || c.n_heads <= 0 || c.hidden % c.n_heads != 0 || c.n_layers <= 0 || c.vocab_size <= 0 ||
      c.intermediate <= 0 || c.max_positions <= 0 || c.type_vocab_size <= 0) {
    throw ConvertError("bert: inconsistent hyper-parameters (hidden " + std::to_string(c.hidden) + ", heads " +
                       std::to_string(c.n_heads) + ")");
  }
  const int64_t d = c.hidden, ff = c.intermediate;
  set_transformer_hparams(mb, fb::Architecture::BertEncoder, c.vocab_size, c.hidden, c.intermediate, c.n_layers,
                          c.n_heads, c.max_positions, c.norm_eps);
  fb::HyperParametersT& hp = mb.hparams();
  hp.pooling = c.pooling;
  hp.normalize_embeddings = c.normalize;

  auto w = [&](const std::string& name, std::vector<int64_t> shape) {
    return mb.add_constant_f32(name, shape, weight(name, shape));
  };
  auto act = [&](const std::string& name, int64_t width) { return mb.add_activation(name, {batch(), seq(), fixed(width)}); };

  const int ids = mb.add_activation("token_ids", {batch(), seq()}, fb::DType::I32);
  const int word = w("embeddings.word_embeddings.weight", {c.vocab_size, d});
  const int pos = w("embeddings.position_embeddings.weight", {c.max_positions, d});
  const int type = w("embeddings.token_type_embeddings.weight", {c.type_vocab_size, d});
  const int emb = act("embeddings.sum", d);
  mb.add_op(fb::OpCode::Embedding, {ids, word, pos, type}, {emb}, "embeddings");
  int x = act("embeddings.out", d);
  mb.add_op(fb::OpCode::LayerNorm,
            {emb, w("embeddings.LayerNorm.weight", {d}), w("embeddings.LayerNorm.bias", {d})}, {x},
            "embeddings.LayerNorm", norm_options(c.norm_eps));

  for (int l = 0; l < c.n_layers; ++l) {
    const std::string p = "encoder.layer." + std::to_string(l) + ".";
    auto linear = [&](const std::string& name, int64_t out, int64_t in, int input, const std::string& out_name) {
      const int y = act(p + out_name, out);
      mb.add_op(fb::OpCode::FullyConnected, {input, w(p + name + ".weight", {out, in}), w(p + name + ".bias", {out})},
                {y}, p + name);
      return y;
    };
    auto layer_norm = [&](const std::string& name, int input, const std::string& out_name) {
      const int y = act(p + out_name, d);
      mb.add_op(fb::OpCode::LayerNorm, {input, w(p + name + ".weight", {d}), w(p + name + ".bias", {d})}, {y},
                p + name, norm_options(c.norm_eps));
      return y;
    };
    const int q = linear("attention.self.query", d, d, x, "q");
    const int k = linear("attention.self.key", d, d, x, "k");
    const int v = linear("attention.self.value", d, d, x, "v");
    fb::AttentionOptionsT attn;
    attn.n_heads = c.n_heads;
    attn.n_kv_heads = c.n_heads;
    attn.head_dim = c.hidden / c.n_heads;
    attn.mask = fb::AttentionMask::Padding;
    const int a = act(p + "context", d);
    mb.add_op(fb::OpCode::Attention, {q, k, v}, {a}, p + "attention", attn);
    const int o = linear("attention.output.dense", d, d, a, "attention_out");
    const int r = act(p + "attention_residual", d);
    mb.add_op(fb::OpCode::Add, {x, o}, {r}, p + "attention_residual");
    const int x2 = layer_norm("attention.output.LayerNorm", r, "attention_norm");
    const int f = linear("intermediate.dense", ff, d, x2, "intermediate");
    const int g = act(p + "gelu", ff);
    mb.add_op(fb::OpCode::Gelu, {f}, {g}, p + "gelu");
    const int f2 = linear("output.dense", d, ff, g, "ffn_out");
    const int r2 = act(p + "ffn_residual", d);
    mb.add_op(fb::OpCode::Add, {x2, f2}, {r2}, p + "ffn_residual");
    x = layer_norm("output.LayerNorm", r2, "out");
  }

  if (c.pooling.empty()) {
    mb.set_graph_io({ids}, {x});
    return;
  }
  if (c.pooling != "mean") throw ConvertError("bert: pooling '" + c.pooling + "' is not supported (only mean)");
  const int pooled = mb.add_activation(c.normalize ? "pooled" : "embeddings", {batch(), fixed(d)});
  mb.add_op(fb::OpCode::MeanPool, {x}, {pooled}, "mean_pool");
  int out = pooled;
  if (c.normalize) {
    out = mb.add_activation("embeddings", {batch(), fixed(d)});
    mb.add_op(fb::OpCode::L2Normalize, {pooled}, {out}, "normalize");
  }
  mb.set_graph_io({ids}, {out});
}

}  // namespace edgeattn::convert
