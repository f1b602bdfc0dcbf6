// Reference resize (ResizeArgs, ONNX Resize semantics): source coordinates
// in double, bilinear blends in double, one rounding per output.
#include <cmath>

#include "kernels/reference/reference.h"

namespace edgeattn {

namespace {

// Source coordinate of output index i (see ResizeArgs).
double source_coord(size_t i, size_t in, size_t out, ResizeCoord coord) {
  const double di = static_cast<double>(i), din = static_cast<double>(in), dout = static_cast<double>(out);
  switch (coord) {
    case ResizeCoord::kAsymmetric: return di * din / dout;
    case ResizeCoord::kHalfPixel: return (di + 0.5) * din / dout - 0.5;
    case ResizeCoord::kAlignCorners: return out > 1 ? di * (din - 1.0) / (dout - 1.0) : 0.0;
  }
  return 0.0;
}

size_t clamp_index(double v, size_t n) {
  if (v <= 0.0) return 0;
  const size_t i = static_cast<size_t>(v);
  return i < n ? i : n - 1;
}

// Lower neighbour, upper neighbour and the upper one's weight along an axis.
struct Tap {
  size_t lo, hi;
  double frac;
};

Tap bilinear_tap(size_t i, size_t in, size_t out, ResizeCoord coord) {
  double s = source_coord(i, in, out, coord);
  if (s < 0.0) s = 0.0;  // half_pixel's first outputs: the edge
  const double f = std::floor(s);
  Tap t;
  t.lo = clamp_index(f, in);
  t.hi = clamp_index(f + 1.0, in);
  t.frac = s - f;
  return t;
}

}  // namespace

void f32_resize_ukernel__reference(const ResizeArgs& a) {
  for (size_t oh = 0; oh < a.out_h; ++oh) {
    for (size_t ow = 0; ow < a.out_w; ++ow) {
      float* y = a.y + (oh * a.out_w + ow) * a.channels;
      if (a.kind == ResizeKind::kNearest) {
        const size_t ih = clamp_index(std::floor(source_coord(oh, a.in_h, a.out_h, a.coord)), a.in_h);
        const size_t iw = clamp_index(std::floor(source_coord(ow, a.in_w, a.out_w, a.coord)), a.in_w);
        const float* x = a.x + (ih * a.in_w + iw) * a.channels;
        for (size_t c = 0; c < a.channels; ++c) y[c] = x[c];
        continue;
      }
      const Tap th = bilinear_tap(oh, a.in_h, a.out_h, a.coord);
      const Tap tw = bilinear_tap(ow, a.in_w, a.out_w, a.coord);
      const float* x00 = a.x + (th.lo * a.in_w + tw.lo) * a.channels;
      const float* x01 = a.x + (th.lo * a.in_w + tw.hi) * a.channels;
      const float* x10 = a.x + (th.hi * a.in_w + tw.lo) * a.channels;
      const float* x11 = a.x + (th.hi * a.in_w + tw.hi) * a.channels;
      for (size_t c = 0; c < a.channels; ++c) {
        const double top = x00[c] + (static_cast<double>(x01[c]) - x00[c]) * tw.frac;
        const double bottom = x10[c] + (static_cast<double>(x11[c]) - x10[c]) * tw.frac;
        y[c] = static_cast<float>(top + (bottom - top) * th.frac);
      }
    }
  }
}

}  // namespace edgeattn
