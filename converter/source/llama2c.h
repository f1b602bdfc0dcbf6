// Readers for Andrej Karpathy's llama2.c legacy files: the model checkpoint
// (.bin) and the tokenizer (tokenizer.bin).
//
// Checkpoint layout (little-endian): 7 int32 header fields {dim, hidden_dim,
// n_layers, n_heads, n_kv_heads, vocab_size, seq_len} (a NEGATIVE
// vocab_size means the classifier is not shared with the token embedding
// and wcls[vocab][dim] follows at the end), then float32 arrays:
//   token_embedding[vocab][dim], rms_att[L][dim], wq[L][dim][dim],
//   wk[L][kv_dim][dim], wv[L][kv_dim][dim], wo[L][dim][dim], rms_ffn[L][dim],
//   w1[L][hidden][dim], w2[L][dim][hidden], w3[L][hidden][dim],
//   rms_final[dim], freq_cis_real[seq_len][head_size/2],
//   freq_cis_imag[seq_len][head_size/2], (wcls[vocab][dim]).
// The file size must equal this layout EXACTLY: a shorter file is
// truncated, and a longer one is rejected too, because trailing bytes mean
// the header does not describe the file (e.g. a newer export version) and
// guessing would silently load garbage weights.
//
// Tensors are exposed under GGUF names with row-major [out, in] shapes:
// token_embd.weight [vocab, dim], blk.N.attn_q.weight [dim, dim],
// blk.N.attn_k/attn_v.weight [kv_dim, dim], blk.N.attn_output.weight,
// blk.N.attn_norm.weight [dim], blk.N.ffn_gate.weight (w1) [hidden, dim],
// blk.N.ffn_down.weight (w2) [dim, hidden], blk.N.ffn_up.weight (w3),
// blk.N.ffn_norm.weight, output_norm.weight, and output.weight only when the
// classifier is unshared. q/k rows keep llama2.c's interleaved-pair RoPE
// order (the same as GGUF's; HF folders use a permuted order, see
// rope_permutation.h).
//
// Example:
//   Llama2cCheckpoint ckpt = Llama2cCheckpoint::open("stories260K.bin");
//   const Llama2cConfig& c = ckpt.config();           // dim 64, 5 layers ...
//   const SourceTensor& wq = ckpt.tensor("blk.0.attn_q.weight");   // [64, 64]
//   Llama2cTokenizerFile tok = Llama2cTokenizerFile::open("tok512.bin", c.vocab_size);
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "converter/source/convert_error.h"
#include "converter/source/mapped_file.h"
#include "converter/source/source_tensor.h"

namespace edgeattn::convert {

struct Llama2cConfig {
  int32_t dim = 0;
  int32_t hidden_dim = 0;
  int32_t n_layers = 0;
  int32_t n_heads = 0;
  int32_t n_kv_heads = 0;
  int32_t vocab_size = 0;          // always positive here (|header value|)
  int32_t seq_len = 0;
  bool shared_classifier = true;   // header vocab_size > 0

  int32_t head_size() const { return dim / n_heads; }
  int32_t kv_dim() const { return head_size() * n_kv_heads; }
};

class Llama2cCheckpoint {
 public:
  static constexpr size_t kHeaderBytes = 7 * sizeof(int32_t);

  // Maps and validates `path`: positive dims, n_heads divides dim with an
  // even head size, n_kv_heads divides n_heads, and file size == expected
  // size exactly. Throws ConvertError naming the path otherwise.
  static Llama2cCheckpoint open(const std::string& path);

  // Expected file size in bytes for `config`, or 0 if it overflows.
  static uint64_t expected_file_size(const Llama2cConfig& config);

  const Llama2cConfig& config() const { return config_; }
  const std::string& path() const { return file_.path(); }
  // All weight tensors in file order (output.weight last, if unshared).
  const std::vector<SourceTensor>& tensors() const { return tensors_; }
  const SourceTensor* find(const std::string& name) const;
  // Like find(), but throws ConvertError naming the file if missing.
  const SourceTensor& tensor(const std::string& name) const;
  // The precomputed RoPE tables [seq_len, head_size/2] (not model weights;
  // runtimes recompute them, but they document the convention).
  const SourceTensor& freq_cis_real() const { return freq_cis_real_; }
  const SourceTensor& freq_cis_imag() const { return freq_cis_imag_; }

 private:
  MappedFile file_;
  Llama2cConfig config_;
  std::vector<SourceTensor> tensors_;
  std::unordered_map<std::string, size_t> index_;
  SourceTensor freq_cis_real_;
  SourceTensor freq_cis_imag_;
};

class Llama2cTokenizerFile {
 public:
  // Reads `path` with exactly `vocab_size` records (the checkpoint's vocab
  // size). Validates every length against the bytes left and rejects
  // negative lengths and trailing bytes. Throws ConvertError naming the path
  // and the byte offset / token id at fault.
  static Llama2cTokenizerFile open(const std::string& path, int32_t vocab_size);

  int32_t max_token_length() const { return max_token_length_; }
  const std::vector<std::string>& pieces() const { return pieces_; }
  const std::vector<float>& scores() const { return scores_; }
  size_t size() const { return pieces_.size(); }

 private:
  int32_t max_token_length_ = 0;
  std::vector<std::string> pieces_;
  std::vector<float> scores_;
};

}  // namespace edgeattn::convert
