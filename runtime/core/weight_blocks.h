// Block-quantized weights (format 1.9): the byte layouts of the I4Blocks and
// I8Blocks tensor dtypes, which are exactly ggml's Q4_1 and Q8_0 blocks, so a
// GGUF file's quantized tensors are copied into a .eatn unchanged and used in
// place from the mmap.
//
// A weight W [n, k] (k a multiple of kWeightBlock, the fastest dim) is n rows
// of k / 32 blocks, little-endian, packed with no padding (2-byte aligned):
//   I4Block (20 bytes): binary16 d, binary16 m, 16 bytes of codes: byte j
//                       holds q[j] in its low nibble and q[j + 16] in its
//                       high one, q in [0, 15];          w[j] = d q[j] + m
//   I8Block (34 bytes): binary16 d, 32 int8 q;           w[j] = d q[j]
// ggml's Q4_0 (w = d (q - 8)) is an I4Block with m = -8 d, exact in binary16
// unless 8 |d| overflows it (the converter refuses those).
//
// The dequantized value is the product rounded once to float, then (I4) the
// sum with m rounded once: d q is exact in float (11 by 8 significant bits).
//
// Example:
//   const I4Block* row = static_cast<const I4Block*>(w.data) + c * (k / kWeightBlock);
//   float v[kWeightBlock];
//   dequantize_block(row[0], v);
#pragma once

#include <cstddef>
#include <cstdint>

#include "runtime/core/half.h"

namespace edgeattn {

constexpr size_t kWeightBlock = 32;  // values per block, along k

struct I4Block {
  uint16_t d;          // binary16 scale
  uint16_t m;          // binary16 offset (the block's minimum)
  uint8_t codes[16];   // [16]: q[j] | q[j + 16] << 4
};
static_assert(sizeof(I4Block) == 20, "I4Block must be ggml's 20-byte Q4_1 block");

struct I8Block {
  uint16_t d;          // binary16 scale
  int8_t q[32];        // [32]
};
static_assert(sizeof(I8Block) == 34, "I8Block must be ggml's 34-byte Q8_0 block");

// Code j (0..31) of an I4 block.
inline int i4_code(const I4Block& b, size_t j) {
  return j < 16 ? (b.codes[j] & 0x0F) : (b.codes[j - 16] >> 4);
}

// The 32 values of one block.
inline void dequantize_block(const I4Block& b, float* out) {
  const float d = half_to_float(b.d), m = half_to_float(b.m);
  for (size_t j = 0; j < kWeightBlock; ++j) {
    const float p = d * static_cast<float>(i4_code(b, j));  // exact
    out[j] = p + m;
  }
}
inline void dequantize_block(const I8Block& b, float* out) {
  const float d = half_to_float(b.d);
  for (size_t j = 0; j < kWeightBlock; ++j) out[j] = d * static_cast<float>(b.q[j]);
}

}  // namespace edgeattn
