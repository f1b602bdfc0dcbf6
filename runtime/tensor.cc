#include "runtime/tensor.h"

#include "runtime/core/weight_blocks.h"

namespace edgeattn {

size_t dtype_size(DType dtype) {
  switch (dtype) {
    case DType::kF32: return 4;
    case DType::kF16: return 2;
    case DType::kI8: return 1;
    case DType::kI32: return 4;
    case DType::kU8: return 1;
    case DType::kI4Blocks:
    case DType::kI8Blocks: return 0;
  }
  return 0;
}

size_t block_dtype_row_bytes(DType dtype, size_t k) {
  const size_t blocks = k / kWeightBlock;
  if (dtype == DType::kI4Blocks) return blocks * sizeof(I4Block);
  if (dtype == DType::kI8Blocks) return blocks * sizeof(I8Block);
  return 0;
}

const char* dtype_name(DType dtype) {
  switch (dtype) {
    case DType::kF32: return "f32";
    case DType::kF16: return "f16";
    case DType::kI8: return "i8";
    case DType::kI32: return "i32";
    case DType::kU8: return "u8";
    case DType::kI4Blocks: return "i4-blocks";
    case DType::kI8Blocks: return "i8-blocks";
  }
  return "?";
}

}  // namespace edgeattn
