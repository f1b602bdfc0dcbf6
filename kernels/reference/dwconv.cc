// Reference depthwise convolution (DwConvArgs): plain loops, float, taps in
// (kh, kw) order starting from the bias, -ffp-contract=off so every target
// rounds the same way.
#include "kernels/reference/reference.h"

namespace edgeattn {

void f32_dwconv_ukernel__reference(const DwConvArgs& a) {
  for (size_t oh = a.row_begin; oh < a.row_end; ++oh) {
    for (size_t ow = 0; ow < a.out_w; ++ow) {
      float* y = a.y + (oh * a.out_w + ow) * a.y_pixel_stride;  // [channels]
      for (size_t c = 0; c < a.channels; ++c) {
        float acc = a.bias != nullptr ? a.bias[c] : 0.0f;
        for (size_t kh = 0; kh < a.kh; ++kh) {
          // Signed: taps above / left of the image are padding.
          const long ih = static_cast<long>(oh * a.stride_h + kh * a.dilation_h) - static_cast<long>(a.pad_top);
          if (ih < 0 || ih >= static_cast<long>(a.in_h)) continue;
          for (size_t kw = 0; kw < a.kw; ++kw) {
            const long iw = static_cast<long>(ow * a.stride_w + kw * a.dilation_w) - static_cast<long>(a.pad_left);
            if (iw < 0 || iw >= static_cast<long>(a.in_w)) continue;
            const float* x = a.x + (static_cast<size_t>(ih) * a.in_w + static_cast<size_t>(iw)) * a.x_pixel_stride;
            acc += x[c] * a.w[(kh * a.kw + kw) * a.channels + c];
          }
        }
        y[c] = acc;
      }
    }
  }
}

}  // namespace edgeattn
