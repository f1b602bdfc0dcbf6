#include "converter/source/ggml_blocks.h"

#include <cstring>

#include "converter/source/source_tensor.h"

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

}  // namespace edgeattn::convert
