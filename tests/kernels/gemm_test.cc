// Quantized / fp16-weight GEMMs (qd8_qc8w_gemm, f32_f16w_gemm): every table
// against the reference over a spread of shapes (all M/N/K tails of the 4-row,
// 2/3/4-channel and 8/16/32-wide k tiles, plus MiniLM / GPT-2 shapes), strided
// outputs, with and without bias.
//
// Tolerances:
//   qd8_qc8w_gemm: exact (bit-identical). The int32 dot product is exact in
//     every table and the epilogue float(acc) * (xs * ws) [+ bias] is the same
//     sequence of IEEE operations.
//   f32_f16w_gemm, integer data: exact. Integers in [-8, 8] make every product
//     and partial sum (< 2^24) exact, so any summation order gives the same
//     bits; this catches indexing bugs without tolerance slack.
//   f32_f16w_gemm, random data:
//     |got - want| <= 2^-24 ((4 + 4 sqrt(K)) S + 2 |want|),  S = sum_k |x_k w_k|.
//     Both sums are float in a different order: the reference is sequential,
//     the kernels keep 8 (AVX2) or 4 (NEON) lanes and reduce them at the end.
//     Their rounding errors behave like random walks of ~sqrt(K) steps of
//     <= 2^-24 S (the worst case is K steps); the constant terms cover the
//     lane reduction and the final bias addition, which dominate at small K.
//     The largest observed error is < 0.5 of this (EDGEATTN_TEST_PRINT_ERRORS=1,
//     see kernels/README.md).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "runtime/core/half.h"
#include "kernels/reference/reference.h"
#include "tests/kernels/test_util.h"

namespace edgeattn {
namespace {

struct Shape {
  size_t m, n, k;
};

// >= 50 (m, n, k) covering row tails (m % 4), channel tails and k tails, plus
// realistic layers: MiniLM FFN-down decode (1x384x1536), MiniLM attention
// projections over 128 tokens (128x384x384), GPT-2 FFN-up decode (1x3072x768)
// and a GPT-2 FFN-down decode (1x768x3072).
std::vector<Shape> shapes() {
  std::vector<Shape> s;
  const size_t ms[] = {1, 2, 3, 4, 5, 7, 8, 16, 33};
  const size_t ns[] = {1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 64};
  const size_t ks[] = {1, 2, 3, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 383, 384, 1536};
  // A diagonal walk over the three lists visits every value of each list many
  // times in different combinations (9 x 11 x 17 are pairwise coprime).
  for (size_t i = 0; i < 9 * 11; ++i) s.push_back({ms[i % 9], ns[i % 11], ks[i % 17]});
  for (size_t k : ks) s.push_back({5, 7, k});  // every k with row and channel tails
  for (size_t n : ns) s.push_back({4, n, 33});
  for (size_t m : ms) s.push_back({m, 17, 65});
  s.push_back({1, 384, 1536});
  s.push_back({128, 384, 384});
  s.push_back({1, 768, 3072});
  s.push_back({1, 3072, 768});
  // Around the VNNI kernels' blocked-path limit (K <= 4096, M >= 4).
  s.push_back({9, 19, 4096});
  s.push_back({6, 5, 4097});
  s.push_back({4, 33, 3072});
  // avx512vnni's blocked path takes two 16-channel blocks per tile while
  // 2 K <= 4096: pairs with a single block left (40, 48, 97 channels), K at
  // and just past that limit, and a K tail inside the pair.
  s.push_back({9, 40, 65});
  s.push_back({17, 48, 2048});
  s.push_back({4, 97, 2049});
  s.push_back({8, 33, 7});
  return s;
}

std::string shape_name(const KernelTable& t, const Shape& s, size_t y_stride, bool bias) {
  return std::string(t.name) + " m=" + std::to_string(s.m) + " n=" + std::to_string(s.n) +
         " k=" + std::to_string(s.k) + " y_stride=" + std::to_string(y_stride) +
         (bias ? " bias" : " no-bias");
}

std::vector<int8_t> random_int8(size_t n, int lo, int hi, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> dist(lo, hi);
  std::vector<int8_t> v(n);
  for (int8_t& b : v) b = static_cast<int8_t>(dist(rng));
  return v;
}

// Exact comparison of [m, n] outputs y_stride apart; the padding between rows
// must still hold the sentinel.
void check_bits(const std::vector<float>& got, const std::vector<float>& want, size_t m,
                size_t n, size_t y_stride, const std::string& what) {
  size_t mismatches = 0, first = 0, padding_written = 0;
  for (size_t r = 0; r < m; ++r) {
    for (size_t c = 0; c < y_stride; ++c) {
      const size_t i = r * y_stride + c;
      if (c >= n) {
        if (!test::is_sentinel(got[i])) ++padding_written;
        continue;
      }
      if (std::memcmp(&got[i], &want[i], sizeof(float)) != 0) {
        if (mismatches++ == 0) first = i;
      }
    }
  }
  INFO(what, ": ", mismatches, " mismatches, first at ", first, " got ", got[first], " want ",
       want[first]);
  CHECK(mismatches == 0);
  CHECK(padding_written == 0);
}

enum class QData { kRandom, kAllMax, kMaxMinMixed, kSparse };

class Qd8GemmTester {
 public:
  Qd8GemmTester& shape(Shape v) { s_ = v; return *this; }
  Qd8GemmTester& y_extra(size_t v) { y_extra_ = v; return *this; }
  Qd8GemmTester& bias(bool v) { bias_ = v; return *this; }
  Qd8GemmTester& data(QData v) { data_ = v; return *this; }

