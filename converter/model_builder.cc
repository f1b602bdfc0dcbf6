#include "converter/model_builder.h"

#include <cstdio>
#include <cstring>

#include "converter/source/convert_error.h"
#include "runtime/model.h"

namespace edgeattn::convert {

ModelBuilder::ModelBuilder() : model_(std::make_unique<fb::ModelT>()) {
  model_->format_major = kFormatMajor;
  model_->format_minor = kFormatMinor;
  model_->hparams = std::make_unique<fb::HyperParametersT>();
  auto graph = std::make_unique<fb::GraphT>();
  graph->name = "forward";
  graph_ = graph.get();
  model_->graphs.push_back(std::move(graph));
}

ModelBuilder::ModelBuilder(const ModelBuilder& other)
    : model_(std::make_unique<fb::ModelT>(*other.model_)),
      graph_(model_->graphs.at(other.graph_index_).get()),
      graph_index_(other.graph_index_),
      method_named_(other.method_named_),
      data_(other.data_),
      native_blocks_(other.native_blocks_) {}

void ModelBuilder::set_native_blocks(int tensor, NativeBlocks blocks) {
  native_blocks_[tensor] = std::move(blocks);
}

const ModelBuilder::NativeBlocks* ModelBuilder::native_blocks(int tensor) const {
  const auto it = native_blocks_.find(tensor);
  return it != native_blocks_.end() ? &it->second : nullptr;
}

void ModelBuilder::begin_method(const std::string& name) {
  for (const auto& g : model_->graphs) {
    if (g->name == name && method_named_) throw ConvertError("internal: method '" + name + "' begun twice");
  }
  if (!method_named_) {
    graph_->name = name;
    method_named_ = true;
    return;
  }
  auto graph = std::make_unique<fb::GraphT>();
  graph->name = name;
  graph_ = graph.get();
  model_->graphs.push_back(std::move(graph));
  graph_index_ = model_->graphs.size() - 1;
}

int ModelBuilder::add_constant_f32(const std::string& name, const std::vector<int64_t>& shape,
                                   std::vector<float> data) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  if (static_cast<size_t>(n) != data.size()) {
    throw ConvertError("tensor '" + name + "': " + std::to_string(data.size()) + " values for a shape of " +
                       std::to_string(n));
  }
  auto t = std::make_unique<fb::TensorT>();
  t->name = name;
  t->dtype = fb::DType::F32;
  t->shape = shape;
  t->has_data = true;
  t->data = std::make_unique<fb::DataSegment>(0, data.size() * sizeof(float));
  std::vector<uint8_t> bytes(data.size() * sizeof(float));
  std::memcpy(bytes.data(), data.data(), bytes.size());
  model_->tensors.push_back(std::move(t));
  data_.push_back(std::move(bytes));
  return static_cast<int>(model_->tensors.size() - 1);
}

int ModelBuilder::add_constant_i8(const std::string& name, const std::vector<int64_t>& shape, std::vector<int8_t> q,
                                  std::vector<float> scales) {
  if (shape.size() != 2 || static_cast<size_t>(shape[0] * shape[1]) != q.size() ||
      scales.size() != static_cast<size_t>(shape[0])) {
    throw ConvertError("tensor '" + name + "': int8 values or scales do not match its [rows, cols] shape");
  }
  auto t = std::make_unique<fb::TensorT>();
  t->name = name;
  t->dtype = fb::DType::I8;
  t->shape = shape;
  t->has_data = true;
  t->data = std::make_unique<fb::DataSegment>(0, q.size());
  t->quantization = std::make_unique<fb::QuantizationT>();
  t->quantization->scale = std::move(scales);
  t->quantization->axis = 0;
  std::vector<uint8_t> bytes(q.size());
  std::memcpy(bytes.data(), q.data(), q.size());
  model_->tensors.push_back(std::move(t));
  data_.push_back(std::move(bytes));
  return static_cast<int>(model_->tensors.size() - 1);
}

int ModelBuilder::add_activation(const std::string& name, const std::vector<fb::Dim>& dims, fb::DType dtype) {
  auto t = std::make_unique<fb::TensorT>();
  t->name = name;
  t->dtype = dtype;
  t->dims = dims;
  model_->tensors.push_back(std::move(t));
  data_.emplace_back();
  return static_cast<int>(model_->tensors.size() - 1);
}

