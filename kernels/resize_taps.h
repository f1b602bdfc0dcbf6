// Source coordinates and bilinear taps of ONNX Resize (ResizeArgs in
// kernels.h), in double, shared by the reference kernel (the oracle) and
// the scalar kernel the ISA tables use, so both compute each output from
// the same taps with the same operations: the scalar kernel is
// bit-identical to the reference (tests/kernels/resize_test.cc).
//
// Example:
//   const ResizeTap t = resize_bilinear_tap(i, in_w, out_w, ResizeCoord::kHalfPixel);
//   y = x[t.lo] + (x[t.hi] - x[t.lo]) * t.frac;   // in double
#pragma once

#include <cmath>
#include <cstddef>

#include "kernels/kernels.h"

namespace edgeattn {

// Source coordinate of output index i (see ResizeArgs).
inline double resize_source_coord(size_t i, size_t in, size_t out, ResizeCoord coord) {
  const double di = static_cast<double>(i), din = static_cast<double>(in), dout = static_cast<double>(out);
  switch (coord) {
    case ResizeCoord::kAsymmetric: return di * din / dout;
    case ResizeCoord::kHalfPixel: return (di + 0.5) * din / dout - 0.5;
    case ResizeCoord::kAlignCorners: return out > 1 ? di * (din - 1.0) / (dout - 1.0) : 0.0;
  }
  return 0.0;
}

inline size_t resize_clamp_index(double v, size_t n) {
  if (v <= 0.0) return 0;
  const size_t i = static_cast<size_t>(v);
  return i < n ? i : n - 1;
}

// Nearest: floor of the source coordinate, clamped to [0, in - 1].
inline size_t resize_nearest_index(size_t i, size_t in, size_t out, ResizeCoord coord) {
  return resize_clamp_index(std::floor(resize_source_coord(i, in, out, coord)), in);
}

// Lower neighbour, upper neighbour and the upper one's weight along an axis.
struct ResizeTap {
  size_t lo, hi;
  double frac;
};

inline ResizeTap resize_bilinear_tap(size_t i, size_t in, size_t out, ResizeCoord coord) {
  double s = resize_source_coord(i, in, out, coord);
  if (s < 0.0) s = 0.0;  // half_pixel's first outputs: the edge
  const double f = std::floor(s);
  ResizeTap t;
  t.lo = resize_clamp_index(f, in);
  t.hi = resize_clamp_index(f + 1.0, in);
  t.frac = s - f;
  return t;
}

// One bilinear output channel from its four neighbours: along W, then H.
inline float resize_blend(float x00, float x01, float x10, float x11, double fw, double fh) {
  const double top = x00 + (static_cast<double>(x01) - x00) * fw;
  const double bottom = x10 + (static_cast<double>(x11) - x10) * fw;
  return static_cast<float>(top + (bottom - top) * fh);
}

}  // namespace edgeattn
