// ByteReader: a bounds-checked little-endian cursor over untrusted bytes.
//
// Every read checks the remaining length first and throws a ConvertError
// naming the file, the byte offset and what was being read, so the binary
// parsers (GGUF, llama2.c, tokenizer.bin) never read past the end of a
// truncated or corrupt file.
//
// Example:
//   ByteReader r(file.path(), file.data(), file.size());
//   uint32_t magic = r.u32("magic");        // throws on a short file
//   std::string key = r.bytes_as_string(len, "key");
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>

#include "converter/source/convert_error.h"

namespace edgeattn::convert {

class ByteReader {
 public:
  ByteReader(std::string file, const uint8_t* data, size_t size)
      : file_(std::move(file)), data_(data), size_(size) {}

  size_t offset() const { return pos_; }
  size_t size() const { return size_; }
  size_t remaining() const { return size_ - pos_; }
  const std::string& file() const { return file_; }

  // Throws unless `n` more bytes are available.
  void require(uint64_t n, const char* what) const {
    if (n > remaining()) {
      throw_convert_error(file_, "truncated at offset " + std::to_string(pos_) + " reading " +
                                     what + " (need " + std::to_string(n) + " bytes, " +
                                     std::to_string(remaining()) + " left, file size " +
                                     std::to_string(size_) + ")");
    }
  }

  // Returns a pointer to the next `n` bytes and advances past them.
  const uint8_t* take(uint64_t n, const char* what) {
    require(n, what);
    const uint8_t* p = data_ + pos_;
    pos_ += static_cast<size_t>(n);
    return p;
  }

  void skip(uint64_t n, const char* what) { take(n, what); }

  // Moves to absolute `offset` (<= size).
  void seek(uint64_t offset, const char* what) {
    if (offset > size_) {
      throw_convert_error(file_, std::string(what) + " offset " + std::to_string(offset) +
                                     " past end of file (size " + std::to_string(size_) + ")");
    }
    pos_ = static_cast<size_t>(offset);
  }

  template <typename T>
  T read(const char* what) {
    T v;
    std::memcpy(&v, take(sizeof(T), what), sizeof(T));
    return v;
  }

  uint8_t u8(const char* what) { return read<uint8_t>(what); }
  uint16_t u16(const char* what) { return read<uint16_t>(what); }
  uint32_t u32(const char* what) { return read<uint32_t>(what); }
  uint64_t u64(const char* what) { return read<uint64_t>(what); }
  int32_t i32(const char* what) { return read<int32_t>(what); }
  float f32(const char* what) { return read<float>(what); }

  std::string bytes_as_string(uint64_t n, const char* what) {
    const uint8_t* p = take(n, what);
    return std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n));
  }

 private:
  std::string file_;
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

}  // namespace edgeattn::convert
