// ByteWriter: appends little-endian values to a growing byte buffer.
//
// Used by the checkpoint writers (hf_checkpoint_writer.h) and by tests that
// build GGUF / llama2.c / safetensors files byte by byte, so every test file
// is spelled out explicitly instead of produced by the code under test.
//
// Example:
//   ByteWriter w;
//   w.raw("GGUF", 4);
//   w.u32(3);            // version
//   w.u64(0);            // tensor count
//   w.write_to("x.gguf");
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace edgeattn::convert {

class ByteWriter {
 public:
  template <typename T>
  void put(T v) {
    const size_t at = bytes_.size();
    bytes_.resize(at + sizeof(T));
    std::memcpy(bytes_.data() + at, &v, sizeof(T));
  }
  void u8(uint8_t v) { put(v); }
  void u16(uint16_t v) { put(v); }
  void u32(uint32_t v) { put(v); }
  void u64(uint64_t v) { put(v); }
  void i32(int32_t v) { put(v); }
  void i64(int64_t v) { put(v); }
  void f32(float v) { put(v); }
  void f64(double v) { put(v); }
  void raw(const void* p, size_t n) {
    const size_t at = bytes_.size();
    bytes_.resize(at + n);
    if (n) std::memcpy(bytes_.data() + at, p, n);
  }
  void str(const std::string& s) { raw(s.data(), s.size()); }
  void f32s(const std::vector<float>& v) { raw(v.data(), v.size() * sizeof(float)); }
  // Zero bytes up to the next multiple of `alignment`.
  void pad_to(size_t alignment) {
    while (bytes_.size() % alignment != 0) bytes_.push_back(0);
  }

  size_t size() const { return bytes_.size(); }
  std::vector<uint8_t>& bytes() { return bytes_; }
  const std::vector<uint8_t>& bytes() const { return bytes_; }

  // Writes the buffer to `path`; throws ConvertError on failure.
  void write_to(const std::string& path) const;

 private:
  std::vector<uint8_t> bytes_;
};

// Writes `n` bytes to `path` (truncating); throws ConvertError naming the
// path on failure.
void write_file(const std::string& path, const void* data, size_t n);

}  // namespace edgeattn::convert
