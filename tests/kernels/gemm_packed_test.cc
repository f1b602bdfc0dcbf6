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
  std::vector<float> storage = aligned_buffer(f32_gemm_packed_floats(s.n, s.k, nr), &packed);
  f32_gemm_pack(nr, s.n, s.k, w.data(), bias ? b.data() : nullptr, packed);
  std::vector<float> y(s.m * ys, test::sentinel());
  // [m, n] in rows ys apart; split: columns [0, c0) and [c0, n), c0 a panel edge.
  const size_t c0 = split && s.n > nr ? (s.n / nr / 2 + 1) * nr : s.n;
  t.f32_gemm_packed(s.m, c0, s.k, x.data(), xs, packed, y.data(), ys);
  if (c0 < s.n) {
    t.f32_gemm_packed(s.m, s.n - c0, s.k, x.data(), xs, packed + c0 / nr * f32_gemm_panel_floats(s.k, nr),
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
    REQUIRE(t->f32_gemm_nr % 16 == 0);  // whole 64-byte rows: panels stay aligned
    size_t i = 0;
    for (const Shape& s : packed_shapes()) {
      check_packed(*t, s, i % 2 == 0, false, i % 3 == 0);
      check_packed(*t, s, i % 2 == 1, true, i % 3 != 0);
      ++i;
    }
  }
  MESSAGE(tables << " table(s) with a packed f32 GEMM on this CPU");
}

TEST_CASE("f32_gemm_pack lays out panels of biases then k rows, zero past n") {
  // W [3, 2] = [[1, 2], [3, 4], [5, 6]], bias [7, 8, 9], panels of 2.
  const float w[] = {1, 2, 3, 4, 5, 6};
  const float bias[] = {7, 8, 9};
  std::vector<float> packed(f32_gemm_packed_floats(3, 2, 2), -1.0f);
  REQUIRE(packed.size() == 12);
  f32_gemm_pack(2, 3, 2, w, bias, packed.data());
  const std::vector<float> want = {7, 8, 1, 3, 2, 4, 9, 0, 5, 0, 6, 0};
  CHECK(packed == want);
  f32_gemm_pack(2, 3, 2, w, nullptr, packed.data());
  CHECK(packed[0] == 0.0f);
  CHECK(packed[1] == 0.0f);
  CHECK(packed[6] == 0.0f);
}

}  // namespace
}  // namespace edgeattn
