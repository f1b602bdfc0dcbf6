#include "runtime/core/status.h"

#include <cstdio>
#include <cstring>

namespace edgeattn {

const char* status_code_name(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kInvalidArgument: return "invalid_argument";
    case StatusCode::kInvalidModel: return "invalid_model";
    case StatusCode::kUnsupported: return "unsupported";
    case StatusCode::kOutOfRange: return "out_of_range";
    case StatusCode::kResourceExhausted: return "resource_exhausted";
    case StatusCode::kIoError: return "io_error";
    case StatusCode::kInternal: return "internal";
    case StatusCode::kOutOfMemory: return "out_of_memory";
  }
  return "unknown";
}

Status Status::error(StatusCode code, const char* format, ...) {
  Status s;
  s.code_ = code == StatusCode::kOk ? StatusCode::kInternal : code;
  va_list args;
  va_start(args, format);
  std::vsnprintf(s.message_, kMaxMessage, format, args);
  va_end(args);
  return s;
}

Status Status::with_context(const char* format, ...) const {
  if (is_ok()) return *this;
  Status s;
  s.code_ = code_;
  va_list args;
  va_start(args, format);
  int n = std::vsnprintf(s.message_, kMaxMessage, format, args);
  va_end(args);
  if (n < 0) n = 0;
  size_t used = static_cast<size_t>(n) < kMaxMessage ? static_cast<size_t>(n) : kMaxMessage - 1;
  // Append ": <old message>" by hand; truncation is intended.
  const char* parts[2] = {": ", message_};
  for (const char* part : parts) {
    for (const char* c = part; *c != '\0' && used + 1 < kMaxMessage; ++c) s.message_[used++] = *c;
  }
  s.message_[used] = '\0';
  return s;
}

}  // namespace edgeattn
