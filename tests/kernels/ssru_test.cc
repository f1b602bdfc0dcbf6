// SSRU recurrence (f32_ssru): every table against the reference over steps
// x width shapes covering every vector tail, strided rows, f up to +-inf, the
// documented aliasing, and exact properties: state carried across calls,
// saturation, relu's +0, and the reference against Marian's expressions.
//
// Tolerance (ISA tables vs the reference), per output h[t, i] and the final
// state, with M = max(|c0[i]|, |x[0..t, i]|) (every state is a convex
// combination of these, so |c| <= M):
//   |got - want| <= 2^-24 * M * (12 + 2 (t + 1))
// Why: one step's fresh difference is a few ulp of M. g differs by the
// vector exp (<= 2 ulp of e, so <= g (1 - g) 2 ulp), the rounding of 1 + e
// and of the divide (armv7: a refined reciprocal, ~1 ulp), ~2 ulp of 1 in
// all, times |c - x| <= 2M; the products, FMA and sum round differently,
// ~3 ulp of M: ~7 ulp of M, doubled. The carried difference is multiplied
// by g < 1, so it never grows, but while g stays near 1 it barely shrinks
// either: the bound adds 2 ulp per step for those runs. Largest observed
// (EDGEATTN_TEST_PRINT_ERRORS): f in [-8, 8]: 5.3 ulp of M (x86-64, AArch64),
// 7.6 (armv7), flat in t; f in [3, 6] (g in (0.95, 0.998)) for 40 steps:
// 6.2 / 12.6 ulp, growing with t. At most 0.30 (x86-64, AArch64) / 0.42
// (armv7) of the bound.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "kernels/reference/portable_math.h"
#include "kernels/reference/reference.h"
#include "tests/kernels/test_util.h"

namespace edgeattn {
namespace {

using test::random_vector;

constexpr double kUlp = 1.0 / 16777216.0;  // 2^-24
constexpr double kTolBase = 12.0;
constexpr double kTolPerStep = 2.0;

const size_t kWidths[] = {1,  2,  3,  4,  5,  7,  8,   9,   15,  16,  17,  31,
                          32, 33, 40, 63, 64, 65, 255, 256, 257, 512, 1000};
const size_t kSteps[] = {1, 2, 3, 5, 8, 13, 21, 32, 40};

bool same_bits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// Inputs of one case: x, f [steps, *_stride], c0 [width].
struct SsruInputs {
  size_t steps = 0, width = 0, x_stride = 0, f_stride = 0;
  std::vector<float> x, f, c0;
};

// XNNPACK-style builder: SsruTester().steps(8).width(17).test(table).
class SsruTester {
 public:
  SsruTester& steps(size_t v) { steps_ = v; return *this; }
  SsruTester& width(size_t v) { width_ = v; return *this; }
  // Extra floats between rows of x / f / h (h's hold a sentinel that must survive).
  SsruTester& pad(size_t x_pad, size_t f_pad, size_t h_pad) {
    x_pad_ = x_pad;
    f_pad_ = f_pad;
    h_pad_ = h_pad;
    return *this;
  }
  SsruTester& f_range(float v) { return f_bounds(-v, v); }
  SsruTester& f_bounds(float lo, float hi) {
    f_lo_ = lo;
    f_hi_ = hi;
    return *this;
  }
  // One f in 8 replaced by a saturating value (+-30, +-90, +-1e30, +-inf).
  SsruTester& extremes(bool v) { extremes_ = v; return *this; }

  SsruInputs inputs() const {
    SsruInputs in;
    in.steps = steps_;
    in.width = width_;
    in.x_stride = width_ + x_pad_;
    in.f_stride = width_ + f_pad_;
    const uint32_t seed = static_cast<uint32_t>(steps_ * 7919 + width_ * 31 + x_pad_ + (extremes_ ? 5 : 0));
    in.x = random_vector(steps_ * in.x_stride, -4.0f, 4.0f, seed);
    in.f = random_vector(steps_ * in.f_stride, f_lo_, f_hi_, seed + 1);
    in.c0 = random_vector(width_, -4.0f, 4.0f, seed + 2);
    if (extremes_) {
      const float big[] = {30.0f, -30.0f, 90.0f, -90.0f, 1e30f, -1e30f, INFINITY, -INFINITY};
      for (size_t i = 0; i < in.f.size(); i += 8) in.f[i] = big[(i / 8 + seed) % 8];
    }
    return in;
  }

