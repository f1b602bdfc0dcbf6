// RoPE: every table against the reference for both pair layouts, partial
// rotary_dim, padded token strides and position offsets; fill_rope_table
// against llama2.c's float expression (correctly rounded) and a double computation;
// and properties: pair norms are preserved, position 0 is the identity, and
// the two layouts are permutations of each other.
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

constexpr size_t kMaxPos = 64;

class RopeTester {
 public:
  RopeTester& n_tokens(size_t v) { n_tokens_ = v; return *this; }
  RopeTester& n_heads(size_t v) { n_heads_ = v; return *this; }
  RopeTester& head_dim(size_t v) { head_dim_ = v; return *this; }
  RopeTester& rotary_dim(size_t v) { rotary_dim_ = v; return *this; }
  RopeTester& pos0(size_t v) { pos0_ = v; return *this; }
  RopeTester& token_pad(size_t v) { token_pad_ = v; return *this; }
  RopeTester& style(RopeStyle v) { style_ = v; return *this; }

  void test(const KernelTable& table) const {
    const size_t rd = rotary_dim_ == 0 ? head_dim_ : rotary_dim_;
    std::vector<float> cs(kMaxPos * rd);
    fill_rope_table(kMaxPos, rd, 10000.0f, cs.data());
    const size_t stride = n_heads_ * head_dim_ + token_pad_;
    const std::vector<float> x = random_vector(n_tokens_ * stride, -2.0f, 2.0f,
                                               static_cast<uint32_t>(head_dim_ * 97 + rd));
    std::vector<float> want = x, got = x;
    f32_rope_ukernel__reference(want.data(), n_tokens_, stride, n_heads_, head_dim_, rd, pos0_,
                                cs.data(), style_);
    table.f32_rope(got.data(), n_tokens_, stride, n_heads_, head_dim_, rd, pos0_, cs.data(),
                   style_);
    // Each output is x0*c -/+ x1*s: the kernels may fuse one product (FMA),
    // which moves the result by <= 1 ulp of the products' magnitude (<= 2
    // here, inputs in [-2, 2]): 1e-6 absolute. Padding and the non-rotary
    // tail must be untouched, which the comparison covers exactly (want
    // holds x there).
    check_close(got, want, Tolerance{1e-6, 0.0},
                std::string(table.name) + " rope tokens=" + std::to_string(n_tokens_) +
                    " heads=" + std::to_string(n_heads_) + " head_dim=" + std::to_string(head_dim_) +
                    " rotary_dim=" + std::to_string(rd) + " pos0=" + std::to_string(pos0_) +
                    " pad=" + std::to_string(token_pad_) +
                    " style=" + std::to_string(static_cast<int>(style_)));
  }

 private:
  size_t n_tokens_ = 1;
  size_t n_heads_ = 1;
  size_t head_dim_ = 2;
  size_t rotary_dim_ = 0;  // 0: head_dim
  size_t pos0_ = 0;
  size_t token_pad_ = 0;
  RopeStyle style_ = RopeStyle::kInterleaved;
};

TEST_CASE("rope matches the reference over shapes, layouts and positions") {
  for (const KernelTable* t : test::tables_under_test()) {
    for (RopeStyle style : {RopeStyle::kInterleaved, RopeStyle::kHalf}) {
      for (size_t hd : {2, 4, 6, 8, 10, 14, 16, 18, 32, 34, 48, 64, 96, 128}) {
        // Full, half (GPT-NeoX partial rotary, kept even), and minimal rotary dims.
        for (size_t rd : {hd, (hd / 2) & ~static_cast<size_t>(1), static_cast<size_t>(2)}) {
          if (rd == 0) continue;
          RopeTester().head_dim(hd).rotary_dim(rd).style(style).test(*t);
          RopeTester().head_dim(hd).rotary_dim(rd).n_heads(3).n_tokens(5).pos0(7).style(style).test(*t);
          RopeTester().head_dim(hd).rotary_dim(rd).n_heads(2).n_tokens(3).pos0(50).token_pad(5)
              .style(style).test(*t);
        }
      }
    }
  }
}

