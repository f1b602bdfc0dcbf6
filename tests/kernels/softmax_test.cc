// f32_softmax (the end of PP-OCRv4's recognizer, the image models' Softmax
// op): every table against the reference (max subtracted, exp and sum in
// double, one rounding) over rows {1, 3} and cols 1..40, 63, 64, 65, 127,
// 1000, 6625 (every unrolled loop, leftover vector and tail of the AVX2 and
// NEON kernels), in place and not, on inputs in small and wide ranges, with
// -1e30 / -inf entries, a dominant +1e30, rows of equal values and large
// offsets; each row must also sum to 1.
#include <cfloat>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

#include "kernels/reference/reference.h"
#include "tests/kernels/test_util.h"

namespace edgeattn {
namespace {

using test::random_vector;

constexpr double kU = 0x1p-24;  // float unit roundoff (half an ulp of 1)

// Tolerance, per element c of a row, a_c = x_c - max (exact, in double) and
// p_c = the reference's y_c (double exp / sum, one rounding: within kU of the
// true value, so it stands in for it):
//   e_c   = 2^-22 + kU * min(|a_c|, 88)
//           exp's <= 2 ulp (avx2_math.h / neon_math.h; 2 ulp <= 2^-22
//           relative), and x_c - max rounded in float: half an ulp of a_c,
//           an absolute error of <= kU |a_c| in the argument, i.e. a relative
//           error of exp; beyond |a| = 88 the value is below FLT_MIN anyway;
//   sum   = sum_c p_c e_c + (cols / 8 + 10) kU
//           the exp errors, weighted by each term's share of the sum, and the
//           float summation of positive terms: a lane adds <= cols / L + 1
//           terms sequentially ((n - 1) kU each, relative) and log2 L levels
//           join the L lanes; L = 32 (AVX2) or 16 (NEON) >= 8, and 10 covers
//           the +1 and <= 5 levels;
//   rel_c = e_c + sum + 3 kU   (1 / sum, the multiply, the reference's rounding)
//   |got_c - p_c| <= 2 (rel_c p_c + FLT_MIN).
// FLT_MIN: exp flushes arguments below -126 ln 2 to 0 (the true value is
// < FLT_MIN), a product below FLT_MIN may be subnormal or (armv7 NEON)
// flushed to 0. The factor 2 covers the second-order terms left out above
// and that exp's 2 ulp is measured on [-10, 10], not proven. Every term is
// the kernel's error: the reference is double.
struct RowTolerance {
  std::vector<double> rel;  // rel_c
};

RowTolerance row_tolerance(size_t cols, const float* x, const double* p) {
  float max = x[0];
  for (size_t c = 1; c < cols; ++c) max = x[c] > max ? x[c] : max;
  RowTolerance t;
  t.rel.resize(cols);
  double sum = (static_cast<double>(cols) / 8.0 + 10.0) * kU;
  for (size_t c = 0; c < cols; ++c) {
    const double a = std::fabs(static_cast<double>(x[c]) - max);
    t.rel[c] = 0x1p-22 + kU * std::fmin(a, 88.0);
    sum += p[c] * t.rel[c];
  }
  for (double& r : t.rel) r += sum + 3.0 * kU;
  return t;
}

enum class Pattern { kSmall, kWide, kHugeNegative, kDominant, kEqual, kOffset };
const Pattern kPatterns[] = {Pattern::kSmall, Pattern::kWide,  Pattern::kHugeNegative,
                             Pattern::kDominant, Pattern::kEqual, Pattern::kOffset};
const char* name(Pattern p) {
  switch (p) {
    case Pattern::kSmall: return "small[-4,4]";
    case Pattern::kWide: return "wide[-100,100]";
    case Pattern::kHugeNegative: return "-1e30/-inf";
    case Pattern::kDominant: return "+1e30";
    case Pattern::kEqual: return "equal";
    case Pattern::kOffset: return "offset1e4";
  }
  return "?";
}

// One row of `cols` values; every row keeps at least one finite entry (an
// all -inf row is NaN in every table).
std::vector<float> make_row(Pattern pattern, size_t cols, uint32_t seed) {
  switch (pattern) {
    case Pattern::kSmall: return random_vector(cols, -4.0f, 4.0f, seed);
    case Pattern::kWide: return random_vector(cols, -100.0f, 100.0f, seed);  // most terms underflow
    case Pattern::kHugeNegative: {
      std::vector<float> x = random_vector(cols, -4.0f, 4.0f, seed);
      for (size_t c = 1; c < cols; c += 5) x[c] = -1e30f;
      for (size_t c = 3; c < cols; c += 7) x[c] = -INFINITY;
      return x;
    }
    case Pattern::kDominant: {
      std::vector<float> x = random_vector(cols, -4.0f, 4.0f, seed);
      x[cols / 2] = 1e30f;  // y = 1 there, exactly 0 elsewhere
      return x;
    }
    case Pattern::kEqual:  // y = 1 / cols everywhere; -1e30 - -1e30 = 0
      return std::vector<float>(cols, seed % 2 == 0 ? 2.5f : -1e30f);
    case Pattern::kOffset: return random_vector(cols, 1e4f, 1e4f + 8.0f, seed);
  }
  return {};
}

// Runs the table on x [rows, cols] into a buffer with a sentinel before and
// after the rows, in place (the buffer holds x) or not; returns the rows.
std::vector<float> run(const KernelTable& table, size_t rows, size_t cols, const std::vector<float>& x,
                       bool in_place, const std::string& what) {
  const size_t n = rows * cols;
  std::vector<float> buf(n + 9, test::sentinel());  // y at buf + 1: not 32-byte aligned
  std::vector<float> xin = x;
  if (in_place) {
    std::memcpy(buf.data() + 1, x.data(), n * sizeof(float));
    table.f32_softmax(rows, cols, buf.data() + 1, buf.data() + 1);
  } else {
    table.f32_softmax(rows, cols, xin.data(), buf.data() + 1);
    CHECK_MESSAGE(std::memcmp(xin.data(), x.data(), n * sizeof(float)) == 0, what, ": x changed");
  }
  bool guards = test::is_sentinel(buf[0]);
  for (size_t i = n + 1; i < buf.size(); ++i) guards = guards && test::is_sentinel(buf[i]);
  CHECK_MESSAGE(guards, what, ": wrote outside the rows");
  return std::vector<float>(buf.begin() + 1, buf.begin() + 1 + static_cast<std::ptrdiff_t>(n));
}

// Checks got [rows, cols] against the reference element by element and each
// row's sum against 1: |sum_c got_c - 1| <= 2 (sum_c p_c rel_c + kU + cols
// FLT_MIN) (the element bound summed over positive terms; kU for the
// reference's own rounding of p_c, which sums to 1 within kU).
void check_rows(size_t rows, size_t cols, const std::vector<float>& x, const std::vector<float>& got,
                const std::string& what) {
  for (size_t r = 0; r < rows; ++r) {
    const float* xr = x.data() + r * cols;
    const float* gr = got.data() + r * cols;
    std::vector<float> want_f(cols);
    f32_softmax_ukernel__reference(1, cols, xr, want_f.data());
    const std::vector<double> want(want_f.begin(), want_f.end());
    const RowTolerance tol = row_tolerance(cols, xr, want.data());
    double worst = 0.0, got_sum = 0.0, sum_allowed = kU + cols * static_cast<double>(FLT_MIN);
    size_t worst_c = 0;
    for (size_t c = 0; c < cols; ++c) {
      const double err = std::fabs(static_cast<double>(gr[c]) - want[c]);
      const double ratio = std::isnan(gr[c]) ? 1e30 : err / (2.0 * (tol.rel[c] * want[c] + FLT_MIN));
      if (ratio > worst) worst = ratio, worst_c = c;
      got_sum += gr[c];
      sum_allowed += tol.rel[c] * want[c];
    }
    const std::string row = what + " row=" + std::to_string(r);
    test::report_ratio(worst, row);
    INFO(row, ": worst element ", worst_c, " x ", xr[worst_c], " got ", gr[worst_c], " want ", want[worst_c],
         " (error / tolerance = ", worst, ")");
    CHECK(worst <= 1.0);
    const double sum_ratio = std::fabs(got_sum - 1.0) / (2.0 * sum_allowed);
    test::report_ratio(sum_ratio, row + " sum");
    INFO(row, ": row sum ", got_sum, " (error / tolerance = ", sum_ratio, ")");
    CHECK(sum_ratio <= 1.0);
  }
}

std::vector<size_t> col_counts() {
  std::vector<size_t> n;
  for (size_t i = 1; i <= 40; ++i) n.push_back(i);
  for (size_t i : {63, 64, 65, 127, 1000, 6625}) n.push_back(i);
  return n;
}

TEST_CASE("f32_softmax: every table matches the reference, every tail, in place, rows sum to 1") {
  for (const KernelTable* t : test::tables_under_test()) {
    for (Pattern pattern : kPatterns) {
      for (size_t rows : {size_t{1}, size_t{3}}) {
        for (size_t cols : col_counts()) {
          std::vector<float> x;
          for (size_t r = 0; r < rows; ++r) {
            const std::vector<float> row = make_row(pattern, cols, static_cast<uint32_t>(cols * 7 + r));
            x.insert(x.end(), row.begin(), row.end());
          }
          const std::string what = std::string(t->name) + " " + name(pattern) + " rows=" + std::to_string(rows) +
                                   " cols=" + std::to_string(cols);
          const std::vector<float> out = run(*t, rows, cols, x, false, what);
          const std::vector<float> in = run(*t, rows, cols, x, true, what + " in_place");
          check_rows(rows, cols, x, out, what);
          // Same operations either way: in place must give the same bits.
          CHECK_MESSAGE(std::memcmp(in.data(), out.data(), out.size() * sizeof(float)) == 0, what,
                        ": in place differs from out of place");
        }
      }
    }
  }
}

TEST_CASE("f32_softmax: exact cases in every table") {
  for (const KernelTable* t : test::tables_under_test()) {
    // One column: exp(0) / exp(0) = 1 exactly, whatever the value.
    for (float v : {0.0f, -3.5f, 1e30f, -1e30f}) {
      float y = 0.0f;
      t->f32_softmax(1, 1, &v, &y);
      CHECK_MESSAGE(y == 1.0f, t->name, " x=", v);
    }
    // A dominant entry takes everything; -inf and -1e30 entries give exactly 0.
    const float x[9] = {-INFINITY, 0.0f, 1e30f, -1e30f, 5.0f, -INFINITY, 3.0f, -2.0f, 1.0f};
    float y[9];
    t->f32_softmax(1, 9, x, y);
    for (size_t c = 0; c < 9; ++c) CHECK_MESSAGE(y[c] == (c == 2 ? 1.0f : 0.0f), t->name, " c=", c);
  }
}

}  // namespace
}  // namespace edgeattn
