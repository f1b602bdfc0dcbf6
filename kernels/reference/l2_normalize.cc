// Reference L2 normalization (sentence embeddings): the squared norm
// accumulates in double, then y = x / max(||x||, eps) in double.
#include "kernels/reference/reference.h"

#include <cmath>

namespace edgeattn {

void f32_l2_normalize_ukernel__reference(size_t rows, size_t cols, const float* x,
                                         float eps, float* y) {
  for (size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    float* yr = y + r * cols;
    double sq = 0.0;
    for (size_t c = 0; c < cols; ++c) sq += static_cast<double>(xr[c]) * xr[c];
    double norm = std::sqrt(sq);
    if (norm < static_cast<double>(eps)) norm = eps;
    for (size_t c = 0; c < cols; ++c) yr[c] = static_cast<float>(xr[c] / norm);
  }
}

}  // namespace edgeattn
