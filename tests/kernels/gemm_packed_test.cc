// The packed f32 GEMM (KernelTable::f32_gemm_packed, f32_gemm_pack): every
// table that has one, against a double-precision dot product, over row tails
// of the 8-row tile, column tails of the panel, k from 1 to 1536 and the
// layers it is for (ViT / MiniLM / Llama prefill), with strided x and y,
// with and without bias, whole and split into column ranges by panels.
//
// Tolerances:
//   integer data: exact. Integers in [-8, 8] make every product and partial
//     sum (< 2^24) exact, so the result is the exact value in any order; this
//     catches indexing and packing bugs without slack.
//   random data: |got - exact| <= (K + 1) 2^-24 (|bias| + sum_k |x_k w_k|).
//     The kernel starts from the bias and adds one FMA per k in order: K
//     roundings, each within 2^-24 of the partial sum, which is bounded by
//     |bias| + sum |x_k w_k| (Higham's gamma_K bound for a recursive sum).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "tests/kernels/test_util.h"

namespace edgeattn {
namespace {

struct Shape {
  size_t m, n, k;
};

std::vector<Shape> packed_shapes() {
  std::vector<Shape> s;
  const size_t ms[] = {1, 2, 3, 7, 8, 9, 15, 16, 17, 33, 5};
  const size_t ns[] = {1, 15, 16, 17, 31, 32, 33, 64, 65, 100, 7, 48, 97};
  const size_t ks[] = {1, 2, 3, 7, 16, 17, 64, 65, 383, 384, 1536};
  // A diagonal walk: 11, 13 and 11 steps visit every value in many pairings.
  for (size_t i = 0; i < 11 * 13; ++i) s.push_back({ms[i % 11], ns[i % 13], ks[(i / 13 + i) % 11]});
  s.push_back({257, 384, 384});  // DINOv2-S projection
  s.push_back({64, 768, 2048});  // Llama 110 M FFN down, 64-token prefill
  s.push_back({130, 1536, 384}); // MiniLM FFN up (row tail of 8)
  return s;
}

std::vector<float> aligned_buffer(size_t floats, float** data) {
  std::vector<float> v(floats + 16);
  const uintptr_t p = reinterpret_cast<uintptr_t>(v.data());
  *data = reinterpret_cast<float*>((p + 63) / 64 * 64);
  return v;
}

// Packs W, runs the table (whole, or in two column ranges split at a panel
// boundary), compares with a double dot product, and checks the padding.
void check_packed(const KernelTable& t, const Shape& s, bool bias, bool integers, bool split) {
  const size_t nr = t.f32_gemm_nr;
  const size_t xs = s.k + (s.k % 3), ys = s.n + 5;
  std::vector<float> x = test::random_vector(s.m * xs, -1.0f, 1.0f, static_cast<uint32_t>(s.m * 31 + s.k));
  std::vector<float> w = test::random_vector(s.n * s.k, -1.0f, 1.0f, static_cast<uint32_t>(s.n * 17 + s.k));
  std::vector<float> b = test::random_vector(s.n, -1.0f, 1.0f, static_cast<uint32_t>(s.n));
  if (integers) {
    for (float& v : x) v = std::round(v * 8.0f);
    for (float& v : w) v = std::round(v * 8.0f);
    for (float& v : b) v = std::round(v * 8.0f);
  }
  float* packed = nullptr;
  std::vector<float> storage = aligned_buffer(f32_gemm_packed_floats(s.n, s.k), &packed);
  f32_gemm_pack(s.n, s.k, w.data(), bias ? b.data() : nullptr, packed);
  std::vector<float> y(s.m * ys, test::sentinel());
  // [m, n] in rows ys apart; split: columns [0, c0) and [c0, n), c0 a panel edge.
  const size_t c0 = split && s.n > nr ? (s.n / nr / 2 + 1) * nr : s.n;
  t.f32_gemm_packed(s.m, c0, s.k, x.data(), xs, packed, y.data(), ys);
  if (c0 < s.n) {
    t.f32_gemm_packed(s.m, s.n - c0, s.k, x.data(), xs, packed + c0 / kF32GemmPanel * f32_gemm_panel_floats(s.k),
                      y.data() + c0, ys);
  }
  const std::string what = std::string(t.name) + " m=" + std::to_string(s.m) + " n=" + std::to_string(s.n) +
                           " k=" + std::to_string(s.k) + (bias ? " bias" : "") + (integers ? " integers" : "") +
                           (c0 < s.n ? " split at " + std::to_string(c0) : "");
  size_t bad = 0, bad_pad = 0;
  double worst = 0.0;
  for (size_t r = 0; r < s.m; ++r) {
    for (size_t c = 0; c < s.n; ++c) {
      double exact = bias ? b[c] : 0.0, mag = bias ? std::fabs(b[c]) : 0.0;
      for (size_t i = 0; i < s.k; ++i) {
        const double p = static_cast<double>(x[r * xs + i]) * w[c * s.k + i];
        exact += p;
        mag += std::fabs(p);
      }
      const double err = std::fabs(static_cast<double>(y[r * ys + c]) - exact);
      const double tol = integers ? 0.0 : (static_cast<double>(s.k) + 1.0) * 0x1.0p-24 * mag;
      if (!(err <= tol)) ++bad;
      if (tol > 0) worst = std::max(worst, err / tol);
    }
    for (size_t c = s.n; c < ys; ++c) bad_pad += test::is_sentinel(y[r * ys + c]) ? 0 : 1;
  }
  test::report_ratio(worst, what);
  INFO(what);
  CHECK(bad == 0);
  CHECK(bad_pad == 0);
}

TEST_CASE("f32_gemm_packed matches a double dot product over shapes (exact on integer data)") {
  size_t tables = 0;
  for (const KernelTable* t : test::tables_under_test()) {
    if (t->f32_gemm_packed == nullptr) continue;
    ++tables;
    REQUIRE(t->f32_gemm_nr > 0);
    REQUIRE(t->f32_gemm_nr % kF32GemmPanel == 0);  // a register tile is whole panels
    size_t i = 0;
    for (const Shape& s : packed_shapes()) {
      check_packed(*t, s, i % 2 == 0, false, i % 3 == 0);
      check_packed(*t, s, i % 2 == 1, true, i % 3 != 0);
      ++i;
    }
  }
  MESSAGE(tables << " table(s) with a packed f32 GEMM on this CPU");
}

// The indirect form: rows gathered through pointers (repeats, a zero row, as
// a transposed convolution's taps at a border), outputs scattered to
// permuted rows. Oracles: the direct kernel on the same rows concatenated
// and W packed whole must give the same bits (same FMAs, same order), and a
// double dot product within the bound above.
void check_indirect(const KernelTable& t, size_t m, size_t n, size_t ks, size_t kc) {
  const size_t k = ks * kc, ws = kc + 3, pixels = 2 * m + 1, ys = n + 4;
  const uint32_t seed = static_cast<uint32_t>(m * 131 + n * 7 + ks * 3 + kc);
  std::vector<float> px = test::random_vector(pixels * kc, -1.0f, 1.0f, seed);  // [pixels, kc]
  for (size_t i = 0; i < kc; ++i) px[(pixels - 1) * kc + i] = 0.0f;           // the zero row
  std::vector<float> wr = test::random_vector(ks * n * ws, -1.0f, 1.0f, seed + 1);  // [ks][n, ws]
  std::vector<float> b = test::random_vector(n, -1.0f, 1.0f, seed + 2);
  std::vector<const float*> wrun(ks), a(m * ks);
  for (size_t s = 0; s < ks; ++s) wrun[s] = wr.data() + s * n * ws;
  for (size_t r = 0; r < m; ++r) {
    for (size_t s = 0; s < ks; ++s) a[r * ks + s] = px.data() + ((r * 7 + s * 5) % pixels) * kc;
  }
  std::vector<float> yi(m * ys, test::sentinel()), yd(m * ys, test::sentinel());
  std::vector<float*> yp(m);
  for (size_t r = 0; r < m; ++r) yp[r] = yi.data() + ((r * 5 + 3) % m) * ys;  // a permutation when m % 5 != 0
  float* packed = nullptr;
  std::vector<float> storage = aligned_buffer(f32_gemm_packed_floats(n, k), &packed);
  f32_gemm_pack_runs(n, ks, kc, wrun.data(), ws, b.data(), packed);
  t.f32_igemm_packed(m, n, ks, kc, a.data(), packed, yp.data());
  // The direct kernel on the concatenated rows and W [n, k].
  std::vector<float> xc(m * k), wc(n * k);
  for (size_t r = 0; r < m; ++r) {
    for (size_t s = 0; s < ks; ++s) std::copy(a[r * ks + s], a[r * ks + s] + kc, xc.begin() + r * k + s * kc);
  }
  for (size_t c = 0; c < n; ++c) {
    for (size_t s = 0; s < ks; ++s) std::copy(wrun[s] + c * ws, wrun[s] + c * ws + kc, wc.begin() + c * k + s * kc);
  }
  float* packed_d = nullptr;
  std::vector<float> storage_d = aligned_buffer(f32_gemm_packed_floats(n, k), &packed_d);
  f32_gemm_pack(n, k, wc.data(), b.data(), packed_d);
  t.f32_gemm_packed(m, n, k, xc.data(), k, packed_d, yd.data(), ys);
  const std::string what = std::string(t.name) + " indirect m=" + std::to_string(m) + " n=" + std::to_string(n) +
                           " ks=" + std::to_string(ks) + " kc=" + std::to_string(kc);
  size_t differ = 0, bad = 0, bad_pad = 0;
  double worst = 0.0;
  for (size_t r = 0; r < m; ++r) {
    const float* got = yp[r];
    for (size_t c = 0; c < n; ++c) {
      differ += got[c] == yd[r * ys + c] ? 0 : 1;
      double exact = b[c], mag = std::fabs(b[c]);
      for (size_t i = 0; i < k; ++i) {
        const double p = static_cast<double>(xc[r * k + i]) * wc[c * k + i];
        exact += p;
        mag += std::fabs(p);
      }
      const double tol = (static_cast<double>(k) + 1.0) * 0x1.0p-24 * mag;
      const double err = std::fabs(static_cast<double>(got[c]) - exact);
      if (!(err <= tol)) ++bad;
      if (tol > 0) worst = std::max(worst, err / tol);
    }
    for (size_t c = n; c < ys; ++c) bad_pad += test::is_sentinel(got[c]) ? 0 : 1;
  }
  test::report_ratio(worst, what);
  INFO(what);
  CHECK(differ == 0);
  CHECK(bad == 0);
  CHECK(bad_pad == 0);
}

TEST_CASE("f32_igemm_packed: the direct GEMM's bits on gathered rows, and a double dot product") {
  size_t tables = 0;
  for (const KernelTable* t : test::tables_under_test()) {
    REQUIRE((t->f32_igemm_packed == nullptr) == (t->f32_gemm_packed == nullptr));
    if (t->f32_igemm_packed == nullptr) continue;
    ++tables;
    const size_t ms[] = {1, 2, 6, 7, 8, 9, 17, 101};
    const size_t ns[] = {1, 15, 16, 33, 64, 100};
    const size_t kss[] = {1, 2, 4};
    const size_t kcs[] = {1, 3, 16, 65, 128};
    for (size_t i = 0; i < 8 * 6; ++i) check_indirect(*t, ms[i % 8], ns[i % 6], kss[i % 3], kcs[(i / 6 + i) % 5]);
    check_indirect(*t, 256, 256, 4, 384);  // DINOv2-S saliency upconv1, one sub-pixel class
  }
  MESSAGE(tables << " table(s) with an indirect packed f32 GEMM on this CPU");
}

TEST_CASE("f32_gemm_pack lays out panels of 16 biases then k rows of 16, zero past n") {
  // W [17, 2]: w[c, i] = 100 c + i, bias[c] = -c: two panels, the second
  // holding column 16 and 15 zero columns.
  constexpr size_t n = 17, k = 2, p = kF32GemmPanel;
  std::vector<float> w(n * k), bias(n);
  for (size_t c = 0; c < n; ++c) {
    bias[c] = -static_cast<float>(c);
    for (size_t i = 0; i < k; ++i) w[c * k + i] = static_cast<float>(100 * c + i);
  }
  REQUIRE(f32_gemm_panel_floats(k) == (k + 1) * p);
  std::vector<float> packed(f32_gemm_packed_floats(n, k), -1.0f);
  REQUIRE(packed.size() == 2 * (k + 1) * p);
  f32_gemm_pack(n, k, w.data(), bias.data(), packed.data());
  std::vector<float> want(packed.size(), 0.0f);
  for (size_t c = 0; c < n; ++c) {
    float* panel = want.data() + c / p * (k + 1) * p;
    panel[c % p] = bias[c];
    for (size_t i = 0; i < k; ++i) panel[(1 + i) * p + c % p] = w[c * k + i];
  }
  CHECK(packed == want);
  f32_gemm_pack(n, k, w.data(), nullptr, packed.data());
  for (size_t c = 0; c < n; ++c) CHECK(packed[c / p * (k + 1) * p + c % p] == 0.0f);
}

TEST_CASE("f32_gemm_pack_sum packs the float sum of its terms, in order, from strided rows") {
  // Three W [n, k] of random values with rows 5 floats past k: the panels
  // equal f32_gemm_pack's of ((w0 + w1) + w2) summed here, bit for bit.
  for (const size_t n : {1, 16, 17, 40}) {
    constexpr size_t k = 7, stride = k + 5, terms = 3;
    std::vector<std::vector<float>> w;
    for (size_t t = 0; t < terms; ++t) w.push_back(test::random_vector(n * stride, -1.0f, 1.0f, static_cast<uint32_t>(50 + t)));
    const float* ptrs[terms] = {w[0].data(), w[1].data(), w[2].data()};
    const std::vector<float> bias = test::random_vector(n, -1.0f, 1.0f, 60);
    std::vector<float> sum(n * k);
    for (size_t c = 0; c < n; ++c) {
      for (size_t i = 0; i < k; ++i) sum[c * k + i] = (w[0][c * stride + i] + w[1][c * stride + i]) + w[2][c * stride + i];
    }
    std::vector<float> got(f32_gemm_packed_floats(n, k), -1.0f), want(got.size(), -2.0f);
    f32_gemm_pack_sum(n, k, terms, ptrs, stride, bias.data(), got.data());
    f32_gemm_pack(n, k, sum.data(), bias.data(), want.data());
    CHECK_MESSAGE(got == want, "n=" << n);
    f32_gemm_pack_sum(n, k, 1, ptrs, stride, nullptr, got.data());  // one term: a strided f32_gemm_pack
    for (size_t c = 0; c < n; ++c) {
      for (size_t i = 0; i < k; ++i) sum[c * k + i] = w[0][c * stride + i];
    }
    f32_gemm_pack(n, k, sum.data(), nullptr, want.data());
    CHECK_MESSAGE(got == want, "one term n=" << n);
  }
}

}  // namespace
}  // namespace edgeattn
