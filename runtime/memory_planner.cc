#include "runtime/memory_planner.h"

#include <algorithm>

namespace edgeattn {

size_t GreedyMemoryPlanner::add(size_t bytes, int first_use, int last_use) {
  bytes = (bytes + kAlignment - 1) / kAlignment * kAlignment;
  buffers_.push_back(Buffer{bytes, first_use, last_use, 0});
  return buffers_.size() - 1;
}

void GreedyMemoryPlanner::plan() {
  std::vector<size_t> order(buffers_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  // Largest first; ties by earlier first use, then index, so plans are deterministic.
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (buffers_[a].bytes != buffers_[b].bytes) return buffers_[a].bytes > buffers_[b].bytes;
    return buffers_[a].first_use < buffers_[b].first_use;
  });
  std::vector<size_t> placed;
  std::vector<const Buffer*> live;  // placed buffers overlapping in time, sorted by offset
  total_ = 0;
  for (size_t idx : order) {
    Buffer& buf = buffers_[idx];
    live.clear();
    for (size_t p : placed) {
      const Buffer& other = buffers_[p];
      if (other.first_use <= buf.last_use && buf.first_use <= other.last_use) live.push_back(&other);
    }
    std::sort(live.begin(), live.end(), [](const Buffer* a, const Buffer* b) { return a->offset < b->offset; });
    size_t candidate = 0;
    for (const Buffer* other : live) {
      if (candidate + buf.bytes <= other->offset) break;  // fits in the gap before `other`
      candidate = std::max(candidate, other->offset + other->bytes);
    }
    buf.offset = candidate;
    total_ = std::max(total_, candidate + buf.bytes);
    placed.push_back(idx);
  }
}

}  // namespace edgeattn
