#include "converter/source/ggml_blocks.h"

#include <algorithm>
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

// The 32 4-bit codes of a 32-value block's 16 bytes, in value order.
void unpack_nibbles(const uint8_t* q, int (&codes)[kGgmlBlockElems]) {
  for (size_t j = 0; j < kGgmlBlockElems / 2; ++j) {
    codes[j] = q[j] & 0x0F;
    codes[j + kGgmlBlockElems / 2] = q[j] >> 4;
  }
}

// Q5_0 / Q5_1: the nibbles plus bit 4 from qh (4 bytes at `qh`).
void unpack_q5(const uint8_t* qh_bytes, const uint8_t* q, int (&codes)[kGgmlBlockElems]) {
  uint32_t qh;
  std::memcpy(&qh, qh_bytes, 4);
  unpack_nibbles(q, codes);
  for (size_t j = 0; j < kGgmlBlockElems; ++j) codes[j] |= static_cast<int>((qh >> j) & 1u) << 4;
}

// One 32-value block (ggml's dequantize_row_q4_0 / q4_1 / q5_0 / q5_1 / q8_0).
void dequantize_block32(SourceDType dtype, const uint8_t* src, float* dst) {
  const float d = half_at(src);
  int codes[kGgmlBlockElems];
  switch (dtype) {
    case SourceDType::kQ4_0:
      unpack_nibbles(src + 2, codes);
      for (size_t j = 0; j < kGgmlBlockElems; ++j) dst[j] = d * static_cast<float>(codes[j] - 8);
      return;
    case SourceDType::kQ4_1: {
      const float m = half_at(src + 2);
      unpack_nibbles(src + 4, codes);
      for (size_t j = 0; j < kGgmlBlockElems; ++j) dst[j] = d * static_cast<float>(codes[j]) + m;
      return;
    }
    case SourceDType::kQ5_0:
      unpack_q5(src + 2, src + 6, codes);
      for (size_t j = 0; j < kGgmlBlockElems; ++j) dst[j] = d * static_cast<float>(codes[j] - 16);
      return;
    case SourceDType::kQ5_1: {
      const float m = half_at(src + 2);
      unpack_q5(src + 4, src + 8, codes);
      for (size_t j = 0; j < kGgmlBlockElems; ++j) dst[j] = d * static_cast<float>(codes[j]) + m;
      return;
    }
    case SourceDType::kQ8_0:
      for (size_t j = 0; j < kGgmlBlockElems; ++j) dst[j] = d * static_cast<float>(static_cast<int8_t>(src[2 + j]));
      return;
    default:
      return;
  }
}

// Sub-block j's 6-bit scale and min of a Q4_K / Q5_K super-block
// (ggml's get_scale_min_k4 on its 12 scale bytes).
void scale_min_k4(int j, const uint8_t* q, int* sc, int* m) {
  if (j < 4) {
    *sc = q[j] & 63;
    *m = q[j + 4] & 63;
  } else {
    *sc = (q[j + 4] & 0x0F) | ((q[j - 4] >> 6) << 4);
    *m = (q[j + 4] >> 4) | ((q[j] >> 6) << 4);
  }
}

// Q4_K / Q5_K: sub-block s's scale d1 = d sc and offset m1 = dmin m, and its
// 32 codes (4 bits, plus bit 4 from qh for Q5_K).
struct SubBlock {
  float d1, m1;
  int codes[kGgmlBlockElems];
};
SubBlock k_sub_block(SourceDType dtype, const uint8_t* src, int s) {
  SubBlock out;
  const float d = half_at(src), dmin = half_at(src + 2);
  const uint8_t* scales = src + 4;
  int sc = 0, m = 0;
  scale_min_k4(s, scales, &sc, &m);
  out.d1 = d * static_cast<float>(sc);
  out.m1 = dmin * static_cast<float>(m);
  const bool q5 = dtype == SourceDType::kQ5_K;
  const uint8_t* qs = src + 16 + (q5 ? 32 : 0) + 32 * (s / 2);  // the 64-value chunk's 32 bytes
  for (size_t l = 0; l < kGgmlBlockElems; ++l) {
    out.codes[l] = s % 2 == 0 ? (qs[l] & 0x0F) : (qs[l] >> 4);
    if (q5) out.codes[l] |= ((src[16 + l] >> s) & 1) << 4;  // qh[l], bit s
  }
  return out;
}

