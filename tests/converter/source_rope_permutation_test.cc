// HF q/k row permutation: a hand-computed example and the round trip.
#include "converter/source/rope_permutation.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "converter/source/convert_error.h"

namespace edgeattn::convert {
namespace {

TEST_CASE("permute matches the hand-computed example (n_heads=2, head_dim=4)") {
  // Row r holds {10r, 10r+1}: 8 rows x 2 cols.
  std::vector<float> w;
  for (int r = 0; r < 8; ++r) {
    w.push_back(10.0f * r);
    w.push_back(10.0f * r + 1);
  }
  // torch: w.view(2, 2, 2, 2).transpose(1, 2).reshape(8, 2). Per head the
  // interleaved rows (0,1,2,3) become (0,2,1,3).
  const int expected_rows[] = {0, 2, 1, 3, 4, 6, 5, 7};
  std::vector<float> p = permute_rotary_rows(w.data(), 8, 2, 2);
  REQUIRE(p.size() == 16);
  for (int r = 0; r < 8; ++r) {
    CHECK(p[2 * r] == 10.0f * expected_rows[r]);
    CHECK(p[2 * r + 1] == 10.0f * expected_rows[r] + 1);
  }
  CHECK(unpermute_rotary_rows(p.data(), 8, 2, 2) == w);
}

TEST_CASE("permute with head_dim 8 moves rows to the half-split order") {
  std::vector<float> w(8);
  for (int r = 0; r < 8; ++r) w[r] = static_cast<float>(r);
  // One head of 8: out row j*4 + i = in row 2i + j.
  CHECK(permute_rotary_rows(w.data(), 8, 1, 1) == std::vector<float>{0, 2, 4, 6, 1, 3, 5, 7});
}

TEST_CASE("unpermute(permute(w)) == w and permute(unpermute(w)) == w") {
  for (int64_t heads : {1, 2, 4, 8}) {
    for (int64_t head_dim : {2, 4, 8, 16}) {
      const int64_t rows = heads * head_dim, cols = 5;
      std::vector<float> w(static_cast<size_t>(rows * cols));
      for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<float>(i) * 0.5f - 3.0f;
      std::vector<float> p = permute_rotary_rows(w.data(), rows, cols, heads);
      CHECK(unpermute_rotary_rows(p.data(), rows, cols, heads) == w);
      std::vector<float> u = unpermute_rotary_rows(w.data(), rows, cols, heads);
      CHECK(permute_rotary_rows(u.data(), rows, cols, heads) == w);
      if (head_dim > 2) CHECK(p != w);
    }
  }
}

TEST_CASE("byte-level permutation works for 2-byte rows") {
  const uint16_t src[] = {0, 1, 2, 3};  // 4 rows of one F16 each
  uint16_t dst[4];
  permute_rotary_rows_bytes(reinterpret_cast<const uint8_t*>(src), reinterpret_cast<uint8_t*>(dst),
                            4, 2, 1);
  CHECK(dst[0] == 0);
  CHECK(dst[1] == 2);
  CHECK(dst[2] == 1);
  CHECK(dst[3] == 3);
  uint16_t back[4];
  unpermute_rotary_rows_bytes(reinterpret_cast<const uint8_t*>(dst),
                              reinterpret_cast<uint8_t*>(back), 4, 2, 1);
  CHECK(std::vector<uint16_t>(back, back + 4) == std::vector<uint16_t>(src, src + 4));
}

TEST_CASE("bad head splits throw ConvertError") {
  std::vector<float> w(12);
  CHECK_THROWS_AS(permute_rotary_rows(w.data(), 12, 1, 5), ConvertError);  // 12 % 5
  CHECK_THROWS_AS(permute_rotary_rows(w.data(), 6, 2, 2), ConvertError);   // head_dim 3 odd
  CHECK_THROWS_AS(unpermute_rotary_rows(w.data(), 4, 3, 0), ConvertError);
  try {
    (void)unpermute_rotary_rows(w.data(), 6, 2, 2);
  } catch (const ConvertError& e) {
    CHECK(std::string(e.what()).find("unpermute_rotary_rows: 6 rows") == 0);
  }
}

}  // namespace
}  // namespace edgeattn::convert
