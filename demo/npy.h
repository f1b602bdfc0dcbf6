// NumPy .npy files for edgeattn-demo image --npy: one float32 array, format
// version 1.0 (magic "\x93NUMPY", version 1 0, a little-endian u16 header
// length, the header dict {'descr': '<f4', 'fortran_order': False, 'shape':
// (d0, d1, ...), } padded with spaces and a newline so the data starts at a
// multiple of 64 bytes), then the values little-endian in C order. numpy.load
// reads it as is.
//
// Example:
//   const int64_t shape[2] = {1, 5};
//   std::string why;
//   if (!write_npy_f32("logits.npy", shape, 2, logits, &why)) fprintf(stderr, "%s\n", why.c_str());
#pragma once

#include <cstdint>
#include <string>

namespace edgeattn::demo {

// False with *error set (one line, no path) when the file cannot be written.
bool write_npy_f32(const std::string& path, const int64_t* shape, int rank, const float* data, std::string* error);

}  // namespace edgeattn::demo
