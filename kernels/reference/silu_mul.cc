// Reference SwiGLU gate: y = silu(gate) * up, silu(g) = g * sigmoid(g).
// sigmoid is evaluated through e = exp(-|g|), which never overflows:
//   sigmoid(g) = 1 / (1 + e) for g >= 0,  e / (1 + e) for g < 0.
// The naive g / (1 + expf(-g)) overflows expf for g < -88 (giving -0.0
// instead of a tiny negative number); this form stays accurate everywhere.
#include "kernels/reference/portable_math.h"
#include "kernels/reference/reference.h"

#include <cmath>

namespace edgeattn {

void f32_silu_mul_ukernel__reference(size_t n, const float* gate, const float* up,
                                     float* y) {
  for (size_t i = 0; i < n; ++i) {
    const double g = gate[i];
    const double e = portable_exp(-std::fabs(g));
    const double sigmoid = g >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
    // Read both inputs before the store: y may alias gate or up.
    y[i] = static_cast<float>(g * sigmoid * static_cast<double>(up[i]));
  }
}

}  // namespace edgeattn
