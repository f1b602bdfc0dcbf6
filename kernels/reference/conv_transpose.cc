// Reference transposed convolution (ConvTransposeArgs): scatter every input
// pixel's contribution into the output, which starts at zero; float, in
// (input row, input column, kh, kw, ci) order; bias added last.
#include <cstring>

#include "kernels/reference/reference.h"

namespace edgeattn {

void f32_conv_transpose2d_ukernel__reference(const ConvTransposeArgs& a) {
  std::memset(a.y, 0, a.out_h * a.out_w * a.cout * sizeof(float));
  for (size_t i = 0; i < a.in_h; ++i) {
    for (size_t j = 0; j < a.in_w; ++j) {
      const float* x = a.x + (i * a.in_w + j) * a.cin;  // [cin]
      for (size_t kh = 0; kh < a.kh; ++kh) {
        // Signed: output positions before pad_top / pad_left are cropped.
        const long oh = static_cast<long>(i * a.stride_h + kh * a.dilation_h) - static_cast<long>(a.pad_top);
        if (oh < 0 || oh >= static_cast<long>(a.out_h)) continue;
        for (size_t kw = 0; kw < a.kw; ++kw) {
          const long ow = static_cast<long>(j * a.stride_w + kw * a.dilation_w) - static_cast<long>(a.pad_left);
          if (ow < 0 || ow >= static_cast<long>(a.out_w)) continue;
          float* y = a.y + (static_cast<size_t>(oh) * a.out_w + static_cast<size_t>(ow)) * a.cout;
          const float* w = a.w + (kh * a.kw + kw) * a.cout * a.cin;  // [cout, cin]
          for (size_t co = 0; co < a.cout; ++co) {
            float acc = 0.0f;
            for (size_t ci = 0; ci < a.cin; ++ci) acc += x[ci] * w[co * a.cin + ci];
            y[co] += acc;
          }
        }
      }
    }
  }
  if (a.bias == nullptr) return;
  for (size_t p = 0; p < a.out_h * a.out_w; ++p) {
    for (size_t co = 0; co < a.cout; ++co) a.y[p * a.cout + co] += a.bias[co];
  }
}

}  // namespace edgeattn
