// Portable C++ kernels for the ISA tables where vector code would not pay:
// faster than the reference by their loop structure, compiled with the
// target's baseline flags and -ffp-contract=off so they round exactly like
// the reference (each one's test checks bit equality).
//
// Example (kernels/dispatch.cc):
//   t.f32_resize = f32_resize_ukernel__scalar;
#pragma once

#include "kernels/kernels.h"

namespace edgeattn {

// ResizeArgs: each column's taps computed once per block of output columns
// and each row's once per row, instead of per output as the reference does
// (a bilinear 128x128 -> 224x224 saliency map, one channel: the reference
// spends its time on coordinates). Bit-identical to the reference.
void f32_resize_ukernel__scalar(const ResizeArgs& args);

}  // namespace edgeattn
