// IEEE 754 half precision (binary16) to float, exactly, in portable C++ (no
// F16C or fp16 hardware needed). The one scalar half -> float conversion for
// code outside kernels/: the runtime's fp16 embedding row gathers and the
// converter (checkpoint F16 tensors, converter/source/source_tensor.h).
//
// Every half value (normal, subnormal, +-0, +-inf) is a float, so the result
// is exact and keeps the sign. A NaN stays a NaN with the same sign and
// payload (the 10 mantissa bits, shifted to the top of the float's 23) and
// is made quiet (float bit 22 set), which is what an IEEE conversion does and
// what x86 F16C (vcvtph2ps) and AArch64 FCVT produce: a signalling half NaN
// 0x7C01 gives 0x7FC02000, a quiet 0x7E00 gives 0x7FC00000.
//
// kernels/ keeps its own bulk conversion (KernelTable::f16_to_f32_rows and
// the fp16 GEMMs; the ISA paths are vector code). Its reference table
// (fp16_to_f32 in kernels/reference/fp16.h) gives exactly these bits, NaNs
// included; F16C (AVX2), FCVTL (AArch64) and the armv7 integer NEON path
// also quiet a NaN and keep its payload, but the kernels' contract
// (kernels.h, tests/kernels/quant_test.cc) only promises that a NaN stays a
// NaN. For every non-NaN half, an embedding row converted here and a weight
// row converted by any kernel table are bit-identical.
//
// Example:
//   float one = half_to_float(0x3C00);   // 1.0f
//   float tiny = half_to_float(0x0001);  // 2^-24, the smallest subnormal
#pragma once

#include <cstdint>
#include <cstring>

namespace edgeattn {

// The float bits of half `h` (see above).
inline uint32_t half_to_float_bits(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exponent = (h >> 10) & 0x1Fu;
  uint32_t mantissa = h & 0x3FFu;
  if (exponent == 0x1F) {
    // inf, or NaN: payload kept, quiet bit set.
    return sign | 0x7F800000u | (mantissa << 13) | (mantissa != 0 ? 0x00400000u : 0u);
  }
  if (exponent != 0) return sign | ((exponent + 112) << 23) | (mantissa << 13);  // 112 = 127 - 15
  if (mantissa == 0) return sign;                                               // +-0
  // Subnormal half (mantissa * 2^-24): normalize into a float.
  uint32_t e = 113;  // 127 - 14: the exponent of the smallest normal half
  while ((mantissa & 0x400u) == 0) {
    mantissa <<= 1;
    --e;
  }
  return sign | (e << 23) | ((mantissa & 0x3FFu) << 13);
}

inline float half_to_float(uint16_t h) {
  const uint32_t bits = half_to_float_bits(h);
  float f;
  std::memcpy(&f, &bits, sizeof(f));
  return f;
}

}  // namespace edgeattn