// One 256-value super-block (ggml's dequantize_row_q4_K / q5_K / q6_K).
void dequantize_super_block(SourceDType dtype, const uint8_t* src, float* dst) {
  if (dtype == SourceDType::kQ6_K) {
    const uint8_t* ql = src;
    const uint8_t* qh = src + 128;
    const int8_t* sc = reinterpret_cast<const int8_t*>(src + 192);
    const float d = half_at(src + 208);
    for (size_t half = 0; half < 2; ++half, ql += 64, qh += 32, sc += 8, dst += 128) {
      for (size_t l = 0; l < 32; ++l) {
        const size_t is = l / 16;
        const int q1 = ((ql[l] & 0x0F) | (((qh[l] >> 0) & 3) << 4)) - 32;
        const int q2 = ((ql[l + 32] & 0x0F) | (((qh[l] >> 2) & 3) << 4)) - 32;
        const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
        const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
        dst[l] = d * static_cast<float>(sc[is]) * static_cast<float>(q1);
        dst[l + 32] = d * static_cast<float>(sc[is + 2]) * static_cast<float>(q2);
        dst[l + 64] = d * static_cast<float>(sc[is + 4]) * static_cast<float>(q3);
        dst[l + 96] = d * static_cast<float>(sc[is + 6]) * static_cast<float>(q4);
      }
    }
    return;
  }
  for (int s = 0; s < 8; ++s) {
    const SubBlock b = k_sub_block(dtype, src, s);
    for (size_t l = 0; l < kGgmlBlockElems; ++l) dst[s * 32 + l] = b.d1 * static_cast<float>(b.codes[l]) - b.m1;
  }
}

bool is_k_quant(SourceDType dtype) {
  return dtype == SourceDType::kQ4_K || dtype == SourceDType::kQ5_K || dtype == SourceDType::kQ6_K;
}

// Q4_K's sub-blocks as I4 blocks (see the header).
std::vector<uint8_t> q4_k_to_i4(const uint8_t* src, size_t count) {
  std::vector<uint8_t> out(count / kWeightBlock * sizeof(I4Block));
  for (size_t sb = 0; sb < count / kGgmlSuperBlock; ++sb) {
    for (int s = 0; s < 8; ++s) {
      const SubBlock b = k_sub_block(SourceDType::kQ4_K, src + sb * 144, s);
      I4Block block;
      block.d = float_to_half(b.d1);
      block.m = float_to_half(-b.m1);
      for (size_t j = 0; j < 16; ++j) block.codes[j] = static_cast<uint8_t>(b.codes[j] | (b.codes[j + 16] << 4));
      std::memcpy(out.data() + (sb * 8 + static_cast<size_t>(s)) * sizeof(I4Block), &block, sizeof(block));
    }
  }
  return out;
}

}  // namespace

size_t ggml_block_bytes(SourceDType dtype) {
  switch (dtype) {
    case SourceDType::kQ4_0: return 18;
    case SourceDType::kQ4_1: return 20;
    case SourceDType::kQ5_0: return 22;
    case SourceDType::kQ5_1: return 24;
    case SourceDType::kQ8_0: return 34;
    case SourceDType::kQ4_K: return 144;
    case SourceDType::kQ5_K: return 176;
    case SourceDType::kQ6_K: return 210;
    default: return 0;
  }
}

