#include "runtime/ops/parallel.h"

#include <pthreadpool.h>

#include <algorithm>
#include <atomic>

namespace edgeattn {
namespace parallel {
namespace {

// The caller's job and the two edges around every task (parallel.h).
template <typename Task>
struct Handoff {
  Task task;
  void* context;
  std::atomic<int> published{0};
  std::atomic<size_t> finished{0};

  void begin() { (void)published.load(std::memory_order_acquire); }
  void end() { finished.fetch_add(1, std::memory_order_release); }
};

void run_1d(void* h, size_t i) {
  auto& x = *static_cast<Handoff<Task1D>*>(h);
  x.begin();
  x.task(x.context, i);
  x.end();
}

void run_1d_tile(void* h, size_t i0, size_t n) {
  auto& x = *static_cast<Handoff<Task1DTile>*>(h);
  x.begin();
  x.task(x.context, i0, n);
  x.end();
}

void run_2d_tile(void* h, size_t i0, size_t j0, size_t ni, size_t nj) {
  auto& x = *static_cast<Handoff<Task2DTile>*>(h);
  x.begin();
  x.task(x.context, i0, j0, ni, nj);
  x.end();
}

// for_tiles' claims.
struct TileClaims {
  TileTask task;
  void* context;
  size_t tiles;
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
};

void claim_tiles(void* c, size_t slot) {
  TileClaims& x = *static_cast<TileClaims*>(c);
  for (size_t t = x.next++; t < x.tiles && !x.failed.load(std::memory_order_relaxed); t = x.next++) {
    if (!x.task(x.context, slot, t)) x.failed.store(true, std::memory_order_relaxed);
  }
}

}  // namespace

size_t threads(pthreadpool* pool) { return pool != nullptr ? pthreadpool_get_threads_count(pool) : 1; }

bool for_tiles(pthreadpool* pool, size_t slots, TileTask task, void* context, size_t tiles) {
  TileClaims claims{task, context, tiles};
  const size_t n = std::min(std::min(slots, threads(pool)), tiles);
  if (n <= 1) {
    claim_tiles(&claims, 0);
  } else {
    for_1d(pool, claim_tiles, &claims, n);
  }
  return !claims.failed.load();
}

void for_1d(pthreadpool* pool, Task1D task, void* context, size_t range) {
  Handoff<Task1D> h{task, context};
  h.published.store(1, std::memory_order_release);
  pthreadpool_parallelize_1d(pool, run_1d, &h, range, 0);
  (void)h.finished.load(std::memory_order_acquire);
}

void for_1d_tile(pthreadpool* pool, Task1DTile task, void* context, size_t range, size_t tile) {
  Handoff<Task1DTile> h{task, context};
  h.published.store(1, std::memory_order_release);
  pthreadpool_parallelize_1d_tile_1d(pool, run_1d_tile, &h, range, tile, 0);
  (void)h.finished.load(std::memory_order_acquire);
}

void for_2d_tile(pthreadpool* pool, Task2DTile task, void* context, size_t range_i, size_t range_j, size_t tile_i,
                 size_t tile_j) {
  Handoff<Task2DTile> h{task, context};
  h.published.store(1, std::memory_order_release);
  pthreadpool_parallelize_2d_tile_2d(pool, run_2d_tile, &h, range_i, range_j, tile_i, tile_j, 0);
  (void)h.finished.load(std::memory_order_acquire);
}

}  // namespace parallel
}  // namespace edgeattn
