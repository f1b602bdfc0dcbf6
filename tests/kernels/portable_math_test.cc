// portable_math: accuracy against the platform libm in double, special
// values, and the property that matters: the same bits on every architecture.
//
// Tolerances (libm here is glibc; its double functions are within ~0.5-1 ulp
// on x86-64 and aarch64; armv7's exp/sin/cos take other code paths but are
// as accurate):
//   exp: <= 2 ulp of double (measured 1.0 on x86-64). The Taylor tail on
//        |r| <= ln2/2 is 0.05 ulp; the rest is Horner rounding.
//   log: <= 3 ulp (measured 2.0): the atanh series plus e * ln2 in two parts.
//   sin/cos, |x| <= 2e5: absolute <= 4.5e-16 (measured 2.2e-16): the
//        three-part pi/2 reduction is exact to ~1e-26 there, so what remains
//        is the polynomial's rounding near |r| = pi/4.
//   erf: absolute <= 4e-15 (measured 1.4e-15): the alternating series below
//        2 has terms up to 2.4, so a few ulp of 2.4; relative <= 4 ulp for
//        |x| < 0.5, where the first term dominates.
//   pow(theta, e), theta in {1e4, 5e5}, e in [0, 1]: <= 32 ulp (the log's
//        error is scaled by |e log theta| <= 13).
//   float-rounded: portable_expf(x) and (float)portable_cos(x) etc. equal the
//        platform's double function rounded to float on every sample: both
//        are the correctly rounded float unless the true value lies within
//        a few ulp of double of a float rounding midpoint (~1e-8 per sample).
#include "kernels/reference/portable_math.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <string>

#include <doctest/doctest.h>

