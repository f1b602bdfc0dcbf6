// Marian transformer encoder + SSRU decoder graph (see graphs.h), as
// marian-dev's src/models/transformer.h builds it for Bergamot's students
// (transformer-postprocess "dan", transformer-decoder-autoreg "rnn",
// dec-cell "ssru", tied-embeddings-all):
//   encoder block:  x = LN(x + Wo·Attention(Wq x + bq, Wk x + bk, Wv x + bv) + bo)
//                   x = LN(x + W2·relu(W1 x + b1) + b2)
//   decoder block:  x = LN(x + SSRU(W x, Wf x + bf))
//                   x = LN(x + Wo·Attention(Wq x + bq, Wk s + bk, Wv s + bv) + bo), s = encoder states
//                   x = LN(x + W2·relu(W1 x + b1) + b2)
// Every linear layer reads its activations through its own static
// multiplier (Marian's `<W>_QuantMultA`) when the weights are int8.
#include <cmath>
#include <string>

#include "converter/graphs.h"
#include "converter/source/convert_error.h"

namespace edgeattn::convert {
namespace {

// Marian's sinusoidalPositionEmbeddings (src/graph/node_initializers.cpp),
// in the same float expressions: [positions, dim], sines then cosines.
std::vector<float> marian_positions(int positions, int dim) {
  std::vector<float> table(static_cast<size_t>(positions) * static_cast<size_t>(dim));
  const float num_timescales = static_cast<float>(dim) / 2;
  const float log_increment = std::log(10000.f) / (num_timescales - 1.f);
  const int half = dim / 2;
  for (int p = 0; p < positions; ++p) {
    for (int i = 0; i < half; ++i) {
      const float v = static_cast<float>(p) * std::exp(static_cast<float>(i) * -log_increment);
      table[static_cast<size_t>(p) * dim + i] = std::sin(v);
      table[static_cast<size_t>(p) * dim + half + i] = std::cos(v);
    }
  }
  return table;
}

struct MarianBuilder {
  ModelBuilder& mb;
  const MarianConfig& c;
  MarianWeights& weights;
  fb::Dim len;  // dim 1 of the current method's activations

  int act(const std::string& name, int64_t width, fb::Dim length) {
    return mb.add_activation(name, {batch(), length, fixed(width)});
  }
  int act(const std::string& name, int64_t width) { return act(name, width, len); }
  int vec(const std::string& name, int64_t n) { return mb.add_constant_f32(name, {n}, weights.vector(name, n)); }

  // y = x·W (+ b) [+ relu] for Marian weight `w` ([in, out] in Marian, [out, in] here).
  int linear(const std::string& w, const std::string& b, int x, int64_t out, int64_t in, fb::Dim length,
             bool relu = false) {
    fb::FullyConnectedOptionsT o;
    o.activation = relu ? fb::Activation::Relu : fb::Activation::None;
    o.activation_multiplier = weights.activation_multiplier(w);
    const int wt = weights.matrix(mb, w, out, in);
    const int bt = b.empty() ? -1 : vec(b, out);
    const int y = act(w + "_out", out, length);  // the weight keeps Marian's name
    mb.add_op(fb::OpCode::FullyConnected, {x, wt, bt}, {y}, w, o);
    return y;
  }
  int linear(const std::string& w, const std::string& b, int x, int64_t out, int64_t in, bool relu = false) {
    return linear(w, b, x, out, in, len, relu);
  }
  // Post-norm ("dan"): LN(a + b) with <prefix>_ln_scale / _ln_bias.
  int add_norm(const std::string& prefix, int a, int b) {
    const int sum = act(prefix + "_residual", c.dim);
    mb.add_op(fb::OpCode::Add, {a, b}, {sum}, prefix + "_residual");
    fb::NormOptionsT norm;
    norm.epsilon = c.norm_eps;
    const int y = act(prefix + "_ln", c.dim);
    mb.add_op(fb::OpCode::LayerNorm, {sum, vec(prefix + "_ln_scale", c.dim), vec(prefix + "_ln_bias", c.dim)}, {y},
              prefix + "_ln", norm);
    return y;
  }
  int attention(const std::string& name, int q, int k, int v, fb::AttentionMask mask, bool cross) {
    fb::AttentionOptionsT o;
    o.n_heads = c.n_heads;
    o.n_kv_heads = c.n_heads;
    o.head_dim = c.dim / c.n_heads;
    o.mask = mask;
    o.cross = cross;
    const int y = act(name, c.dim);
    mb.add_op(fb::OpCode::Attention, {q, k, v}, {y}, name, o);
    return y;
  }
  int ffn(const std::string& p, int x) {
    const int h = linear(p + "_W1", p + "_b1", x, c.ffn, c.dim, /*relu=*/true);
    return add_norm(p + "_ffn", x, linear(p + "_W2", p + "_b2", h, c.dim, c.ffn));
  }
  int embedding(const std::string& name, int ids, int table, int positions, int zero_id) {
    fb::EmbeddingOptionsT o;
    o.scale = std::sqrt(static_cast<float>(c.dim));
    o.zero_id = zero_id;
    const int x = act(name, c.dim);
    mb.add_op(fb::OpCode::Embedding, {ids, table, positions, -1}, {x}, name, o);
    return x;
  }