  std::string describe(const KernelTable& t) const {
    return std::string(t.name) + " ssru steps=" + std::to_string(steps_) + " width=" +
           std::to_string(width_) + " pad=" + std::to_string(x_pad_) + "/" + std::to_string(f_pad_) +
           "/" + std::to_string(h_pad_) + " f=[" + std::to_string(f_lo_) + "," + std::to_string(f_hi_) + "]" +
           (extremes_ ? " extremes" : "");
  }

  void test(const KernelTable& table) const {
    const SsruInputs in = inputs();
    const size_t h_stride = width_ + h_pad_;
    std::vector<float> want_h(steps_ * h_stride, test::sentinel()), got_h = want_h;
    std::vector<float> want_c = in.c0, got_c = in.c0;
    got_c.push_back(test::sentinel());  // one past the state: must survive
    f32_ssru_ukernel__reference(steps_, width_, in.x.data(), in.x_stride, in.f.data(), in.f_stride,
                                want_c.data(), want_h.data(), h_stride);
    table.f32_ssru(steps_, width_, in.x.data(), in.x_stride, in.f.data(), in.f_stride, got_c.data(),
                   got_h.data(), h_stride);
    const std::string what = describe(table);
    INFO(what);
    CHECK(test::is_sentinel(got_c[width_]));

    double worst = 0.0;
    size_t worst_t = 0, worst_i = 0, bad = 0;
    std::vector<double> m(in.c0.begin(), in.c0.end());
    for (double& v : m) v = std::fabs(v);
    for (size_t t = 0; t < steps_; ++t) {
      for (size_t i = 0; i < width_; ++i) {
        m[i] = std::fmax(m[i], std::fabs(in.x[t * in.x_stride + i]));
        const float got = got_h[t * h_stride + i], want = want_h[t * h_stride + i];
        if (!std::isfinite(got) || std::signbit(got)) ++bad;  // never NaN, inf or -0
        const double allowed = kUlp * m[i] * (kTolBase + kTolPerStep * static_cast<double>(t + 1));
        const double ratio = std::fabs(static_cast<double>(got) - want) / allowed;
        if (!(ratio <= worst)) {
          worst = ratio;
          worst_t = t;
          worst_i = i;
        }
        if (t + 1 == steps_) {  // the final state, same bound as h
          const double rc = std::fabs(static_cast<double>(got_c[i]) - want_c[i]) / allowed;
          if (!(rc <= worst)) {
            worst = rc;
            worst_t = t;
            worst_i = i;
          }
        }
      }
      for (size_t i = width_; i < h_stride; ++i) {
        if (!test::is_sentinel(got_h[t * h_stride + i])) ++bad;
      }
    }
    test::report_ratio(worst, what);
    INFO("worst t=", worst_t, " i=", worst_i, " got ", got_h[worst_t * h_stride + worst_i], " want ",
         want_h[worst_t * h_stride + worst_i], " (error / tolerance = ", worst, ")");
    CHECK(bad == 0);
    CHECK(worst <= 1.0);
  }

