// Reference max / average pooling (Pool2DArgs): plain loops; averages sum
// in double and divide once.
#include "kernels/reference/reference.h"

namespace edgeattn {

void f32_pool2d_ukernel__reference(const Pool2DArgs& a) {
  for (size_t oh = 0; oh < a.out_h; ++oh) {
    for (size_t ow = 0; ow < a.out_w; ++ow) {
      float* y = a.y + (oh * a.out_w + ow) * a.channels;
      for (size_t c = 0; c < a.channels; ++c) {
        double sum = 0.0;
        float max = 0.0f;
        size_t valid = 0;
        for (size_t kh = 0; kh < a.kh; ++kh) {
          const long ih = static_cast<long>(oh * a.stride_h + kh) - static_cast<long>(a.pad_top);
          if (ih < 0 || ih >= static_cast<long>(a.in_h)) continue;
          for (size_t kw = 0; kw < a.kw; ++kw) {
            const long iw = static_cast<long>(ow * a.stride_w + kw) - static_cast<long>(a.pad_left);
            if (iw < 0 || iw >= static_cast<long>(a.in_w)) continue;
            const float v = a.x[(static_cast<size_t>(ih) * a.in_w + static_cast<size_t>(iw)) * a.channels + c];
            max = valid == 0 || v > max ? v : max;
            sum += v;
            ++valid;
          }
        }
        if (a.op == PoolOp::kMax) {
          y[c] = max;
        } else {
          const size_t divisor = a.count_include_pad ? a.kh * a.kw : valid;
          y[c] = divisor == 0 ? 0.0f : static_cast<float>(sum / static_cast<double>(divisor));
        }
      }
    }
  }
}

}  // namespace edgeattn
