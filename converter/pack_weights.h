// Packing fp32 FullyConnected weights at conversion time (--f32-layout
// panels): each weight W [N, K] read only as FullyConnected's weight is
// rewritten in the packed GEMM's panels (kernels.h f32_gemm_pack, schema
// TensorLayout F32Panels16, the op's bias in each panel's bias row), so the
// x86 tables' packed GEMM uses it in place from the mapped file: no packed
// copy in the arena, no packing at Session::create. Tables without a packed
// GEMM unpack it at prepare (XNNPACK) or bind (the reference table).
//
// Left row-major: weights that are not f32, that any other op reads (a tied
// LM head is also the Embedding table), that a selecting FullyConnected
// reads by row (a translation model's shortlist), or that ops with
// different biases share.
//
// Example:
//   const size_t packed = pack_f32_weights(mb);  // after quantize_weights()
#pragma once

#include <cstddef>

#include "converter/model_builder.h"

namespace edgeattn::convert {

// Returns how many tensors it packed.
size_t pack_f32_weights(ModelBuilder& mb);

}  // namespace edgeattn::convert
