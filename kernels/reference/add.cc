// Reference elementwise add. Float addition is correctly rounded, so every
// ISA version must match this bit for bit.
#include "kernels/reference/reference.h"

namespace edgeattn {

void f32_add_ukernel__reference(size_t n, const float* a, const float* b, float* y) {
  for (size_t i = 0; i < n; ++i) y[i] = a[i] + b[i];
}

}  // namespace edgeattn
