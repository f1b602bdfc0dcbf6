// Quantization helpers: f32_qd8_quantize, f32_qs8_quantize, f16_to_f32_rows.
// All are bit-identical to the reference in every table (tolerance:
// exact), because each output is one IEEE operation or an exact conversion:
//   quantize: max/abs exact, scale = amax / 127 and inv = 127 / amax computed
//             once per row as scalars (qs8: inv = the multiplier), then
//             x * inv, clamp and rne;
//   fp16 -> fp32: exact (NaN payload aside: NaN only has to stay NaN).
// Also checked: the documented formula itself (ties to even, zero and tiny
// rows, huge values, padding bytes) and the round trip |x - q * scale| <= scale / 2.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "runtime/core/half.h"
#include "kernels/reference/reference.h"
#include "tests/kernels/test_util.h"

namespace edgeattn {
namespace {

struct QuantResult {
  std::vector<int8_t> q;
  std::vector<float> scales;
};

QuantResult quantize(const KernelTable& t, size_t rows, size_t k, const std::vector<float>& x,
                     size_t x_stride) {
  QuantResult r;
  // Prefill with a byte the kernels never write: padding must become 0.
  r.q.assign(rows * qd8_row_bytes(k), static_cast<int8_t>(0x5a));
  r.scales.assign(rows, test::sentinel());
  t.f32_qd8_quantize(rows, k, x.data(), x_stride, r.q.data(), r.scales.data());
  return r;
}

void check_same(const QuantResult& got, const QuantResult& want, const std::string& what) {
  INFO(what);
  REQUIRE(got.q.size() == want.q.size());
  size_t bad = 0, first = 0;
  for (size_t i = 0; i < got.q.size(); ++i) {
    if (got.q[i] != want.q[i] && bad++ == 0) first = i;
  }
  INFO("first mismatch at byte ", first, " got ", int{got.q[first]}, " want ",
       int{want.q[first]});
  CHECK(bad == 0);
  CHECK(std::memcmp(got.scales.data(), want.scales.data(), got.scales.size() * sizeof(float)) ==
        0);
}

TEST_CASE("f32_qd8_quantize is bit-identical to the reference") {
  const size_t ks[] = {1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 383, 384, 1536, 3072};
  const float ranges[] = {1.0f, 1e-3f, 300.0f, 1e-30f, 1e30f};
  for (const KernelTable* t : test::tables_under_test()) {
    uint32_t seed = 1;
    for (size_t k : ks) {
      for (float range : ranges) {
        const size_t rows = 1 + k % 5, xs = k + (k % 3);
        std::vector<float> x = test::random_vector(rows * xs, -range, range, seed++);
        const std::string what = std::string(t->name) + " k=" + std::to_string(k) + " range=" +
                                 std::to_string(range);
        check_same(quantize(*t, rows, k, x, xs), quantize(reference_kernels(), rows, k, x, xs),
                   what);
      }
    }
    // 128 tokens x 384 (the benchmark shape).
    std::vector<float> x = test::random_vector(128 * 384, -4.0f, 4.0f, 99);
    check_same(quantize(*t, 128, 384, x, 384), quantize(reference_kernels(), 128, 384, x, 384),
               std::string(t->name) + " 128x384");
  }
}

TEST_CASE("f32_qd8_quantize: formula, ties to even, zero / tiny / huge rows") {
  for (const KernelTable* t : test::tables_under_test()) {
    INFO(t->name);
    // amax = 127 -> inv = 1 exactly, so x * inv = x and the ties are exact.
    const std::vector<float> ties = {127.0f, 0.5f,  1.5f,   2.5f, -0.5f, -1.5f, -2.5f,
                                     126.5f, -126.5f, 3.49999976f, 0.0f, -0.0f, -127.0f,
                                     1e-20f, 64.5f, 65.5f, -64.5f};
    const std::vector<int> want = {127, 0, 2, 2, 0, -2, -2, 126, -126, 3, 0, 0, -127, 0, 64, 66, -64};
    QuantResult r = quantize(*t, 1, ties.size(), ties, ties.size());
    CHECK(r.scales[0] == 1.0f);
    for (size_t i = 0; i < ties.size(); ++i) {
      INFO("x=", ties[i]);
      CHECK(int{r.q[i]} == want[i]);
    }
    for (size_t i = ties.size(); i < r.q.size(); ++i) CHECK(r.q[i] == 0);

    // Rows (k = 40, a 32-block plus a tail): zeros; below 2^-100 (tiny,
    // subnormal); exactly 2^-100; huge; negative max.
    const size_t k = 40;
    std::vector<float> x(5 * k, 0.0f);
    for (size_t i = 0; i < k; ++i) {
      x[1 * k + i] = (i % 2 ? -1.0f : 1.0f) * std::ldexp(1.0f, -102) * static_cast<float>(i % 3);
      x[2 * k + i] = static_cast<float>(i) / 39.0f * 0x1p-100f;
      x[3 * k + i] = (i % 2 ? -1.0f : 1.0f) * 3.0e38f * (static_cast<float>(i) / 39.0f);
      x[4 * k + i] = static_cast<float>(i) - 30.0f;
    }
    x[1 * k + 7] = 1e-40f;  // subnormal
    r = quantize(*t, 5, k, x, k);
    const size_t rb = qd8_row_bytes(k);
    CHECK(r.scales[0] == 0.0f);
    CHECK(r.scales[1] == 0.0f);
    for (size_t i = 0; i < 2 * rb; ++i) CHECK(r.q[i] == 0);
    CHECK(r.scales[2] == 0x1p-100f / 127.0f);
    CHECK(r.q[2 * rb + 39] == 127);
    CHECK(r.q[2 * rb + 0] == 0);
    CHECK(std::isfinite(r.scales[3]));
    CHECK(r.scales[3] == 3.0e38f / 127.0f);
    CHECK(r.q[3 * rb + 39] == -127);  // i = 39 is odd: -3e38
    CHECK(r.q[3 * rb + 38] == 124);   // 38/39 * 127 = 123.74
    CHECK(r.scales[4] == 30.0f / 127.0f);
    CHECK(r.q[4 * rb + 0] == -127);
    CHECK(r.q[4 * rb + 30] == 0);
    for (size_t row = 0; row < 5; ++row)
      for (size_t i = k; i < rb; ++i) CHECK(r.q[row * rb + i] == 0);
  }
}

TEST_CASE("f32_qd8_quantize round trip: |x - q * scale| <= scale / 2") {
  for (const KernelTable* t : test::tables_under_test()) {
    const size_t rows = 9, k = 385;
    std::vector<float> x = test::random_vector(rows * k, -5.0f, 5.0f, 7);
    for (size_t r = 0; r < rows; ++r)
      for (size_t i = 0; i < k; ++i) x[r * k + i] *= static_cast<float>(r + 1) * 0.37f;
    const QuantResult q = quantize(*t, rows, k, x, k);
    double worst = 0.0;
    for (size_t r = 0; r < rows; ++r) {
      for (size_t i = 0; i < k; ++i) {
        const double err = std::fabs(x[r * k + i] - static_cast<double>(q.q[r * qd8_row_bytes(k) + i]) * q.scales[r]);
        // scale / 2 plus the float rounding of x * inv (a few ulp of |x|).
        worst = std::fmax(worst, err / (0.5 * q.scales[r] * (1.0 + 1e-6) + 4e-7 * std::fabs(x[r * k + i])));
      }
    }
    INFO(t->name, " worst error / bound ", worst);
    CHECK(worst <= 1.0);
  }
}

TEST_CASE("quantize + qd8_qc8w_gemm approximates the float product") {
  // |y - exact| <= sum_k |x_k - q_k s| |w_k| ws + float epilogue rounding,
  // with |x_k - q_k s| <= s / 2 (+ ulps): checks that the two entries agree
  // on layouts (row stride qd8_row_bytes) and scales.
  const size_t m = 5, n = 9, k = 77;
  std::vector<float> x = test::random_vector(m * k, -2.0f, 2.0f, 3);
  std::vector<int8_t> w(n * k);
  std::mt19937 rng(5);
  for (int8_t& v : w) v = static_cast<int8_t>(static_cast<int>(rng() % 255) - 127);
  const std::vector<float> ws = test::random_vector(n, 0.001f, 0.01f, 6);
  const std::vector<float> b = test::random_vector(n, -1.0f, 1.0f, 8);
  for (const KernelTable* t : test::tables_under_test()) {
    std::vector<int8_t> xq(m * qd8_row_bytes(k));
    std::vector<float> xs(m), y(m * n);
    t->f32_qd8_quantize(m, k, x.data(), k, xq.data(), xs.data());
    t->qd8_qc8w_gemm(m, n, k, xq.data(), xs.data(), w.data(), ws.data(), b.data(), y.data(), n);
    for (size_t r = 0; r < m; ++r) {
      for (size_t c = 0; c < n; ++c) {
        double exact = b[c], bound = 0.0;
        for (size_t i = 0; i < k; ++i) {
          exact += double{x[r * k + i]} * w[c * k + i] * ws[c];
          bound += std::fabs(static_cast<double>(w[c * k + i])) * ws[c];
        }
        bound = bound * (0.5 * xs[r] * (1 + 1e-6) + 4e-7 * 2.0) + 1e-6 * (std::fabs(exact) + 1.0);
        INFO(t->name, " r=", r, " c=", c);
        CHECK(std::fabs(y[r * n + c] - exact) <= bound);
      }
    }
  }
}

std::vector<int8_t> quantize_qs8(const KernelTable& t, size_t rows, size_t k, const std::vector<float>& x,
                                 size_t x_stride, float multiplier) {
  // Prefill with a byte the kernels never write: padding must become 0.
  std::vector<int8_t> q(rows * qd8_row_bytes(k), static_cast<int8_t>(0x5a));
  t.f32_qs8_quantize(rows, k, x.data(), x_stride, multiplier, q.data());
  return q;
}

TEST_CASE("f32_qs8_quantize is bit-identical to the reference") {
  const size_t ks[] = {1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 255, 256, 257, 383, 1536};
  // Multipliers as Marian's 127 / alpha, and ranges that mostly clamp or
  // mostly round to 0.
  const float multipliers[] = {127.0f / 4.0f, 1.0f, 0.37f, 127.0f / 0.013f, 3.0e-3f};
  for (const KernelTable* t : test::tables_under_test()) {
    uint32_t seed = 1;
    for (size_t k : ks) {
      for (float m : multipliers) {
        const size_t rows = 1 + k % 4, xs = k + (k % 3);
        std::vector<float> x = test::random_vector(rows * xs, -8.0f, 8.0f, seed++);
        const std::string what = std::string(t->name) + " qs8 k=" + std::to_string(k) + " m=" + std::to_string(m);
        INFO(what);
        const std::vector<int8_t> got = quantize_qs8(*t, rows, k, x, xs, m);
        const std::vector<int8_t> want = quantize_qs8(reference_kernels(), rows, k, x, xs, m);
        CHECK(std::memcmp(got.data(), want.data(), got.size()) == 0);
      }
    }
    std::vector<float> x = test::random_vector(64 * 256, -4.0f, 4.0f, 98);  // the benchmark shape
    CHECK(quantize_qs8(*t, 64, 256, x, 256, 127.0f / 3.0f) ==
          quantize_qs8(reference_kernels(), 64, 256, x, 256, 127.0f / 3.0f));
  }
}

TEST_CASE("f32_qs8_quantize: formula, ties to even after the multiply, clamping, -0, padding") {
  // m = 0.5 and 2 are exact, so x * m lands on the ties themselves.
  struct Case {
    float x, m;
    int want;
  };
  const Case cases[] = {{5.0f, 0.5f, 2},      {7.0f, 0.5f, 4},       {-5.0f, 0.5f, -2},   {-7.0f, 0.5f, -4},
                        {1.0f, 0.5f, 0},      {-1.0f, 0.5f, 0},      {3.0f, 0.5f, 2},     {1.25f, 2.0f, 2},
                        {1.75f, 2.0f, 4},     {63.25f, 2.0f, 126},   {63.75f, 2.0f, 127}, {-63.25f, 2.0f, -126},
                        {126.5f, 1.0f, 126},  {127.49f, 1.0f, 127},  {127.5f, 1.0f, 127}, {128.0f, 1.0f, 127},
                        {-127.5f, 1.0f, -127}, {-1e30f, 1.0f, -127}, {3e38f, 8.0f, 127},  {-3e38f, 8.0f, -127},
                        {-0.0f, 1.0f, 0},     {0.0f, 100.0f, 0},     {1e-40f, 1.0f, 0},   {0.49999997f, 1.0f, 0},
                        {2.4999998f, 1.0f, 2}, {2.5000002f, 1.0f, 3}};
  for (const KernelTable* t : test::tables_under_test()) {
    INFO(t->name);
    for (const Case& c : cases) {
      // k = 40: the case value sits in the vector body (i = 5) and in the tail (i = 35).
      std::vector<float> x(40, 0.0f);
      x[5] = c.x;
      x[35] = c.x;
      const std::vector<int8_t> q = quantize_qs8(*t, 1, 40, x, 40, c.m);
      INFO("x=", c.x, " m=", c.m);
      CHECK(int{q[5]} == c.want);
      CHECK(int{q[35]} == c.want);
      for (size_t i = 40; i < q.size(); ++i) CHECK(q[i] == 0);
    }
    // Every tie k + 0.5 in [-130, 130] with m = 1, through the vector body
    // (a 32-block) and the tail: x * m is exact, so q is the even neighbour.
    std::vector<float> ties;
    for (int v = -130; v < 130; ++v) ties.push_back(static_cast<float>(v) + 0.5f);
    const std::vector<int8_t> q = quantize_qs8(*t, 1, ties.size(), ties, ties.size(), 1.0f);
    for (size_t i = 0; i < ties.size(); ++i) {
      const int lo = static_cast<int>(std::floor(ties[i]));
      const int even = lo % 2 == 0 ? lo : lo + 1;
      INFO("x=", ties[i]);
      CHECK(int{q[i]} == std::max(-127, std::min(127, even)));
    }
  }
}

TEST_CASE("f32_qs8_quantize with multiplier 127 / amax gives f32_qd8_quantize's bytes") {
  // Same formula and layout: xq rows from either entry feed qd8_qc8w_gemm.
  for (const KernelTable* t : test::tables_under_test()) {
    for (size_t k : {1, 9, 40, 256, 257}) {
      const size_t rows = 3;
      std::vector<float> x = test::random_vector(rows * k, -3.0f, 3.0f, static_cast<uint32_t>(k));
      const QuantResult d = quantize(*t, rows, k, x, k);
      for (size_t r = 0; r < rows; ++r) {
        float amax = 0.0f;
        for (size_t i = 0; i < k; ++i) amax = std::fmax(amax, std::fabs(x[r * k + i]));
        const std::vector<float> row(x.begin() + static_cast<long>(r * k), x.begin() + static_cast<long>((r + 1) * k));
        const std::vector<int8_t> s = quantize_qs8(*t, 1, k, row, k, 127.0f / amax);
        INFO(t->name, " k=", k, " row ", r);
        CHECK(std::memcmp(s.data(), d.q.data() + r * qd8_row_bytes(k), qd8_row_bytes(k)) == 0);
      }
    }
  }
}

TEST_CASE("half_to_float (runtime/core/half.h) as the kernels use it: known values") {
  CHECK(half_to_float(0x3c00) == 1.0f);
  CHECK(half_to_float(0xc000) == -2.0f);
  CHECK(half_to_float(0x7bff) == 65504.0f);
  CHECK(half_to_float(0x0400) == std::ldexp(1.0f, -14));  // smallest normal
  CHECK(half_to_float(0x0001) == std::ldexp(1.0f, -24));  // smallest subnormal
  CHECK(half_to_float(0x03ff) == std::ldexp(1023.0f, -24));
  CHECK(half_to_float(0x3555) == 0.333251953125f);
  CHECK(std::signbit(half_to_float(0x8000)));
  CHECK(half_to_float(0x8000) == 0.0f);
  CHECK(half_to_float(0x7c00) == INFINITY);
  CHECK(half_to_float(0xfc00) == -INFINITY);
  CHECK(std::isnan(half_to_float(0x7e00)));
  CHECK(std::isnan(half_to_float(0x7c01)));
  CHECK(half_to_float_bits(0x7c01) == 0x7fc02000u);  // quieted, payload kept
}

TEST_CASE("f16_to_f32_rows converts all 65536 halves exactly") {
  std::vector<uint16_t> all(65536 + 40);
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<uint16_t>(i * 40503u);
  for (size_t i = 0; i < 65536; ++i) all[i] = static_cast<uint16_t>(i);
  for (const KernelTable* t : test::tables_under_test()) {
    for (size_t off : {0, 1, 3}) {
      for (size_t n : {65536 + 37 - 3, 1, 2, 7, 8, 9, 15, 16, 17, 33}) {
        if (off + n > all.size()) continue;
        std::vector<float> want(n + 1, test::sentinel()), got(n + 1, test::sentinel());
        f16_to_f32_rows_ukernel__reference(n, all.data() + off, want.data());
        t->f16_to_f32_rows(n, all.data() + off, got.data());
        size_t bad = 0, first = 0;
        for (size_t i = 0; i < n; ++i) {
          const bool same = std::isnan(want[i]) ? std::isnan(got[i])
                                                : std::memcmp(&got[i], &want[i], 4) == 0;
          if (!same && bad++ == 0) first = i;
        }
        INFO(t->name, " off=", off, " n=", n, " first mismatch half",
             all[off + first]);
        CHECK(bad == 0);
        CHECK(test::is_sentinel(got[n]));
      }
    }
  }
}

}  // namespace
}  // namespace edgeattn
