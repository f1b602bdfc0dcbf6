// LayerNorm, RMSNorm and L2 normalization: every table against the
// reference over rows x cols shapes covering tails of 4/8/16/32-wide
// loops, strided rows, in-place operation, and properties of the outputs.
#include <cmath>
#include <string>
#include <vector>

#include "kernels/reference/reference.h"
#include "tests/kernels/test_util.h"

namespace edgeattn {
namespace {

using test::check_close;
using test::random_vector;
using test::Tolerance;

const size_t kCols[] = {1,  2,  3,  4,  5,  7,  8,  9,   15,  16,  17,
                        31, 32, 33, 63, 64, 65, 127, 128, 384, 385, 1536};
const size_t kRows[] = {1, 2, 3, 7};

enum class NormOp { kLayerNorm, kRmsNorm };

// XNNPACK-style builder: NormTester().rows(3).cols(17).test(table).
class NormTester {
 public:
  NormTester& op(NormOp v) { op_ = v; return *this; }
  NormTester& rows(size_t v) { rows_ = v; return *this; }
  NormTester& cols(size_t v) { cols_ = v; return *this; }
  // Extra floats between rows of x / y (strided layouts); filled with a
  // sentinel in y that must survive.
  NormTester& x_pad(size_t v) { x_pad_ = v; return *this; }
  NormTester& y_pad(size_t v) { y_pad_ = v; return *this; }
  // Added to every input: |mean| >> stddev is where one-pass variance fails.
  NormTester& offset(float v) { offset_ = v; return *this; }
  NormTester& in_place(bool v) { in_place_ = v; return *this; }

  std::string describe(const KernelTable& t) const {
    return std::string(t.name) + (op_ == NormOp::kLayerNorm ? " layernorm" : " rmsnorm") +
           " rows=" + std::to_string(rows_) + " cols=" + std::to_string(cols_) +
           " x_pad=" + std::to_string(x_pad_) + " y_pad=" + std::to_string(y_pad_) +
           " offset=" + std::to_string(offset_) + (in_place_ ? " in_place" : "");
  }

  void test(const KernelTable& table) const {
    const size_t x_stride = cols_ + x_pad_;
    const size_t y_stride = in_place_ ? x_stride : cols_ + y_pad_;
    const uint32_t seed = static_cast<uint32_t>(rows_ * 7919 + cols_ * 31 + x_pad_);
    std::vector<float> x = random_vector(rows_ * x_stride, -2.0f, 2.0f, seed);
    for (float& v : x) v += offset_;
    const std::vector<float> gamma = random_vector(cols_, 0.5f, 1.5f, seed + 1);
    const std::vector<float> beta = random_vector(cols_, -0.5f, 0.5f, seed + 2);
    const float eps = 1e-5f;

    std::vector<float> want(rows_ * y_stride, test::sentinel());
    std::vector<float> got = in_place_ ? x : std::vector<float>(rows_ * y_stride, test::sentinel());
    const float* xin = in_place_ ? got.data() : x.data();
    if (op_ == NormOp::kLayerNorm) {
      f32_layernorm_ukernel__reference(rows_, cols_, x.data(), x_stride, gamma.data(),
                                       beta.data(), eps, want.data(), y_stride);
      table.f32_layernorm(rows_, cols_, xin, x_stride, gamma.data(), beta.data(), eps,
                          got.data(), y_stride);
    } else {
      f32_rmsnorm_ukernel__reference(rows_, cols_, x.data(), x_stride, gamma.data(), eps,
                                     want.data(), y_stride);
      table.f32_rmsnorm(rows_, cols_, xin, x_stride, gamma.data(), eps, got.data(),
                        y_stride);
    }

    std::vector<float> got_rows, want_rows;
    for (size_t r = 0; r < rows_; ++r) {
      for (size_t c = 0; c < cols_; ++c) {
        got_rows.push_back(got[r * y_stride + c]);
        want_rows.push_back(want[r * y_stride + c]);
      }
      if (!in_place_) {
        for (size_t c = cols_; c < y_stride; ++c) {
          INFO(describe(table), " wrote padding at row ", r, " col ", c);
          CHECK(test::is_sentinel(got[r * y_stride + c]));
        }
      }
    }
    // layernorm: the reference accumulates in double; a float kernel's mean
    // and variance carry reordered-summation error of ~sqrt(cols) ulp
    // relative, which becomes that relative error on (x - mean) * rstd.
    // Outputs are O(gamma * 3) and may cancel to ~0 against beta, hence an
    // absolute floor. Observed <= 1e-6 at 1536 columns; 3e-6 + 3e-6 |y|
    // allowed. With offset 100, (x - mean) carries the float mean's ~1e-5
    // absolute error (x itself keeps only ~17 bits next to 100): 5e-5.
    // rmsnorm: same float formula as the reference; only the sum of squares
    // (positive terms, no cancellation) is reordered: observed <= 6e-7
    // relative at 1536 columns, 2e-6 allowed.
    Tolerance tol = op_ == NormOp::kLayerNorm
                        ? Tolerance{offset_ != 0.0f ? 5e-5 : 3e-6, 3e-6}
                        : Tolerance{1e-7, 2e-6};
    check_close(got_rows, want_rows, tol, describe(table));
  }