  void test(const KernelTable& t) const {
    const size_t rb = qd8_row_bytes(s_.k);
    const uint32_t seed = static_cast<uint32_t>(s_.m * 131 + s_.n * 17 + s_.k);
    // x rows: [-127, 127] in [0, k); padding bytes are garbage (the kernels
    // must not depend on them), including -128.
    std::vector<int8_t> xq = random_int8(s_.m * rb, -128, 127, seed);
    std::vector<int8_t> w = random_int8(s_.n * s_.k, -127, 127, seed + 1);
    for (size_t r = 0; r < s_.m; ++r) {
      for (size_t i = 0; i < s_.k; ++i) {
        int8_t& x = xq[r * rb + i];
        switch (data_) {
          case QData::kRandom: if (x == -128) x = -127; break;
          case QData::kAllMax: x = 127; break;
          case QData::kMaxMinMixed: x = (i % 3 == 0) ? -127 : 127; break;
          case QData::kSparse: if (i % 5 != 0) x = 0; else if (x == -128) x = 127; break;
        }
      }
    }
    for (size_t c = 0; c < s_.n; ++c) {
      for (size_t i = 0; i < s_.k; ++i) {
        int8_t& v = w[c * s_.k + i];
        switch (data_) {
          case QData::kRandom: case QData::kSparse: break;
          case QData::kAllMax: v = (c % 2 == 0) ? 127 : -127; break;
          case QData::kMaxMinMixed: v = (i % 3 == 0) ? -127 : 127; break;
        }
      }
    }
    const std::vector<float> xs = test::random_vector(s_.m, 1e-3f, 0.1f, seed + 2);
    const std::vector<float> ws = test::random_vector(s_.n, 1e-4f, 0.05f, seed + 3);
    const std::vector<float> b = test::random_vector(s_.n, -3.0f, 3.0f, seed + 4);
    const size_t ys = s_.n + y_extra_;
    std::vector<float> want(s_.m * ys, test::sentinel()), got(s_.m * ys, test::sentinel());
    const float* bp = bias_ ? b.data() : nullptr;
    qd8_qc8w_gemm_ukernel__reference(s_.m, s_.n, s_.k, xq.data(), xs.data(), w.data(),
                                     ws.data(), bp, want.data(), ys);
    t.qd8_qc8w_gemm(s_.m, s_.n, s_.k, xq.data(), xs.data(), w.data(), ws.data(), bp,
                    got.data(), ys);
    check_bits(got, want, s_.m, s_.n, ys,
               "qd8_qc8w " + shape_name(t, s_, ys, bias_) + " data=" +
                   std::to_string(static_cast<int>(data_)));
  }

