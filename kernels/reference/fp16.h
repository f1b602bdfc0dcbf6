// Exact IEEE binary16 -> binary32 conversion in portable integer code, shared
// by the reference kernels and the scalar tails of the ISA kernels.
//
// Every half (normal, subnormal, +-0, +-inf) is representable in float, so
// the conversion is exact. NaNs keep their payload and are made quiet (bit 22
// set), which is what x86 F16C and AArch64 FCVT produce.
//
// Example:
//   float one = edgeattn::fp16_to_f32(0x3c00);  // 1.0f
#pragma once

#include <cstdint>
#include <cstring>

namespace edgeattn {

static inline uint32_t fp16_to_f32_bits(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1fu;
  uint32_t mant = h & 0x3ffu;
  if (exp == 0x1fu) {  // inf / NaN
    return sign | 0x7f800000u | (mant << 13) | (mant != 0 ? 0x00400000u : 0u);
  }
  if (exp != 0) return sign | ((exp + 112u) << 23) | (mant << 13);  // 112 = 127 - 15
  if (mant == 0) return sign;                                       // +-0
  // Subnormal: mant * 2^-24. Normalize so the leading 1 is at bit 10.
  uint32_t e = 113;  // exponent of 2^-14 (the smallest normal half) + 127
  while ((mant & 0x400u) == 0) {
    mant <<= 1;
    --e;
  }
  return sign | (e << 23) | ((mant & 0x3ffu) << 13);
}

static inline float fp16_to_f32(uint16_t h) {
  const uint32_t bits = fp16_to_f32_bits(h);
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

}  // namespace edgeattn
