#include "converter/source/rope_permutation.h"

#include <cstring>
#include <string>

#include "converter/source/convert_error.h"

namespace edgeattn::convert {

namespace {

void check(int64_t rows, int64_t n_heads, const char* fn) {
  if (rows < 0 || n_heads <= 0 || rows % n_heads != 0 || (rows / n_heads) % 2 != 0) {
    throw ConvertError(std::string(fn) + ": " + std::to_string(rows) + " rows cannot be split into " +
                       std::to_string(n_heads) + " heads of even size");
  }
}

// Within each head: interleaved row 2*i + j <-> half-split row j*half + i.
void move_rows(const uint8_t* src, uint8_t* dst, int64_t rows, size_t row_bytes, int64_t n_heads,
               bool to_half_split) {
  const int64_t head_dim = rows / n_heads;
  const int64_t half = head_dim / 2;
  for (int64_t h = 0; h < n_heads; ++h) {
    for (int64_t i = 0; i < half; ++i) {
      for (int64_t j = 0; j < 2; ++j) {
        const int64_t interleaved = h * head_dim + 2 * i + j;
        const int64_t split = h * head_dim + j * half + i;
        const int64_t from = to_half_split ? interleaved : split;
        const int64_t to = to_half_split ? split : interleaved;
        std::memcpy(dst + static_cast<size_t>(to) * row_bytes,
                    src + static_cast<size_t>(from) * row_bytes, row_bytes);
      }
    }
  }
}

}  // namespace

void permute_rotary_rows_bytes(const uint8_t* src, uint8_t* dst, int64_t rows, size_t row_bytes,
                               int64_t n_heads) {
  check(rows, n_heads, "permute_rotary_rows");
  move_rows(src, dst, rows, row_bytes, n_heads, /*to_half_split=*/true);
}

void unpermute_rotary_rows_bytes(const uint8_t* src, uint8_t* dst, int64_t rows, size_t row_bytes,
                                 int64_t n_heads) {
  check(rows, n_heads, "unpermute_rotary_rows");
  move_rows(src, dst, rows, row_bytes, n_heads, /*to_half_split=*/false);
}

std::vector<float> permute_rotary_rows(const float* w, int64_t rows, int64_t cols, int64_t n_heads) {
  check(rows, n_heads, "permute_rotary_rows");
  if (cols < 0) throw ConvertError("permute_rotary_rows: negative cols " + std::to_string(cols));
  std::vector<float> out(static_cast<size_t>(rows * cols));
  permute_rotary_rows_bytes(reinterpret_cast<const uint8_t*>(w),
                            reinterpret_cast<uint8_t*>(out.data()), rows,
                            static_cast<size_t>(cols) * sizeof(float), n_heads);
  return out;
}

std::vector<float> unpermute_rotary_rows(const float* w, int64_t rows, int64_t cols,
                                         int64_t n_heads) {
  check(rows, n_heads, "unpermute_rotary_rows");
  if (cols < 0) throw ConvertError("unpermute_rotary_rows: negative cols " + std::to_string(cols));
  std::vector<float> out(static_cast<size_t>(rows * cols));
  unpermute_rotary_rows_bytes(reinterpret_cast<const uint8_t*>(w),
                              reinterpret_cast<uint8_t*>(out.data()), rows,
                              static_cast<size_t>(cols) * sizeof(float), n_heads);
  return out;
}

}  // namespace edgeattn::convert
