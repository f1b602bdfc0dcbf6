#include "tests/support/alloc_interposer.h"

#include <cstdio>
#include <cstdlib>
#include <new>

#if defined(EDGEATTN_TEST_SANITIZER) || defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define EDGEATTN_INTERPOSER_OFF 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define EDGEATTN_INTERPOSER_OFF 1
#endif
#endif

#if !defined(EDGEATTN_INTERPOSER_OFF)

#include <malloc.h>

#include <atomic>
#include <cerrno>

extern "C" {
void* __libc_malloc(size_t);
void* __libc_calloc(size_t, size_t);
void* __libc_realloc(void*, size_t);
void* __libc_memalign(size_t, size_t);
void __libc_free(void*);
}

namespace {

std::atomic<bool> g_recording{false};
std::atomic<size_t> g_calls{0};
std::atomic<size_t> g_fail_at{0};
std::atomic<bool> g_failed{false};
std::atomic<size_t> g_throwing_new{0};
std::atomic<int64_t> g_live{0};

// Numbers the call when recording; true if it is the one to fail.
bool next_call_fails() {
  if (!g_recording.load(std::memory_order_relaxed)) return false;
  const size_t n = g_calls.fetch_add(1, std::memory_order_relaxed) + 1;
  if (n != g_fail_at.load(std::memory_order_relaxed)) return false;
  g_failed.store(true, std::memory_order_relaxed);
  return true;
}

void* track(void* p) {
  if (p != nullptr) g_live.fetch_add(static_cast<int64_t>(malloc_usable_size(p)), std::memory_order_relaxed);
  return p;
}

void untrack(void* p) {
  if (p != nullptr) g_live.fetch_sub(static_cast<int64_t>(malloc_usable_size(p)), std::memory_order_relaxed);
}

void* plain_malloc(size_t n) { return track(__libc_malloc(n)); }

void* fallible_new(size_t n) {
  if (next_call_fails()) return nullptr;
  return plain_malloc(n == 0 ? 1 : n);
}

void* throwing_new(size_t n) {
  if (g_recording.load(std::memory_order_relaxed)) {
    g_calls.fetch_add(1, std::memory_order_relaxed);
    g_throwing_new.fetch_add(1, std::memory_order_relaxed);
  }
  void* p = plain_malloc(n == 0 ? 1 : n);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

void* aligned(size_t alignment, size_t n) { return track(__libc_memalign(alignment, n)); }

}  // namespace

extern "C" {
void* malloc(size_t n) {
  if (next_call_fails()) return nullptr;
  return plain_malloc(n);
}
void* calloc(size_t a, size_t b) {
  if (next_call_fails()) return nullptr;
  return track(__libc_calloc(a, b));
}
void* realloc(void* p, size_t n) {
  if (next_call_fails()) return nullptr;  // p stays valid, as a real failure leaves it
  const int64_t old = p != nullptr ? static_cast<int64_t>(malloc_usable_size(p)) : 0;
  void* q = __libc_realloc(p, n);
  if (q != nullptr) {
    g_live.fetch_add(static_cast<int64_t>(malloc_usable_size(q)) - old, std::memory_order_relaxed);
  } else if (p != nullptr && n == 0) {
    g_live.fetch_sub(old, std::memory_order_relaxed);  // realloc(p, 0) freed p
  }
  return q;
}
void free(void* p) {
  untrack(p);
  __libc_free(p);
}
int posix_memalign(void** out, size_t alignment, size_t n) {
  if (alignment < sizeof(void*) || (alignment & (alignment - 1)) != 0) return EINVAL;
  if (next_call_fails()) return ENOMEM;
  void* p = aligned(alignment, n);
  if (p == nullptr) return ENOMEM;
  *out = p;
  return 0;
}
void* aligned_alloc(size_t alignment, size_t n) {
  if (next_call_fails()) return nullptr;
  return aligned(alignment, n);
}
void* memalign(size_t alignment, size_t n) {
  if (next_call_fails()) return nullptr;
  return aligned(alignment, n);
}
}

void* operator new(size_t n) { return throwing_new(n); }
void* operator new[](size_t n) { return throwing_new(n); }
void* operator new(size_t n, const std::nothrow_t&) noexcept { return fallible_new(n); }
void* operator new[](size_t n, const std::nothrow_t&) noexcept { return fallible_new(n); }
void* operator new(size_t n, std::align_val_t a) {
  if (g_recording.load(std::memory_order_relaxed)) {
    g_calls.fetch_add(1, std::memory_order_relaxed);
    g_throwing_new.fetch_add(1, std::memory_order_relaxed);
  }
  void* p = aligned(static_cast<size_t>(a), n == 0 ? 1 : n);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}
void* operator new[](size_t n, std::align_val_t a) { return operator new(n, a); }
void* operator new(size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  if (next_call_fails()) return nullptr;
  return aligned(static_cast<size_t>(a), n == 0 ? 1 : n);
}
void* operator new[](size_t n, std::align_val_t a, const std::nothrow_t& t) noexcept { return operator new(n, a, t); }
void operator delete(void* p) noexcept { free(p); }
void operator delete[](void* p) noexcept { free(p); }
void operator delete(void* p, size_t) noexcept { free(p); }
void operator delete[](void* p, size_t) noexcept { free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { free(p); }
void operator delete(void* p, std::align_val_t) noexcept { free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { free(p); }
void operator delete(void* p, size_t, std::align_val_t) noexcept { free(p); }
void operator delete[](void* p, size_t, std::align_val_t) noexcept { free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { free(p); }

namespace edgeattn::testing::alloc_interposer {

bool active() { return true; }
void require_active() {}

void start(size_t fail_at) {
  g_calls.store(0);
  g_failed.store(false);
  g_throwing_new.store(0);
  g_fail_at.store(fail_at);
  g_recording.store(true);
}

Record stop() {
  g_recording.store(false);
  Record r;
  r.calls = g_calls.load();
  r.failed = g_failed.load();
  r.throwing_new_calls = g_throwing_new.load();
  g_fail_at.store(0);
  return r;
}

int64_t live_bytes() { return g_live.load(); }

}  // namespace edgeattn::testing::alloc_interposer

#else  // a sanitizer owns the allocator

namespace edgeattn::testing::alloc_interposer {

bool active() { return false; }
void require_active() {
  std::fprintf(stderr, "SKIPPED: allocation interposer is off in sanitizer builds (the sanitizer owns malloc)\n");
  std::exit(77);
}
void start(size_t) {}
Record stop() { return Record(); }
int64_t live_bytes() { return 0; }

}  // namespace edgeattn::testing::alloc_interposer

#endif
