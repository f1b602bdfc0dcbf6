#include "converter/source/source_tensor.h"

#include <cstring>
#include <limits>

#include "converter/source/convert_error.h"
#include "converter/source/ggml_blocks.h"

// All readers assume a little-endian host (x86, ARM), as the file formats are
// little-endian.
static_assert(sizeof(float) == 4, "IEEE float expected");

namespace edgeattn::convert {

size_t dtype_size(SourceDType dtype) {
  switch (dtype) {
    case SourceDType::kF32: return 4;
    case SourceDType::kF16: return 2;
    case SourceDType::kBF16: return 2;
    case SourceDType::kI8: return 1;
    case SourceDType::kI32: return 4;
    case SourceDType::kI64: return 8;
    case SourceDType::kF64: return 8;
    case SourceDType::kQ4_0:
    case SourceDType::kQ4_1:
    case SourceDType::kQ8_0:
    case SourceDType::kQ5_0:
    case SourceDType::kQ5_1:
    case SourceDType::kQ4_K:
    case SourceDType::kQ5_K:
    case SourceDType::kQ6_K: return 0;
  }
  return 0;
}

const char* dtype_name(SourceDType dtype) {
  switch (dtype) {
    case SourceDType::kF32: return "F32";
    case SourceDType::kF16: return "F16";
    case SourceDType::kBF16: return "BF16";
    case SourceDType::kI8: return "I8";
    case SourceDType::kI32: return "I32";
    case SourceDType::kI64: return "I64";
    case SourceDType::kF64: return "F64";
    case SourceDType::kQ4_0: return "Q4_0";
    case SourceDType::kQ4_1: return "Q4_1";
    case SourceDType::kQ8_0: return "Q8_0";
    case SourceDType::kQ5_0: return "Q5_0";
    case SourceDType::kQ5_1: return "Q5_1";
    case SourceDType::kQ4_K: return "Q4_K";
    case SourceDType::kQ5_K: return "Q5_K";
    case SourceDType::kQ6_K: return "Q6_K";
  }
  return "?";
}

bool shape_numel(const std::vector<int64_t>& shape, size_t elem_size, uint64_t* numel,
                 uint64_t* nbytes) {
  uint64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) return false;
    uint64_t ud = static_cast<uint64_t>(d);
    if (ud != 0 && n > std::numeric_limits<uint64_t>::max() / ud) return false;
    n *= ud;
  }
  if (elem_size != 0 && n > std::numeric_limits<uint64_t>::max() / elem_size) return false;
  *numel = n;
  *nbytes = n * elem_size;
  return true;
}

bool tensor_bytes(SourceDType dtype, const std::vector<int64_t>& shape, uint64_t* numel, uint64_t* nbytes) {
  const size_t block_bytes = ggml_block_bytes(dtype);
  if (block_bytes == 0) return shape_numel(shape, dtype_size(dtype), numel, nbytes);
  uint64_t n = 0, unused = 0;
  const uint64_t elems = ggml_block_elems(dtype);
  if (shape.empty() || !shape_numel(shape, 1, &n, &unused) || shape.back() % static_cast<int64_t>(elems) != 0) {
    return false;
  }
  *numel = n;
  *nbytes = n / elems * block_bytes;  // < n: cannot overflow
  return true;
}

uint64_t numel(const SourceTensor& t) {
  uint64_t n = 0, bytes = 0;
  if (!shape_numel(t.shape, 1, &n, &bytes)) return 0;
  return n;
}