size_t ggml_block_elems(SourceDType dtype) {
  if (ggml_block_bytes(dtype) == 0) return 0;
  return is_k_quant(dtype) ? kGgmlSuperBlock : kGgmlBlockElems;
}

void dequantize_ggml_blocks(SourceDType dtype, const uint8_t* src, size_t count, float* dst) {
  const size_t block_bytes = ggml_block_bytes(dtype), elems = ggml_block_elems(dtype);
  if (block_bytes == 0) return;  // not a block type: callers check ggml_block_bytes() first
  for (size_t b = 0; b < count / elems; ++b, src += block_bytes, dst += elems) {
    if (is_k_quant(dtype)) {
      dequantize_super_block(dtype, src, dst);
    } else {
      dequantize_block32(dtype, src, dst);
    }
  }
}

std::vector<uint8_t> quantize_q4_1(const float* w, size_t count) {
  std::vector<uint8_t> out(count / kWeightBlock * sizeof(I4Block));
  for (size_t b = 0; b < count / kWeightBlock; ++b) {
    const float* x = w + b * kWeightBlock;
    float lo = x[0], hi = x[0];
    for (size_t j = 1; j < kWeightBlock; ++j) {
      lo = std::min(lo, x[j]);
      hi = std::max(hi, x[j]);
    }
    const float d = (hi - lo) / 15.0f;
    const float inv = d != 0.0f ? 1.0f / d : 0.0f;
    I4Block block;
    block.d = float_to_half(d);
    block.m = float_to_half(lo);
    for (size_t j = 0; j < kWeightBlock / 2; ++j) {
      // (x - min) / d in [0, 15] up to rounding; + 0.5 and truncation round half up.
      const int q0 = std::min(15, static_cast<int>((x[j] - lo) * inv + 0.5f));
      const int q1 = std::min(15, static_cast<int>((x[j + 16] - lo) * inv + 0.5f));
      block.codes[j] = static_cast<uint8_t>(q0 | (q1 << 4));
    }
    std::memcpy(out.data() + b * sizeof(I4Block), &block, sizeof(I4Block));
  }
  return out;
}

std::vector<uint8_t> quantize_q8_0(const float* x, size_t count) {
  std::vector<uint8_t> out(count / kWeightBlock * sizeof(I8Block));
  for (size_t b = 0; b < count / kWeightBlock; ++b) {
    const float* v = x + b * kWeightBlock;
    float amax = 0.0f;
    for (size_t j = 0; j < kWeightBlock; ++j) amax = std::max(amax, std::fabs(v[j]));
    const float d = amax / 127.0f;
    const float inv = d != 0.0f ? 1.0f / d : 0.0f;
    I8Block block;
    block.d = float_to_half(d);
    for (size_t j = 0; j < kWeightBlock; ++j) block.q[j] = static_cast<int8_t>(std::round(v[j] * inv));
    std::memcpy(out.data() + b * sizeof(I8Block), &block, sizeof(block));
  }
  return out;
}

std::vector<uint8_t> ggml_to_weight_blocks(SourceDType dtype, const uint8_t* src, size_t count, bool* int4,
                                           const std::string& what) {
  const size_t blocks = count / kGgmlBlockElems;
  *int4 = dtype == SourceDType::kQ4_0 || dtype == SourceDType::kQ4_1 || dtype == SourceDType::kQ4_K;
  if (dtype == SourceDType::kQ4_1 || dtype == SourceDType::kQ8_0) {
    return std::vector<uint8_t>(src, src + blocks * ggml_block_bytes(dtype));
  }
  if (dtype == SourceDType::kQ4_K) return q4_k_to_i4(src, count);
  if (dtype != SourceDType::kQ4_0) {
    if (ggml_block_bytes(dtype) == 0) throw ConvertError(what + ": not a ggml block type");
    std::vector<float> values(count);
    dequantize_ggml_blocks(dtype, src, count, values.data());
    return quantize_q8_0(values.data(), count);
  }
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
