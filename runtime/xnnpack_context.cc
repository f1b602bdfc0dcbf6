#include "runtime/xnnpack_context.h"

#include <xnnpack.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace edgeattn {
namespace {

std::atomic<size_t> g_allocations{0};
std::atomic<size_t> g_live_bytes{0};
// Bytes allocated minus bytes freed by this thread: what one Session::create
// made, even while other threads create sessions too.
thread_local int64_t t_live_bytes = 0;

// Each block carries a 16-byte (or `alignment`-byte) header in front of the
// pointer handed out: [.., size, header] so free() knows both.
constexpr size_t kMinHeader = 16;

void* counted_aligned_allocate(void*, size_t alignment, size_t size) {
  size_t header = alignment < kMinHeader ? kMinHeader : alignment;
  void* raw = nullptr;
  if (posix_memalign(&raw, header, header + size) != 0) return nullptr;
  uint8_t* user = static_cast<uint8_t*>(raw) + header;
  uint64_t meta[2] = {size, header};
  std::memcpy(user - sizeof(meta), meta, sizeof(meta));
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  g_live_bytes.fetch_add(size, std::memory_order_relaxed);
  t_live_bytes += static_cast<int64_t>(size);
  return user;
}

void read_meta(void* pointer, uint64_t* size, uint64_t* header) {
  uint64_t meta[2];
  std::memcpy(meta, static_cast<uint8_t*>(pointer) - sizeof(meta), sizeof(meta));
  *size = meta[0];
  *header = meta[1];
}

void counted_deallocate(void*, void* pointer) {
  if (pointer == nullptr) return;
  uint64_t size, header;
  read_meta(pointer, &size, &header);
  g_live_bytes.fetch_sub(size, std::memory_order_relaxed);
  t_live_bytes -= static_cast<int64_t>(size);
  std::free(static_cast<uint8_t*>(pointer) - header);
}

void* counted_allocate(void* context, size_t size) { return counted_aligned_allocate(context, kMinHeader, size); }

void* counted_reallocate(void* context, void* pointer, size_t size) {
  void* fresh = counted_aligned_allocate(context, kMinHeader, size);
  if (fresh == nullptr || pointer == nullptr) return fresh;
  uint64_t old_size, header;
  read_meta(pointer, &old_size, &header);
  std::memcpy(fresh, pointer, old_size < size ? old_size : size);
  counted_deallocate(context, pointer);
  return fresh;
}

void counted_aligned_deallocate(void* context, void* pointer) { counted_deallocate(context, pointer); }

const xnn_allocator kCountingAllocator = {
    nullptr,
    counted_allocate,
    counted_reallocate,
    counted_deallocate,
    counted_aligned_allocate,
    counted_aligned_deallocate,
};

}  // namespace

Status ensure_xnnpack_initialized() {
  static std::once_flag once;
  static xnn_status status = xnn_status_uninitialized;
  std::call_once(once, [] { status = xnn_initialize(&kCountingAllocator); });
  EA_ENSURE(status == xnn_status_success,
            status == xnn_status_out_of_memory ? StatusCode::kOutOfMemory : StatusCode::kInternal,
            "xnn_initialize failed: %d", static_cast<int>(status));
  return Status::ok();
}

int64_t xnnpack_thread_live_bytes() { return t_live_bytes; }

XnnpackAllocStats xnnpack_alloc_stats() {
  XnnpackAllocStats s;
  s.allocations = g_allocations.load(std::memory_order_relaxed);
  s.live_bytes = g_live_bytes.load(std::memory_order_relaxed);
  return s;
}

}  // namespace edgeattn