 private:
  Shape s_{1, 1, 1};
  size_t y_extra_ = 0;
  bool bias_ = false;
  QData data_ = QData::kRandom;
};

TEST_CASE("qd8_qc8w_gemm is bit-identical to the reference over shapes") {
  const std::vector<Shape> all = shapes();
  CHECK(all.size() >= 50);
  for (const KernelTable* t : test::tables_under_test()) {
    REQUIRE((t->qd8_qc8w_gemm != nullptr));
    size_t i = 0;
    for (const Shape& s : all) {
      // Alternate bias / no bias and packed / strided output.
      Qd8GemmTester().shape(s).bias(i % 2 == 0).y_extra(i % 3 == 0 ? 0 : 5).test(*t);
      ++i;
    }
  }
}

TEST_CASE("qd8_qc8w_gemm at +-127 everywhere and with zeros: no int16 overflow, exact") {
  for (const KernelTable* t : test::tables_under_test()) {
    for (Shape s : {Shape{1, 5, 1536}, Shape{4, 4, 64}, Shape{7, 9, 3072}, Shape{5, 3, 33},
                    Shape{2, 2, 1}}) {
      for (QData d : {QData::kAllMax, QData::kMaxMinMixed, QData::kSparse}) {
        Qd8GemmTester().shape(s).data(d).bias(true).y_extra(3).test(*t);
        Qd8GemmTester().shape(s).data(d).test(*t);
      }
    }
  }
}

TEST_CASE("qd8_qc8w_gemm at the largest K keeps an exact int32 accumulator") {
  // 127 * 127 * kQd8MaxK is just below 2^31; all-127 rows reach it.
  const size_t k = kQd8MaxK;
  const size_t rb = qd8_row_bytes(k);
  std::vector<int8_t> xq(2 * rb, 127);
  std::vector<int8_t> w(3 * k, 127);
  for (size_t i = 0; i < k; ++i) w[k + i] = -127;  // channel 1: the negative extreme
  for (size_t i = 0; i < rb; ++i) xq[rb + i] = (i % 2 == 0) ? 127 : -127;  // row 1: alternating
  const float xs[2] = {1.0f, 1.0f};
  const float ws[3] = {1.0f, 1.0f, 0.5f};
  for (const KernelTable* t : test::tables_under_test()) {
    std::vector<float> y(6, 0.0f);
    t->qd8_qc8w_gemm(2, 3, k, xq.data(), xs, w.data(), ws, nullptr, y.data(), 3);
    INFO(t->name);
    const int64_t full = static_cast<int64_t>(k) * 127 * 127;  // 2147479576
    CHECK(full <= INT32_MAX);
    CHECK(y[0] == static_cast<float>(static_cast<int32_t>(full)));
    CHECK(y[1] == -static_cast<float>(static_cast<int32_t>(full)));
    CHECK(y[2] == static_cast<float>(static_cast<int32_t>(full)) * 0.5f);
    CHECK(y[3] == 0.0f);  // k is even: +127*127 and -127*127 alternate
  }
}

enum class FData { kRandom, kIntegers };

// A random half with |value| in [2^-10, 2), or exactly an integer in [-8, 8].
uint16_t random_half(std::mt19937& rng, FData d) {
  if (d == FData::kIntegers) {
    static const uint16_t kInts[] = {0x0000, 0x3c00, 0x4000, 0x4200, 0x4400, 0x4500,
                                     0x4600, 0x4700, 0x4800};  // 0..8
    const uint16_t h = kInts[rng() % 9];
    return static_cast<uint16_t>(h | ((rng() & 1) ? 0x8000 : 0));
  }
  const uint32_t e = 5 + rng() % 11;  // biased exponent 5..15
  return static_cast<uint16_t>(((rng() & 1) << 15) | (e << 10) | (rng() & 0x3ff));
}

class F16GemmTester {
 public:
  F16GemmTester& shape(Shape v) { s_ = v; return *this; }
  F16GemmTester& x_extra(size_t v) { x_extra_ = v; return *this; }
  F16GemmTester& y_extra(size_t v) { y_extra_ = v; return *this; }
  F16GemmTester& bias(bool v) { bias_ = v; return *this; }
  F16GemmTester& data(FData v) { data_ = v; return *this; }