std::unique_ptr<fb::OpT> ModelBuilder::make_op(fb::OpCode code, std::vector<int32_t> inputs,
                                               std::vector<int32_t> outputs, const std::string& name) {
  auto op = std::make_unique<fb::OpT>();
  op->code = code;
  op->inputs = std::move(inputs);
  op->outputs = std::move(outputs);
  op->name = name;
  return op;
}

std::vector<float> ModelBuilder::constant_f32(int tensor) const {
  const fb::TensorT& t = *model_->tensors.at(static_cast<size_t>(tensor));
  if (!t.has_data || t.dtype != fb::DType::F32) throw ConvertError("tensor '" + t.name + "' is not an f32 constant");
  const std::vector<uint8_t>& bytes = data_[static_cast<size_t>(tensor)];
  std::vector<float> out(bytes.size() / sizeof(float));
  std::memcpy(out.data(), bytes.data(), bytes.size());
  return out;
}

void ModelBuilder::replace_constant(int tensor, fb::DType dtype, std::vector<uint8_t> bytes,
                                    std::unique_ptr<fb::QuantizationT> quantization) {
  fb::TensorT& t = *model_->tensors.at(static_cast<size_t>(tensor));
  t.dtype = dtype;
  t.quantization = std::move(quantization);
  t.data = std::make_unique<fb::DataSegment>(0, bytes.size());
  data_[static_cast<size_t>(tensor)] = std::move(bytes);
  native_blocks_.erase(tensor);  // they held the values just replaced
}

void ModelBuilder::set_graph_io(std::vector<int32_t> inputs, std::vector<int32_t> outputs) {
  graph_->inputs = std::move(inputs);
  graph_->outputs = std::move(outputs);
}

int ModelBuilder::find_tensor(const std::string& name) const {
  for (size_t i = 0; i < model_->tensors.size(); ++i) {
    if (model_->tensors[i]->name == name) return static_cast<int>(i);
  }
  return -1;
}

const std::vector<int64_t>& ModelBuilder::shape(int tensor) const { return model_->tensors.at(tensor)->shape; }

size_t ModelBuilder::weight_bytes() const {
  size_t n = 0;
  for (const auto& d : data_) n += d.size();
  return n;
}

namespace {
uint64_t align_up(uint64_t v) { return (v + kSegmentAlignment - 1) / kSegmentAlignment * kSegmentAlignment; }
}  // namespace

std::vector<uint8_t> ModelBuilder::serialize() const {
  // The header's size does not depend on the segment offsets' values (they
  // are fixed-size structs), so: pack with placeholders, measure, place the
  // segments after the header, pack again and check the size held.
  fb::ModelT& m = *model_;
  auto pack = [&m](flatbuffers::FlatBufferBuilder* fbb) {
    fbb->Clear();
    fbb->FinishSizePrefixed(fb::Model::Pack(*fbb, &m), fb::ModelIdentifier());
  };
  auto place = [&](uint64_t start) {
    uint64_t offset = start;
    for (size_t i = 0; i < m.tensors.size(); ++i) {
      if (!m.tensors[i]->has_data) continue;
      m.tensors[i]->data = std::make_unique<fb::DataSegment>(offset, data_[i].size());
      offset = align_up(offset + data_[i].size());
    }
    m.segments_end = offset;
  };
  flatbuffers::FlatBufferBuilder fbb(1 << 20);
  place(kSegmentAlignment);  // non-zero placeholders keep every field present
  pack(&fbb);
  uint64_t header = fbb.GetSize();
  for (int attempt = 0; attempt < 4; ++attempt) {
    place(align_up(header));
    pack(&fbb);
    if (fbb.GetSize() == header) break;
    header = fbb.GetSize();
  }
  if (fbb.GetSize() != header) throw ConvertError("internal: model header size did not settle");
  std::vector<uint8_t> out(m.segments_end, 0);
  std::memcpy(out.data(), fbb.GetBufferPointer(), fbb.GetSize());
  for (size_t i = 0; i < m.tensors.size(); ++i) {
    if (!m.tensors[i]->has_data) continue;
    std::memcpy(out.data() + m.tensors[i]->data->offset(), data_[i].data(), data_[i].size());
  }
  return out;
}

void ModelBuilder::write(const std::string& path) const {
  std::vector<uint8_t> bytes = serialize();
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) throw ConvertError(path + ": cannot open for writing");
  size_t written = std::fwrite(bytes.data(), 1, bytes.size(), f);
  if (std::fclose(f) != 0 || written != bytes.size()) throw ConvertError(path + ": write failed");
}

}  // namespace edgeattn::convert