  void build_encoder(int table, int positions) {
    mb.begin_method("encode");
    len = seq();
    const int64_t d = c.dim;
    const int ids = mb.add_activation("token_ids", {batch(), seq()}, fb::DType::I32);
    int x = embedding("encoder_embeddings", ids, table, positions, -1);
    for (int l = 1; l <= c.encoder_layers; ++l) {
      const std::string p = "encoder_l" + std::to_string(l) + "_self";
      const int q = linear(p + "_Wq", p + "_bq", x, d, d);
      const int k = linear(p + "_Wk", p + "_bk", x, d, d);
      const int v = linear(p + "_Wv", p + "_bv", x, d, d);
      const int a = attention(p + "_attention", q, k, v, fb::AttentionMask::Padding, false);
      x = add_norm(p + "_Wo", x, linear(p + "_Wo", p + "_bo", a, d, d));
      x = ffn("encoder_l" + std::to_string(l) + "_ffn", x);
    }
    mb.model().tensors.at(static_cast<size_t>(x))->name = "encoder_states";
    mb.set_graph_io({ids}, {x});
  }

  void build_decoder(int table, int positions) {
    mb.begin_method("decode");
    len = seq();
    const int64_t d = c.dim, v = c.vocab_size;
    const fb::Dim source(fb::DimKind::SourceSeq, 0);
    const int ids = mb.add_activation("token_ids", {batch(), seq()}, fb::DType::I32);
    const int states = mb.add_activation("decoder_encoder_states", {batch(), source, fixed(d)});
    const int selection = mb.add_activation("selection", {fb::Dim(fb::DimKind::Selection, 0)}, fb::DType::I32);
    int x = embedding("decoder_embeddings", ids, table, positions, c.vocab_size);
    for (int l = 1; l <= c.decoder_layers; ++l) {
      const std::string p = "decoder_l" + std::to_string(l);
      const int wx = linear(p + "_rnn_W", "", x, d, d);
      const int fx = linear(p + "_rnn_Wf", p + "_rnn_bf", x, d, d);
      const int h = act(p + "_rnn", d);
      mb.add_op(fb::OpCode::Ssru, {wx, fx}, {h}, p + "_rnn");
      x = add_norm(p + "_rnn_ffn", x, h);
      const std::string a = p + "_context";
      const int q = linear(a + "_Wq", a + "_bq", x, d, d);
      const int k = linear(a + "_Wk", a + "_bk", states, d, d, source);
      const int vv = linear(a + "_Wv", a + "_bv", states, d, d, source);
      const int att = attention(a + "_attention", q, k, vv, fb::AttentionMask::None, true);
      x = add_norm(a + "_Wo", x, linear(a + "_Wo", a + "_bo", att, d, d));
      x = ffn(p + "_ffn", x);
    }
    const int sel = mb.add_activation("decoder_selected", {batch(), out_seq(), fixed(d)});
    mb.add_op(fb::OpCode::SelectTokens, {x}, {sel}, "decoder_select_tokens");
    fb::FullyConnectedOptionsT o;
    o.activation_multiplier = weights.activation_multiplier("Wemb");
    const int logits = mb.add_activation("logits", {batch(), out_seq(), fb::Dim(fb::DimKind::Selection, 0)});
    mb.add_op(fb::OpCode::FullyConnected, {sel, table, vec("decoder_ff_logit_out_b", v), -1, selection}, {logits},
              "decoder_ff_logit_out", o);
    mb.set_graph_io({ids, states, selection}, {logits});
    mb.set_sequence_inputs({states});
  }
};

}  // namespace

void build_marian(ModelBuilder& mb, const MarianConfig& c, MarianWeights& weights) {
  if (c.dim <= 0 || c.n_heads <= 0 || c.dim % c.n_heads != 0 || c.dim % 2 != 0 || c.encoder_layers <= 0 ||
      c.decoder_layers <= 0 || c.ffn <= 0 || c.vocab_size <= 0 || c.max_positions <= 0) {
    throw ConvertError("marian: inconsistent hyper-parameters (dim-emb " + std::to_string(c.dim) + ", heads " +
                       std::to_string(c.n_heads) + ")");
  }
  set_transformer_hparams(mb, fb::Architecture::EncoderDecoder, c.vocab_size, c.dim, c.ffn, c.decoder_layers, c.n_heads,
                          c.max_positions, c.norm_eps);
  MarianBuilder b{mb, c, weights, seq()};
  // Tied embeddings (tied-embeddings-all): one table for both embeddings
  // and the output layer, and one position table for both methods.
  const int table = weights.matrix(mb, "Wemb", c.vocab_size, c.dim);
  const int positions =
      mb.add_constant_f32("positions", {c.max_positions, c.dim}, marian_positions(c.max_positions, c.dim));
  b.build_encoder(table, positions);
  b.build_decoder(table, positions);
}

}  // namespace edgeattn::convert
