// MappedFile: a read-only, memory-mapped view of a whole file (RAII).
//
// Readers keep the mapping alive for as long as they hand out pointers into
// it (SourceTensor::data), so tensor bytes are never copied. The pointer
// stays valid when the MappedFile is moved. Bytes are NOT guaranteed to be
// aligned for any type; read them with memcpy.
//
// Example:
//   MappedFile f = MappedFile::open("stories260K.bin");   // throws ConvertError
//   if (f.size() < 28) ...;
//   const uint8_t* p = f.data();
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "converter/source/convert_error.h"

namespace edgeattn::convert {

class MappedFile {
 public:
  // Maps `path` read-only. Throws ConvertError naming the path if it is
  // missing, not a regular file, or cannot be read/mapped.
  static MappedFile open(const std::string& path);

  MappedFile() = default;
  ~MappedFile();
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  // nullptr when the file is empty.
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  void reset();

  std::string path_;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace edgeattn::convert
