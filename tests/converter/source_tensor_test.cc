// SourceTensor helpers: dtype sizes, exact half/bfloat16 conversion, to_f32.
#include "converter/source/source_tensor.h"

#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "converter/source/convert_error.h"

namespace edgeattn::convert {
namespace {

std::string error_of(const SourceTensor& t) {
  try {
    (void)to_f32(t);
  } catch (const ConvertError& e) {
    return e.what();
  }
  return "<no error>";
}

// Independent reference: value = (-1)^s * 2^(e-15) * (1 + m/1024), or the
// subnormal 2^-14 * m/1024.
double half_reference(uint16_t h) {
  const int s = h >> 15, e = (h >> 10) & 31, m = h & 1023;
  double v = e == 0 ? std::ldexp(m / 1024.0, -14) : std::ldexp(1.0 + m / 1024.0, e - 15);
  return s ? -v : v;
}

TEST_CASE("dtype sizes and names") {
  CHECK(dtype_size(SourceDType::kF32) == 4);
  CHECK(dtype_size(SourceDType::kF16) == 2);
  CHECK(dtype_size(SourceDType::kBF16) == 2);
  CHECK(dtype_size(SourceDType::kI8) == 1);
  CHECK(dtype_size(SourceDType::kI32) == 4);
  CHECK(dtype_size(SourceDType::kI64) == 8);
  CHECK(dtype_size(SourceDType::kF64) == 8);
  CHECK(std::string(dtype_name(SourceDType::kBF16)) == "BF16");
  CHECK(shape_to_string({512, 64}) == "[512, 64]");
  CHECK(shape_to_string({}) == "[]");
}

TEST_CASE("shape_numel rejects negative dims and overflow") {
  uint64_t n = 0, bytes = 0;
  CHECK(shape_numel({2, 3}, 4, &n, &bytes));
  CHECK(n == 6);
  CHECK(bytes == 24);
  CHECK(shape_numel({}, 2, &n, &bytes));
  CHECK(n == 1);
  CHECK(shape_numel({0, 1000}, 8, &n, &bytes));
  CHECK(n == 0);
  CHECK_FALSE(shape_numel({-1, 2}, 4, &n, &bytes));
  CHECK_FALSE(shape_numel({1ll << 40, 1ll << 30}, 4, &n, &bytes));
  CHECK_FALSE(shape_numel({1ll << 62}, 8, &n, &bytes));
}

TEST_CASE("half_to_float is exact for every non-nan half") {
  for (uint32_t h = 0; h < 65536; ++h) {
    const uint16_t x = static_cast<uint16_t>(h);
    const float f = half_to_float(x);
    const bool is_nan = ((x >> 10) & 31) == 31 && (x & 1023) != 0;
    if (is_nan) {
      CHECK(std::isnan(f));
      continue;
    }
    if (((x >> 10) & 31) == 31) {
      CHECK(std::isinf(f));
      CHECK((f < 0) == ((x >> 15) != 0));
      continue;
    }
    REQUIRE(static_cast<double>(f) == half_reference(x));
    CHECK(std::signbit(f) == ((x >> 15) != 0));  // -0 keeps its sign
    // And back: every half value is representable, so the round trip is exact.
    REQUIRE(float_to_half(f) == x);
  }
}

TEST_CASE("half special values and rounding") {
  CHECK(half_to_float(0x3C00) == 1.0f);
  CHECK(half_to_float(0xC000) == -2.0f);
  CHECK(half_to_float(0x7BFF) == 65504.0f);
  CHECK(half_to_float(0x0001) == std::ldexp(1.0f, -24));  // smallest subnormal
  CHECK(half_to_float(0x0400) == std::ldexp(1.0f, -14));  // smallest normal
  CHECK(std::isinf(half_to_float(0x7C00)));
  CHECK(std::isnan(half_to_float(0x7E00)));
  CHECK(float_to_half(65519.0f) == 0x7BFF);               // below the midpoint
  CHECK(float_to_half(65520.0f) == 0x7C00);               // midpoint ties up to inf
  CHECK(float_to_half(1e10f) == 0x7C00);
  CHECK(float_to_half(-1e10f) == 0xFC00);
  CHECK(float_to_half(std::ldexp(1.0f, -25)) == 0x0000);  // tie to even: 0
  CHECK(float_to_half(std::ldexp(1.5f, -25)) == 0x0001);
  CHECK(float_to_half(std::ldexp(3.0f, -25)) == 0x0002);  // 1.5 ulp ties to even 2
  CHECK(float_to_half(1.0f + std::ldexp(1.0f, -11)) == 0x3C00);  // tie to even
  CHECK(float_to_half(1.0f + std::ldexp(3.0f, -11)) == 0x3C02);
  CHECK((float_to_half(std::numeric_limits<float>::quiet_NaN()) & 0x7C00) == 0x7C00);
  CHECK((float_to_half(std::numeric_limits<float>::quiet_NaN()) & 0x3FF) != 0);
}

TEST_CASE("bfloat16 conversion") {
  CHECK(bf16_to_float(0x3F80) == 1.0f);
  CHECK(bf16_to_float(0xC040) == -3.0f);
  CHECK(std::isinf(bf16_to_float(0x7F80)));
  CHECK(float_to_bf16(1.0f) == 0x3F80);
  CHECK(float_to_bf16(1.0f + std::ldexp(1.0f, -8)) == 0x3F80);  // tie to even
  CHECK(float_to_bf16(1.0f + std::ldexp(3.0f, -8)) == 0x3F82);
  CHECK(std::isnan(bf16_to_float(float_to_bf16(std::numeric_limits<float>::quiet_NaN()))));
}

TEST_CASE("to_f32 converts every float dtype") {
  SourceTensor t;
  t.name = "w";
  t.source = "x.safetensors";
  t.shape = {2, 2};

  const float f32[] = {1.5f, -2.0f, 0.25f, 1e-3f};
  t.dtype = SourceDType::kF32;
  t.data = reinterpret_cast<const uint8_t*>(f32);
  t.nbytes = sizeof(f32);
  CHECK(to_f32(t) == std::vector<float>(f32, f32 + 4));

  const uint16_t f16[] = {0x3C00, 0xC000, 0x0001, 0x7C00};
  t.dtype = SourceDType::kF16;
  t.data = reinterpret_cast<const uint8_t*>(f16);
  t.nbytes = sizeof(f16);
  std::vector<float> v = to_f32(t);
  CHECK(v[0] == 1.0f);
  CHECK(v[1] == -2.0f);
  CHECK(v[2] == std::ldexp(1.0f, -24));
  CHECK(std::isinf(v[3]));

  const uint16_t bf16[] = {0x3F80, 0xC040, 0x0000, 0x8000};
  t.dtype = SourceDType::kBF16;
  t.data = reinterpret_cast<const uint8_t*>(bf16);
  t.nbytes = sizeof(bf16);
  CHECK(to_f32(t) == std::vector<float>{1.0f, -3.0f, 0.0f, -0.0f});

  const double f64[] = {0.1, -1e300, 1e300, 3.0};
  t.dtype = SourceDType::kF64;
  t.data = reinterpret_cast<const uint8_t*>(f64);
  t.nbytes = sizeof(f64);
  v = to_f32(t);
  CHECK(v[0] == 0.1f);
  CHECK(v[1] == -std::numeric_limits<float>::infinity());
  CHECK(v[2] == std::numeric_limits<float>::infinity());
  CHECK(v[3] == 3.0f);
}

TEST_CASE("to_f32 converts F16 with the runtime's half_to_float, NaNs included") {
  // One definition (runtime/core/half.h): a NaN keeps sign and payload and
  // is made quiet, as an IEEE conversion (and F16C, FCVT) does.
  const uint16_t f16[] = {0x7C01, 0xFE00, 0x03FF, 0x3555};
  SourceTensor t{"h", SourceDType::kF16, {4}, reinterpret_cast<const uint8_t*>(f16), sizeof(f16), "f"};
  const std::vector<float> v = to_f32(t);
  for (size_t i = 0; i < 4; ++i) {
    uint32_t bits;
    std::memcpy(&bits, &v[i], 4);
    CHECK(bits == edgeattn::half_to_float_bits(f16[i]));
  }
  uint32_t nan_bits;
  std::memcpy(&nan_bits, &v[0], 4);
  CHECK(nan_bits == 0x7FC02000u);
}

TEST_CASE("to_f32 reads unaligned data") {
  alignas(4) uint8_t buf[1 + 8] = {};
  const float vals[] = {3.25f, -7.0f};
  std::memcpy(buf + 1, vals, 8);
  SourceTensor t{"u", SourceDType::kF32, {2}, buf + 1, 8, "f"};
  CHECK(to_f32(t) == std::vector<float>{3.25f, -7.0f});
}

TEST_CASE("to_f32 errors name the file and tensor") {
  const int32_t ints[] = {1, 2};
  SourceTensor t{"ids", SourceDType::kI32, {2}, reinterpret_cast<const uint8_t*>(ints), 8,
                 "model.safetensors"};
  std::string msg = error_of(t);
  CHECK(msg.find("model.safetensors") != std::string::npos);
  CHECK(msg.find("'ids'") != std::string::npos);
  CHECK(msg.find("I32") != std::string::npos);

  t.dtype = SourceDType::kF32;
  t.nbytes = 12;  // does not match [2] x 4 bytes
  msg = error_of(t);
  CHECK(msg.find("model.safetensors: tensor 'ids': 12 bytes do not match shape [2]") == 0);
}

}  // namespace
}  // namespace edgeattn::convert
