// Tiny synthetic models, built in memory for runtime tests (and fuzz seeds).
//
// tiny_llama_bytes() / tiny_bert_bytes() run the converter's own graph
// builders (converter/graphs.h) with deterministic pseudo-random weights and
// a small tokenizer, and return a complete .eatn file. The defaults:
//   Llama: dim 16, 2 layers, 4 heads / 2 kv heads (head_dim 4), FFN 32,
//          RoPE, KV cache; SentencePiece BPE tokenizer of 272 pieces
//          (<unk> <s> </s>, all 256 <0xNN> byte pieces, a few merges),
//          byte_fallback. The model's vocab equals the tokenizer's, so every
//          id the tokenizer produces is a valid embedding row.
//   BERT:  hidden 16, 2 layers, 4 heads, FFN 32, 32 max positions, mean
//          pooling + L2 normalize; WordPiece vocab of 32 ([PAD] [UNK] [CLS]
//          [SEP] [MASK] and some words / ##pieces).
//
// A ModelMutator is applied to the flatbuffers object model just before
// serialization, so tests can corrupt fields structurally (an op input, an
// option, the format version...). Note that serialization places the data
// segments itself: Tensor.data and Model.segments_end set by a mutator are
// overwritten. To corrupt a segment, patch the bytes afterwards
// (find_data_segment() gives its address in the file).
//
// Example:
//   std::vector<uint8_t> bytes = tiny_llama_bytes([](fb::ModelT& m) { m.format_major = 7; });
//   AlignedBuffer buf(bytes);
//   auto model = Model::load_buffer(buf.data(), buf.size());   // kInvalidModel
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "converter/graphs.h"
#include "schema/edgeattn_generated.h"

namespace edgeattn::testing {

using ModelMutator = std::function<void(fb::ModelT&)>;

// Default hyper-parameters of the tiny models (see the file comment).
convert::LlamaConfig tiny_llama_config();
convert::BertConfig tiny_bert_config();

// Vocabularies of the tiny tokenizers (the model vocab is their size).
std::vector<std::string> tiny_spm_pieces();        // 272 pieces
std::vector<std::string> tiny_wordpiece_vocab();   // 32 pieces

// Complete .eatn files. `mutate` (may be empty) runs on the object model
// right before serialization.
std::vector<uint8_t> tiny_llama_bytes(const ModelMutator& mutate = nullptr);
std::vector<uint8_t> tiny_llama_bytes(const convert::LlamaConfig& config, const ModelMutator& mutate,
                                      bool with_tokenizer = true);
std::vector<uint8_t> tiny_bert_bytes(const ModelMutator& mutate = nullptr);
// tiny_bert_bytes() converted with --f32-layout panels (pack_f32_weights:
// its 12 FullyConnected weights packed), then `mutate`.
std::vector<uint8_t> tiny_bert_packed_bytes(const ModelMutator& mutate = nullptr);
// Whisper-style encoder-decoder (build_whisper): dim 16, 4 heads, 2 encoder
// and 2 decoder layers, FFN 32, 8 mels x 12 frames (6 encoder positions),
// 16 decoder positions, vocab 40; an audio frontend (n_fft 16, hop 8,
// filters from tiny_weight) and a decoding config (start 1, eos 0). No
// tokenizer: for session-level tests.
convert::WhisperConfig tiny_whisper_config();
std::vector<uint8_t> tiny_whisper_bytes(const ModelMutator& mutate = nullptr);
std::vector<uint8_t> tiny_bert_bytes(const convert::BertConfig& config, const ModelMutator& mutate,
                                     bool with_tokenizer = true);

// Deterministic weights: uniform in [-scale, scale] from a hash of the name;
// 1-D tensors whose name ends in "norm.weight" / "LayerNorm.weight" are near 1.
std::vector<float> tiny_weight(const std::string& name, const std::vector<int64_t>& shape);

// Index of the tensor / op called `name` in the object model; throws
// std::runtime_error if absent (a test bug, not a model bug).
int tensor_index(const fb::ModelT& m, const std::string& name);
fb::OpT& op_named(fb::ModelT& m, const std::string& name);

// Byte offset, inside `file`, of tensor `index`'s DataSegment struct
// ({uint64 offset, uint64 size}, little-endian), so tests can patch it.
// Throws std::runtime_error if the file does not parse or the tensor has no data.
size_t find_data_segment(const std::vector<uint8_t>& file, int index);
// Overwrites that struct.
void patch_data_segment(std::vector<uint8_t>* file, int index, uint64_t offset, uint64_t size);

// A 64-byte aligned, owned copy of some bytes (Model::load_buffer wants
// alignment; std::vector gives none). Never empty-allocated: data() is
// non-null even for size 0.
class AlignedBuffer {
 public:
  AlignedBuffer() : AlignedBuffer(nullptr, 0) {}
  AlignedBuffer(const uint8_t* data, size_t size);
  explicit AlignedBuffer(const std::vector<uint8_t>& bytes) : AlignedBuffer(bytes.data(), bytes.size()) {}
  ~AlignedBuffer();
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;

  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace edgeattn::testing
