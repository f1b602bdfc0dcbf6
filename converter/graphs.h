// Graph builders: one function per architecture family, independent of where
// the weights came from. An importer supplies the hyper-parameters and a
// WeightFn that returns each weight by its canonical name, already in the
// runtime's layout (row-major, linear weights [out, in], RoPE pairs
// interleaved), checked against the expected shape.
//
// Canonical names are GGUF's (token_embd.weight, blk.N.attn_q.weight, ...)
// for decoders and HF BertModel's (embeddings.word_embeddings.weight, ...)
// for encoders.
//
// Example:
//   LlamaConfig c = ...;
//   build_llama(mb, c, [&](const std::string& name, const std::vector<int64_t>& shape) {
//     return load_checked(name, shape);
//   });
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "converter/model_builder.h"

namespace edgeattn::convert {

// Returns the weight's float data, or throws ConvertError if it is missing
// or its shape differs from `shape`. Optional weights are asked for through
// WeightExistsFn first.
// Records the hyper-parameters every transformer graph has (multi-head
// attention without GQA: n_kv_heads = n_heads, head_dim = dim / n_heads).
void set_transformer_hparams(ModelBuilder& mb, fb::Architecture architecture, int vocab_size, int dim, int ffn,
                             int n_layers, int n_heads, int max_positions, float norm_eps);

using WeightFn = std::function<std::vector<float>(const std::string& name, const std::vector<int64_t>& shape)>;
using WeightExistsFn = std::function<bool(const std::string& name)>;

struct LlamaConfig {
  int dim = 0;
  int hidden_dim = 0;
  int n_layers = 0;
  int n_heads = 0;
  int n_kv_heads = 0;
  int vocab_size = 0;
  int max_positions = 0;
  float norm_eps = 1e-5f;
  float rope_theta = 10000.0f;
  int head_dim() const { return dim / n_heads; }
};

// Llama-family decoder: RMSNorm, RoPE (interleaved pairs), GQA with a KV
// cache, SwiGLU. Graph input "token_ids" [B, S]; output "logits"
// [B, OutSeq, vocab]. The LM head reuses token_embd.weight unless the
// source has output.weight.
void build_llama(ModelBuilder& mb, const LlamaConfig& c, const WeightFn& weight, const WeightExistsFn& exists);

struct BertConfig {
  int hidden = 0;
  int intermediate = 0;
  int n_layers = 0;
  int n_heads = 0;
  int vocab_size = 0;
  int max_positions = 0;
  int type_vocab_size = 0;
  float norm_eps = 1e-12f;
  // Sentence-transformers head: "mean" pooling (+ L2 normalize), or "" for
  // none, in which case the output is the last hidden state [B, S, D].
  std::string pooling = "mean";
  bool normalize = true;
};

// BERT encoder (post-LayerNorm, erf GELU, padding mask). Graph input
// "token_ids" [B, S]; output "embeddings" [B, D] with pooling, else
// "last_hidden_state" [B, S, D].
void build_bert(ModelBuilder& mb, const BertConfig& c, const WeightFn& weight);

struct Gpt2Config {
  int dim = 0;            // n_embd
  int n_layers = 0;
  int n_heads = 0;
  int inner = 0;          // n_inner, 4 * dim by default
  int vocab_size = 0;
  int max_positions = 0;  // n_positions
  float norm_eps = 1e-5f;
  bool tanh_gelu = true;  // activation_function "gelu_new" (else exact "gelu")
};

// GPT-2 decoder: learned positions, pre-LayerNorm blocks, biases, GELU,
// causal attention with a KV cache, tied LM head unless the source has
// lm_head.weight. Canonical names (weights already [out, in]):
//   wte.weight, wpe.weight, h.N.ln_1.{weight,bias}, h.N.attn.{q,k,v}.{weight,bias},
//   h.N.attn.c_proj.{weight,bias}, h.N.ln_2.{weight,bias}, h.N.mlp.c_fc.{weight,bias},
//   h.N.mlp.c_proj.{weight,bias}, ln_f.{weight,bias}, lm_head.weight (optional).
void build_gpt2(ModelBuilder& mb, const Gpt2Config& c, const WeightFn& weight, const WeightExistsFn& exists);

struct WhisperConfig {
  int dim = 0;             // d_model (384 for tiny)
  int n_heads = 0;
  int encoder_layers = 0;
  int decoder_layers = 0;
  int ffn = 0;             // 4 * dim
  int n_mels = 0;          // 80
  int n_frames = 0;        // mel frames per window (3000); the encoder sees n_frames / 2 positions
  int text_positions = 0;  // decoder positions (448)
  int vocab_size = 0;
  float norm_eps = 1e-5f;
};

// Whisper encoder-decoder, two methods:
//   "encode"  mel [B, n_frames, n_mels] -> encoder_states [B, n_frames / 2, dim]
//             conv1 (k3, pad 1) + GELU, conv2 (k3, stride 2, pad 1) + GELU (each
//             Im2Col + FullyConnected), + sinusoidal positions, pre-LN blocks
//             (attention without mask), final LayerNorm.
//   "decode"  token_ids [B, S] and encoder_states (a sequence input) ->
//             logits [B, OutSeq, vocab]: token + learned positions, pre-LN
//             blocks of causal self-attention (KV cache), cross-attention
//             (its K/V projections of encoder_states run once per sequence),
//             FFN; final LayerNorm; logits = h . embeddingsᵀ (tied).
// Canonical names are CTranslate2's WhisperSpec variables
// (encoder/conv1/weight, decoder/layer_0/attention/linear_1/weight, ...):
// linear weights [out, in]; convolution weights [out, in, kernel] as PyTorch;
// fused projections (self_attention/linear_0 = q|k|v, attention/linear_1 =
// k|v) are split here.
void build_whisper(ModelBuilder& mb, const WhisperConfig& c, const WeightFn& weight);

struct MarianConfig {
  int dim = 0;             // dim-emb (256 for Bergamot "tiny")
  int n_heads = 0;         // transformer-heads
  int ffn = 0;             // transformer-dim-ffn
  int encoder_layers = 0;  // enc-depth
  int decoder_layers = 0;  // dec-depth
  int vocab_size = 0;      // shared source/target vocabulary (tied-embeddings-all)
  int max_positions = 0;   // rows of the precomputed sinusoidal position table
  float norm_eps = 1e-6f;  // Marian's layerNorm(x, prefix) epsilon
};

// Where a Marian graph's weights come from (import_marian.cc): the file's
// int8 values with their multipliers, or the same dequantized to f32.
class MarianWeights {
 public:
  virtual ~MarianWeights() = default;
  // Adds Marian matrix `name` as a [rows, cols] constant in the runtime's
  // layout ([out, in] for a linear layer; [vocab, dim] for Wemb) and returns
  // its tensor index.
  virtual int matrix(ModelBuilder& mb, const std::string& name, int64_t rows, int64_t cols) = 0;
  // The static activation multiplier of the FullyConnected reading weight
  // `name` (its `<name>_QuantMultA`), or 0 when weights are f32.
  virtual float activation_multiplier(const std::string& name) = 0;
  // A float32 vector (bias, LayerNorm scale) of n values.
  virtual std::vector<float> vector(const std::string& name, int64_t n) = 0;
};

// Marian transformer encoder + SSRU decoder (Bergamot students), two methods:
//   "encode"  token_ids [B, S] -> encoder_states [B, S, dim]:
//             Wemb[ids] * sqrt(dim) + sinusoidal positions, then post-norm
//             ("dan") blocks: x = LN(x + SelfAttention(x)) (padding mask),
//             x = LN(x + W2 relu(W1 x)).
//   "decode"  token_ids [B, S], encoder_states [B, SourceSeq, dim] (a
//             sequence input) and selection [Selection] (i32 output ids) ->
//             logits [B, OutSeq, Selection]: (Wemb[id] or zeros for the
//             start id = vocab_size) * sqrt(dim) + positions, then per layer
//             x = LN(x + SSRU(W x, Wf x + bf)), x = LN(x + CrossAttention(x)),
//             x = LN(x + FFN(x)); logits = x . Wemb[selection]ᵀ + b[selection].
// Names are Marian's (encoder_l1_self_Wq, decoder_l2_rnn_Wf, Wemb, ...).
void build_marian(ModelBuilder& mb, const MarianConfig& c, MarianWeights& weights);

}  // namespace edgeattn::convert
