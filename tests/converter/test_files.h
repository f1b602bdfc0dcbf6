// Helpers shared by the converter/source tests: writing test files, turning
// floats into tensor bytes, catching the ConvertError a reader throws, and a
// deterministic generator for the byte-corruption loops.
//
// Header-only (inline functions) so each test binary takes what it uses.
//
// Example:
//   using namespace edgeattn::convert::test_files;
//   const std::string path = write_bytes(dir + "/m.gguf", builder.build());
//   CHECK(contains(error_of([&] { (void)GgufFile::open(path); }), "truncated"));
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "converter/source/byte_writer.h"
#include "converter/source/convert_error.h"
#include "converter/source/source_tensor.h"

namespace edgeattn::convert::test_files {

// Rewrites `path` by unlinking it first: truncating a file in place makes
// ext4 flush it on close (auto_da_alloc), which made these loops IO-bound.
inline void rewrite_file(const std::string& path, const uint8_t* data, size_t n) {
  std::remove(path.c_str());
  write_file(path, data, n);
}

// Writes `bytes` to `path` (see rewrite_file) and returns `path`.
inline std::string write_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  rewrite_file(path, bytes.data(), bytes.size());
  return path;
}

// The message of the ConvertError `f` throws, or "<no error>".
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const ConvertError& e) {
    return e.what();
  }
  return "<no error>";
}

inline bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// Same byte count and the same bytes.
inline bool same_bytes(const SourceTensor& a, const SourceTensor& b) {
  return a.nbytes == b.nbytes && std::memcmp(a.data, b.data, a.nbytes) == 0;
}

// Little-endian F32 bytes of `v`.
inline std::vector<uint8_t> f32_bytes(const std::vector<float>& v) {
  std::vector<uint8_t> b(v.size() * 4);
  if (!b.empty()) std::memcpy(b.data(), v.data(), b.size());
  return b;
}

// Little-endian F16 bytes of `v`, rounded to nearest even.
inline std::vector<uint8_t> f16_bytes(const std::vector<float>& v) {
  ByteWriter w;
  for (float f : v) w.u16(float_to_half(f));
  return w.bytes();
}

// A tiny deterministic generator (the Numerical Recipes LCG) for the fuzz
// loops: the same corruptions on every platform, unlike <random>'s
// implementation-defined distributions. next() drops the weak low bits.
struct Lcg {
  uint32_t state;
  uint32_t next() {
    state = state * 1664525u + 1013904223u;
    return state >> 8;
  }
};

}  // namespace edgeattn::convert::test_files
