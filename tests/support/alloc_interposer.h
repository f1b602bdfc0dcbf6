// A malloc-family interposer for tests: counts heap allocations, tracks live
// bytes, and can make the k-th allocation fail.
//
// Link tests/support/alloc_interposer.cc into a test binary (add it to the
// test's SOURCES, not to a library: the definitions of malloc, calloc,
// realloc, posix_memalign, aligned_alloc, memalign, free and every
// operator new/delete must be in the executable to replace libc's). It
// sees everything: operator new, XNNPACK's allocator (which ends in
// posix_memalign), pthreadpool and cpuinfo (malloc), on every thread.
//
// Sanitizer builds (ASan, TSan, MSan) bring their own allocator, so there
// the interposer is compiled out and active() is false. Tests registered
// with edgeattn_add_test(... INTERPOSER ...) are left out of such builds;
// require_active() guards a binary run by hand there (exit 77).
//
// While recording, every allocation call is numbered from 1. With a fail
// point k, call k fails (nullptr / ENOMEM) and later ones succeed. A call to
// a *throwing* operator new while recording is never failed but counted
// in throwing_new_calls(): runtime code must only use fallible allocation.
//
// Example:
//   alloc_interposer::require_active();
//   alloc_interposer::start(/*fail_at=*/3);
//   auto model = Model::load_file(path);   // the 3rd allocation fails
//   alloc_interposer::Record r = alloc_interposer::stop();
//   // r.calls, r.failed, r.throwing_new_calls
#pragma once

#include <cstddef>
#include <cstdint>

namespace edgeattn::testing::alloc_interposer {

// False when the binary was built with a sanitizer (no interposition).
bool active();
// Skips the test binary (exit 77, "Skipped" in ctest) with a message when
// !active().
void require_active();

struct Record {
  size_t calls = 0;               // allocation calls while recording (all threads)
  bool failed = false;            // the fail point was reached and that call failed
  size_t throwing_new_calls = 0;  // calls of a throwing operator new while recording
};

// Starts numbering allocation calls; fail_at 0: none fails.
void start(size_t fail_at = 0);
Record stop();

// Bytes currently allocated through the interposer (malloc_usable_size of
// every live block), on all threads.
int64_t live_bytes();

}  // namespace edgeattn::testing::alloc_interposer
