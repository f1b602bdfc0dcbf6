// ggml's block-quantized tensor formats that edgeattn reads from GGUF files
// (llama.cpp's ggml-common.h defines them; written here from that layout):
// a row of K values (K a multiple of 32, the fastest dim) is K / 32 blocks,
// each little-endian:
//   Q4_0 (18 bytes): fp16 d, then 16 bytes: byte j holds q[j] in its low
//                    nibble and q[j + 16] in its high one;  x = d (q - 8)
//   Q4_1 (20 bytes): fp16 d, fp16 m, then the nibbles as Q4_0;  x = d q + m
//   Q8_0 (34 bytes): fp16 d, then 32 int8 q;                     x = d q
// Dequantized values are exact products rounded once to float: d q (and
// d (q - 8)) is exact in float (an 11-bit times a 4- or 8-bit integer), so
// only Q4_1's + m rounds; ggml's own dequantization gives the same floats,
// fused multiply-add or not.
//
// Example:
//   std::vector<float> row(64);
//   dequantize_ggml_blocks(SourceDType::kQ4_1, bytes, 64, row.data());  // 2 blocks, 40 bytes
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace edgeattn::convert {

enum class SourceDType;

constexpr size_t kGgmlBlockElems = 32;  // values per block of every format here

// Bytes per block of a block-quantized dtype, 0 for the others.
size_t ggml_block_bytes(SourceDType dtype);

// `count` values (a multiple of kGgmlBlockElems) from the blocks at `src`
// (count / 32 * ggml_block_bytes(dtype) bytes, any alignment) into dst.
void dequantize_ggml_blocks(SourceDType dtype, const uint8_t* src, size_t count, float* dst);

// The blocks at `src` (count values) as edgeattn's block weights
// (runtime/core/weight_blocks.h): Q4_1 and Q8_0 bytes unchanged (*int4 =
// true / false), Q4_0 as I4 blocks with m = -8 d, the same values exactly.
// Throws ConvertError naming `what` and the block if 8 |d| overflows
// binary16 (no finite m exists).
std::vector<uint8_t> ggml_to_weight_blocks(SourceDType dtype, const uint8_t* src, size_t count, bool* int4,
                                           const std::string& what);

}  // namespace edgeattn::convert
