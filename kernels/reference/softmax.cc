// Reference softmax over rows: max subtracted, exp and sum in double, one
// rounding per output.
#include "kernels/reference/portable_math.h"
#include "kernels/reference/reference.h"

namespace edgeattn {

void f32_softmax_ukernel__reference(size_t rows, size_t cols, const float* x, float* y) {
  for (size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    float* yr = y + r * cols;
    float max = xr[0];
    for (size_t c = 1; c < cols; ++c) max = xr[c] > max ? xr[c] : max;
    double sum = 0.0;
    for (size_t c = 0; c < cols; ++c) sum += portable_exp(static_cast<double>(xr[c]) - max);
    // Second exp pass instead of a buffer: y may alias x, and kernels never allocate.
    for (size_t c = 0; c < cols; ++c) yr[c] = static_cast<float>(portable_exp(static_cast<double>(xr[c]) - max) / sum);
  }
}

}  // namespace edgeattn
