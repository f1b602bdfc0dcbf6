#include "runtime/platform.h"

#include <cstdio>
#include <cstring>

namespace edgeattn {
namespace {

size_t read_status_kb(const char* key) {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr) return 0;
  char line[256];
  size_t kb = 0;
  const size_t key_len = std::strlen(key);
  while (std::fgets(line, sizeof(line), f) != nullptr) {
    if (std::strncmp(line, key, key_len) == 0) {
      unsigned long long v = 0;
      if (std::sscanf(line + key_len, ": %llu", &v) == 1) kb = static_cast<size_t>(v);
      break;
    }
  }
  std::fclose(f);
  return kb;
}

}  // namespace

size_t peak_rss_bytes() { return read_status_kb("VmHWM") * 1024; }
size_t current_rss_bytes() { return read_status_kb("VmRSS") * 1024; }

}  // namespace edgeattn
