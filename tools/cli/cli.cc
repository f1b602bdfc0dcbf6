#include "tools/cli/cli.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace edgeattn::cli {

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

int fail(const char* tool, const char* what, const Status& status, int exit_code) {
  std::fprintf(stderr, "%s: %s: %s\n", tool, what, status.message());
  return exit_code;
}

bool parse_int(const char* tool, const char* flag, const char* text, long lo, long hi, int* out) {
  char* end = nullptr;
  const long v = std::strtol(text, &end, 10);
  if (end == text || *end != '\0' || v < lo || v > hi) {
    std::fprintf(stderr, "%s: %s expects an integer in [%ld, %ld], got '%s'\n", tool, flag, lo, hi, text);
    return false;
  }
  *out = static_cast<int>(v);
  return true;
}

bool parse_double(const char* tool, const char* flag, const char* text, double lo, double hi, double* out) {
  char* end = nullptr;
  const double v = std::strtod(text, &end);
  if (end == text || *end != '\0' || !(v >= lo && v <= hi)) {  // !(...) also refuses NaN
    std::fprintf(stderr, "%s: %s expects a number in [%g, %g], got '%s'\n", tool, flag, lo, hi, text);
    return false;
  }
  *out = v;
  return true;
}

bool parse_kv_dtype(const char* tool, const char* text, KvCacheDType* out) {
  auto is = [text](const char* a, const char* b) { return std::strcmp(text, a) == 0 || std::strcmp(text, b) == 0; };
  if (is("fp32", "f32")) {
    *out = KvCacheDType::kF32;
  } else if (is("fp16", "f16")) {
    *out = KvCacheDType::kF16;
  } else if (is("int8", "i8")) {
    *out = KvCacheDType::kI8;
  } else {
    std::fprintf(stderr, "%s: --kv-dtype expects fp32, fp16 or int8, got '%s'\n", tool, text);
    return false;
  }
  return true;
}

}  // namespace edgeattn::cli
