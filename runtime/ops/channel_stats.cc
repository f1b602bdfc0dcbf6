#include "runtime/ops/channel_stats.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "runtime/ops/parallel.h"

namespace edgeattn {
namespace {

// One thread's scratch: block sum [C] f32, maxima [B, C] f32, partials [B, C] f64.
size_t slot_bytes(size_t batch, size_t c) {
  return ((c + batch * c) * sizeof(float) + 7) / 8 * 8 + batch * c * sizeof(double);
}

struct StatsJob {
  const ChannelStats* st;
  size_t slots, blocks;  // blocks per image
  float* block_sum(size_t k) const { return reinterpret_cast<float*>(st->scratch + k * slot_bytes(st->batch, st->c)); }
  float* maxima(size_t k) const { return block_sum(k) + st->c; }
  double* partials(size_t k) const {
    return reinterpret_cast<double*>(st->scratch + k * slot_bytes(st->batch, st->c) +
                                     ((st->c + st->batch * st->c) * sizeof(float) + 7) / 8 * 8);
  }
};

void stats_slot(void* context, size_t k) {
  const StatsJob& j = *static_cast<const StatsJob*>(context);
  const ChannelStats& st = *j.st;
  float* acc = j.block_sum(k);      // [C]
  float* mx = j.maxima(k);          // [B, C]
  double* partial = j.partials(k);  // [B, C]
  std::memset(partial, 0, st.batch * st.c * sizeof(double));
  std::fill(mx, mx + st.batch * st.c, -INFINITY);
  const size_t per = (j.blocks + j.slots - 1) / j.slots;
  for (size_t b = 0; b < st.batch; ++b) {
    float* mb = mx + b * st.c;
    for (size_t blk = k * per; blk < std::min(j.blocks, (k + 1) * per); ++blk) {
      const size_t p0 = blk * kStatsBlock, p1 = std::min(st.pixels, p0 + kStatsBlock);
      std::memset(acc, 0, st.c * sizeof(float));
      for (size_t i = 0; i < st.n_inputs; ++i) {
        for (size_t p = p0; p < p1; ++p) {
          const float* row = st.x[i] + (b * st.pixels + p) * st.c;  // [C]
          for (size_t ch = 0; ch < st.c; ++ch) acc[ch] += row[ch];
          if (st.max) {
            for (size_t ch = 0; ch < st.c; ++ch) mb[ch] = std::max(mb[ch], row[ch]);
          }
        }
      }
      for (size_t ch = 0; ch < st.c; ++ch) partial[b * st.c + ch] += acc[ch];
    }
  }
}

}  // namespace

size_t channel_stats_scratch(size_t batch, size_t c, size_t slots) { return slots * slot_bytes(batch, c); }

void compute_channel_stats(pthreadpool* pool, const ChannelStats& st, float* mean, float* maximum) {
  StatsJob j{&st, parallel::threads(pool), (st.pixels + kStatsBlock - 1) / kStatsBlock};
  parallel::for_1d(pool, stats_slot, &j, j.slots);
  for (size_t i = 0; i < st.batch * st.c; ++i) {
    double sum = 0.0;
    float m = -INFINITY;
    for (size_t k = 0; k < j.slots; ++k) {
      sum += j.partials(k)[i];
      m = std::max(m, j.maxima(k)[i]);
    }
    mean[i] = static_cast<float>(sum / static_cast<double>(st.pixels));
    if (st.max && maximum != nullptr) maximum[i] = m;
  }
}

}  // namespace edgeattn
