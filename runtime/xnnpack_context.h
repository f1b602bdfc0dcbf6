// XNNPACK set-up shared by all sessions in a process.
//
// XNNPACK is initialized once, with an allocator that counts, so a session
// can report how many bytes its XNNPACK operators hold (packed weights) and
// tests can prove that invoke() makes XNNPACK allocate nothing.
//
// Example:
//   EA_RETURN_IF_ERROR(ensure_xnnpack_initialized());
//   XnnpackAllocStats before = xnnpack_alloc_stats();
#pragma once

#include <cstddef>
#include <cstdint>

#include "runtime/core/status.h"

namespace edgeattn {

// Thread-safe; later calls return the first call's result.
Status ensure_xnnpack_initialized();

struct XnnpackAllocStats {
  size_t allocations = 0;  // allocate/reallocate calls so far
  size_t live_bytes = 0;   // bytes currently held by XNNPACK
};

XnnpackAllocStats xnnpack_alloc_stats();

// Bytes XNNPACK allocated minus freed on the calling thread so far: the
// difference across a Session::create is what its operators hold, whatever
// other threads do meanwhile.
int64_t xnnpack_thread_live_bytes();

}  // namespace edgeattn
