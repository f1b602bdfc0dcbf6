// Tensor metadata and views.
//
// TensorInfo describes one tensor of a Model as verified at load: its dtype,
// its shape (constants) or symbolic dims (activations), and, for constants,
// a pointer to its bytes inside the model mapping. TensorView is what a
// session hands out: a pointer and a concrete shape, valid until the next
// invoke().
//
// Example:
//   const TensorView& logits = session.output(0);   // [batch, out_seq, vocab]
//   const float* row = logits.f32() + b * logits.dim(1) * logits.dim(2);
#pragma once

#include <cstddef>
#include <cstdint>

namespace edgeattn {

constexpr int kMaxRank = 6;

// kI4Blocks / kI8Blocks (format 1.9): constants only, ggml's Q4_1 / Q8_0
// blocks of 32 values along the last dim (runtime/core/weight_blocks.h).
enum class DType : uint8_t { kF32 = 0, kF16 = 1, kI8 = 2, kI32 = 3, kU8 = 4, kI4Blocks = 5, kI8Blocks = 6 };

// A constant's byte layout (schema TensorLayout). kF32Panels16: an f32
// FullyConnected weight [N, K] in f32_gemm_pack's panels (kernels.h).
enum class TensorLayout : uint8_t { kRowMajor = 0, kF32Panels16 = 1 };

// Bytes per element, and the lowercase name ("f32", "f16", "i8", "i32",
// "u8"); defined in tensor.cc.
// Bytes per element; 0 for the block dtypes (see block_dtype_row_bytes).
size_t dtype_size(DType dtype);
// Bytes of a row of `k` values of a block dtype (k a multiple of 32); 0 for
// the other dtypes.
size_t block_dtype_row_bytes(DType dtype, size_t k);
const char* dtype_name(DType dtype);

// Symbolic dimension of an activation; resolved per invoke.
// kSourceSeq: the length of the method's sequence inputs (e.g. a source
// sentence's encoder states), fixed for a sequence. kSelection: entries of
// the method's selection input (ids of the output rows to compute).
// kHeight / kWidth: the image's height / width divided by `value` (exact:
// the session takes image sizes that are multiples of every divisor).
enum class DimKind : uint8_t {
  kFixed = 0, kBatch = 1, kSeq = 2, kOutSeq = 3, kSourceSeq = 4, kSelection = 5, kHeight = 6, kWidth = 7
};

struct DimSpec {
  DimKind kind = DimKind::kFixed;
  int64_t value = 0;  // kFixed: the size; kHeight / kWidth: the divisor (>= 1)
};

// Values of the symbolic dims for one invoke (or their maxima at prepare).
struct DimValues {
  int64_t batch = 1;
  int64_t seq = 1;
  int64_t out_seq = 1;
  int64_t source = 1;     // kSourceSeq
  int64_t selection = 1;  // kSelection
  int64_t height = 1;     // kHeight: the image's, before division
  int64_t width = 1;      // kWidth

  int64_t resolve(const DimSpec& d) const {
    switch (d.kind) {
      case DimKind::kFixed: return d.value;
      case DimKind::kBatch: return batch;
      case DimKind::kSeq: return seq;
      case DimKind::kOutSeq: return out_seq;
      case DimKind::kSourceSeq: return source;
      case DimKind::kSelection: return selection;
      case DimKind::kHeight: return height / d.value;
      case DimKind::kWidth: return width / d.value;
    }
    return 0;
  }
};

struct TensorInfo {
  const char* name = "";  // points into the model file
  DType dtype = DType::kF32;
  int rank = 0;
  // Constants: shape[i] is exact. Activations: dims[i] is symbolic.
  int64_t shape[kMaxRank] = {0};
  DimSpec dims[kMaxRank];
  bool is_constant = false;
  const void* data = nullptr;  // constants only; inside the Model's bytes
  size_t bytes = 0;            // constants only
  TensorLayout layout = TensorLayout::kRowMajor;  // constants only
  // Quantization (int8 constants): per-tensor when axis < 0.
  const float* scales = nullptr;
  size_t scale_count = 0;
  int quant_axis = -1;

  int64_t element_count(const DimValues& v) const {
    int64_t n = 1;
    for (int i = 0; i < rank; ++i) n *= is_constant ? shape[i] : v.resolve(dims[i]);
    return n;
  }
  int64_t dim(int i, const DimValues& v) const { return is_constant ? shape[i] : v.resolve(dims[i]); }
};

struct TensorView {
  DType dtype = DType::kF32;
  int rank = 0;
  int64_t shape[kMaxRank] = {0};
  void* data = nullptr;

  int64_t dim(int i) const { return shape[i]; }
  int64_t element_count() const {
    int64_t n = 1;
    for (int i = 0; i < rank; ++i) n *= shape[i];
    return n;
  }
  const float* f32() const { return static_cast<const float*>(data); }
  float* mutable_f32() const { return static_cast<float*>(data); }
};

}  // namespace edgeattn
