// Reference SSRU recurrence (Marian's "ssru" cell, the decoder RNN of
// Bergamot / Firefox Translations models), in float exactly as Marian's CPU
// code writes it:
//   sigmoid (src/functional/operators.h, Ops<float>::sigmoid):
//     g = f > 0 ? 1 / (1 + exp(-f)) : exp(f) / (1 + exp(f))
//   update (src/tensors/cpu/tensor_operators.cpp, HighwayForward):
//     c = g * c + (1.f - g) * x
//   output (Ops<float>::relu): h = c > 0 ? c : 0
// Both branches of the sigmoid take exp of -|f| <= 0, so it never overflows;
// exp is portable_expf (the correctly rounded float of e^-|f|; Marian calls
// glibc's expf, which agrees except for rare 1-ulp misroundings, see
// kernels/README.md "Numerics"). Built with -ffp-contract=off: every
// expression rounds after each operation, as Marian's does.
#include <cmath>

#include "kernels/reference/portable_math.h"
#include "kernels/reference/reference.h"

namespace edgeattn {

void f32_ssru_ukernel__reference(size_t steps, size_t width, const float* x, size_t x_stride,
                                 const float* f, size_t f_stride, float* c, float* h,
                                 size_t h_stride) {
  for (size_t t = 0; t < steps; ++t) {
    const float* xt = x + t * x_stride;
    const float* ft = f + t * f_stride;
    float* ht = h + t * h_stride;
    for (size_t i = 0; i < width; ++i) {
      // Read x and f before the store: h[t, i] may alias x[t, i] or f[t, i].
      const float fi = ft[i], xi = xt[i];
      const float e = portable_expf(-std::fabs(fi));
      const float g = fi > 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e);
      const float ci = g * c[i] + (1.0f - g) * xi;
      c[i] = ci;
      ht[i] = ci > 0.0f ? ci : 0.0f;
    }
  }
}

}  // namespace edgeattn
