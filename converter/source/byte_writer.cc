#include "converter/source/byte_writer.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "converter/source/convert_error.h"

namespace edgeattn::convert {

void write_file(const std::string& path, const void* data, size_t n) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) throw_convert_error(path, std::string("cannot create: ") + std::strerror(errno));
  const size_t written = n ? std::fwrite(data, 1, n, f) : 0;
  const bool closed = std::fclose(f) == 0;
  if (written != n || !closed) {
    throw_convert_error(path, "write failed after " + std::to_string(written) + " of " +
                                  std::to_string(n) + " bytes");
  }
}

void ByteWriter::write_to(const std::string& path) const {
  write_file(path, bytes_.data(), bytes_.size());
}

}  // namespace edgeattn::convert
