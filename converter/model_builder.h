// ModelBuilder: the converter's in-memory .eatn model, and its writer.
//
// Importers (HF, GGUF, llama2.c) add constants (weights, copied in), symbolic
// activations and ops; write() serializes the FlatBuffer header followed by
// the weights in 64-byte aligned segments (schema/README.md).
//
// Example:
//   ModelBuilder mb;
//   int w = mb.add_constant_f32("wq", {64, 64}, weights);
//   int x = mb.add_activation("x", {batch(), seq(), fixed(64)});
//   int y = mb.add_activation("q", {batch(), seq(), fixed(64)});
//   mb.add_op(fb::OpCode::FullyConnected, {x, w, -1}, {y}, "layer.0.q");
//   mb.write("model.eatn");
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "schema/edgeattn_generated.h"

namespace edgeattn::convert {

inline fb::Dim batch() { return fb::Dim(fb::DimKind::Batch, 0); }
inline fb::Dim seq() { return fb::Dim(fb::DimKind::Seq, 0); }
inline fb::Dim out_seq() { return fb::Dim(fb::DimKind::OutSeq, 0); }
inline fb::Dim fixed(int64_t v) { return fb::Dim(fb::DimKind::Fixed, v); }

class ModelBuilder {
 public:
  ModelBuilder();
  // Deep copy (weights included), e.g. to quantize one copy several ways.
  ModelBuilder(const ModelBuilder& other);
  ModelBuilder& operator=(const ModelBuilder&) = delete;

  fb::ModelT& model() { return *model_; }
  const fb::ModelT& model() const { return *model_; }
  fb::HyperParametersT& hparams() { return *model_->hparams; }

  // Copies `data` (row-major, shape slowest-first). Returns the tensor index.
  int add_constant_f32(const std::string& name, const std::vector<int64_t>& shape, std::vector<float> data);
  // int8 [rows, cols] with one scale per row (Quantization axis 0): value =
  // q * scales[row]. For weights that come quantized (Marian's intgemm8).
  int add_constant_i8(const std::string& name, const std::vector<int64_t>& shape, std::vector<int8_t> q,
                      std::vector<float> scales);
  int add_activation(const std::string& name, const std::vector<fb::Dim>& dims, fb::DType dtype = fb::DType::F32);

  // Options: pass a filled *OptionsT (or nothing).
  template <typename OptionsT>
  void add_op(fb::OpCode code, std::vector<int32_t> inputs, std::vector<int32_t> outputs, const std::string& name,
              OptionsT options) {
    auto op = make_op(code, std::move(inputs), std::move(outputs), name);
    op->options.Set(std::move(options));
    graph_->ops.push_back(std::move(op));
  }
  void add_op(fb::OpCode code, std::vector<int32_t> inputs, std::vector<int32_t> outputs, const std::string& name) {
    graph_->ops.push_back(make_op(code, std::move(inputs), std::move(outputs), name));
  }

  // Float data of constant `tensor` (f32 as added); throws if it is not f32.
  std::vector<float> constant_f32(int tensor) const;
  // Replaces constant `tensor`'s bytes, dtype and quantization (the shape stays).
  void replace_constant(int tensor, fb::DType dtype, std::vector<uint8_t> bytes,
                        std::unique_ptr<fb::QuantizationT> quantization);

  // Block-quantized bytes a source file stored constant `tensor` in
  // (I4Blocks / I8Blocks, runtime/core/weight_blocks.h; e.g. a GGUF Q4_1
  // weight), kept beside its f32 values so `--dtype int4` writes them
  // unchanged instead of quantizing the floats again.
  struct NativeBlocks {
    fb::DType dtype = fb::DType::I4Blocks;
    std::vector<uint8_t> bytes;
  };
  void set_native_blocks(int tensor, NativeBlocks blocks);
  // nullptr when the source stored `tensor` otherwise.
  const NativeBlocks* native_blocks(int tensor) const;

  // Starts method `name` (an encoder-decoder has "encode" and "decode"):
  // later add_op, set_graph_io and set_sequence_inputs apply to it. The
  // first call names the initial method (else "forward") instead.
  void begin_method(const std::string& name);
  void set_graph_io(std::vector<int32_t> inputs, std::vector<int32_t> outputs);
  // Inputs of the current method given once per sequence (schema Graph.sequence_inputs).
  void set_sequence_inputs(std::vector<int32_t> inputs) { graph_->sequence_inputs = std::move(inputs); }
  int find_tensor(const std::string& name) const;
  const std::vector<int64_t>& shape(int tensor) const;

  // Serializes to `path`. Throws ConvertError on I/O failure.
  void write(const std::string& path) const;
  // Serializes to memory (tests).
  std::vector<uint8_t> serialize() const;

  size_t weight_bytes() const;

 private:
  std::unique_ptr<fb::OpT> make_op(fb::OpCode code, std::vector<int32_t> inputs, std::vector<int32_t> outputs,
                                   const std::string& name);

  std::unique_ptr<fb::ModelT> model_;
  fb::GraphT* graph_;                         // the method being built, inside model_
  size_t graph_index_ = 0;                    // its index in model_->graphs
  bool method_named_ = false;                 // begin_method() was called
  std::vector<std::vector<uint8_t>> data_;    // [tensor] bytes of constants, empty for activations
  std::map<int, NativeBlocks> native_blocks_; // by tensor index
};

}  // namespace edgeattn::convert