// llama2.c run.c computes freq = 1.0f / powf(10000.0f, i / (float)head_size),
// val = pos * freq, fcr = cosf(val), fci = sinf(val) in float. The table
// evaluates that expression with correctly rounded powf/cosf/sinf (the
// portable functions in double, rounded once), so here each of the three is
// the double-precision libm function rounded to float.
TEST_CASE("fill_rope_table is llama2.c's float expression, correctly rounded") {
  for (float theta : {10000.0f, 500000.0f}) {
    for (size_t rd : {2, 8, 48, 64, 128}) {
      std::vector<float> cs(kMaxPos * rd);
      fill_rope_table(kMaxPos, rd, theta, cs.data());
      size_t mismatches = 0, glibc_float_differs = 0, glibc_float_off_by_more = 0;
      for (size_t pos = 0; pos < kMaxPos; ++pos) {
        for (size_t i = 0; i < rd; i += 2) {
          const float e = i / static_cast<float>(rd);
          const float freq = 1.0f / static_cast<float>(std::pow(static_cast<double>(theta), static_cast<double>(e)));
          const float val = static_cast<int>(pos) * freq;
          const float c = static_cast<float>(std::cos(static_cast<double>(val)));
          const float s = static_cast<float>(std::sin(static_cast<double>(val)));
          if (cs[pos * rd + i] != c || cs[pos * rd + i + 1] != s) ++mismatches;
          // llama2.c's own expression with glibc's float functions, which
          // are within 0.502 ulp and so differ from the correctly rounded
          // value in rare near-midpoint cases (by one ulp).
          const float freq_g = 1.0f / powf(theta, e);
          const float val_g = static_cast<int>(pos) * freq_g;
          for (int k = 0; k < 2; ++k) {
            const float got = cs[pos * rd + i + k];
            const float want = k == 0 ? cosf(val_g) : sinf(val_g);
            if (got != want) ++glibc_float_differs;
            if (std::fabs(got - want) > 2.0f * std::fabs(std::nextafter(want, 2.0f) - want)) ++glibc_float_off_by_more;
          }
        }
      }
      INFO("theta ", theta, " rotary_dim ", rd, ": ", glibc_float_differs, " of ", kMaxPos * rd,
           " entries differ from glibc's powf/cosf/sinf");
      CHECK(mismatches == 0);
      CHECK(glibc_float_off_by_more == 0);
      CHECK(glibc_float_differs * 20 <= kMaxPos * rd);
    }
  }
}

TEST_CASE("fill_rope_table agrees with a double computation") {
  const size_t max_pos = 4096;
  for (float theta : {10000.0f, 500000.0f}) {
    for (size_t rd : {32, 64, 128}) {
      std::vector<float> cs(max_pos * rd);
      fill_rope_table(max_pos, rd, theta, cs.data());
      double worst = 0.0;
      for (size_t pos = 0; pos < max_pos; ++pos) {
        for (size_t i = 0; i < rd / 2; ++i) {
          const double angle = pos * std::pow(static_cast<double>(theta), -2.0 * i / rd);
          // The float angle carries relative error from powf and from
          // rounding 2i/d (whose effect is scaled by ln(theta)), ~4 ulp *
          // (1 + ln theta) of the angle, plus ~1 ulp from cosf/sinf.
          const double allowed =
              2e-7 + 4.0 * 1.19e-7 * (1.0 + std::log(theta)) * std::fabs(angle);
          const double ec = std::fabs(cs[pos * rd + 2 * i] - std::cos(angle)) / allowed;
          const double es = std::fabs(cs[pos * rd + 2 * i + 1] - std::sin(angle)) / allowed;
          worst = std::fmax(worst, std::fmax(ec, es));
        }
      }
      INFO("theta ", theta, " rotary_dim ", rd, " error / tolerance ", worst);
      CHECK(worst <= 1.0);
    }
  }
}

