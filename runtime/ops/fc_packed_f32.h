// FullyConnected with f32 weights on the kernel table's packed GEMM
// (KernelTable::f32_gemm_packed, issue #18) instead of XNNPACK, for the
// shapes where it measured faster.
//
// prepare  asks for a region of the arena's persistent head, shared by the
//          ops with the same weight and bias tensors (a tied embedding /
//          output matrix is packed once), the size of f32_gemm_pack's
//          output; it replaces XNNPACK's packed copy, which lives outside
//          the arena.
// bind     the op that asked first packs W and the bias into it.
// eval     panels of columns split across the session's threads, every
//          row per task; no allocation.
//
// Example (inside op_fully_connected.cc):
//   if (fc_packed_f32_chosen(*ctx.kernels, max_rows, k)) return fc_packed_f32_prepare(ctx, op, state);
#pragma once

#include <cstddef>

#include "runtime/core/status.h"
#include "runtime/ops/op_fully_connected.h"
#include "runtime/ops/op_registry.h"

namespace edgeattn {

struct KernelTable;

// True when `kernels` has a packed f32 GEMM and it beats XNNPACK's f32
// fully connected at up to `max_rows` rows of a weight with `k` columns
// (docs/gemm.md).
bool fc_packed_f32_chosen(const KernelTable& kernels, size_t max_rows, size_t k);

Status fc_packed_f32_prepare(PrepareContext& ctx, const fb::Op& op, FullyConnectedState* state);
void fc_packed_f32_bind(const BindContext& ctx, const fb::Op& op, FullyConnectedState& state);
// y [rows, n] = act(x [rows, k] · Wᵀ + bias): max(., 0) with a Relu, the
// epilogue activation (fc_epilogue_activation) per panel of columns.
void fc_packed_f32_eval(const EvalContext& ctx, const fb::Op& op, const FullyConnectedState& state, const float* x,
                        size_t rows);

}  // namespace edgeattn
