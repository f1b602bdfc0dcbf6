// Block-quantized weights (I4Blocks / I8Blocks): f32_q8b_quantize and the
// two GEMMs.
//
// Tolerance between tables: exact. kernels.h fixes every float operation
// (one product and eight lane FMAs per block on exact integer lane sums, a
// fixed tree at the end), so each ISA table must give the reference's bits;
// the cases cover m, n and k around every register tile and tail (1, odd
// sizes, a prime number of blocks), biases, strided outputs, and weight
// bytes the converter would never write (random codes, -128 in I8 blocks,
// zero / subnormal / large scales).
//
// The reference itself is checked against an independent evaluation: the
// weights decoded by this file's own nibble reader and the activations
// dequantized, summed in double. The two differ only by the reference's
// float roundings: at most (blocks * 9 + 8) roundings of partial sums no
// larger than sum |terms|, so the bound is 2^-23 * that many * sum |terms|.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "kernels/reference/f16_encode.h"
#include "kernels/reference/reference.h"
#include "runtime/core/half.h"
#include "runtime/core/weight_blocks.h"
#include "tests/kernels/test_util.h"

namespace edgeattn {
namespace {

struct QuantizedX {
  std::vector<int8_t> q;   // [rows, k]
  std::vector<float> d;    // [rows, k / 32]
  std::vector<float> s;    // [rows, k / 32]
};

QuantizedX quantize(const KernelTable& t, size_t rows, size_t k, const std::vector<float>& x, size_t x_stride) {
  QuantizedX r;
  r.q.assign(rows * k, static_cast<int8_t>(0x5a));
  r.d.assign(rows * k / kWeightBlock, test::sentinel());
  r.s.assign(rows * k / kWeightBlock, test::sentinel());
  t.f32_q8b_quantize(rows, k, x.data(), x_stride, r.q.data(), r.d.data(), r.s.data());
  return r;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

uint16_t random_scale(std::mt19937& rng, int kind) {
  std::uniform_real_distribution<float> u(0.5f, 1.0f);
  const float sign = (rng() & 1) != 0 ? -1.0f : 1.0f;
  switch (kind % 8) {
    case 0: return 0;                                                       // +0
    case 1: return static_cast<uint16_t>(1 + rng() % 0x3ff);                // subnormal half
    case 2: return f32_to_fp16_bits(sign * 3e4f * u(rng));                  // large
    default: return f32_to_fp16_bits(sign * 0.02f * u(rng));                // typical weights
  }
}

// Random blocks for W [n, k]: every byte pattern of the codes, scales of
// every kind.
std::vector<uint8_t> random_i4(size_t n, size_t k, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<I4Block> w(n * k / kWeightBlock);
  for (size_t i = 0; i < w.size(); ++i) {
    w[i].d = random_scale(rng, static_cast<int>(rng() % 8));
    w[i].m = random_scale(rng, static_cast<int>(rng() % 8));
    for (uint8_t& c : w[i].codes) c = static_cast<uint8_t>(rng());
  }
  std::vector<uint8_t> bytes(w.size() * sizeof(I4Block));
  std::memcpy(bytes.data(), w.data(), bytes.size());
  return bytes;
}

std::vector<uint8_t> random_i8(size_t n, size_t k, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<I8Block> w(n * k / kWeightBlock);
  for (size_t i = 0; i < w.size(); ++i) {
    w[i].d = random_scale(rng, static_cast<int>(rng() % 8));
    for (int8_t& q : w[i].q) q = static_cast<int8_t>(rng());  // -128 included
  }
  std::vector<uint8_t> bytes(w.size() * sizeof(I8Block));
  std::memcpy(bytes.data(), w.data(), bytes.size());
  return bytes;
}

// Activations with a block of zeros and a block of tiny values every few
// blocks (the d = 0 path), else values of varied magnitude per block.
std::vector<float> random_x(size_t rows, size_t stride, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> x(rows * stride);
  for (size_t i = 0; i < x.size(); ++i) {
    const size_t block = i / kWeightBlock;
    const float scale = block % 7 == 3 ? 0.0f : block % 11 == 5 ? 1e-35f : std::ldexp(1.0f, static_cast<int>(block % 9) - 4);
    x[i] = u(rng) * scale;
  }
  return x;
}

using GemmFn = decltype(KernelTable::q8b_i4bw_gemm);

std::vector<float> run_gemm(GemmFn gemm, size_t m, size_t n, size_t k, const QuantizedX& x,
                            const std::vector<uint8_t>& w, const float* bias, size_t y_stride) {
  std::vector<float> y(m * y_stride, test::sentinel());
  gemm(m, n, k, x.q.data(), x.d.data(), x.s.data(), w.data(), bias, y.data(), y_stride);
  return y;
}

TEST_CASE("f32_q8b_quantize: ggml's Q8_1 formula, bit-identical in every table") {
  SUBCASE("the formula on one block") {
    std::vector<float> x(32, 0.0f);
    x[0] = 2.54f;  // amax: q = 127
    x[1] = -1.27f;
    x[2] = 0.01f;
    x[3] = 1.25f;
    const QuantizedX r = quantize(reference_kernels(), 1, 32, x, 32);
    const float inv = 127.0f / 2.54f;
    for (size_t j = 0; j < 32; ++j) CHECK(r.q[j] == static_cast<int8_t>(std::nearbyint(x[j] * inv)));
    CHECK(r.q[0] == 127);
    const float d = 2.54f / 127.0f;
    CHECK(r.d[0] == half_to_float(f32_to_fp16_bits(d)));
    int sum = 0;
    for (size_t j = 0; j < 32; ++j) sum += r.q[j];
    CHECK(r.s[0] == half_to_float(f32_to_fp16_bits(d * static_cast<float>(sum))));
  }
  SUBCASE("a zero block and a tiny block give d = s = 0 and zero codes") {
    std::vector<float> x(64, 0.0f);
    for (size_t j = 32; j < 64; ++j) x[j] = 1e-31f;  // below kQd8MinAmax = 2^-100
    const QuantizedX r = quantize(reference_kernels(), 1, 64, x, 64);
    CHECK(r.d[0] == 0.0f);
    CHECK(r.s[0] == 0.0f);
    CHECK(r.d[1] == 0.0f);
    CHECK(std::all_of(r.q.begin(), r.q.end(), [](int8_t q) { return q == 0; }));
  }
  SUBCASE("ties, fp16 overflow and subnormal scales: the reference's bits in every table") {
    // Block 0: amax 127, so inv = 1 and x * inv = x: halves round to even.
    // Block 1: amax 5000: s = d * sum overflows binary16 (inf).
    // Block 2: amax 1e-4: d is a subnormal half. Block 3: amax just above kQd8MinAmax.
    std::vector<float> x(128);
    for (size_t j = 0; j < 32; ++j) x[j] = j == 0 ? 127.0f : static_cast<float>(j) - 15.5f;
    for (size_t j = 32; j < 64; ++j) x[j] = 5000.0f - static_cast<float>(j);
    for (size_t j = 64; j < 96; ++j) x[j] = (j % 2 == 0 ? 1e-4f : -0.37e-4f) * static_cast<float>(j - 63) / 32.0f;
    for (size_t j = 96; j < 128; ++j) x[j] = 0x1.2p-100f * static_cast<float>(j % 5) / 4.0f;
    const QuantizedX want = quantize(reference_kernels(), 1, 128, x, 128);
    CHECK(want.q[2] == -14);  // -13.5: ties to even
    CHECK(std::isinf(want.s[1]));
    for (const KernelTable* t : test::tables_under_test()) {
      const QuantizedX got = quantize(*t, 1, 128, x, 128);
      INFO(std::string(t->name));
      CHECK(got.q == want.q);
      CHECK(same_bits(got.d, want.d));
      CHECK(same_bits(got.s, want.s));
    }
  }
  const size_t ks[] = {32, 64, 96, 160, 576, 1536};
  for (const KernelTable* t : test::tables_under_test()) {
    uint32_t seed = 7;
    for (size_t k : ks) {
      for (size_t rows : {1, 2, 3, 5}) {
        const size_t stride = k + (rows % 2) * 8;
        const std::vector<float> x = random_x(rows, stride, ++seed);
        const QuantizedX want = quantize(reference_kernels(), rows, k, x, stride);
        const QuantizedX got = quantize(*t, rows, k, x, stride);
        INFO(std::string(t->name), " rows=", rows, " k=", k);
        CHECK(got.q == want.q);
        CHECK(same_bits(got.d, want.d));
        CHECK(same_bits(got.s, want.s));
      }
    }
  }
}

// The reference's y[r, c] evaluated independently in double from decoded
// values, and the bound on the reference's rounding (see the file comment).
void check_reference_value(bool int4, size_t k, const QuantizedX& x, size_t r, const uint8_t* w_row, float bias,
                           float got) {
  const size_t blocks = k / kWeightBlock;
  double exact = bias, magnitude = std::fabs(bias);
  for (size_t b = 0; b < blocks; ++b) {
    const uint8_t* blk = w_row + b * (int4 ? sizeof(I4Block) : sizeof(I8Block));
    uint16_t dh, mh = 0;
    std::memcpy(&dh, blk, 2);
    if (int4) std::memcpy(&mh, blk + 2, 2);
    const double dw = half_to_float(dh), mw = half_to_float(mh), dx = x.d[r * blocks + b];
    for (size_t j = 0; j < kWeightBlock; ++j) {
      const int code = int4 ? (j < 16 ? blk[4 + j] & 15 : blk[4 + j - 16] >> 4) : static_cast<int8_t>(blk[2 + j]);
      const double term = dw * dx * code * x.q[r * k + b * kWeightBlock + j];
      exact += term;
      magnitude += std::fabs(term);
    }
    if (int4) {
      // The offset's share: m times the block's sum of quantized inputs, which s holds rounded.
      exact += mw * x.s[r * blocks + b];
      magnitude += std::fabs(mw * x.s[r * blocks + b]);
    }
  }
  const double bound = std::ldexp(1.0, -23) * static_cast<double>(blocks * 9 + 8) * magnitude + 1e-44;
  INFO("r=", r, " got ", got, " exact ", exact, " bound ", bound);
  CHECK(std::fabs(got - exact) <= bound);
}

void gemm_case(bool int4, size_t m, size_t n, size_t k, bool with_bias, size_t y_pad, uint32_t seed) {
  const std::vector<float> x = random_x(m, k, seed);
  const QuantizedX xq = quantize(reference_kernels(), m, k, x, k);
  const std::vector<uint8_t> w = int4 ? random_i4(n, k, seed + 1) : random_i8(n, k, seed + 1);
  const std::vector<float> bias = test::random_vector(n, -1.0f, 1.0f, seed + 2);
  const float* b = with_bias ? bias.data() : nullptr;
  const size_t y_stride = n + y_pad;
  const GemmFn ref = int4 ? reference_kernels().q8b_i4bw_gemm : reference_kernels().q8b_i8bw_gemm;
  const std::vector<float> want = run_gemm(ref, m, n, k, xq, w, b, y_stride);
  const size_t row_bytes = k / kWeightBlock * (int4 ? sizeof(I4Block) : sizeof(I8Block));
  for (size_t r = 0; r < m; ++r) {
    for (size_t c = 0; c < n; c += 1 + n / 5) {
      check_reference_value(int4, k, xq, r, w.data() + c * row_bytes, with_bias ? bias[c] : 0.0f,
                            want[r * y_stride + c]);
    }
    for (size_t c = n; c < y_stride; ++c) CHECK(test::is_sentinel(want[r * y_stride + c]));
  }
  for (const KernelTable* t : test::tables_under_test()) {
    const std::vector<float> got = run_gemm(int4 ? t->q8b_i4bw_gemm : t->q8b_i8bw_gemm, m, n, k, xq, w, b, y_stride);
    INFO(std::string(t->name), (int4 ? " i4" : " i8"), " m=", m, " n=", n, " k=", k, " bias=", with_bias);
    CHECK(std::memcmp(got.data(), want.data(), got.size() * sizeof(float)) == 0);
  }
}

TEST_CASE("q8b_i4bw_gemm / q8b_i8bw_gemm: the reference's bits in every table") {
  uint32_t seed = 100;
  for (bool int4 : {true, false}) {
    for (size_t m : {1, 2, 3, 4, 5, 7, 8, 9, 17}) {
      for (size_t n : {1, 2, 3, 4, 7, 8, 9, 15, 16, 17, 33}) {
        for (size_t k : {32, 64, 96, 224, 576}) {
          gemm_case(int4, m, n, k, (m + n) % 2 == 0, (n % 3) * 5, seed += 3);
        }
      }
    }
    gemm_case(int4, 3, 40, 1536, true, 0, seed += 3);   // SmolLM2's down projection K
    gemm_case(int4, 1, 70, 2048, false, 3, seed += 3);
    // Prefill: many row tiles per column tile (the x86 tables decode the
    // weights of 8 columns once into a buffer and reuse them for every row).
    gemm_case(int4, 66, 11, 96, true, 2, seed += 3);
    // K past the x86 tables' packing buffer (I8: 90 blocks, I4: 153) with
    // m >= 4: their row-tile fallback.
    gemm_case(int4, 5, 9, 3200, true, 1, seed += 3);
    gemm_case(int4, 6, 5, 5120, false, 0, seed += 3);
  }
}

}  // namespace
}  // namespace edgeattn
