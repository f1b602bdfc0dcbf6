// What the C API's two translation units share (not installed): the model
// handle, the thread's last-error record, and the C <-> C++ conversions that
// the session, the generator and the tasks all need.
//
// c_api.cc holds the model, tokenizer, session and generator entry points;
// c_api_tasks.cc the embedder and text generator; c_api_transcriber.cc,
// c_api_translator.cc, c_api_text_reader.cc and c_api_image_runner.cc one
// task each (split to keep each file readable). All return through
// record() / ok(), so edgeattn_last_error() means the same everywhere.
#pragma once

#include <cstring>
#include <memory>
#include <new>
#include <utility>

#include "capi/edgeattn.h"
#include "runtime/core/span.h"
#include "runtime/core/status.h"
#include "runtime/model.h"
#include "runtime/sampler.h"
#include "runtime/session.h"

struct edgeattn_model {
  std::unique_ptr<edgeattn::Model> model;
};

namespace edgeattn::capi {

// Copies the message into the calling thread's last-error buffer and returns
// the code as a C status. No allocation.
edgeattn_status record(const Status& s);
// Clears the last error; EDGEATTN_OK.
edgeattn_status ok();
// EDGEATTN_OUT_OF_MEMORY, "out of memory allocating <what>".
edgeattn_status out_of_memory(const char* what);
// ok() for an ok status, else record(s): the tail of most entry points.
inline edgeattn_status result_of(const Status& s) { return s.is_ok() ? ok() : record(s); }

// The end of a task's _create: a new handle whose member `task` owns what
// the C++ create made, or its failure recorded. The handle comes from new
// (std::nothrow): running out of memory is EDGEATTN_OUT_OF_MEMORY naming `what`.
template <typename Handle, typename Task>
edgeattn_status adopt(Result<std::unique_ptr<Task>> created, std::unique_ptr<Task> Handle::*task, const char* what,
                      Handle** out) {
  if (!created.is_ok()) return record(created.status());
  Handle* h = new (std::nothrow) Handle;
  if (h == nullptr) return out_of_memory(what);
  h->*task = std::move(created).value();
  *out = h;
  return ok();
}

// The int a caller stored in a C enum. C allows any int there; C++ (and
// UBSan) do not, so the value is copied out as an int, never loaded as the
// enum type.
template <typename Enum>
int enum_value(const Enum& e) {
  static_assert(sizeof(Enum) == sizeof(int), "C enums are int-sized");
  int v;
  std::memcpy(&v, &e, sizeof(v));
  return v;
}

edgeattn_memory_stats to_c(const MemoryStats& m);
edgeattn_sampling to_c(const SamplingOptions& s);
SamplingOptions to_cpp(const edgeattn_sampling& s);

// A C kv_dtype as the C++ enum; kInvalidArgument outside the enum.
Status kv_dtype_from_c(const edgeattn_kv_dtype& c, KvCacheDType* out);
// A caller arena (pointer + size, both set or both empty) as a span.
Status arena_from_c(void* arena, size_t arena_bytes, Span<uint8_t>* out);

}  // namespace edgeattn::capi

// Returns EDGEATTN_INVALID_ARGUMENT with a printf-style message unless `cond`.
#define EA_C_CHECK(cond, ...)                                                                            \
  do {                                                                                                   \
    if (!(cond))                                                                                         \
      return ::edgeattn::capi::record(                                                                   \
          ::edgeattn::Status::error(::edgeattn::StatusCode::kInvalidArgument, __VA_ARGS__));             \
  } while (0)

// A C enum value that must equal its C++ twin (checked at compile time).
#define EA_C_SAME(c, cpp) static_assert(static_cast<int>(c) == static_cast<int>(cpp), #c " mirrors " #cpp)
