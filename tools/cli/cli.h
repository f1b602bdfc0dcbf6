// The command-line glue every edgeattn tool shares: failing with one clear
// line, strict number flags, --kv-dtype, wall-clock milliseconds.
//
// The tools (edgeattn-demo, -bench, -eval, -convert) are argument parsing
// and printing over the runtime's public API; this is the part of that glue
// that would otherwise be written once per tool. Every message starts with
// the tool's name, so a log line says who wrote it.
//
// Example:
//   int threads = 1;
//   if (!cli::parse_int("edgeattn-bench", "--threads", argv[i], 1, 256, &threads)) return 2;
//   const auto t = cli::Clock::now();
//   Status s = session.invoke(in);
//   if (!s.is_ok()) return cli::fail("edgeattn-bench", "invoke", s, 1);
//   printf("%.2f ms\n", cli::ms_since(t));
#pragma once

#include <chrono>

#include "runtime/core/status.h"
#include "runtime/session.h"

namespace edgeattn::cli {

using Clock = std::chrono::steady_clock;

// Milliseconds since `start`.
double ms_since(Clock::time_point start);

// Prints "TOOL: WHAT: MESSAGE" on stderr and returns `exit_code`.
int fail(const char* tool, const char* what, const Status& status, int exit_code);

// The whole of `text` as an integer in [lo, hi] into *out; otherwise prints
// "TOOL: FLAG expects an integer in [lo, hi], got 'TEXT'" and returns false.
bool parse_int(const char* tool, const char* flag, const char* text, long lo, long hi, int* out);

// The same for a finite number in [lo, hi].
bool parse_double(const char* tool, const char* flag, const char* text, double lo, double hi, double* out);

// --kv-dtype's value: fp32/f32, fp16/f16 or int8/i8 into *out; otherwise
// prints "TOOL: --kv-dtype expects fp32, fp16 or int8, got 'TEXT'" and
// returns false.
bool parse_kv_dtype(const char* tool, const char* text, KvCacheDType* out);

}  // namespace edgeattn::cli
