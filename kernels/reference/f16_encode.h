// Exact IEEE binary32 -> binary16 conversion (round to nearest even) in
// portable integer code: the reference f32_to_f16_row and the scalar tails
// of the ISA kernels (armv7 uses it for every element).
//
//   NaN          -> sign | 0x7e00 | (mantissa >> 13)  (quiet, top payload bits kept,
//                   as x86 F16C VCVTPS2PH and AArch64 FCVTN do with default NaN off)
//   |x| >= 65520 -> sign | 0x7c00 (inf; 65520 is the tie between 65504 and 2^16)
//   |x| >= 2^-14 -> normal half, mantissa rounded to nearest even (may carry
//                   into the exponent, up to inf handled above)
//   |x| <= 2^-25 -> sign | 0 (2^-25 is the tie between 0 and 2^-24, even = 0)
//   otherwise    -> subnormal half round(|x| / 2^-24), ties to even (may round
//                   up to 0x0400, the smallest normal, which is correct)
//
// Example:
//   uint16_t h = edgeattn::f32_to_fp16_bits(1.0f);  // 0x3c00
#pragma once

#include <cstdint>
#include <cstring>

namespace edgeattn {

static inline uint16_t f32_to_fp16_bits(float f) {
  uint32_t x;
  std::memcpy(&x, &f, sizeof x);
  const uint32_t sign = (x >> 16) & 0x8000u;
  x &= 0x7fffffffu;
  if (x > 0x7f800000u) return static_cast<uint16_t>(sign | 0x7e00u | ((x & 0x7fffffu) >> 13));
  if (x >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);
  if (x >= 0x38800000u) {
    const uint32_t r = x - (112u << 23);  // rebias 127 -> 15
    return static_cast<uint16_t>(sign | ((r + 0xfffu + ((r >> 13) & 1u)) >> 13));
  }
  if (x <= 0x33000000u) return static_cast<uint16_t>(sign);
  // Subnormal half: value = mant * 2^(e - 150) = (mant >> shift) * 2^-24.
  const uint32_t e = x >> 23;                  // 102..112
  const uint32_t mant = (x & 0x7fffffu) | 0x800000u;
  const uint32_t shift = 126u - e;             // 14..24
  uint32_t q = mant >> shift;
  const uint32_t rem = mant & ((1u << shift) - 1u);
  const uint32_t half = 1u << (shift - 1u);
  if (rem > half || (rem == half && (q & 1u) != 0)) ++q;
  return static_cast<uint16_t>(sign | q);
}

}  // namespace edgeattn
