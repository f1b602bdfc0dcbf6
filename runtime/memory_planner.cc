#include "runtime/memory_planner.h"

#include <algorithm>
#include <cstdint>

namespace edgeattn {

size_t GreedyMemoryPlanner::add(size_t bytes, int first_use, int last_use) {
  bytes = (bytes + kAlignment - 1) / kAlignment * kAlignment;
  if (!buffers_.try_push_back(Buffer{bytes, first_use, last_use, 0})) {
    out_of_memory_ = true;
    return SIZE_MAX;
  }
  return buffers_.size() - 1;
}

Status GreedyMemoryPlanner::plan() {
  EA_ENSURE(!out_of_memory_, StatusCode::kOutOfMemory, "out of memory allocating the memory plan's buffer list");
  const size_t n = buffers_.size();
  Vector<size_t> order;                // [n] buffer indices, placement order
  Vector<size_t> placed;               // [<= n] buffers placed so far
  Vector<const Buffer*> live;          // [<= n] placed buffers overlapping in time, sorted by offset
  EA_RETURN_IF_ERROR(order.resize(n, "the memory plan's order"));
  EA_RETURN_IF_ERROR(placed.reserve(n, "the memory plan's placed list"));
  EA_RETURN_IF_ERROR(live.reserve(n, "the memory plan's live list"));
  for (size_t i = 0; i < n; ++i) order[i] = i;
  // Largest first; ties by earlier first use, then index, so plans are
  // deterministic. (std::sort with the index as last key equals a stable
  // sort, which would allocate a temporary buffer.)
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (buffers_[a].bytes != buffers_[b].bytes) return buffers_[a].bytes > buffers_[b].bytes;
    if (buffers_[a].first_use != buffers_[b].first_use) return buffers_[a].first_use < buffers_[b].first_use;
    return a < b;
  });
  total_ = 0;
  for (size_t idx : order) {
    Buffer& buf = buffers_[idx];
    live.clear();
    for (size_t p : placed) {
      const Buffer& other = buffers_[p];
      // Reserved for n: cannot fail.
      if (other.first_use <= buf.last_use && buf.first_use <= other.last_use) live.try_push_back(&other);
    }
    std::sort(live.begin(), live.end(), [](const Buffer* a, const Buffer* b) { return a->offset < b->offset; });
    size_t candidate = 0;
    for (const Buffer* other : live) {
      if (candidate + buf.bytes <= other->offset) break;  // fits in the gap before `other`
      candidate = std::max(candidate, other->offset + other->bytes);
    }
    buf.offset = candidate;
    total_ = std::max(total_, candidate + buf.bytes);
    placed.try_push_back(idx);
  }
  return Status::ok();
}

}  // namespace edgeattn
