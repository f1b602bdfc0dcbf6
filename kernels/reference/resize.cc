// Reference resize (ResizeArgs, ONNX Resize semantics): source coordinates
// in double, bilinear blends in double, one rounding per output
// (kernels/resize_taps.h), every output's taps computed on their own.
#include "kernels/reference/reference.h"
#include "kernels/resize_taps.h"

namespace edgeattn {

void f32_resize_ukernel__reference(const ResizeArgs& a) {
  for (size_t oh = 0; oh < a.out_h; ++oh) {
    for (size_t ow = 0; ow < a.out_w; ++ow) {
      float* y = a.y + (oh * a.out_w + ow) * a.channels;
      if (a.kind == ResizeKind::kNearest) {
        const size_t ih = resize_nearest_index(oh, a.in_h, a.out_h, a.coord);
        const size_t iw = resize_nearest_index(ow, a.in_w, a.out_w, a.coord);
        const float* x = a.x + (ih * a.in_w + iw) * a.channels;
        for (size_t c = 0; c < a.channels; ++c) y[c] = x[c];
        continue;
      }
      const ResizeTap th = resize_bilinear_tap(oh, a.in_h, a.out_h, a.coord);
      const ResizeTap tw = resize_bilinear_tap(ow, a.in_w, a.out_w, a.coord);
      const float* x00 = a.x + (th.lo * a.in_w + tw.lo) * a.channels;
      const float* x01 = a.x + (th.lo * a.in_w + tw.hi) * a.channels;
      const float* x10 = a.x + (th.hi * a.in_w + tw.lo) * a.channels;
      const float* x11 = a.x + (th.hi * a.in_w + tw.hi) * a.channels;
      for (size_t c = 0; c < a.channels; ++c) y[c] = resize_blend(x00[c], x01[c], x10[c], x11[c], tw.frac, th.frac);
    }
  }
}

}  // namespace edgeattn