 private:
  NormOp op_ = NormOp::kLayerNorm;
  size_t rows_ = 1;
  size_t cols_ = 1;
  size_t x_pad_ = 0;
  size_t y_pad_ = 0;
  float offset_ = 0.0f;
  bool in_place_ = false;
};

TEST_CASE("layernorm and rmsnorm match the reference over shapes") {
  for (const KernelTable* t : test::tables_under_test()) {
    for (NormOp op : {NormOp::kLayerNorm, NormOp::kRmsNorm}) {
      for (size_t rows : kRows) {
        for (size_t cols : kCols) {
          NormTester().op(op).rows(rows).cols(cols).test(*t);
        }
      }
    }
  }
}

TEST_CASE("layernorm and rmsnorm: strided rows, in place, large offset") {
  for (const KernelTable* t : test::tables_under_test()) {
    for (NormOp op : {NormOp::kLayerNorm, NormOp::kRmsNorm}) {
      for (size_t cols : {3, 17, 64, 385}) {
        NormTester().op(op).rows(3).cols(cols).x_pad(5).y_pad(3).test(*t);
        NormTester().op(op).rows(3).cols(cols).x_pad(8).in_place(true).test(*t);
        NormTester().op(op).rows(2).cols(cols).offset(100.0f).test(*t);
      }
    }
  }
}

TEST_CASE("layernorm with gamma=1, beta=0 gives mean 0 and variance 1 per row") {
  const size_t cols = 385;
  const size_t rows = 3;
  std::vector<float> x = random_vector(rows * cols, -3.0f, 5.0f, 11);
  for (size_t c = 0; c < cols; ++c) x[2 * cols + c] += 1000.0f;  // |mean| >> stddev
  const std::vector<float> ones(cols, 1.0f), zeros(cols, 0.0f);
  for (const KernelTable* t : test::tables_under_test()) {
    std::vector<float> y(rows * cols);
    t->f32_layernorm(rows, cols, x.data(), cols, ones.data(), zeros.data(), 1e-12f, y.data(),
                     cols);
    for (size_t r = 0; r < rows; ++r) {
      double mean = 0.0, var = 0.0;
      for (size_t c = 0; c < cols; ++c) mean += y[r * cols + c];
      mean /= cols;
      for (size_t c = 0; c < cols; ++c) var += (y[r * cols + c] - mean) * (y[r * cols + c] - mean);
      var /= cols;
      INFO(t->name, " row ", r, " mean ", mean, " var ", var);
      // Row 2 keeps only ~14 bits of each x after adding 1000 in float,
      // which the normalization itself cannot recover: looser bounds there.
      CHECK(std::fabs(mean) < (r == 2 ? 1e-3 : 1e-6));
      CHECK(std::fabs(var - 1.0) < (r == 2 ? 1e-3 : 1e-5));
    }
  }
}

TEST_CASE("layernorm of a constant row is beta (variance 0, eps keeps it finite)") {
  const size_t cols = 33;
  const std::vector<float> x(cols, 2.5f);
  const std::vector<float> gamma = random_vector(cols, 0.5f, 1.5f, 3);
  const std::vector<float> beta = random_vector(cols, -1.0f, 1.0f, 4);
  for (const KernelTable* t : test::tables_under_test()) {
    std::vector<float> y(cols);
    t->f32_layernorm(1, cols, x.data(), cols, gamma.data(), beta.data(), 1e-5f, y.data(), cols);
    INFO(t->name);
    check_close(y, beta, Tolerance{1e-6, 0.0}, std::string(t->name) + " constant row");
  }
}

TEST_CASE("rmsnorm with gamma=1 gives mean square 1 per row") {
  const size_t cols = 1536;
  std::vector<float> x = random_vector(2 * cols, -4.0f, 4.0f, 5);
  const std::vector<float> ones(cols, 1.0f);
  for (const KernelTable* t : test::tables_under_test()) {
    std::vector<float> y(2 * cols);
    t->f32_rmsnorm(2, cols, x.data(), cols, ones.data(), 0.0f, y.data(), cols);
    for (size_t r = 0; r < 2; ++r) {
      double ms = 0.0;
      for (size_t c = 0; c < cols; ++c) ms += static_cast<double>(y[r * cols + c]) * y[r * cols + c];
      ms /= cols;
      INFO(t->name, " row ", r, " mean square ", ms);
      CHECK(std::fabs(ms - 1.0) < 1e-5);
    }
  }
}

TEST_CASE("reference rmsnorm is bit-exact with llama2.c's rmsnorm") {
  // Verbatim llama2.c (run.c) rmsnorm, with its hard-coded eps 1e-5f.
  auto llama2c_rmsnorm = [](float* o, const float* x, const float* weight, int size) {
    float ss = 0.0f;
    for (int j = 0; j < size; j++) ss += x[j] * x[j];
    ss /= size;
    ss += 1e-5f;
    ss = 1.0f / sqrtf(ss);
    for (int j = 0; j < size; j++) o[j] = weight[j] * (ss * x[j]);
  };
  for (int size : {1, 7, 288, 512, 768}) {
    const std::vector<float> x = random_vector(size, -3.0f, 3.0f, 100 + size);
    const std::vector<float> w = random_vector(size, 0.0f, 2.0f, 200 + size);
    std::vector<float> want(size), got(size);
    llama2c_rmsnorm(want.data(), x.data(), w.data(), size);
    reference_kernels().f32_rmsnorm(1, size, x.data(), size, w.data(), 1e-5f, got.data(), size);
    test::check_equal(got, want, "rmsnorm size " + std::to_string(size));
  }
}

// L2 normalization has no stride arguments: rows are contiguous.
void test_l2(const KernelTable& t, size_t rows, size_t cols, bool in_place) {
  std::vector<float> x = random_vector(rows * cols, -2.0f, 2.0f,
                                       static_cast<uint32_t>(rows * 131 + cols));
  std::vector<float> want(rows * cols);
  f32_l2_normalize_ukernel__reference(rows, cols, x.data(), 1e-12f, want.data());
  std::vector<float> got = in_place ? x : std::vector<float>(rows * cols);
  t.f32_l2_normalize(rows, cols, in_place ? got.data() : x.data(), 1e-12f, got.data());
  // Reference: double sum and division. Float kernels: reordered float sum
  // (relative error ~sqrt(cols) ulp, halved by the sqrt) and a multiply by
  // the rounded reciprocal (+1 ulp). Observed <= 2e-7 relative; 1e-6 allowed.
  check_close(got, want, Tolerance{1e-9, 1e-6},
              std::string(t.name) + " l2_normalize rows=" + std::to_string(rows) +
                  " cols=" + std::to_string(cols) + (in_place ? " in_place" : ""));
}

TEST_CASE("l2_normalize matches the reference over shapes") {
  for (const KernelTable* t : test::tables_under_test()) {
    for (size_t rows : kRows) {
      for (size_t cols : kCols) test_l2(*t, rows, cols, false);
    }
    test_l2(*t, 3, 385, true);
  }
}

TEST_CASE("l2_normalize gives unit rows and leaves a zero row at zero") {
  const size_t cols = 384;
  std::vector<float> x = random_vector(2 * cols, -1.0f, 1.0f, 9);
  for (size_t c = 0; c < cols; ++c) x[cols + c] = 0.0f;
  for (const KernelTable* t : test::tables_under_test()) {
    std::vector<float> y(2 * cols, 1.0f);
    t->f32_l2_normalize(2, cols, x.data(), 1e-12f, y.data());
    double sq = 0.0;
    for (size_t c = 0; c < cols; ++c) sq += static_cast<double>(y[c]) * y[c];
    INFO(t->name, " norm^2 ", sq);
    CHECK(std::fabs(sq - 1.0) < 1e-5);
    for (size_t c = 0; c < cols; ++c) CHECK(y[cols + c] == 0.0f);
  }
}

}  // namespace
}  // namespace edgeattn
