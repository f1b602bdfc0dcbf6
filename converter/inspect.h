// `edgeattn-convert inspect MODEL.eatn [--max-seq N] [--max-batch N]`:
// prints architecture, dtype, producer, the tensor table, weight bytes and
// the arena a session with those limits would need (runtime::Session::plan).
//
// `edgeattn-convert inspect MODEL.eatn --plan [--batch N] [--seq N] [--context N]`:
// prints, per method of the model, the arena a session with those limits
// gets: the persistent head (KV caches, shared tables), then every planned
// buffer (offset, bytes, lifetime in ops, the tensor or the op whose scratch
// it is) and the totals, which are Session::plan()'s MemoryStats.
#pragma once

#include <cstdio>
#include <string>

namespace edgeattn::convert {

// Returns a process exit code; errors are printed to stderr.
int inspect_model(const std::string& path, int max_seq, int max_batch, std::FILE* out);

// The limits of `inspect --plan`; 0 picks the default.
struct PlanLimits {
  int batch = 1;
  int seq = 0;      // 0: 128 or the model's max positions, whichever is smaller
  int context = 0;  // 0: seq
};

// Returns a process exit code; errors are printed to stderr.
int inspect_plan(const std::string& path, const PlanLimits& limits, std::FILE* out);

}  // namespace edgeattn::convert
