// GPT-2 graph (see graphs.h). One block:
//   a = LN(x, ln_1); q, k, v = FC(a); att = Attention(q, k, v, causal, cached)
//   x = x + FC(att, c_proj); m = LN(x, ln_2); x = x + FC(gelu(FC(m, c_fc)), c_proj)
#include <string>

#include "converter/graphs.h"
#include "converter/source/convert_error.h"

namespace edgeattn::convert {

void build_gpt2(ModelBuilder& mb, const Gpt2Config& c, const WeightFn& weight, const WeightExistsFn& exists) {
  if (c.dim <= 0 || c.n_heads <= 0 || c.dim % c.n_heads != 0 || c.n_layers <= 0 || c.vocab_size <= 0 ||
      c.inner <= 0 || c.max_positions <= 0) {
    throw ConvertError("gpt2: inconsistent hyper-parameters (n_embd " + std::to_string(c.dim) + ", n_head " +
                       std::to_string(c.n_heads) + ")");
  }
  const int64_t d = c.dim, ff = c.inner, v = c.vocab_size;
  fb::HyperParametersT& hp = mb.hparams();
  hp.architecture = fb::Architecture::Gpt2Decoder;
  hp.vocab_size = c.vocab_size;
  hp.hidden_size = c.dim;
  hp.intermediate_size = c.inner;
  hp.n_layers = c.n_layers;
  hp.n_heads = c.n_heads;
  hp.n_kv_heads = c.n_heads;
  hp.head_dim = c.dim / c.n_heads;
  hp.max_positions = c.max_positions;
  hp.norm_epsilon = c.norm_eps;

  auto w = [&](const std::string& name, std::vector<int64_t> shape) {
    return mb.add_constant_f32(name, shape, weight(name, shape));
  };
  auto act = [&](const std::string& name, int64_t width) {
    return mb.add_activation(name, {batch(), seq(), fixed(width)});
  };
  fb::NormOptionsT norm;
  norm.epsilon = c.norm_eps;

  const int ids = mb.add_activation("token_ids", {batch(), seq()}, fb::DType::I32);
  const int wte = w("wte.weight", {v, d});
  const int wpe = w("wpe.weight", {c.max_positions, d});
  int x = act("embeddings", d);
  mb.add_op(fb::OpCode::Embedding, {ids, wte, wpe, -1}, {x}, "embedding");

  for (int l = 0; l < c.n_layers; ++l) {
    const std::string p = "h." + std::to_string(l) + ".";
    auto linear = [&](const std::string& name, int64_t out, int64_t in, int input) {
      const int y = act(p + name + ".out", out);
      mb.add_op(fb::OpCode::FullyConnected, {input, w(p + name + ".weight", {out, in}), w(p + name + ".bias", {out})},
                {y}, p + name);
      return y;
    };
    auto layer_norm = [&](const std::string& name, int input) {
      const int y = act(p + name + ".out", d);
      mb.add_op(fb::OpCode::LayerNorm, {input, w(p + name + ".weight", {d}), w(p + name + ".bias", {d})}, {y},
                p + name, norm);
      return y;
    };
    const int a = layer_norm("ln_1", x);
    const int q = linear("attn.q", d, d, a);
    const int k = linear("attn.k", d, d, a);
    const int vv = linear("attn.v", d, d, a);
    fb::AttentionOptionsT attn;
    attn.n_heads = c.n_heads;
    attn.n_kv_heads = c.n_heads;
    attn.head_dim = c.dim / c.n_heads;
    attn.mask = fb::AttentionMask::Causal;
    attn.kv_cache_slot = l;
    const int att = act(p + "attn.out", d);
    mb.add_op(fb::OpCode::Attention, {q, k, vv}, {att}, p + "attention", attn);
    const int o = linear("attn.c_proj", d, d, att);
    const int x2 = act(p + "attn_residual", d);
    mb.add_op(fb::OpCode::Add, {x, o}, {x2}, p + "attn_residual");
    const int m = layer_norm("ln_2", x2);
    const int f = linear("mlp.c_fc", ff, d, m);
    const int g = act(p + "mlp.gelu", ff);
    fb::GeluOptionsT gelu;
    gelu.approximation = c.tanh_gelu ? fb::GeluApproximation::Tanh : fb::GeluApproximation::Erf;
    mb.add_op(fb::OpCode::Gelu, {f}, {g}, p + "mlp.gelu", gelu);
    const int f2 = linear("mlp.c_proj", d, ff, g);
    const int x3 = act(p + "mlp_residual", d);
    mb.add_op(fb::OpCode::Add, {x2, f2}, {x3}, p + "mlp_residual");
    x = x3;
  }

  const int sel = mb.add_activation("selected", {batch(), out_seq(), fixed(d)});
  mb.add_op(fb::OpCode::SelectTokens, {x}, {sel}, "select_tokens");
  const int normed = mb.add_activation("ln_f.out", {batch(), out_seq(), fixed(d)});
  mb.add_op(fb::OpCode::LayerNorm, {sel, w("ln_f.weight", {d}), w("ln_f.bias", {d})}, {normed}, "ln_f", norm);
  const int head = exists("lm_head.weight") ? w("lm_head.weight", {v, d}) : wte;
  const int bias = exists("lm_head.bias") ? w("lm_head.bias", {v}) : -1;
  const int logits = mb.add_activation("logits", {batch(), out_seq(), fixed(v)});
  mb.add_op(fb::OpCode::FullyConnected, {normed, head, bias}, {logits}, "lm_head");
  mb.set_graph_io({ids}, {logits});
}

}  // namespace edgeattn::convert
