// Whisper graph (see graphs.h). Encoder block (pre-LN):
//   a = LN(x); q, k, v = FC(a) (split from the fused linear_0); x += FC(Attention(q, k, v))
//   x += FC(GELU(FC(LN(x))))
// Decoder block: the same self-attention, causal with a KV cache, then
//   c = LN(x); x += FC(Attention(FC(c), cross_k, cross_v)), cross_k/v = FC(encoder_states)
// then the FFN. The cross K/V projections read only encoder_states, the
// decode method's sequence input, so the session runs them once per
// utterance and keeps their outputs (runtime/sequence_state.h).
#include <string>

#include "converter/graphs.h"
#include "converter/source/convert_error.h"

namespace edgeattn::convert {
namespace {

// Rows [first, first + count) of a row-major [rows, cols] matrix.
std::vector<float> rows_of(const std::vector<float>& m, int64_t cols, int64_t first, int64_t count) {
  return std::vector<float>(m.begin() + first * cols, m.begin() + (first + count) * cols);
}

bool all_zero(const std::vector<float>& v) {
  for (float x : v) {
    if (x != 0.0f) return false;
  }
  return true;
}

// What both methods' builders share: the model builder, the config, the
// weights, and helpers that add one op and its output.
struct WhisperBuilder {
  ModelBuilder& mb;
  const WhisperConfig& c;
  const WeightFn& weight;
  fb::Dim len;  // dim 1 of the current method's activations: fixed(n_frames / 2) or seq()

  int act(const std::string& name, int64_t width, fb::Dim length) {
    return mb.add_activation(name, {batch(), length, fixed(width)});
  }
  int act(const std::string& name, int64_t width) { return act(name, width, len); }
  int constant(const std::string& name, std::vector<int64_t> shape, std::vector<float> data) {
    return mb.add_constant_f32(name, std::move(shape), std::move(data));
  }
  int w(const std::string& name, std::vector<int64_t> shape) { return constant(name, shape, weight(name, shape)); }

  // y = x Wᵀ + b over rows [first, first + out) of a (possibly fused) linear; a zero bias is left out.
  int linear(const std::string& prefix, int64_t fused_out, int64_t first, int64_t out, int x, const std::string& y_name,
             fb::Dim length) {
    const int64_t d = c.dim;
    const std::vector<float> wf = weight(prefix + "/weight", {fused_out, d});
    const std::vector<float> bf = weight(prefix + "/bias", {fused_out});
    const std::string part = fused_out == out ? "" : "." + std::to_string(first / out);
    const int wt = constant(prefix + "/weight" + part, {out, d}, rows_of(wf, d, first, out));
    std::vector<float> b = rows_of(bf, 1, first, out);
    const int bt = all_zero(b) ? -1 : constant(prefix + "/bias" + part, {out}, std::move(b));
    const int y = act(y_name, out, length);
    mb.add_op(fb::OpCode::FullyConnected, {x, wt, bt}, {y}, y_name);
    return y;
  }
  int linear(const std::string& prefix, int64_t out, int64_t in, int x) {
    const int y = act(prefix, out);
    mb.add_op(fb::OpCode::FullyConnected, {x, w(prefix + "/weight", {out, in}), w(prefix + "/bias", {out})}, {y},
              prefix);
    return y;
  }
  int layer_norm(const std::string& prefix, int x, int64_t width, fb::Dim length) {
    fb::NormOptionsT norm;
    norm.epsilon = c.norm_eps;
    const int y = act(prefix, width, length);
    mb.add_op(fb::OpCode::LayerNorm, {x, w(prefix + "/gamma", {width}), w(prefix + "/beta", {width})}, {y}, prefix,
              norm);
    return y;
  }
  int layer_norm(const std::string& prefix, int x) { return layer_norm(prefix, x, c.dim, len); }
  int gelu(const std::string& name, int x, int64_t width, fb::Dim length) {
    const int y = act(name, width, length);
    mb.add_op(fb::OpCode::Gelu, {x}, {y}, name);
    return y;
  }
  int add(const std::string& name, int a, int b) {
    const int y = act(name, c.dim);
    mb.add_op(fb::OpCode::Add, {a, b}, {y}, name);
    return y;
  }
  int attention(const std::string& name, int q, int k, int v, fb::AttentionMask mask, int cache_slot, bool cross) {
    fb::AttentionOptionsT o;
    o.n_heads = c.n_heads;
    o.n_kv_heads = c.n_heads;
    o.head_dim = c.dim / c.n_heads;
    o.mask = mask;
    o.kv_cache_slot = cache_slot;
    o.cross = cross;
    const int y = act(name, c.dim);
    mb.add_op(fb::OpCode::Attention, {q, k, v}, {y}, name, o);
    return y;
  }
  // Pre-LN self-attention with the fused q|k|v linear_0 and output linear_1; returns x + attention.
  int self_attention(const std::string& p, int x, fb::AttentionMask mask, int cache_slot) {
    const int64_t d = c.dim;
    const int a = layer_norm(p + "/layer_norm", x);
    const int q = linear(p + "/linear_0", 3 * d, 0, d, a, p + "/q", len);
    const int k = linear(p + "/linear_0", 3 * d, d, d, a, p + "/k", len);
    const int v = linear(p + "/linear_0", 3 * d, 2 * d, d, a, p + "/v", len);
    const int att = attention(p + "/attention", q, k, v, mask, cache_slot, false);
    return add(p + "/residual", x, linear(p + "/linear_1", d, d, att));
  }
  int ffn(const std::string& p, int x) {
    const int h = linear(p + "/linear_0", c.ffn, c.dim, layer_norm(p + "/layer_norm", x));
    return add(p + "/residual", x, linear(p + "/linear_1", c.dim, c.ffn, gelu(p + "/gelu", h, c.ffn, len)));
  }

