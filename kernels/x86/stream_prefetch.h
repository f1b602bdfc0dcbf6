// Software prefetch for decode GEMVs over row-major weights W [N, K] used in
// place (int8 and fp16 decode, M = 1..3): the weights are read once per token
// from DRAM, NR rows in parallel, and each row is short (a K = 768 int8 row
// is 12 cache lines). The hardware prefetchers follow such interleaved short
// streams poorly: the AVX-512 VNNI int8 GEMV read 9 GB/s of a 24 GB/s
// one-thread read bound on a Zen 4 (1x2048x768, W streamed from DRAM).
//
// The block of NR rows being summed is contiguous, and so is the next one, so
// the weights ARE read in address order at block granularity. A
// BlockPrefetch walks that order a fixed distance ahead: constructed at the
// start of a block, each k step of the kernel calls step(bytes consumed by
// the step), which requests as many bytes one block + kPrefetchAhead further
// on. Into L2 (T1): prefetching into L1 at this distance evicted the rows
// being summed (8-10 GB/s). Measured (bench, 2048x768, 768x2048, 32000x768
// cold, Zen 4): 16-21 GB/s with it; the same kernel over a fully blocked
// layout (one linear stream) measured the same, so W stays in the file's
// layout.
//
// Addresses are integers: a prefetch past the end of W is harmless (it
// never faults); forming such a pointer would not be.
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

namespace edgeattn {

class BlockPrefetch {
 public:
  // Bytes past the next block's start (tuned: 4-12 KiB measured alike).
  static constexpr size_t kPrefetchAhead = 4096;

  // block: the first byte of this block of rows; block_bytes: its size.
  BlockPrefetch(const void* block, size_t block_bytes)
      : next_(reinterpret_cast<uintptr_t>(block) + block_bytes + kPrefetchAhead) {}

  // Requests the next `bytes` bytes (whole lines; a line requested twice
  // costs one cheap instruction).
  void step(size_t bytes) {
    const uintptr_t end = next_ + bytes;
    for (uintptr_t a = next_ & ~uintptr_t{63}; a < end; a += 64) {
      _mm_prefetch(reinterpret_cast<const char*>(a), _MM_HINT_T1);
    }
    next_ = end;
  }

 private:
  uintptr_t next_;
};

}  // namespace edgeattn