  void test(const KernelTable& t) const {
    const uint32_t seed = static_cast<uint32_t>(s_.m * 7 + s_.n * 131 + s_.k * 3);
    std::mt19937 rng(seed);
    const size_t xs = s_.k + x_extra_;
    std::vector<float> x = test::random_vector(s_.m * xs, -1.0f, 1.0f, seed + 1);
    if (data_ == FData::kIntegers) {
      for (float& v : x) v = std::round(v * 8.0f);
    }
    std::vector<uint16_t> w(s_.n * s_.k);
    for (uint16_t& h : w) h = random_half(rng, data_);
    std::vector<float> b = test::random_vector(s_.n, -2.0f, 2.0f, seed + 2);
    if (data_ == FData::kIntegers) {
      for (float& v : b) v = std::round(v * 4.0f);
    }
    const size_t ys = s_.n + y_extra_;
    std::vector<float> want(s_.m * ys, test::sentinel()), got(s_.m * ys, test::sentinel());
    const float* bp = bias_ ? b.data() : nullptr;
    f32_f16w_gemm_ukernel__reference(s_.m, s_.n, s_.k, x.data(), xs, w.data(), bp, want.data(),
                                     ys);
    t.f32_f16w_gemm(s_.m, s_.n, s_.k, x.data(), xs, w.data(), bp, got.data(), ys);
    const std::string what = "f32_f16w " + shape_name(t, s_, ys, bias_) +
                             (data_ == FData::kIntegers ? " integers" : " random");
    if (data_ == FData::kIntegers) {
      check_bits(got, want, s_.m, s_.n, ys, what);
      return;
    }
    double worst = 0.0;
    size_t worst_i = 0, padding_written = 0;
    bool nan = false;
    const double u = std::ldexp(1.0, -24);
    for (size_t r = 0; r < s_.m; ++r) {
      for (size_t c = 0; c < ys; ++c) {
        const size_t i = r * ys + c;
        if (c >= s_.n) {
          if (!test::is_sentinel(got[i])) ++padding_written;
          continue;
        }
        if (std::isnan(got[i])) nan = true;
        double sum_abs = 0.0;
        for (size_t j = 0; j < s_.k; ++j) {
          sum_abs += std::fabs(static_cast<double>(x[r * xs + j]) * half_to_float(w[c * s_.k + j]));
        }
        const double allowed =
            u * ((4.0 + 4.0 * std::sqrt(static_cast<double>(s_.k))) * sum_abs +
                 2.0 * std::fabs(want[i])) + 1e-30;
        const double ratio = std::fabs(static_cast<double>(got[i]) - want[i]) / allowed;
        if (ratio > worst) {
          worst = ratio;
          worst_i = i;
        }
      }
    }
    test::report_ratio(worst, what);
    INFO(what, ": worst element ", worst_i, " got ", got[worst_i], " want ", want[worst_i],
         " (error / tolerance = ", worst, ")");
    CHECK_FALSE(nan);
    CHECK(worst <= 1.0);
    CHECK(padding_written == 0);
  }

