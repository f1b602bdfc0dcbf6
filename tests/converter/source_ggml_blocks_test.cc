// ggml's block-quantized formats (converter/source/ggml_blocks.h) against
// gguf-py's dequantize (llama.cpp's Python package; committed fixture
// tests/fixtures/ggml_blocks.json, written by
// tests/reference/make_ggml_blocks_fixture.py): 12 blocks of each of Q4_0,
// Q4_1 and Q8_0 with fp16 scales from subnormal to 65504, bit for bit; the
// same blocks through GgufWriter, GgufFile and to_f32(); the shape checks
// of block tensors; ggml_to_weight_blocks (format 1.9's I4 / I8 blocks:
// Q4_1 and Q8_0 copied, Q4_0 re-expressed with m = -8 d, the same values);
// Q5_0 / Q5_1 / K-quants; and quantize_q4_1 against gguf-py's quantizer.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "converter/source/convert_error.h"
#include "converter/source/ggml_blocks.h"
#include "converter/source/gguf.h"
#include "converter/source/gguf_writer.h"
#include "converter/source/source_tensor.h"
#include "runtime/core/weight_blocks.h"
#include "tests/support/model_paths.h"

namespace edgeattn::convert {
namespace {

std::vector<uint8_t> from_hex(const std::string& hex) {
  std::vector<uint8_t> out(hex.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<uint8_t>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
  return out;
}

// Float32 values from the hex of their little-endian bits.
std::vector<uint32_t> bits_of_hex(const std::string& hex) {
  const std::vector<uint8_t> bytes = from_hex(hex);
  std::vector<uint32_t> out(bytes.size() / 4);
  std::memcpy(out.data(), bytes.data(), out.size() * 4);
  return out;
}

std::vector<uint32_t> bits_of(const std::vector<float>& v) {
  std::vector<uint32_t> out(v.size());
  std::memcpy(out.data(), v.data(), v.size() * 4);
  return out;
}

nlohmann::json fixture() {
  std::ifstream in(std::string(EDGEATTN_SOURCE_DIR) + "/tests/fixtures/ggml_blocks.json");
  REQUIRE(in.good());
  return nlohmann::json::parse(in);
}

struct BlockType {
  const char* name;
  SourceDType dtype;
  size_t bytes;
};
constexpr BlockType kTypes[] = {{"Q4_0", SourceDType::kQ4_0, 18}, {"Q4_1", SourceDType::kQ4_1, 20},
                                {"Q8_0", SourceDType::kQ8_0, 34}};

TEST_CASE("ggml blocks: dequantized bit for bit as gguf-py") {
  const nlohmann::json j = fixture().at("synthetic");
  for (const BlockType& t : kTypes) {
    CAPTURE(t.name);
    CHECK(ggml_block_bytes(t.dtype) == t.bytes);
    const std::vector<uint8_t> bytes = from_hex(j.at(t.name).at("bytes").get<std::string>());
    const std::vector<uint32_t> expect = bits_of_hex(j.at(t.name).at("values").get<std::string>());
    REQUIRE(bytes.size() == 12 * t.bytes);
    REQUIRE(expect.size() == 12 * kGgmlBlockElems);
    std::vector<float> got(expect.size());
    dequantize_ggml_blocks(t.dtype, bytes.data(), got.size(), got.data());
    CHECK(bits_of(got) == expect);
  }
}

constexpr BlockType kMoreTypes[] = {{"Q5_0", SourceDType::kQ5_0, 22}, {"Q5_1", SourceDType::kQ5_1, 24},
                                    {"Q4_K", SourceDType::kQ4_K, 144}, {"Q5_K", SourceDType::kQ5_K, 176},
                                    {"Q6_K", SourceDType::kQ6_K, 210}};

TEST_CASE("ggml blocks: Q5_0, Q5_1 and the K-quants dequantized bit for bit as gguf-py") {
  const nlohmann::json j = fixture().at("synthetic_more");
  for (const BlockType& t : kMoreTypes) {
    CAPTURE(std::string(t.name));
    CHECK(ggml_block_bytes(t.dtype) == t.bytes);
    const std::vector<uint8_t> bytes = from_hex(j.at(t.name).at("bytes").get<std::string>());
    const std::vector<uint32_t> expect = bits_of_hex(j.at(t.name).at("values").get<std::string>());
    REQUIRE(bytes.size() / t.bytes * ggml_block_elems(t.dtype) == expect.size());
    std::vector<float> got(expect.size());
    dequantize_ggml_blocks(t.dtype, bytes.data(), got.size(), got.data());
    CHECK(bits_of(got) == expect);
  }
}

// Dequantized values of edgeattn blocks (`int4`: I4, else I8).
std::vector<float> weight_block_values(const std::vector<uint8_t>& blocks, bool int4) {
  const size_t block_bytes = int4 ? sizeof(I4Block) : sizeof(I8Block);
  std::vector<float> out(blocks.size() / block_bytes * kWeightBlock);
  for (size_t b = 0; b < out.size() / kWeightBlock; ++b) {
    if (int4) {
      I4Block block;
      std::memcpy(&block, blocks.data() + b * block_bytes, sizeof(block));
      dequantize_block(block, out.data() + b * kWeightBlock);
    } else {
      I8Block block;
      std::memcpy(&block, blocks.data() + b * block_bytes, sizeof(block));
      dequantize_block(block, out.data() + b * kWeightBlock);
    }
  }
  return out;
}

TEST_CASE("Q4_K -> I4 blocks and Q5_0 / Q5_1 / Q5_K / Q6_K -> I8 blocks: the nearest native values") {
  // Q4_K keeps its codes; only d sc and dmin m are rounded to binary16:
  // |error| <= 15 |d sc| 2^-11 + |dmin m| 2^-11 per value. The others are
  // re-quantized to 8 bits per 32 values: |error| <= amax / 254 (the code's
  // rounding) + amax 2^-10 (d in binary16, times 127), and where amax / 127
  // is below binary16's normal range, + 127 2^-25 (d's absolute rounding:
  // half the smallest subnormal step).
  const nlohmann::json j = fixture().at("synthetic_more");
  for (const BlockType& t : kMoreTypes) {
    CAPTURE(std::string(t.name));
    const std::vector<uint8_t> bytes = from_hex(j.at(t.name).at("bytes").get<std::string>());
    const std::vector<uint32_t> bits = bits_of_hex(j.at(t.name).at("values").get<std::string>());
    std::vector<float> want(bits.size());
    std::memcpy(want.data(), bits.data(), bits.size() * 4);
    bool int4 = false;
    const std::vector<uint8_t> blocks = ggml_to_weight_blocks(t.dtype, bytes.data(), want.size(), &int4, "w");
    CHECK(int4 == (t.dtype == SourceDType::kQ4_K));
    const std::vector<float> got = weight_block_values(blocks, int4);
    REQUIRE(got.size() == want.size());
    double worst = 0;
    for (size_t b = 0; b < want.size() / kWeightBlock; ++b) {
      double amax = 0, err = 0;
      for (size_t i = b * kWeightBlock; i < (b + 1) * kWeightBlock; ++i) {
        amax = std::max(amax, std::fabs(static_cast<double>(want[i])));
        err = std::max(err, std::fabs(static_cast<double>(got[i]) - want[i]));
      }
      const double bound = int4 ? 16.0 / 2048 * amax : amax / 254 + amax / 1024 + 127 * std::ldexp(1.0, -25);
      worst = std::max(worst, err / (bound + 1e-30));
    }
    MESSAGE(std::string(t.name) << ": worst |error| / bound " << worst);
    CHECK(worst <= 1.0);
  }
}

TEST_CASE("ggml blocks: through GgufWriter, GgufFile and to_f32") {
  const nlohmann::json j = fixture().at("synthetic");
  const std::string path = testing::temp_dir("ggml_blocks") + "/blocks.gguf";
  GgufWriter w;
  w.add_string("general.architecture", "llama");
  for (const BlockType& t : kTypes) {
    const std::vector<uint8_t> bytes = from_hex(j.at(t.name).at("bytes").get<std::string>());
    w.add_tensor(t.name, t.dtype, {3, 128}, bytes.data(), bytes.size());  // 12 blocks: 3 rows of 4
  }
  w.write(path);
  const GgufFile g = GgufFile::open(path);
  for (const BlockType& t : kTypes) {
    CAPTURE(t.name);
    const SourceTensor& st = g.tensor(t.name);
    CHECK(st.dtype == t.dtype);
    CHECK(st.shape == std::vector<int64_t>{3, 128});
    CHECK(st.nbytes == 12 * t.bytes);
    CHECK(bits_of(to_f32(st)) == bits_of_hex(j.at(t.name).at("values").get<std::string>()));
  }
}

TEST_CASE("ggml blocks as edgeattn's I4 / I8 blocks: the same values, Q4_0 via m = -8 d") {
  const nlohmann::json j = fixture().at("synthetic");
  for (const BlockType& t : kTypes) {
    CAPTURE(std::string(t.name));
    std::vector<uint8_t> bytes = from_hex(j.at(t.name).at("bytes").get<std::string>());
    std::vector<uint32_t> expect = bits_of_hex(j.at(t.name).at("values").get<std::string>());
    bool int4 = false;
    if (t.dtype == SourceDType::kQ4_0) {
      // Block 7's d is 65504: -8 d overflows binary16, so no I4 block holds it.
      CHECK_THROWS_WITH_AS(ggml_to_weight_blocks(t.dtype, bytes.data(), bytes.size() / t.bytes * 32, &int4, "w"),
                           doctest::Contains("Q4_0 block 7"), ConvertError);
      bytes.erase(bytes.begin() + 7 * 18, bytes.begin() + 8 * 18);
      expect.erase(expect.begin() + 7 * 32, expect.begin() + 8 * 32);
    }
    const size_t count = bytes.size() / t.bytes * kGgmlBlockElems;
    const std::vector<uint8_t> blocks = ggml_to_weight_blocks(t.dtype, bytes.data(), count, &int4, "w");
    CHECK(int4 == (t.dtype != SourceDType::kQ8_0));
    if (t.dtype != SourceDType::kQ4_0) CHECK(blocks == bytes);  // copied unchanged
    std::vector<float> got(count);
    for (size_t b = 0; b < count / kWeightBlock; ++b) {
      if (int4) {
        I4Block block;
        std::memcpy(&block, blocks.data() + b * sizeof(I4Block), sizeof(block));
        dequantize_block(block, got.data() + b * kWeightBlock);
      } else {
        I8Block block;
        std::memcpy(&block, blocks.data() + b * sizeof(I8Block), sizeof(block));
        dequantize_block(block, got.data() + b * kWeightBlock);
      }
    }
    if (t.dtype != SourceDType::kQ4_0) {
      CHECK(bits_of(got) == expect);
    } else {
      // Equal as numbers: only a zero's sign may differ (d (q - 8) with d = +-0
      // is -0 for one sign of q - 8; d q + m gives +0).
      std::vector<float> want(expect.size());
      std::memcpy(want.data(), expect.data(), want.size() * 4);
      CHECK(got == want);
    }
  }
}

TEST_CASE("quantize_q4_1 (--dtype int4) writes gguf-py's Q4_1 bytes") {
  const nlohmann::json j = fixture().at("quantize_q4_1");
  const std::vector<uint32_t> bits = bits_of_hex(j.at("values").get<std::string>());
  std::vector<float> values(bits.size());
  std::memcpy(values.data(), bits.data(), bits.size() * 4);
  REQUIRE(values.size() == 10 * kWeightBlock);
  CHECK(quantize_q4_1(values.data(), values.size()) == from_hex(j.at("bytes").get<std::string>()));
}

TEST_CASE("ggml blocks: shapes and sizes are checked") {
  uint64_t n = 0, bytes = 0;
  CHECK(tensor_bytes(SourceDType::kQ4_1, {2, 64}, &n, &bytes));
  CHECK(n == 128);
  CHECK(bytes == 80);
  CHECK_FALSE(tensor_bytes(SourceDType::kQ8_0, {64, 48}, &n, &bytes));  // last dim not a multiple of 32
  CHECK_FALSE(tensor_bytes(SourceDType::kQ4_0, {}, &n, &bytes));
  std::vector<uint8_t> block(20 * 2);
  GgufWriter w;
  CHECK_THROWS_AS(w.add_tensor("short", SourceDType::kQ4_1, {3, 32}, block.data(), block.size()), ConvertError);
  CHECK_THROWS_AS(w.add_tensor("ragged", SourceDType::kQ4_1, {1, 40}, block.data(), block.size()), ConvertError);
  SourceTensor t;
  t.name = "w";
  t.dtype = SourceDType::kQ8_0;
  t.shape = {1, 32};
  t.data = block.data();
  t.nbytes = 33;  // one byte short of a block
  CHECK_THROWS_AS(to_f32(t), ConvertError);
}

}  // namespace
}  // namespace edgeattn::convert
