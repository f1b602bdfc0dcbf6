// SourceTensor: the common in-memory view of one tensor of a trained
// checkpoint, whatever its file format (safetensors, GGUF, llama2.c).
//
// A SourceTensor does not own its bytes: `data` points into the reader's
// memory-mapped file and is valid while that reader object lives. The shape
// is row-major, slowest dimension first, as PyTorch prints it (a Linear
// weight is [out_features, in_features]); GGUF's fastest-first dims are
// reversed by the GGUF reader. `data` may be unaligned: read with memcpy or
// convert with to_f32().
//
// Example:
//   const SourceTensor* t = file.find("model.norm.weight");
//   if (t && t->dtype == SourceDType::kF16) {
//     std::vector<float> v = to_f32(*t);   // exact, software half->float (runtime/core/half.h)
//   }
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "converter/source/convert_error.h"
#include "runtime/core/half.h"

namespace edgeattn::convert {

// kQ4_0 .. kQ6_K: ggml's block-quantized formats (ggml_blocks.h), 32
// (256 for the K-quants) values of the last dim per block; GGUF files only.
enum class SourceDType {
  kF32, kF16, kBF16, kI8, kI32, kI64, kF64,
  kQ4_0, kQ4_1, kQ8_0, kQ5_0, kQ5_1, kQ4_K, kQ5_K, kQ6_K,
};

// Bytes per element; 0 for the block-quantized types (see tensor_bytes()).
size_t dtype_size(SourceDType dtype);

// "F32", "F16", "BF16", "I8", "I32", "I64", "F64" (safetensors spelling),
// "Q4_0", "Q4_1", "Q8_0", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K".
const char* dtype_name(SourceDType dtype);

struct SourceTensor {
  std::string name;
  SourceDType dtype = SourceDType::kF32;
  std::vector<int64_t> shape;  // row-major, slowest dim first, as PyTorch
  const uint8_t* data = nullptr;
  size_t nbytes = 0;
  std::string source;  // file the tensor came from, for error messages
};

// Number of elements of `shape`, or false if a dim is negative or the
// product (times `elem_size` bytes) overflows. A scalar (empty shape) has 1.
bool shape_numel(const std::vector<int64_t>& shape, size_t elem_size, uint64_t* numel,
                 uint64_t* nbytes);

// Element count and byte size of a tensor of `dtype` and `shape`: for the
// block-quantized types the last dim must be a multiple of 32 (256 for the
// K-quants). False when
// it is not, a dim is negative or the size overflows.
bool tensor_bytes(SourceDType dtype, const std::vector<int64_t>& shape, uint64_t* numel, uint64_t* nbytes);

// Element count of t.shape (the readers guarantee it does not overflow).
uint64_t numel(const SourceTensor& t);

// "[512, 64]".
std::string shape_to_string(const std::vector<int64_t>& shape);

// Converts F32/F16/BF16/F64 data to float, and dequantizes Q4_0/Q4_1/Q8_0
// blocks (exactly as ggml: ggml_blocks.h). Throws ConvertError (naming the
// source file and tensor) for integer dtypes or when nbytes does not match
// the shape.
std::vector<float> to_f32(const SourceTensor& t);

// Exact IEEE half -> float: the runtime's one definition
// (runtime/core/half.h, dependency-free), which documents its NaN behaviour
// (payload kept, made quiet).
using edgeattn::half_to_float;
// float -> IEEE half, round to nearest even; overflow gives inf, nan stays nan.
uint16_t float_to_half(float f);
// bfloat16 -> float is exact (the top 16 bits of a float).
float bf16_to_float(uint16_t b);
// float -> bfloat16, round to nearest even; nan stays nan.
uint16_t float_to_bf16(float f);

}  // namespace edgeattn::convert