 private:
  size_t steps_ = 1, width_ = 1;
  size_t x_pad_ = 0, f_pad_ = 0, h_pad_ = 0;
  float f_lo_ = -8.0f, f_hi_ = 8.0f;
  bool extremes_ = false;
};

TEST_CASE("f32_ssru matches the reference over steps x width") {
  for (const KernelTable* t : test::tables_under_test()) {
    for (size_t steps : kSteps) {
      for (size_t width : kWidths) {
        SsruTester().steps(steps).width(width).test(*t);
        SsruTester().steps(steps).width(width).pad(3, 5, 1).extremes(true).test(*t);
      }
    }
    for (size_t steps = 1; steps <= 40; ++steps) SsruTester().steps(steps).width(37).test(*t);
    SsruTester().steps(40).width(256).f_range(2.0f).test(*t);   // g near 1/2: fast mixing
    SsruTester().steps(40).width(256).f_range(20.0f).test(*t);  // mostly saturated gates
    SsruTester().steps(40).width(256).f_bounds(3.0f, 6.0f).test(*t);  // g in (0.95, 0.998): slow decay
  }
}

// Runs `table` over the steps of `in` split into calls of the given sizes
// (cycled), carrying the state: h [steps, width] and the final c.
void run_split(const KernelTable& table, const SsruInputs& in, const std::vector<size_t>& sizes,
               std::vector<float>* h, std::vector<float>* c) {
  h->assign(in.steps * in.width, 0.0f);
  *c = in.c0;
  size_t t = 0;
  for (size_t k = 0; t < in.steps; ++k) {
    const size_t n = std::min(sizes[k % sizes.size()], in.steps - t);
    table.f32_ssru(n, in.width, in.x.data() + t * in.x_stride, in.x_stride, in.f.data() + t * in.f_stride,
                   in.f_stride, c->data(), h->data() + t * in.width, in.width);
    t += n;
  }
}

TEST_CASE("f32_ssru carries the state: steps one call at a time give the same bits as one call") {
  for (const KernelTable* t : test::tables_under_test()) {
    for (size_t width : {1, 7, 9, 33, 255, 256, 257}) {
      const SsruInputs in = SsruTester().steps(40).width(width).pad(2, 1, 0).extremes(true).inputs();
      std::vector<float> h1, c1, h, c;
      run_split(*t, in, {40}, &h1, &c1);
      for (const std::vector<size_t>& sizes : {std::vector<size_t>{1}, std::vector<size_t>{3, 1, 7}}) {
        run_split(*t, in, sizes, &h, &c);
        size_t bad = 0;
        for (size_t i = 0; i < h.size(); ++i) bad += same_bits(h[i], h1[i]) ? 0 : 1;
        for (size_t i = 0; i < c.size(); ++i) bad += same_bits(c[i], c1[i]) ? 0 : 1;
        INFO(t->name, " width=", width, " calls of ", sizes[0], " steps");
        CHECK(bad == 0);
      }
    }
  }
}

TEST_CASE("f32_ssru in place: h may be x or f (same stride), or x inside an interleaved [x | f] row") {
  for (const KernelTable* t : test::tables_under_test()) {
    for (size_t width : {1, 9, 64, 257}) {
      const size_t steps = 6;
      const SsruInputs in = SsruTester().steps(steps).width(width).inputs();  // strides = width
      std::vector<float> want_h(steps * width), want_c = in.c0;
      t->f32_ssru(steps, width, in.x.data(), width, in.f.data(), width, want_c.data(), want_h.data(), width);
      INFO(t->name, " width=", width);
      for (int alias = 0; alias < 3; ++alias) {
        std::vector<float> x = in.x, f = in.f, c = in.c0;
        // alias 2: one buffer [steps, 2 * width] holding x then f per row.
        std::vector<float> xf(steps * 2 * width);
        for (size_t s = 0; s < steps; ++s) {
          std::memcpy(&xf[s * 2 * width], &in.x[s * width], width * sizeof(float));
          std::memcpy(&xf[s * 2 * width + width], &in.f[s * width], width * sizeof(float));
        }
        const float* xp = alias == 2 ? xf.data() : x.data();
        const float* fp = alias == 2 ? xf.data() + width : f.data();
        const size_t stride = alias == 2 ? 2 * width : width;
        float* h = alias == 0 ? x.data() : alias == 1 ? f.data() : xf.data();
        t->f32_ssru(steps, width, xp, stride, fp, stride, c.data(), h, stride);
        size_t bad = 0;
        for (size_t s = 0; s < steps; ++s)
          for (size_t i = 0; i < width; ++i) bad += same_bits(h[s * stride + i], want_h[s * width + i]) ? 0 : 1;
        for (size_t i = 0; i < width; ++i) bad += same_bits(c[i], want_c[i]) ? 0 : 1;
        INFO("alias ", alias);
        CHECK(bad == 0);
      }
    }
  }
}

TEST_CASE("f32_ssru saturates: |f| >= 88 keeps c or takes x bit for bit; never NaN or inf") {
  const float keep[] = {88.0f, 90.0f, 1e30f, INFINITY};
  for (const KernelTable* t : test::tables_under_test()) {
    for (size_t width : {1, 7, 9, 40}) {
      for (float big : keep) {
        for (float sign : {1.0f, -1.0f}) {
          std::vector<float> x = random_vector(width, -4.0f, 4.0f, 11), f(width, sign * big);
          std::vector<float> c = random_vector(width, -4.0f, 4.0f, 12), c0 = c, h(width);
          t->f32_ssru(1, width, x.data(), width, f.data(), width, c.data(), h.data(), width);
          INFO(t->name, " width=", width, " f=", sign * big);
          size_t bad = 0;
          for (size_t i = 0; i < width; ++i) {
            bad += same_bits(c[i], sign > 0 ? c0[i] : x[i]) ? 0 : 1;
            bad += same_bits(h[i], c[i] > 0.0f ? c[i] : 0.0f) ? 0 : 1;
          }
          CHECK(bad == 0);
        }
      }
      // +-30: g rounds to 1 (f > 0) or to e^-30; finite and within the tolerance.
      SsruTester().steps(5).width(width).f_range(30.0f).extremes(true).test(*t);
    }
  }
}

TEST_CASE("f32_ssru output is relu of the new state, bit for bit, +0 for c = -0") {
  for (const KernelTable* t : test::tables_under_test()) {
    const size_t width = 19;
    std::vector<float> x = random_vector(width, -4.0f, 4.0f, 21), f = random_vector(width, -8.0f, 8.0f, 22);
    std::vector<float> c = random_vector(width, -4.0f, 4.0f, 23), h(width);
    // c = g * (-0) + (1 - g) * (-0) = -0 in columns 0..3.
    for (size_t i = 0; i < 4; ++i) {
      x[i] = -0.0f;
      c[i] = -0.0f;
    }
    t->f32_ssru(1, width, x.data(), width, f.data(), width, c.data(), h.data(), width);
    INFO(t->name);
    for (size_t i = 0; i < width; ++i) {
      INFO("i=", i, " c=", c[i], " h=", h[i]);
      CHECK(same_bits(h[i], c[i] > 0.0f ? c[i] : 0.0f));
    }
    for (size_t i = 0; i < 4; ++i) CHECK(std::signbit(c[i]));
  }
}

TEST_CASE("f32_ssru reference is Marian's float expressions, bit for bit") {
  // operators.h Ops<float>::sigmoid and HighwayForward, restated with the
  // reference's exp (this file is built with -ffp-contract=off).
  const SsruInputs in = SsruTester().steps(7).width(33).extremes(true).inputs();
  std::vector<float> c = in.c0, h(7 * 33);
  f32_ssru_ukernel__reference(7, 33, in.x.data(), in.x_stride, in.f.data(), in.f_stride, c.data(), h.data(), 33);
  std::vector<float> mc = in.c0;
  size_t bad = 0;
  for (size_t t = 0; t < 7; ++t) {
    for (size_t i = 0; i < 33; ++i) {
      const float fx = in.f[t * in.f_stride + i];
      const float g = fx > 0 ? (1.f / (1.f + portable_expf(-fx))) : (portable_expf(fx) / (1.f + portable_expf(fx)));
      mc[i] = g * mc[i] + (1.f - g) * in.x[t * in.x_stride + i];
      bad += same_bits(h[t * 33 + i], mc[i] > 0.f ? mc[i] : 0.f) ? 0 : 1;
    }
  }
  for (size_t i = 0; i < 33; ++i) bad += same_bits(c[i], mc[i]) ? 0 : 1;
  CHECK(bad == 0);
  // Against the unrounded recurrence in double: the reference is accurate.
  SsruInputs d = SsruTester().steps(40).width(64).inputs();
  std::vector<float> rc = d.c0, rh(40 * 64);
  f32_ssru_ukernel__reference(40, 64, d.x.data(), 64, d.f.data(), 64, rc.data(), rh.data(), 64);
  std::vector<double> dc(d.c0.begin(), d.c0.end());
  double worst = 0.0;
  for (size_t t = 0; t < 40; ++t) {
    for (size_t i = 0; i < 64; ++i) {
      const double g = 1.0 / (1.0 + std::exp(-static_cast<double>(d.f[t * 64 + i])));
      dc[i] = g * dc[i] + (1.0 - g) * d.x[t * 64 + i];
      worst = std::fmax(worst, std::fabs(rh[t * 64 + i] - std::fmax(dc[i], 0.0)));
    }
  }
  INFO("reference vs double: ", worst);
  CHECK(worst <= 4.0 * 40 * kUlp * 4.0);  // a few ulp of |x| <= 4 per step
}

}  // namespace
}  // namespace edgeattn
