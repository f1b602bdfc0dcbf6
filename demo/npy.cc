#include "demo/npy.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

namespace edgeattn::demo {

bool write_npy_f32(const std::string& path, const int64_t* shape, int rank, const float* data, std::string* error) {
  std::string dims;
  int64_t count = 1;
  for (int i = 0; i < rank; ++i) {
    dims += std::to_string(shape[i]) + (rank == 1 || i + 1 < rank ? "," : "");
    if (i + 1 < rank) dims += " ";
    count *= shape[i];
  }
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
  // Magic (6) + version (2) + length (2) + header, newline-terminated, to a multiple of 64.
  const size_t unpadded = 10 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  std::string head = std::string("\x93NUMPY\x01\x00", 8);
  head += static_cast<char>(header.size() & 0xFF);
  head += static_cast<char>((header.size() >> 8) & 0xFF);
  head += header;
  // The values little-endian whatever the host's order.
  std::vector<unsigned char> bytes(static_cast<size_t>(count) * 4);
  for (int64_t i = 0; i < count; ++i) {
    uint32_t bits;
    std::memcpy(&bits, data + i, 4);
    for (int b = 0; b < 4; ++b) bytes[static_cast<size_t>(i) * 4 + b] = static_cast<unsigned char>(bits >> (8 * b));
  }
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "wb"), std::fclose);
  if (!f || std::fwrite(head.data(), 1, head.size(), f.get()) != head.size() ||
      std::fwrite(bytes.data(), 1, bytes.size(), f.get()) != bytes.size() || std::fflush(f.get()) != 0) {
    *error = std::string("cannot write the .npy file: ") + std::strerror(errno);
    return false;
  }
  return true;
}

}  // namespace edgeattn::demo
