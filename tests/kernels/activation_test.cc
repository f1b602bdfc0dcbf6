// f32_activation (the image ops' epilogue): every table against the
// reference (double, one rounding) for every activation, with and without
// the pre / post affine transforms, over lengths that exercise every
// unrolled loop and tail, and in place.
#include <cmath>
#include <string>
#include <vector>

#include "kernels/reference/reference.h"
#include "tests/kernels/test_util.h"

namespace edgeattn {
namespace {

using test::random_vector;

const ActKind kKinds[] = {ActKind::kNone,      ActKind::kRelu,      ActKind::kRelu6, ActKind::kSigmoid,
                          ActKind::kHardSigmoid, ActKind::kHardSwish, ActKind::kSilu,  ActKind::kGelu};

std::vector<size_t> lengths() {
  std::vector<size_t> n;
  for (size_t i = 1; i <= 40; ++i) n.push_back(i);
  for (size_t i : {63, 64, 65, 127, 255, 1000, 4099}) n.push_back(i);
  return n;
}

// Tolerance per element, from v = x * pre_scale + pre_shift:
//   4e-6 * (|post_scale| * max(1, |v|) + |post_shift|).
// Why: the ISA kernels round v, the activation (exp <= 2 ulp, a divide, or
// erf with 1.5e-7 absolute error times |v| / 2) and the post affine, each a
// few ulp (~6e-8 relative) of the largest magnitude involved, and the
// activations' slopes are <= 1.1 (HardSigmoid: alpha), so an error in v is
// not amplified; 4e-6 is a margin of ~5x over the sum of those terms, not
// a measured fit. The reference is double, so this is the kernel's error.
void check(const KernelTable& table, ActKind kind, const ActivationParams& base, size_t n, bool in_place,
           float range) {
  ActivationParams p = base;
  p.kind = kind;
  const uint32_t seed = static_cast<uint32_t>(n * 31 + static_cast<size_t>(kind));
  std::vector<float> x = random_vector(n, -range, range, seed);
  if (n > 3) x[n / 2] = 0.0f;
  std::vector<float> want(n), got(n, test::sentinel());
  f32_activation_ukernel__reference(n, x.data(), want.data(), p);
  std::vector<float> xin = x;
  float* y = in_place ? xin.data() : got.data();
  table.f32_activation(n, xin.data(), y, p);
  double worst = 0.0;
  size_t worst_i = 0;
  for (size_t i = 0; i < n; ++i) {
    const double v = static_cast<double>(x[i]) * p.pre_scale + p.pre_shift;
    const double allowed = 4e-6 * (std::fabs(p.post_scale) * std::fmax(1.0, std::fabs(v)) + std::fabs(p.post_shift));
    const double err = std::fabs(static_cast<double>(y[i]) - want[i]);
    const double ratio = std::isnan(y[i]) ? 1e30 : err / allowed;
    if (ratio > worst) worst = ratio, worst_i = i;
  }
  const std::string what = std::string(table.name) + " kind=" + std::to_string(static_cast<int>(kind)) +
                           " n=" + std::to_string(n) + " range=" + std::to_string(range) +
                           " in_place=" + std::to_string(in_place) + " post_scale=" + std::to_string(p.post_scale);
  test::report_ratio(worst, what);
  INFO(what, ": worst element ", worst_i, " x ", x[worst_i], " got ", y[worst_i], " want ", want[worst_i]);
  CHECK(worst <= 1.0);
}

TEST_CASE("f32_activation: every table matches the reference, every activation, tails, in place") {
  ActivationParams identity;
  ActivationParams affine;
  affine.alpha = 0.1666667f;  // PaddleOCR's HardSigmoid slope
  affine.beta = 0.5f;
  affine.pre_scale = 0.75f;
  affine.pre_shift = -0.25f;
  affine.post_scale = 1.5f;
  affine.post_shift = 0.125f;
  for (const KernelTable* t : test::tables_under_test()) {
    for (ActKind kind : kKinds) {
      for (size_t n : lengths()) {
        check(*t, kind, identity, n, false, 8.0f);
        check(*t, kind, affine, n, n % 2 == 0, 8.0f);
      }
      // Saturation: exp underflow / overflow and the clamps.
      check(*t, kind, identity, 257, false, 120.0f);
      check(*t, kind, affine, 257, true, 120.0f);
    }
  }
}

}  // namespace
}  // namespace edgeattn