 private:
  Shape s_{1, 1, 1};
  size_t x_extra_ = 0;
  size_t y_extra_ = 0;
  bool bias_ = false;
  FData data_ = FData::kRandom;
};

TEST_CASE("f32_f16w_gemm matches the reference over shapes (exact on integer data)") {
  const std::vector<Shape> all = shapes();
  for (const KernelTable* t : test::tables_under_test()) {
    REQUIRE((t->f32_f16w_gemm != nullptr));
    size_t i = 0;
    for (const Shape& s : all) {
      const bool bias = i % 2 == 1;
      const size_t ye = i % 3 == 0 ? 0 : 3, xe = i % 4 == 0 ? 0 : 7;
      F16GemmTester().shape(s).bias(bias).x_extra(xe).y_extra(ye).test(*t);
      F16GemmTester().shape(s).bias(!bias).x_extra(xe).y_extra(ye).data(FData::kIntegers).test(*t);
      ++i;
    }
  }
}

TEST_CASE("f32_f16w_gemm reads subnormal, zero and extreme halves exactly") {
  // One nonzero weight per channel: the result is a single product, exact in
  // every table (the other lanes add +0).
  const uint16_t halves[] = {0x0001, 0x8001, 0x03ff, 0x0400, 0x7bff, 0xfbff, 0x0000, 0x8000,
                             0x3c00, 0x3555};
  const size_t n = sizeof(halves) / sizeof(halves[0]);
  const size_t k = 19;
  std::vector<uint16_t> w(n * k, 0);
  for (size_t c = 0; c < n; ++c) w[c * k + (c * 5) % k] = halves[c];
  std::vector<float> x(k);
  for (size_t i = 0; i < k; ++i) x[i] = static_cast<float>(i + 1);
  for (const KernelTable* t : test::tables_under_test()) {
    std::vector<float> y(n);
    t->f32_f16w_gemm(1, n, k, x.data(), k, w.data(), nullptr, y.data(), n);
    for (size_t c = 0; c < n; ++c) {
      INFO(t->name, " half ", halves[c]);
      CHECK(y[c] == x[(c * 5) % k] * half_to_float(halves[c]));
    }
  }
}

// The reference fp32 GEMM (the reference table's fp32 layers): the oracle's
// oracle is a double-precision dot product. Tolerance: a sequential float
// sum of K products is within K * 2^-24 * S of the exact one (S = sum_k
// |x_k w_k|), plus half an ulp for the bias addition; integer data below
// 2^24 must be exact. Strided x/y and a bias are exercised.
TEST_CASE("f32_gemm (reference) against a double dot product; exact on integer data") {
  for (const Shape& s : {Shape{1, 1, 1}, Shape{1, 7, 33}, Shape{3, 5, 384}, Shape{4, 17, 1536}, Shape{2, 64, 5}}) {
    CAPTURE(s.m);
    CAPTURE(s.n);
    CAPTURE(s.k);
    const size_t xs = s.k + 3, ys = s.n + 2;
    for (bool integers : {false, true}) {
      std::vector<float> x = test::random_vector(s.m * xs, -1.0f, 1.0f, 7);
      std::vector<float> w = test::random_vector(s.n * s.k, -1.0f, 1.0f, 8);
      std::vector<float> bias = test::random_vector(s.n, -1.0f, 1.0f, 9);
      if (integers) {
        for (float& v : x) v = std::round(v * 8.0f);
        for (float& v : w) v = std::round(v * 8.0f);
        for (float& v : bias) v = std::round(v * 8.0f);
      }
      std::vector<float> y(s.m * ys, -7.0f);
      f32_gemm_ukernel__reference(s.m, s.n, s.k, x.data(), xs, w.data(), bias.data(), y.data(), ys);
      for (size_t r = 0; r < s.m; ++r) {
        for (size_t c = 0; c < s.n; ++c) {
          double exact = bias[c], mag = std::fabs(bias[c]);
          for (size_t i = 0; i < s.k; ++i) {
            exact += static_cast<double>(x[r * xs + i]) * w[c * s.k + i];
            mag += std::fabs(static_cast<double>(x[r * xs + i]) * w[c * s.k + i]);
          }
          const double got = y[r * ys + c];
          if (integers) {
            CHECK(got == exact);
          } else {
            CHECK(std::fabs(got - exact) <= (static_cast<double>(s.k) + 1.0) * 0x1.0p-24 * mag);
          }
        }
        // The padding between rows of y is untouched.
        for (size_t c = s.n; c < ys; ++c) CHECK(y[r * ys + c] == -7.0f);
      }
    }
  }
}

}  // namespace
}  // namespace edgeattn
