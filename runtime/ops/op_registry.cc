#include "runtime/ops/op_registry.h"

#include <algorithm>
#include <cstdlib>

#include "runtime/model.h"
#include "schema/edgeattn_generated.h"

namespace edgeattn {

// Defined in the op files.
extern const OpRegistration kEmbeddingOp;
extern const OpRegistration kLayerNormOp;
extern const OpRegistration kRmsNormOp;
extern const OpRegistration kFullyConnectedOp;
extern const OpRegistration kAddOp;
extern const OpRegistration kGeluOp;
extern const OpRegistration kGatedUnitOp;
extern const OpRegistration kRopeOp;
extern const OpRegistration kAttentionOp;
extern const OpRegistration kMeanPoolOp;
extern const OpRegistration kL2NormalizeOp;
extern const OpRegistration kSelectTokensOp;
extern const OpRegistration kIm2ColOp;
extern const OpRegistration kSsruOp;
extern const OpRegistration kConv2DOp;
extern const OpRegistration kConvTranspose2DOp;
extern const OpRegistration kPool2DOp;
extern const OpRegistration kChannelAttentionOp;
extern const OpRegistration kMulOp;
extern const OpRegistration kPointwiseOp;
extern const OpRegistration kConcatOp;
extern const OpRegistration kSoftmaxOp;
extern const OpRegistration kTransposeOp;
extern const OpRegistration kReshapeOp;
extern const OpRegistration kResizeOp;
extern const OpRegistration kSliceOp;
extern const OpRegistration kSpatialAttentionOp;
extern const OpRegistration kBranchAttentionOp;
extern const OpRegistration kAttentionGateOp;

const OpRegistration* find_op(uint16_t code) {
  switch (static_cast<fb::OpCode>(code)) {
    case fb::OpCode::Embedding: return &kEmbeddingOp;
    case fb::OpCode::LayerNorm: return &kLayerNormOp;
    case fb::OpCode::RmsNorm: return &kRmsNormOp;
    case fb::OpCode::FullyConnected: return &kFullyConnectedOp;
    case fb::OpCode::Add: return &kAddOp;
    case fb::OpCode::Gelu: return &kGeluOp;
    case fb::OpCode::GatedUnit: return &kGatedUnitOp;
    case fb::OpCode::Rope: return &kRopeOp;
    case fb::OpCode::Attention: return &kAttentionOp;
    case fb::OpCode::MeanPool: return &kMeanPoolOp;
    case fb::OpCode::L2Normalize: return &kL2NormalizeOp;
    case fb::OpCode::SelectTokens: return &kSelectTokensOp;
    case fb::OpCode::Im2Col: return &kIm2ColOp;
    case fb::OpCode::Ssru: return &kSsruOp;
    // (format 1.5) images
    case fb::OpCode::Conv2D: return &kConv2DOp;
    case fb::OpCode::ConvTranspose2D: return &kConvTranspose2DOp;
    case fb::OpCode::Pool2D: return &kPool2DOp;
    case fb::OpCode::ChannelAttention: return &kChannelAttentionOp;
    case fb::OpCode::Mul: return &kMulOp;
    case fb::OpCode::Pointwise: return &kPointwiseOp;
    case fb::OpCode::Concat: return &kConcatOp;
    case fb::OpCode::Softmax: return &kSoftmaxOp;
    case fb::OpCode::Transpose: return &kTransposeOp;
    case fb::OpCode::Reshape: return &kReshapeOp;
    case fb::OpCode::Resize: return &kResizeOp;
    case fb::OpCode::Slice: return &kSliceOp;
    // (format 1.6) vision attention
    case fb::OpCode::SpatialAttention: return &kSpatialAttentionOp;
    case fb::OpCode::BranchAttention: return &kBranchAttentionOp;
    case fb::OpCode::AttentionGate: return &kAttentionGateOp;
  }
  return nullptr;
}

OpStatePool::~OpStatePool() {
  for (void* chunk : chunks_) std::free(chunk);
}

Result<void*> OpStatePool::allocate(size_t bytes) {
  constexpr size_t kAlign = alignof(std::max_align_t);
  bytes = (bytes + kAlign - 1) / kAlign * kAlign;
  if (chunks_.empty() || chunk_size_ - used_ < bytes) {
    const size_t size = std::max(bytes, kChunkBytes);  // a large state gets a chunk of its own
    EA_RETURN_IF_ERROR(chunks_.reserve(chunks_.size() + 1, "the op state pool"));
    void* chunk = std::calloc(1, size);
    EA_ENSURE(chunk != nullptr, StatusCode::kOutOfMemory, "out of memory allocating %zu bytes of op state", size);
    chunks_.try_push_back(chunk);  // reserved: cannot fail
    chunk_size_ = size;
    used_ = 0;
  }
  void* block = static_cast<uint8_t*>(chunks_.back()) + used_;
  used_ += bytes;
  return block;
}

namespace op_util {

int input(const fb::Op& op, size_t i) {
  return i < op.inputs()->size() ? op.inputs()->Get(static_cast<flatbuffers::uoffset_t>(i)) : -1;
}
int output(const fb::Op& op, size_t i) {
  return i < op.outputs()->size() ? op.outputs()->Get(static_cast<flatbuffers::uoffset_t>(i)) : -1;
}
size_t input_count(const fb::Op& op) { return op.inputs()->size(); }
uint64_t packed_weight_key(const fb::Op& op, bool with_bias) {
  return uint64_t{static_cast<uint32_t>(input(op, 1))} << 32 | static_cast<uint32_t>(with_bias ? input(op, 2) + 1 : 0);
}
size_t output_count(const fb::Op& op) { return op.outputs()->size(); }

int64_t dim(const Model& model, int index, int d, const DimValues& dims) {
  return model.tensor(index).dim(d, dims);
}

int64_t rows(const Model& model, int index, const DimValues& dims) {
  const TensorInfo& t = model.tensor(index);
  int64_t n = 1;
  for (int i = 0; i + 1 < t.rank; ++i) n *= t.dim(i, dims);
  return n;
}

int64_t fixed_last_dim(const Model& model, int index) {
  const TensorInfo& t = model.tensor(index);
  if (t.is_constant) return t.shape[t.rank - 1];
  const DimSpec& d = t.dims[t.rank - 1];
  return d.kind == DimKind::kFixed ? d.value : -1;
}

}  // namespace op_util
}  // namespace edgeattn
