// GreedyMemoryPlanner: packs buffers with known lifetimes into one block.
//
// Each buffer is used from op `first_use` to op `last_use` (inclusive).
// Buffers whose lifetimes overlap must not share bytes; others may. As in
// TFLite Micro's GreedyMemoryPlanner, buffers are placed largest first, each
// at the lowest offset that does not collide with an already placed buffer
// alive at the same time. Not optimal, but close on transformer graphs, where
// a handful of [seq, hidden] buffers rotate through every layer.
//
// Example:
//   GreedyMemoryPlanner p;
//   p.add(1024, 0, 1);  // written by op 0, last read by op 1
//   p.add(1024, 1, 2);
//   p.add(1024, 2, 3);  // may reuse the first buffer's bytes
//   EA_RETURN_IF_ERROR(p.plan());  // p.total_bytes() == 2048
//
// Allocation failures (kOutOfMemory) are reported by plan(): add() then
// returns SIZE_MAX and the planner remembers the failure.
#pragma once

#include <cstddef>

#include "runtime/core/fallible_vector.h"
#include "runtime/core/status.h"

namespace edgeattn {

class GreedyMemoryPlanner {
 public:
  // Adds a buffer; returns its index. Sizes are rounded up to `alignment`.
  size_t add(size_t bytes, int first_use, int last_use);
  // Places every buffer; fails only when memory for the planning runs out
  // (in add() or here).
  Status plan();

  size_t offset(size_t index) const { return buffers_[index].offset; }
  size_t total_bytes() const { return total_; }
  size_t buffer_count() const { return buffers_.size(); }

  static constexpr size_t kAlignment = 64;

 private:
  struct Buffer {
    size_t bytes;
    int first_use;
    int last_use;
    size_t offset;
  };
  Vector<Buffer> buffers_;
  size_t total_ = 0;
  bool out_of_memory_ = false;
};

}  // namespace edgeattn
