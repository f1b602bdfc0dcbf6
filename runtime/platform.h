// Process-level facts for tools and tests (Linux; 0 where unknown).
//
// Example:
//   fprintf(stderr, "peak RSS %.1f MiB\n", peak_rss_bytes() / 1048576.0);
#pragma once

#include <cstddef>

namespace edgeattn {

// Peak resident set size of this process so far (VmHWM).
size_t peak_rss_bytes();
// Current resident set size (VmRSS).
size_t current_rss_bytes();
// Current resident set size counted page by page (/proc/self/smaps_rollup;
// VmRSS where that is missing). VmRSS comes from counters the kernel keeps
// per CPU (per thread before Linux 6.2) and may lag by tens of pages, too
// coarse to tell a 1 % change of a small process; this is exact but walks
// the page tables, so use it for checks, not in loops.
size_t current_rss_bytes_exact();

// Online CPUs (sysconf(_SC_NPROCESSORS_ONLN)), at least 1: what
// SessionOptions::threads = 0 means.
int online_cpus();

}  // namespace edgeattn
