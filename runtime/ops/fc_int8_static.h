// FullyConnected with static per-tensor activation scales (int8-static,
// issue #4 scheme (a)), for integer-only targets.
//
// The converter stores, per FullyConnected, an input scale and an output
// scale measured on calibration text (FullyConnectedOptions.input_scale /
// output_scale, zero points 0); W is int8 with one scale per output channel
// as for dynamic int8. At run time:
//   x (f32) * multiplier  -> qs8 with input_scale       (own loop, op scratch)
//   XNNPACK convolution2d_nhwc_qc8, 1x1, batch = rows, H = W = 1:
//     acc = bias_q[c] + sum_k xq[k] * W[c, k]           (int32)
//     yq  = clamp(rne(acc * in_scale * w_scale[c] / out_scale))
//   yq (qs8) -> f32 with output_scale                   (own loop)
// Integer accumulation and per-element requantization make the result
// independent of thread count and batch split (tests/runtime/
// int8_static_test.cc); the qc8 1x1 convolution is bit-identical across
// x86 and ARM (../shared/docs/xnnpack-debian12.md §4, §7) and both
// conversions are single IEEE operations per element, so ARM should give
// the same bits. The conversions are own loops rather than XNNPACK convert
// operators (the op keeps one operator, FullyConnectedState::xnn); they
// round the same way (fp32 multiply by 1/scale, round half to even).
//
// op_fully_connected.cc dispatches here when fc_int8_static_enabled(op).
//
// Example (inside op_fully_connected.cc):
//   if (fc_int8_static_enabled(op)) return fc_int8_static_prepare(ctx, op, state, record);
#pragma once

#include "runtime/core/status.h"
#include "runtime/ops/op_fully_connected.h"
#include "runtime/ops/op_registry.h"

namespace edgeattn {

// True when the op's options carry static activation scales (non-zero).
bool fc_int8_static_enabled(const fb::Op& op);

// Model-only checks of the static scales (called from the op's verify):
// both set or both 0, finite and > 0, only with i8 weights, and every
// channel's requantization scale and int32 bias within XNNPACK's range.
Status fc_int8_static_verify(const Model& model, const fb::Op& op);

// Sets state->path, creates the qc8 operator (state->xnn; the op's
// release() deletes it) and sizes the op scratch (record->scratch_bytes) for
// the quantized activations. state->max_rows is set by the caller.
Status fc_int8_static_prepare(PrepareContext& ctx, const fb::Op& op, FullyConnectedState* state, OpRecord* record);

// Quantizes x, runs the operator, dequantizes y. No allocation.
Status fc_int8_static_eval(const EvalContext& ctx, const fb::Op& op, const OpRecord& record);

}  // namespace edgeattn
