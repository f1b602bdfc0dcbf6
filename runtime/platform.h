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

}  // namespace edgeattn
