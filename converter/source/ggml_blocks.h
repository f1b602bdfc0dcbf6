// ggml's block-quantized tensor formats that edgeattn reads from GGUF files
// (llama.cpp's ggml-common.h defines them; written here from that layout):
// a row of K values (the fastest dim) is K / B blocks, each little-endian.
// B = 32:
//   Q4_0 (18 bytes): fp16 d, then 16 bytes: byte j holds q[j] in its low
//                    nibble and q[j + 16] in its high one;  x = d (q - 8)
//   Q4_1 (20 bytes): fp16 d, fp16 m, then the nibbles as Q4_0;  x = d q + m
//   Q5_0 (22 bytes): fp16 d, 4 bytes qh, the nibbles as Q4_0; bit j of qh is
//                    bit 4 of q[j], bit j + 16 of q[j + 16];  x = d (q - 16)
//   Q5_1 (24 bytes): fp16 d, fp16 m, then qh and nibbles as Q5_0;  x = d q + m
//   Q8_0 (34 bytes): fp16 d, then 32 int8 q;                     x = d q
// B = 256 (the "K-quants", one super-block of 8 or 16 sub-blocks):
//   Q4_K (144 bytes): fp16 d, fp16 dmin, 12 bytes of 6-bit scales and mins
//                     (get_scale_min_k4), 128 bytes of nibbles: per 64
//                     values, 32 bytes whose low nibbles are sub-block 2i
//                     and high nibbles sub-block 2i + 1;
//                     x = (d sc) q - (dmin m)
//   Q5_K (176 bytes): fp16 d, fp16 dmin, 12 bytes scales, 32 bytes qh (bit
//                     2i / 2i + 1 of byte l: bit 4 of value l of sub-block
//                     2i / 2i + 1), 128 bytes of nibbles as Q4_K
//   Q6_K (210 bytes): 128 bytes ql, 64 bytes qh, 16 int8 scales (one per 16
//                     values), fp16 d;  x = (d sc) (q - 32), q 6 bits
// Values are computed in float in ggml's order (dequantize_row_*); the
// types of B = 32 are exact products rounded once, so ggml's fused or
// unfused arithmetic gives the same floats. This file is compiled with
// -ffp-contract=off so the K-quants' d1 q - m1 rounds twice, as ggml's
// reference and gguf-py do, and the quantizers' (x - min) * inv + 0.5 too
// (an FMA there would change Q4_1 codes on AArch64).
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

constexpr size_t kGgmlBlockElems = 32;   // values per block of the 32-value types
constexpr size_t kGgmlSuperBlock = 256;  // values per block of the K-quants

// Bytes per block of a block-quantized dtype, 0 for the others.
size_t ggml_block_bytes(SourceDType dtype);
// Values per block (32 or 256), 0 for the others.
size_t ggml_block_elems(SourceDType dtype);

// `count` values (a multiple of ggml_block_elems(dtype)) from the blocks at
// `src` (count / elems * ggml_block_bytes(dtype) bytes, any alignment) into dst.
void dequantize_ggml_blocks(SourceDType dtype, const uint8_t* src, size_t count, float* dst);

// The blocks at `src` (count values) as edgeattn's block weights
// (runtime/core/weight_blocks.h), *int4 telling which:
//   Q4_1, Q8_0  the bytes unchanged (I4 / I8);
//   Q4_0        I4 blocks with m = -8 d: the same values exactly;
//   Q4_K        I4 blocks, one per sub-block: its codes, d = f16(d sc),
//               m = f16(-(dmin m)) (the scales rounded once more, to 11
//               bits: the nearest I4 form);
//   Q5_0, Q5_1, Q5_K, Q6_K
//               I8 blocks: the values dequantized, then quantized per 32
//               as ggml's Q8_0 (quantize_row_q8_0_ref: d = amax / 127,
//               q = roundf(x / d)), 8 bits for 5 or 6.
// Throws ConvertError naming `what` and the block if 8 |d| of a Q4_0 block
// overflows binary16 (no finite m exists).
std::vector<uint8_t> ggml_to_weight_blocks(SourceDType dtype, const uint8_t* src, size_t count, bool* int4,
                                           const std::string& what);

// ggml's reference quantizers (quantize_row_q4_1_ref / q8_0_ref), which
// gguf-py and llama-quantize also run: `count` values (a multiple of 32) as
// I4 blocks (count / 32 * 20 bytes; per block d = (max - min) / 15, m = min,
// codes (x - min) / d + 0.5 truncated, at most 15) or I8 blocks
// (count / 32 * 34 bytes; d = amax / 127, codes roundf(x / d)).
std::vector<uint8_t> quantize_q4_1(const float* x, size_t count);
std::vector<uint8_t> quantize_q8_0(const float* x, size_t count);

}  // namespace edgeattn::convert
