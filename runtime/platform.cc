#include "runtime/platform.h"

#include <cstdio>
#include <cstring>

#include <unistd.h>

namespace edgeattn {
namespace {

size_t read_kb(const char* file, const char* key) {
  std::FILE* f = std::fopen(file, "r");
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

size_t peak_rss_bytes() { return read_kb("/proc/self/status", "VmHWM") * 1024; }
size_t current_rss_bytes() { return read_kb("/proc/self/status", "VmRSS") * 1024; }
size_t current_rss_bytes_exact() {
  const size_t kb = read_kb("/proc/self/smaps_rollup", "Rss");
  return kb > 0 ? kb * 1024 : current_rss_bytes();
}

int online_cpus() {
  const long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n >= 1 ? static_cast<int>(n > 256 ? 256 : n) : 1;
}

}  // namespace edgeattn