  // A convolution weight [out, in, kernel] as the FC weight [out, kernel * in] over Im2Col's patches.
  int conv(const std::string& prefix, int x, int64_t in, int kernel, int stride, int64_t t_in) {
    const int64_t out = c.dim;
    const std::vector<float> wf = weight(prefix + "/weight", {out, in, kernel});
    std::vector<float> wk(wf.size());
    for (int64_t o = 0; o < out; ++o) {
      for (int64_t i = 0; i < in; ++i) {
        for (int k = 0; k < kernel; ++k) wk[(o * kernel + k) * in + i] = wf[(o * in + i) * kernel + k];
      }
    }
    fb::Im2ColOptionsT im;
    im.kernel = kernel;
    im.stride = stride;
    im.pad = kernel / 2;
    const int64_t t_out = (t_in + 2 * im.pad - kernel) / stride + 1;
    const int patches = act(prefix + "/patches", kernel * in, fixed(t_out));
    mb.add_op(fb::OpCode::Im2Col, {x}, {patches}, prefix + "/im2col", im);
    const int y = act(prefix, out, fixed(t_out));
    mb.add_op(fb::OpCode::FullyConnected,
              {patches, constant(prefix + "/weight", {out, kernel * in}, std::move(wk)), w(prefix + "/bias", {out})},
              {y}, prefix);
    return gelu(prefix + "/gelu", y, out, fixed(t_out));
  }

  int build_encoder() {
    mb.begin_method("encode");
    const int64_t d = c.dim, frames = c.n_frames, positions = c.n_frames / 2;
    len = fixed(positions);
    const int mel = mb.add_activation("mel", {batch(), fixed(frames), fixed(c.n_mels)});
    const int h1 = conv("encoder/conv1", mel, c.n_mels, 3, 1, frames);
    const int h2 = conv("encoder/conv2", h1, d, 3, 2, frames);
    int x = add("encoder/positions", h2, w("encoder/position_encodings/encodings", {positions, d}));
    for (int l = 0; l < c.encoder_layers; ++l) {
      const std::string p = "encoder/layer_" + std::to_string(l);
      x = self_attention(p + "/self_attention", x, fb::AttentionMask::None, -1);
      x = ffn(p + "/ffn", x);
    }
    const int states = layer_norm("encoder/layer_norm", x);
    mb.model().tensors.at(static_cast<size_t>(states))->name = "encoder_states";
    mb.set_graph_io({mel}, {states});
    return states;
  }

  void build_decoder() {
    mb.begin_method("decode");
    const int64_t d = c.dim, v = c.vocab_size, positions = c.n_frames / 2;
    len = seq();
    const int ids = mb.add_activation("token_ids", {batch(), seq()}, fb::DType::I32);
    const int states = mb.add_activation("decoder/encoder_states", {batch(), fixed(positions), fixed(d)});
    const int table = w("decoder/embeddings/weight", {v, d});
    int x = act("decoder/embeddings", d);
    mb.add_op(fb::OpCode::Embedding, {ids, table, w("decoder/position_encodings/encodings", {c.text_positions, d}), -1},
              {x}, "decoder/embedding");
    for (int l = 0; l < c.decoder_layers; ++l) {
      const std::string p = "decoder/layer_" + std::to_string(l);
      x = self_attention(p + "/self_attention", x, fb::AttentionMask::Causal, l);
      // Cross-attention: K/V from the encoder states (sequence state).
      const std::string a = p + "/attention";
      const int q = linear(a + "/linear_0", d, d, layer_norm(a + "/layer_norm", x));
      const int k = linear(a + "/linear_1", 2 * d, 0, d, states, a + "/cross_k", fixed(positions));
      const int vv = linear(a + "/linear_1", 2 * d, d, d, states, a + "/cross_v", fixed(positions));
      const int att = attention(a + "/attention", q, k, vv, fb::AttentionMask::None, -1, true);
      x = add(a + "/residual", x, linear(a + "/linear_2", d, d, att));
      x = ffn(p + "/ffn", x);
    }
    const int sel = mb.add_activation("decoder/selected", {batch(), out_seq(), fixed(d)});
    mb.add_op(fb::OpCode::SelectTokens, {x}, {sel}, "decoder/select_tokens");
    const int normed = layer_norm("decoder/layer_norm", sel, d, out_seq());
    const int logits = mb.add_activation("logits", {batch(), out_seq(), fixed(v)});
    mb.add_op(fb::OpCode::FullyConnected, {normed, table, -1}, {logits}, "decoder/projection");
    mb.set_graph_io({ids, states}, {logits});
    mb.set_sequence_inputs({states});
  }
};

}  // namespace

void build_whisper(ModelBuilder& mb, const WhisperConfig& c, const WeightFn& weight) {
  if (c.dim <= 0 || c.n_heads <= 0 || c.dim % c.n_heads != 0 || c.encoder_layers <= 0 || c.decoder_layers <= 0 ||
      c.ffn <= 0 || c.n_mels <= 0 || c.n_frames <= 0 || c.n_frames % 2 != 0 || c.text_positions <= 0 ||
      c.vocab_size <= 0) {
    throw ConvertError("whisper: inconsistent hyper-parameters (d_model " + std::to_string(c.dim) + ", heads " +
                       std::to_string(c.n_heads) + ")");
  }
  set_transformer_hparams(mb, fb::Architecture::EncoderDecoder, c.vocab_size, c.dim, c.ffn, c.decoder_layers, c.n_heads,
                          c.text_positions, c.norm_eps);
  WhisperBuilder b{mb, c, weight, fixed(1)};
  b.build_encoder();
  b.build_decoder();
}

}  // namespace edgeattn::convert
