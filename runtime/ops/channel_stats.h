// Internal: per-channel statistics of NHWC images over their pixels, shared
// by the attention ops that squeeze an image to one value per channel
// (ChannelAttention's mean and CBAM's max, BranchAttention's mean of the
// branch sum).
//
// The image is read row by row (a pass per channel would stream it C
// times): blocks of kStatsBlock pixels sum in float, block sums add into
// double partials (an image may hold ~10^5 pixels); blocks are split among
// the threads, each with its own partials [B, C] (and maxima), combined in
// thread order, so the result does not depend on timing.
//
// Example (scratch of channel_stats_scratch(batch, c, threads) bytes):
//   ChannelStats st{inputs, 2, batch, pixels, c, /*max=*/false, scratch};
//   compute_channel_stats(pool, &st, mean /* [B, C] */, nullptr);
#pragma once

#include <cstddef>
#include <cstdint>

struct pthreadpool;

namespace edgeattn {

constexpr size_t kStatsBlock = 64;  // pixels summed in float before the double partials

// Bytes of scratch compute_channel_stats needs for `slots` threads.
size_t channel_stats_scratch(size_t batch, size_t c, size_t slots);

struct ChannelStats {
  const float* const* x;  // [n_inputs] images [B, P, C]; their element-wise sum is reduced
  size_t n_inputs = 1;
  size_t batch = 0, pixels = 0, c = 0;
  bool max = false;        // also the maximum over pixels (n_inputs == 1 only)
  uint8_t* scratch = nullptr;  // channel_stats_scratch(batch, c, slots) bytes
};

// mean [B, C] (and, with st.max, maximum [B, C]) over the pixels, on the
// threads of `pool` (nullptr: the caller's thread).
void compute_channel_stats(pthreadpool* pool, const ChannelStats& st, float* mean, float* maximum);

}  // namespace edgeattn