TEST_CASE("rope at position 0 is the identity; rotation preserves each pair's norm") {
  const size_t hd = 64, heads = 4, tokens = 6;
  std::vector<float> cs(kMaxPos * hd);
  fill_rope_table(kMaxPos, hd, 10000.0f, cs.data());
  const std::vector<float> x = random_vector(tokens * heads * hd, -3.0f, 3.0f, 77);
  for (const KernelTable* t : test::tables_under_test()) {
    for (RopeStyle style : {RopeStyle::kInterleaved, RopeStyle::kHalf}) {
      INFO(t->name, " style ", static_cast<int>(style));
      std::vector<float> y = x;
      t->f32_rope(y.data(), 1, heads * hd, heads, hd, hd, 0, cs.data(), style);
      test::check_equal(std::vector<float>(y.begin(), y.begin() + heads * hd),
                        std::vector<float>(x.begin(), x.begin() + heads * hd), "pos 0");

      y = x;
      t->f32_rope(y.data(), tokens, heads * hd, heads, hd, hd, 20, cs.data(), style);
      double worst = 0.0;
      bool moved = false;
      for (size_t base = 0; base < x.size(); base += hd) {
        for (size_t i = 0; i < hd / 2; ++i) {
          const size_t a = style == RopeStyle::kInterleaved ? base + 2 * i : base + i;
          const size_t b = style == RopeStyle::kInterleaved ? base + 2 * i + 1 : base + i + hd / 2;
          const double n0 = std::hypot(x[a], x[b]);
          const double n1 = std::hypot(y[a], y[b]);
          worst = std::fmax(worst, std::fabs(n1 - n0) / (n0 + 1e-30));
          moved = moved || y[a] != x[a];
        }
      }
      CHECK(moved);
      CHECK(worst < 1e-6);  // rounding of the table and products only
    }
  }
}

TEST_CASE("rope half and interleaved layouts are permutations of each other") {
  // Permuting x so that pair i sits at (2i, 2i+1) instead of (i, i + d/2)
  // must turn the half-style result into the interleaved one.
  const size_t hd = 48, rd = 32, heads = 2, tokens = 3;
  std::vector<float> cs(kMaxPos * rd);
  fill_rope_table(kMaxPos, rd, 10000.0f, cs.data());
  const std::vector<float> x = random_vector(tokens * heads * hd, -1.0f, 1.0f, 5);
  std::vector<float> xi = x;  // x permuted into interleaved layout
  for (size_t base = 0; base < x.size(); base += hd) {
    for (size_t i = 0; i < rd / 2; ++i) {
      xi[base + 2 * i] = x[base + i];
      xi[base + 2 * i + 1] = x[base + i + rd / 2];
    }
  }
  for (const KernelTable* t : test::tables_under_test()) {
    std::vector<float> yh = x, yi = xi;
    t->f32_rope(yh.data(), tokens, heads * hd, heads, hd, rd, 9, cs.data(), RopeStyle::kHalf);
    t->f32_rope(yi.data(), tokens, heads * hd, heads, hd, rd, 9, cs.data(),
                RopeStyle::kInterleaved);
    std::vector<float> yh_permuted = yh;
    for (size_t base = 0; base < x.size(); base += hd) {
      for (size_t i = 0; i < rd / 2; ++i) {
        yh_permuted[base + 2 * i] = yh[base + i];
        yh_permuted[base + 2 * i + 1] = yh[base + i + rd / 2];
      }
    }
    // The reference uses the same float expression for both layouts: exact.
    // SIMD kernels may fuse different products per layout: 1 ulp of |x| <= 1.
    const bool is_reference = std::string(t->name) == "reference";
    check_close(yi, yh_permuted, Tolerance{is_reference ? 0.0 : 2.4e-7, 0.0},
                std::string(t->name) + " half vs interleaved");
  }
}

}  // namespace
}  // namespace edgeattn
