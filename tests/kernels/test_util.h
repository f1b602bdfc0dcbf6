// Shared helpers for the kernel tests: the tables under test, seeded random
// data, and a tolerance check that reports the worst element.
//
// Every ISA table is compared with the reference table computed inside the
// test. A tolerance is atol + rtol * |want|; each test states why its numbers
// are what they are.
//
// Example:
//   for (const KernelTable* t : tables_under_test()) {
//     ... run t and reference_kernels() on the same input ...
//     check_close(got, want, Tolerance{1e-6, 2e-6}, "rmsnorm rows=3 cols=17");
//   }
#pragma once

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "kernels/kernels.h"

namespace edgeattn {
namespace test {

// Every table this host can run, reference included (it must agree with
// itself, which also checks the testers).
inline std::vector<const KernelTable*> tables_under_test() {
  const KernelTable* tables[8];
  const size_t n = available_kernel_tables(tables, 8);
  return std::vector<const KernelTable*>(tables, tables + n);
}

inline std::vector<float> random_vector(size_t n, float lo, float hi, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

struct Tolerance {
  double atol;
  double rtol;
};

// A NaN with a payload no kernel produces: written into padding between rows
// to prove kernels never write outside [row, row + cols).
inline float sentinel() {
  const uint32_t bits = 0x7fc0beefu;
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

inline bool is_sentinel(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  return bits == 0x7fc0beefu;
}

// With EDGEATTN_TEST_PRINT_ERRORS set, prints "<error / tolerance> <case>"
// to stderr for every comparison using more than 5% of its tolerance: how
// the tolerances in these tests were sized (sort -rn to see the tightest).
inline void report_ratio(double ratio, const std::string& what) {
  static const bool enabled = std::getenv("EDGEATTN_TEST_PRINT_ERRORS") != nullptr;
  if (enabled && ratio > 0.05) std::fprintf(stderr, "%.3f %s\n", ratio, what.c_str());
}

// Checks |got[i] - want[i]| <= atol + rtol * |want[i]| for all i, with one
// assertion per call that names the worst element.
inline void check_close(const float* got, const float* want, size_t n, Tolerance tol,
                        const std::string& what) {
  double worst_ratio = 0.0;
  size_t worst = 0;
  bool nan = false;
  for (size_t i = 0; i < n; ++i) {
    if (std::isnan(got[i]) != std::isnan(want[i])) {
      nan = true;
      worst = i;
      break;
    }
    if (std::isnan(want[i])) continue;
    const double err = std::fabs(static_cast<double>(got[i]) - want[i]);
    const double allowed = tol.atol + tol.rtol * std::fabs(static_cast<double>(want[i]));
    const double ratio = allowed > 0.0 ? err / allowed : (err > 0.0 ? 1e30 : 0.0);
    if (ratio > worst_ratio) {
      worst_ratio = ratio;
      worst = i;
    }
  }
  report_ratio(worst_ratio, what);
  INFO(what, ": worst element ", worst, " got ", got[worst], " want ", want[worst],
       " (error / tolerance = ", worst_ratio, ")");
  CHECK_FALSE(nan);
  CHECK(worst_ratio <= 1.0);
}

inline void check_close(const std::vector<float>& got, const std::vector<float>& want,
                        Tolerance tol, const std::string& what) {
  REQUIRE(got.size() == want.size());
  check_close(got.data(), want.data(), got.size(), tol, what);
}

inline void check_equal(const std::vector<float>& got, const std::vector<float>& want,
                        const std::string& what) {
  check_close(got, want, Tolerance{0.0, 0.0}, what);
}

}  // namespace test
}  // namespace edgeattn
