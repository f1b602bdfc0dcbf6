// Model: a verified, read-only .eatn file, shared by any number of Sessions.
//
// Loading maps the file (or borrows a caller's buffer), verifies it
// completely — the FlatBuffer, every data segment, every tensor index and
// every op's shapes — and builds small per-tensor views. Weights are used in
// place: a constant tensor's data() points into the mapping. Nothing in a
// Model changes after load, so Sessions on different threads may share one.
//
// Example:
//   Result<std::unique_ptr<Model>> model = Model::load_file("minilm.eatn");
//   if (!model.is_ok()) { fprintf(stderr, "%s\n", model.status().message()); return 1; }
//   const ModelInfo& info = (*model)->info();
//   printf("%s: %zu tensors, %zu weight bytes\n", architecture_name(info.architecture), info.tensor_count,
//          info.weight_bytes);
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "runtime/core/fallible_vector.h"
#include "runtime/core/span.h"
#include "runtime/core/status.h"
#include "runtime/model_info.h"
#include "runtime/tensor.h"
#include "runtime/tokenizer/tokenizer.h"

namespace edgeattn {

namespace fb {
struct Model;  // the generated FlatBuffers type: private, see runtime/model_internal.h
}  // namespace fb
class Model;
namespace internal {
const fb::Model& flatbuffer_of(const Model& model);
}  // namespace internal

// Format version this runtime reads: files with another major are refused.
constexpr uint32_t kFormatMajor = 1;
// 1: ByteLevelBpe tokenizers (merges, add_prefix_space), GeluOptions.
// 2: FullyConnectedOptions.input_scale/output_scale (int8-static).
// 3: encoder-decoders (methods, sequence inputs, Im2Col, audio, decoding).
// 4: translation models: SourceSeq/Selection dims, Ssru, static activation
//    multipliers, Embedding zero_id, SentencePiece unigram, lexical shortlist.
// 5: image ops (Conv2D, Pool2D, ..., Height / Width dims), CtcCharacters.
// 6: Model.image (ImagePreprocess): an image model's input preprocessing;
//    vision attention ops (Slice, SpatialAttention, BranchAttention,
//    AttentionGate, ChannelAttention.max_pool), Concat of batch-broadcast
//    constants, float inputs with a fixed dim 0.
// 7: Tensor.layout (F32Panels16: FullyConnected weights packed at convert
//    time, used in place).
// 8: Tokenizer.pre_tokenizer, add_bos, chat_template (GGUF "gpt2" byte-level
//    BPE vocabularies: SmolLM2, Llama 3, Qwen2).
// 9: DType I4Blocks / I8Blocks (ggml's Q4_1 / Q8_0 blocks, used in place)
//    for FullyConnected weights and Embedding token tables.
constexpr uint32_t kFormatMinor = 9;
// Every data segment starts at a multiple of this many bytes.
constexpr uint64_t kSegmentAlignment = 64;

class Model {
 public:
  // Maps `path` read-only and verifies it.
  static Result<std::unique_ptr<Model>> load_file(const char* path);
  // Verifies a model held by the caller. `data` must stay valid and unchanged
  // for the lifetime of the Model and be at least 8-byte aligned (64 for
  // weights to be used at full speed).
  static Result<std::unique_ptr<Model>> load_buffer(const void* data, size_t size);

  ~Model();
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  // What the model is: architecture, task, sizes, tokenizer, methods.
  const ModelInfo& info() const { return info_; }
  size_t file_size() const { return size_; }

  size_t tensor_count() const { return tensors_.size(); }
  const TensorInfo& tensor(size_t i) const { return tensors_[i]; }
  // Index of the tensor called `name`, or -1.
  int find_tensor(std::string_view name) const;

  // Bytes of all constant tensors (the weights), as stored.
  size_t weight_bytes() const { return weight_bytes_; }

  // An autoregressive LM (LlamaDecoder, Gpt2Decoder): run it with a
  // Generator or decode step by step; false for encoders.
  bool is_decoder() const { return info_.task == Task::kTextGeneration; }

  // The tokenizer stored in the model, or nullptr if it has none.
  const Tokenizer* tokenizer() const { return tokenizer_.get(); }

 private:
  Model() = default;
  static Result<std::unique_ptr<Model>> finish_load(std::unique_ptr<Model> model);
  Status fill_info();
  friend const fb::Model& internal::flatbuffer_of(const Model& model);

  // Exactly one of these owns or borrows the bytes.
  void* mapping_ = nullptr;  // from mmap, unmapped in ~Model
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;

  const fb::Model* fb_ = nullptr;  // points into data_
  Vector<TensorInfo> tensors_;  // [tensor_count]
  size_t weight_bytes_ = 0;
  ModelInfo info_;                // its spans point at the two below
  Vector<MethodInfo> methods_;    // [graphs]
  Vector<TensorInfo> method_io_;  // [sum of graph inputs + outputs], copies of tensors_ entries
  // Piece and merge views point into data_; the Tokenizer must not outlive
  // this Model.
  Vector<std::string_view> pieces_;  // [vocab]
  Vector<std::string_view> merges_;  // [merges]
  Vector<std::string_view> labels_;  // [image labels], into data_
  std::unique_ptr<Tokenizer> tokenizer_;
};

}  // namespace edgeattn