namespace edgeattn {
namespace {

double ulp_error(double got, double want) {
  if (got == want) return 0.0;
  const double a = std::fabs(want);
  const double ulp = std::nextafter(a, std::numeric_limits<double>::infinity()) - a;
  return std::fabs(got - want) / ulp;
}

constexpr double kInf = std::numeric_limits<double>::infinity();

TEST_CASE("portable_exp: accuracy, range and special values") {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> wide(-708.0, 709.0), narrow(-1.0, 1.0);
  double worst = 0.0;
  for (int i = 0; i < 200000; ++i) {
    const double x = (i & 1) ? wide(rng) : narrow(rng);
    worst = std::fmax(worst, ulp_error(portable_exp(x), std::exp(x)));
  }
  INFO("max ulp error ", worst);
  CHECK(worst <= 2.0);
  CHECK(portable_exp(0.0) == 1.0);
  CHECK(portable_exp(710.0) == kInf);
  CHECK(portable_exp(-746.0) == 0.0);
  CHECK(std::isnan(portable_exp(std::nan(""))));
  CHECK(portable_exp(-kInf) == 0.0);
  CHECK(portable_exp(kInf) == kInf);
  // Subnormal results: rounded once, so within one subnormal step.
  for (double x : {-708.5, -720.0, -740.0, -744.0}) {
    INFO("x ", x);
    CHECK(std::fabs(portable_exp(x) - std::exp(x)) <= std::numeric_limits<double>::denorm_min());
  }
}

TEST_CASE("portable_log and portable_pow: accuracy and special values") {
  std::mt19937_64 rng(12);
  std::uniform_real_distribution<double> mant(0.5, 1.0);
  double worst = 0.0;
  for (int i = 0; i < 200000; ++i) {
    const double x = std::ldexp(mant(rng), static_cast<int>(rng() % 2100) - 1070);  // incl. subnormals
    if (x == 1.0) continue;
    worst = std::fmax(worst, ulp_error(portable_log(x), std::log(x)));
  }
  INFO("log max ulp error ", worst);
  CHECK(worst <= 3.0);
  CHECK(portable_log(1.0) == 0.0);
  CHECK(portable_log(0.0) == -kInf);
  CHECK(std::isnan(portable_log(-1.0)));
  CHECK(portable_log(kInf) == kInf);

  double worst_pow = 0.0;
  for (double theta : {10000.0, 500000.0}) {
    for (int i = 0; i <= 4096; ++i) {
      const double e = i / 4096.0;
      worst_pow = std::fmax(worst_pow, ulp_error(portable_pow(theta, e), std::pow(theta, e)));
    }
  }
  INFO("pow max ulp error ", worst_pow);
  CHECK(worst_pow <= 32.0);
}

TEST_CASE("portable_sin/cos: accuracy over RoPE angles, identities, special values") {
  std::mt19937_64 rng(13);
  std::uniform_real_distribution<double> wide(-2e5, 2e5), small(-4.0, 4.0);
  double worst = 0.0;
  for (int i = 0; i < 200000; ++i) {
    const double x = (i & 1) ? wide(rng) : small(rng);
    worst = std::fmax(worst, std::fabs(portable_sin(x) - std::sin(x)));
    worst = std::fmax(worst, std::fabs(portable_cos(x) - std::cos(x)));
  }
  INFO("max abs error ", worst);
  CHECK(worst <= 4.5e-16);
  CHECK(portable_sin(0.0) == 0.0);
  CHECK(portable_cos(0.0) == 1.0);
  CHECK(portable_sin(1e-30) == 1e-30);
  CHECK(portable_sin(-1.25) == -portable_sin(1.25));
  CHECK(portable_cos(-1.25) == portable_cos(1.25));
  CHECK(std::isnan(portable_sin(kInf)));
  CHECK(std::isnan(portable_cos(std::nan(""))));
}

TEST_CASE("portable_erf: accuracy, odd symmetry, limits") {
  std::mt19937_64 rng(14);
  std::uniform_real_distribution<double> d(-7.0, 7.0), tiny(-0.5, 0.5);
  double worst_abs = 0.0, worst_rel = 0.0;
  for (int i = 0; i < 200000; ++i) {
    const double x = d(rng);
    worst_abs = std::fmax(worst_abs, std::fabs(portable_erf(x) - std::erf(x)));
    const double t = tiny(rng) * std::pow(10.0, -static_cast<double>(rng() % 300));
    if (t != 0.0) worst_rel = std::fmax(worst_rel, ulp_error(portable_erf(t), std::erf(t)));
  }
  INFO("max abs error ", worst_abs, ", max ulp error below 0.5 ", worst_rel);
  CHECK(worst_abs <= 4e-15);
  CHECK(worst_rel <= 4.0);
  CHECK(portable_erf(0.0) == 0.0);
  CHECK(portable_erf(-1.5) == -portable_erf(1.5));
  CHECK(portable_erf(kInf) == 1.0);
  CHECK(portable_erf(-kInf) == -1.0);
  CHECK(std::isnan(portable_erf(std::nan(""))));
}

TEST_CASE("portable functions rounded to float equal the correctly rounded float") {
  // Every 997th float bit pattern in the range each reference kernel uses.
  size_t n = 0, exp_diff = 0, trig_diff = 0, erf_diff = 0;
  for (uint32_t b = 0; b < 0xff000000u; b += 997) {
    float f;
    std::memcpy(&f, &b, sizeof f);
    if (!std::isfinite(f)) continue;
    const double x = f;
    ++n;
    if (std::fabs(f) < 87.0f && portable_expf(f) != static_cast<float>(std::exp(x))) ++exp_diff;
    if (std::fabs(f) < 1e5f && (static_cast<float>(portable_sin(x)) != static_cast<float>(std::sin(x)) ||
                                static_cast<float>(portable_cos(x)) != static_cast<float>(std::cos(x)))) {
      ++trig_diff;
    }
    if (std::fabs(f) < 8.0f && static_cast<float>(portable_erf(x)) != static_cast<float>(std::erf(x))) ++erf_diff;
  }
  INFO(n, " samples: exp ", exp_diff, ", sin/cos ", trig_diff, ", erf ", erf_diff, " differ");
  CHECK(exp_diff == 0);
  CHECK(trig_diff == 0);
  CHECK(erf_diff == 0);
}

// The point of the file: these bits are a function of the input only. The
// hash below was recorded on x86-64; kernels_test runs under qemu for
// aarch64 (cortex-a53 and max) and armv7 in CI, where it must come out the
// same. If an intentional change to portable_math.cc changes it, the new
// value is printed here: record it, and re-run the cross tests.
TEST_CASE("portable functions give the same bits on every architecture") {
  uint64_t h = 1469598103934665603ull;  // FNV-1a over the result bits
  auto mix = [&h](double v) {
    uint64_t b;
    std::memcpy(&b, &v, sizeof b);
    for (int i = 0; i < 8; ++i) {
      h ^= (b >> (8 * i)) & 0xff;
      h *= 1099511628211ull;
    }
  };
  std::mt19937_64 rng(15);  // mt19937_64 is fully specified by the standard
  for (int i = 0; i < 50000; ++i) {
    const double u = static_cast<double>(rng() >> 11) * 0x1.0p-53;  // [0, 1), exact
    mix(portable_exp(-700.0 + 1409.0 * u));
    mix(portable_log(std::ldexp(0.5 + u, static_cast<int>(rng() % 2000) - 1000)));
    mix(portable_sin(-2e5 + 4e5 * u));
    mix(portable_cos(-8.0 + 16.0 * u));
    mix(portable_erf(-7.0 + 14.0 * u));
    mix(portable_pow(10000.0, u));
  }
  char hex[24];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  INFO("hash ", hex);
  CHECK(std::string(hex) == "18cb71e46ebdd2c0");
}

}  // namespace
}  // namespace edgeattn
