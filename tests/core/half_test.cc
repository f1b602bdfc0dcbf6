// runtime/core/half.h: the one scalar half -> float conversion outside
// kernels/. Pins its bits for normal, subnormal, zero, inf and NaN halves
// (NaN: sign and payload kept, made quiet), and checks all 65,536 halves.
#include "runtime/core/half.h"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>

namespace edgeattn {
namespace {

// Independent reference: (-1)^s * 2^(e-15) * (1 + m/1024), or the subnormal
// (-1)^s * 2^-14 * m/1024, in double.
double half_value(uint16_t h) {
  const int s = h >> 15, e = (h >> 10) & 31, m = h & 1023;
  const double v = e == 0 ? std::ldexp(m / 1024.0, -14) : std::ldexp(1.0 + m / 1024.0, e - 15);
  return s ? -v : v;
}

TEST_CASE("half_to_float: normal and zero halves") {
  CHECK(half_to_float_bits(0x3C00) == 0x3F800000u);  // 1
  CHECK(half_to_float_bits(0xC000) == 0xC0000000u);  // -2
  CHECK(half_to_float_bits(0x3555) == 0x3EAAA000u);  // 0.333251953125
  CHECK(half_to_float_bits(0x0400) == 0x38800000u);  // 2^-14, the smallest normal
  CHECK(half_to_float_bits(0x7BFF) == 0x477FE000u);  // 65504, the largest
  CHECK(half_to_float_bits(0x0000) == 0x00000000u);  // +0
  CHECK(half_to_float_bits(0x8000) == 0x80000000u);  // -0 keeps its sign
  CHECK(half_to_float(0x3C00) == 1.0f);
  CHECK(half_to_float(0x7BFF) == 65504.0f);
}

TEST_CASE("half_to_float: subnormal halves become normal floats, exactly") {
  CHECK(half_to_float_bits(0x0001) == 0x33800000u);  // 2^-24, the smallest
  CHECK(half_to_float_bits(0x8001) == 0xB3800000u);  // -2^-24
  CHECK(half_to_float_bits(0x0200) == 0x38000000u);  // 2^-15
  CHECK(half_to_float_bits(0x03FF) == 0x387FC000u);  // 1023 * 2^-24, the largest
  CHECK(half_to_float(0x0001) == std::ldexp(1.0f, -24));
}

TEST_CASE("half_to_float: infinities") {
  CHECK(half_to_float_bits(0x7C00) == 0x7F800000u);
  CHECK(half_to_float_bits(0xFC00) == 0xFF800000u);
  CHECK(std::isinf(half_to_float(0x7C00)));
  CHECK(half_to_float(0xFC00) < 0);
}

TEST_CASE("half_to_float: a NaN keeps its sign and payload and is made quiet") {
  CHECK(half_to_float_bits(0x7E00) == 0x7FC00000u);  // quiet, no payload
  CHECK(half_to_float_bits(0x7C01) == 0x7FC02000u);  // signalling: quiet bit added
  CHECK(half_to_float_bits(0x7D55) == 0x7FEAA000u);  // signalling, payload 0x155
  CHECK(half_to_float_bits(0x7FFF) == 0x7FFFE000u);  // every mantissa bit
  CHECK(half_to_float_bits(0xFE01) == 0xFFC02000u);  // negative
  CHECK(std::isnan(half_to_float(0x7C01)));
}

TEST_CASE("half_to_float: all 65,536 halves") {
  for (uint32_t i = 0; i < 65536; ++i) {
    const uint16_t h = static_cast<uint16_t>(i);
    const uint32_t sign = (i & 0x8000u) << 16;
    const float f = half_to_float(h);
    if ((h & 0x7C00u) == 0x7C00u && (h & 0x3FFu) != 0) {
      REQUIRE(half_to_float_bits(h) == (sign | 0x7FC00000u | ((h & 0x3FFu) << 13)));
      REQUIRE(std::isnan(f));
    } else if ((h & 0x7FFFu) == 0x7C00u) {
      REQUIRE(std::isinf(f));
      REQUIRE(std::signbit(f) == (sign != 0));
    } else {
      REQUIRE(static_cast<double>(f) == half_value(h));
      REQUIRE(std::signbit(f) == (sign != 0));
    }
  }
}

}  // namespace
}  // namespace edgeattn
