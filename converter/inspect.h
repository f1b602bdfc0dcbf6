// `edgeattn-convert inspect MODEL.eatn [--max-seq N] [--max-batch N]`:
// prints architecture, dtype, producer, the tensor table, weight bytes and
// the arena a session with those limits would need (runtime::Session::plan).
#pragma once

#include <cstdio>
#include <string>

namespace edgeattn::convert {

// Returns a process exit code; errors are printed to stderr.
int inspect_model(const std::string& path, int max_seq, int max_batch, std::FILE* out);

}  // namespace edgeattn::convert
