#include "converter/source/ggml_blocks.h"

#include <cmath>
#include <cstring>

#include "converter/source/convert_error.h"
#include "converter/source/source_tensor.h"
#include "runtime/core/weight_blocks.h"

namespace edgeattn::convert {
namespace {

float half_at(const uint8_t* p) {
  uint16_t h;
  std::memcpy(&h, p, 2);
  return half_to_float(h);
}

// The 32 4-bit codes of one Q4 block's 16 bytes, in value order.
void unpack_nibbles(const uint8_t* q, int (&codes)[kGgmlBlockElems]) {
  for (size_t j = 0; j < kGgmlBlockElems / 2; ++j) {
    codes[j] = q[j] & 0x0F;
    codes[j + kGgmlBlockElems / 2] = q[j] >> 4;
  }
}

}  // namespace

size_t ggml_block_bytes(SourceDType dtype) {
  switch (dtype) {
    case SourceDType::kQ4_0: return 18;
    case SourceDType::kQ4_1: return 20;
    case SourceDType::kQ8_0: return 34;
    default: return 0;
  }
}

void dequantize_ggml_blocks(SourceDType dtype, const uint8_t* src, size_t count, float* dst) {
  const size_t block_bytes = ggml_block_bytes(dtype);
  for (size_t b = 0; b < count / kGgmlBlockElems; ++b, src += block_bytes, dst += kGgmlBlockElems) {
    const float d = half_at(src);
    int codes[kGgmlBlockElems];
    switch (dtype) {
      case SourceDType::kQ4_0:
        unpack_nibbles(src + 2, codes);
        for (size_t j = 0; j < kGgmlBlockElems; ++j) dst[j] = d * static_cast<float>(codes[j] - 8);
        break;
      case SourceDType::kQ4_1: {
        const float m = half_at(src + 2);
        unpack_nibbles(src + 4, codes);
        for (size_t j = 0; j < kGgmlBlockElems; ++j) dst[j] = d * static_cast<float>(codes[j]) + m;
        break;
      }
      case SourceDType::kQ8_0:
        for (size_t j = 0; j < kGgmlBlockElems; ++j) dst[j] = d * static_cast<float>(static_cast<int8_t>(src[2 + j]));
        break;
      default:
        return;  // not a block type: callers check ggml_block_bytes() first
    }
  }
}

std::vector<uint8_t> ggml_to_weight_blocks(SourceDType dtype, const uint8_t* src, size_t count, bool* int4,
                                           const std::string& what) {
  const size_t blocks = count / kGgmlBlockElems;
  *int4 = dtype != SourceDType::kQ8_0;
  if (dtype == SourceDType::kQ4_1 || dtype == SourceDType::kQ8_0) {
    return std::vector<uint8_t>(src, src + blocks * ggml_block_bytes(dtype));
  }
  if (dtype != SourceDType::kQ4_0) throw ConvertError(what + ": not a Q4_0, Q4_1 or Q8_0 tensor");
  std::vector<uint8_t> out(blocks * sizeof(I4Block));
  for (size_t b = 0; b < blocks; ++b) {
    const uint8_t* in = src + b * 18;  // [f16 d, 16 bytes of codes]
    I4Block block;
    std::memcpy(&block.d, in, 2);
    // d (q - 8) = d q + (-8 d): -8 d is exact in binary16 unless it overflows.
    const float m = -8.0f * half_to_float(block.d);
    block.m = float_to_half(m);
    if (half_to_float(block.m) != m && !std::isnan(m)) {
      throw ConvertError(what + ": Q4_0 block " + std::to_string(b) + " has a scale too large for an int4 offset");
    }
    std::memcpy(block.codes, in + 2, 16);
    std::memcpy(out.data() + b * sizeof(I4Block), &block, sizeof(I4Block));
  }
  return out;
}

}  // namespace edgeattn::convert
