// Internal: the ops' parallel loops, pthreadpool's with the happens-before
// edges that a ThreadSanitizer build cannot see on its own.
//
// Debian's libpthreadpool is not instrumented: TSan sees neither the
// hand-off of a job to the pool's threads nor their return, so every op
// that fills a job struct, runs it on the pool and reads the result would
// be reported as a race. These wrappers publish the job with a release
// store that each task acquires, and each task's end with a release
// increment the caller acquires after the loop (two atomics per task; the
// loops here have tens to hundreds of tasks). Same semantics as
// pthreadpool_parallelize_*: pool nullptr runs everything on the caller.
//
//   void rows(void* job, size_t r0, size_t n);  // rows [r0, r0 + n)
//   parallel::for_1d_tile(pool, rows, &job, row_count, tile);
#pragma once

#include <cstddef>

struct pthreadpool;

namespace edgeattn {
namespace parallel {

// Threads of `pool` (1 for nullptr): how many ways a loop splits.
size_t threads(pthreadpool* pool);

using Task1D = void (*)(void* context, size_t i);
using Task1DTile = void (*)(void* context, size_t i0, size_t n);
using Task2DTile = void (*)(void* context, size_t i0, size_t j0, size_t ni, size_t nj);

// task(context, i) for i in [0, range).
void for_1d(pthreadpool* pool, Task1D task, void* context, size_t range);
// task(context, i0, n) over [0, range) in tiles of `tile`.
void for_1d_tile(pthreadpool* pool, Task1DTile task, void* context, size_t range, size_t tile);
// task(context, i0, j0, ni, nj) over [0, range_i) x [0, range_j) in tiles.
void for_2d_tile(pthreadpool* pool, Task2DTile task, void* context, size_t range_i, size_t range_j, size_t tile_i,
                 size_t tile_j);

// Tiles that need a thread's own scratch or operators: tiles [0, tiles)
// run whole on up to min(slots, threads(pool), tiles) threads, each tile
// claimed in order (an atomic counter) by whichever thread is free, so a
// thread the OS delays leaves its share to the others. task(context, slot,
// t) gets the claiming thread's slot in [0, slots). Once a task returns
// false no further tile is claimed and for_tiles returns false. One slot
// (or pool nullptr): every tile on the caller, as slot 0.
using TileTask = bool (*)(void* context, size_t slot, size_t tile);
bool for_tiles(pthreadpool* pool, size_t slots, TileTask task, void* context, size_t tiles);

}  // namespace parallel
}  // namespace edgeattn
