// f32_resize_ukernel__scalar (kernels/scalar/scalar.h): the reference's
// arithmetic (kernels/resize_taps.h) with the coordinates hoisted out of the
// per-output loop.
#include <algorithm>

#include "kernels/resize_taps.h"
#include "kernels/scalar/scalar.h"

namespace edgeattn {

namespace {

// Output columns per block: their taps live on the stack (6 KiB).
constexpr size_t kColumns = 256;

void nearest_block(const ResizeArgs& a, size_t c0, size_t n) {
  size_t iw[kColumns];  // [n] source column of each output column
  for (size_t j = 0; j < n; ++j) iw[j] = resize_nearest_index(c0 + j, a.in_w, a.out_w, a.coord);
  for (size_t oh = 0; oh < a.out_h; ++oh) {
    const float* row = a.x + resize_nearest_index(oh, a.in_h, a.out_h, a.coord) * a.in_w * a.channels;
    float* y = a.y + (oh * a.out_w + c0) * a.channels;
    for (size_t j = 0; j < n; ++j) std::copy_n(row + iw[j] * a.channels, a.channels, y + j * a.channels);
  }
}

void bilinear_block(const ResizeArgs& a, size_t c0, size_t n) {
  ResizeTap tw[kColumns];  // [n] taps of each output column
  for (size_t j = 0; j < n; ++j) tw[j] = resize_bilinear_tap(c0 + j, a.in_w, a.out_w, a.coord);
  const size_t ch = a.channels;
  for (size_t oh = 0; oh < a.out_h; ++oh) {
    const ResizeTap th = resize_bilinear_tap(oh, a.in_h, a.out_h, a.coord);
    const float* top = a.x + th.lo * a.in_w * ch;     // [in_w, C]
    const float* bottom = a.x + th.hi * a.in_w * ch;  // [in_w, C]
    float* y = a.y + (oh * a.out_w + c0) * ch;
    for (size_t j = 0; j < n; ++j) {
      const size_t lo = tw[j].lo * ch, hi = tw[j].hi * ch;
      for (size_t c = 0; c < ch; ++c) {
        y[j * ch + c] = resize_blend(top[lo + c], top[hi + c], bottom[lo + c], bottom[hi + c], tw[j].frac, th.frac);
      }
    }
  }
}

}  // namespace

void f32_resize_ukernel__scalar(const ResizeArgs& a) {
  for (size_t c0 = 0; c0 < a.out_w; c0 += kColumns) {
    const size_t n = std::min(kColumns, a.out_w - c0);
    if (a.kind == ResizeKind::kNearest) {
      nearest_block(a, c0, n);
    } else {
      bilinear_block(a, c0, n);
    }
  }
}

}  // namespace edgeattn