std::string shape_to_string(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

uint16_t float_to_half(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
  const uint32_t exp = (x >> 23) & 0xFFu;
  uint32_t mant = x & 0x7FFFFFu;
  if (exp == 0xFF) {
    if (mant == 0) return sign | 0x7C00u;
    return static_cast<uint16_t>(sign | 0x7E00u | (mant >> 13));  // quiet nan
  }
  const int e = static_cast<int>(exp) - 127 + 15;
  if (e >= 0x1F) return sign | 0x7C00u;  // overflow -> inf
  if (e <= 0) {
    // Result is subnormal or zero: shift the implicit-1 mantissa right.
    if (e < -10) return sign;
    mant |= 0x800000u;
    const int shift = 14 - e;  // 24-bit mantissa -> 10 bits at exponent 1
    uint32_t half_mant = mant >> shift;
    const uint32_t rem = mant & ((1u << shift) - 1);
    const uint32_t halfway = 1u << (shift - 1);
    if (rem > halfway || (rem == halfway && (half_mant & 1u))) ++half_mant;
    return static_cast<uint16_t>(sign | half_mant);
  }
  uint32_t h = (static_cast<uint32_t>(e) << 10) | (mant >> 13);
  const uint32_t rem = mant & 0x1FFFu;
  // Rounding may carry into the exponent, which is the correct result
  // (including rounding up to inf).
  if (rem > 0x1000u || (rem == 0x1000u && (h & 1u))) ++h;
  return static_cast<uint16_t>(sign | h);
}

float bf16_to_float(uint16_t b) {
  const uint32_t bits = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t float_to_bf16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  if ((x & 0x7F800000u) == 0x7F800000u && (x & 0x7FFFFFu) != 0) {
    return static_cast<uint16_t>((x >> 16) | 0x40u);  // keep nan quiet
  }
  const uint32_t lsb = (x >> 16) & 1u;
  x += 0x7FFFu + lsb;
  return static_cast<uint16_t>(x >> 16);
}

std::vector<float> to_f32(const SourceTensor& t) {
  uint64_t n = 0, bytes = 0;
  if (!tensor_bytes(t.dtype, t.shape, &n, &bytes) || bytes != t.nbytes) {
    throw_convert_error(t.source, "tensor '" + t.name + "': " + std::to_string(t.nbytes) +
                                      " bytes do not match shape " + shape_to_string(t.shape) +
                                      " of dtype " + dtype_name(t.dtype));
  }
  if (n > 0 && t.data == nullptr) {
    throw_convert_error(t.source, "tensor '" + t.name + "': no data");
  }
  std::vector<float> out(static_cast<size_t>(n));
  const uint8_t* p = t.data;
  switch (t.dtype) {
    case SourceDType::kF32:
      if (n) std::memcpy(out.data(), p, static_cast<size_t>(bytes));
      break;
    case SourceDType::kF16:
      for (size_t i = 0; i < out.size(); ++i) {
        uint16_t h;
        std::memcpy(&h, p + 2 * i, 2);
        out[i] = half_to_float(h);
      }
      break;
    case SourceDType::kBF16:
      for (size_t i = 0; i < out.size(); ++i) {
        uint16_t b;
        std::memcpy(&b, p + 2 * i, 2);
        out[i] = bf16_to_float(b);
      }
      break;
    case SourceDType::kF64:
      for (size_t i = 0; i < out.size(); ++i) {
        double d;
        std::memcpy(&d, p + 8 * i, 8);
        // Out-of-range double -> float is undefined behaviour; saturate to
        // inf explicitly, as IEEE rounding would.
        constexpr double kRoundsToInf = 0x1.ffffffp127;  // FLT_MAX + half an ulp
        constexpr double kMax = std::numeric_limits<float>::max();
        if (d >= kRoundsToInf || d <= -kRoundsToInf) {
          out[i] = d > 0 ? std::numeric_limits<float>::infinity()
                         : -std::numeric_limits<float>::infinity();
        } else if (d > kMax || d < -kMax) {
          out[i] = d > 0 ? std::numeric_limits<float>::max() : -std::numeric_limits<float>::max();
        } else {
          out[i] = static_cast<float>(d);  // nan stays nan
        }
      }
      break;
    case SourceDType::kQ4_0:
    case SourceDType::kQ4_1:
    case SourceDType::kQ8_0:
    case SourceDType::kQ5_0:
    case SourceDType::kQ5_1:
    case SourceDType::kQ4_K:
    case SourceDType::kQ5_K:
    case SourceDType::kQ6_K:
      dequantize_ggml_blocks(t.dtype, p, out.size(), out.data());
      break;
    case SourceDType::kI8:
    case SourceDType::kI32:
    case SourceDType::kI64:
      throw_convert_error(t.source, "tensor '" + t.name + "': dtype " + dtype_name(t.dtype) +
                                        " is not a floating-point type; cannot convert to F32");
  }
  return out;
}

}  // namespace edgeattn::convert
