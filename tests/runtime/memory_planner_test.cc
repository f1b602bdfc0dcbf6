#include "runtime/memory_planner.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <random>

namespace edgeattn {
namespace {

// Checks the invariant that matters: buffers alive at the same time never
// share bytes, and everything fits in total_bytes().
void check_no_overlap(const GreedyMemoryPlanner& p, const std::vector<std::array<int, 3>>& spec) {
  for (size_t i = 0; i < spec.size(); ++i) {
    CHECK(p.offset(i) % GreedyMemoryPlanner::kAlignment == 0);
    CHECK(p.offset(i) + static_cast<size_t>(spec[i][0]) <= p.total_bytes());
    for (size_t j = i + 1; j < spec.size(); ++j) {
      const bool time_overlap = spec[i][1] <= spec[j][2] && spec[j][1] <= spec[i][2];
      const bool space_overlap = p.offset(i) < p.offset(j) + static_cast<size_t>(spec[j][0]) &&
                                 p.offset(j) < p.offset(i) + static_cast<size_t>(spec[i][0]);
      CHECK_FALSE((time_overlap && space_overlap));
    }
  }
}

TEST_CASE("a chain of buffers reuses memory") {
  GreedyMemoryPlanner p;
  p.add(1024, 0, 1);
  p.add(1024, 1, 2);
  p.add(1024, 2, 3);
  p.add(1024, 3, 4);
  p.plan();
  CHECK(p.total_bytes() == 2048);
  CHECK(p.offset(0) == p.offset(2));
  CHECK(p.offset(1) == p.offset(3));
}

TEST_CASE("sizes are rounded to the alignment and simultaneous buffers are disjoint") {
  GreedyMemoryPlanner p;
  p.add(1, 0, 5);
  p.add(65, 0, 5);
  p.add(100, 0, 5);
  p.plan();
  CHECK(p.total_bytes() == 64 + 128 + 128);
  check_no_overlap(p, {{{1, 0, 5}}, {{65, 0, 5}}, {{100, 0, 5}}});
}

TEST_CASE("a small buffer fills a gap left between two live ones") {
  GreedyMemoryPlanner p;
  p.add(4096, 0, 10);  // long-lived, placed first at 0
  p.add(2048, 0, 2);   // placed at 4096
  p.add(1024, 3, 10);  // placed at 4096 too: the 2048 buffer is dead by then
  p.plan();
  CHECK(p.offset(0) == 0);
  CHECK(p.offset(1) == 4096);
  CHECK(p.offset(2) == 4096);
  CHECK(p.total_bytes() == 6144);
}

TEST_CASE("random lifetimes never overlap in time and space") {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 50; ++trial) {
    GreedyMemoryPlanner p;
    std::vector<std::array<int, 3>> spec;
    const int n = 1 + static_cast<int>(rng() % 40);
    size_t sum = 0;
    for (int i = 0; i < n; ++i) {
      int first = static_cast<int>(rng() % 30);
      int last = first + static_cast<int>(rng() % 10);
      int bytes = 1 + static_cast<int>(rng() % 5000);
      spec.push_back({bytes, first, last});
      p.add(static_cast<size_t>(bytes), first, last);
      sum += (static_cast<size_t>(bytes) + 63) / 64 * 64;
    }
    p.plan();
    check_no_overlap(p, spec);
    CHECK(p.total_bytes() <= sum);
  }
}

}  // namespace
}  // namespace edgeattn
