// ChannelAttention (format 1.5): squeeze-and-excitation (MobileNetV3, PP-LCNet).
//
//   x [B, H, W, C], w1 [Cr, C], b1? [Cr], w2 [C, Cr], b2? [C] (constants f32)
//   s[b, c] = mean over h, w of x[b, h, w, c]
//   t = act(w1 s + b1)          (ChannelAttentionOptions.activation, Relu by default)
//   g = gate(w2 t + b2)         (HardSigmoid(gate_alpha, gate_beta) or Sigmoid)
//   y[b, h, w, c] = x[b, h, w, c] * g[b, c]
// With max_pool (CBAM, format 1.6) the maximum over h, w goes through the
// same two layers: g = gate(w2 t + b2 + w2 act(w1 max + b1) + b2).
// The two tiny layers (C x Cr multiply-adds per image) are plain loops.
// The mean (and max) come from channel_stats.h (rows on the threads); the
// gating multiply runs over pixel tiles on the threads too. Activations go
// through the table's f32_activation. Op scratch: s [B, C], m [B, C],
// t [B, 2 Cr], g [B, C], then the channel statistics' scratch.
#include <algorithm>
#include <cstring>

#include "kernels/kernels.h"
#include "runtime/model.h"
#include "runtime/ops/channel_stats.h"
#include "runtime/ops/image_util.h"
#include "runtime/ops/op_checks.h"
#include "runtime/ops/op_registry.h"
#include "runtime/ops/parallel.h"
#include "schema/edgeattn_generated.h"

namespace edgeattn {
namespace {

using op_util::input;
using op_util::output;

// Bytes of s, m, t (two hidden rows per image) and g, 8-aligned for the statistics' doubles.
size_t head_bytes(size_t batch, size_t c, size_t cr) { return (batch * (3 * c + 2 * cr) * sizeof(float) + 7) / 8 * 8; }

Status verify(const Model& model, const fb::Op& op) {
  EA_RETURN_IF_ERROR(op_check::arity(op, 2, 5, 1));  // then w2 (input 3) is required, b1 (2) not
  EA_ENSURE(op_util::input_count(op) >= 4 && input(op, 3) >= 0, StatusCode::kInvalidModel, "w2 (input 3) is missing");
  EA_RETURN_IF_ERROR(op_check::options(op, static_cast<uint8_t>(fb::OpOptions::ChannelAttentionOptions), false));
  int64_t c = 0, cy = 0;
  EA_RETURN_IF_ERROR(image_util::nhwc_pair(model, input(op, 0), output(op, 0), &c, &cy));
  EA_RETURN_IF_ERROR(op_check::same_dims(model, input(op, 0), output(op, 0)));
  const int64_t w1_shape[2] = {-1, c};
  EA_RETURN_IF_ERROR(op_check::constant(model, input(op, 1), DType::kF32, 2, w1_shape));
  const int64_t cr = model.tensor(input(op, 1)).shape[0];
  if (input(op, 2) >= 0) EA_RETURN_IF_ERROR(op_check::constant(model, input(op, 2), DType::kF32, 1, &cr));
  const int64_t w2_shape[2] = {c, cr};
  EA_RETURN_IF_ERROR(op_check::constant(model, input(op, 3), DType::kF32, 2, w2_shape));
  if (op_util::input_count(op) > 4 && input(op, 4) >= 0) {
    EA_RETURN_IF_ERROR(op_check::constant(model, input(op, 4), DType::kF32, 1, &c));
  }
  if (const fb::ChannelAttentionOptions* o = op.options_as_ChannelAttentionOptions()) {
    ActKind kind;
    EA_RETURN_IF_ERROR(image_util::act_kind(o->activation(), &kind));
    EA_RETURN_IF_ERROR(image_util::verify_gate(o->gate(), "ChannelAttention"));
  }
  return Status::ok();
}

Status prepare(PrepareContext& ctx, const fb::Op& op, OpRecord* record) {
  const size_t c = static_cast<size_t>(ctx.model->tensor(input(op, 1)).shape[1]);
  const size_t cr = static_cast<size_t>(ctx.model->tensor(input(op, 1)).shape[0]);
  const size_t batch = static_cast<size_t>(ctx.max_dims.batch);
  record->scratch_bytes = head_bytes(batch, c, cr) + channel_stats_scratch(batch, c, ctx.threads);
  return Status::ok();
}

// y = x * g[b] over pixel rows [r0, r0 + n) of the flattened [B * P].
struct GateJob {
  const float* x;
  const float* g;  // [B, C]
  float* y;
  size_t pixels, c;
};

void gate_rows(void* context, size_t r0, size_t n) {
  const GateJob& j = *static_cast<const GateJob*>(context);
  for (size_t r = r0; r < r0 + n; ++r) {
    const float* gb = j.g + r / j.pixels * j.c;
    const float* xr = j.x + r * j.c;
    float* yr = j.y + r * j.c;
    for (size_t ch = 0; ch < j.c; ++ch) yr[ch] = xr[ch] * gb[ch];
  }
}

Status eval(const EvalContext& ctx, const fb::Op& op, const OpRecord& record) {
  const fb::ChannelAttentionOptions* o = op.options_as_ChannelAttentionOptions();
  const TensorInfo& xt = ctx.model->tensor(input(op, 0));
  const size_t batch = static_cast<size_t>(xt.dim(0, ctx.dims));
  const size_t pixels = static_cast<size_t>(xt.dim(1, ctx.dims) * xt.dim(2, ctx.dims));
  const size_t c = static_cast<size_t>(xt.dim(3, ctx.dims));
  const size_t cr = static_cast<size_t>(ctx.model->tensor(input(op, 1)).shape[0]);
  ActivationParams act, gate;
  act.kind = ActKind::kRelu;
  gate.kind = ActKind::kHardSigmoid;
  if (o != nullptr) {
    (void)image_util::act_kind(o->activation(), &act.kind);  // verified
    (void)image_util::act_kind(o->gate(), &gate.kind);
    gate.alpha = o->gate_alpha();
    gate.beta = o->gate_beta();
  }
  const bool with_max = o != nullptr && o->max_pool();
  const float* x = ctx.f32(input(op, 0));  // [B, H, W, C]
  float* y = ctx.f32(output(op, 0));        // [B, H, W, C]
  float* s = reinterpret_cast<float*>(record.scratch);  // [B, C] squeezed (mean)
  float* m = s + batch * c;                              // [B, C] maximum (max_pool)
  float* t = m + batch * c;                              // [B, 2, Cr] hidden of the mean, of the max
  float* g = t + 2 * batch * cr;                         // [B, C] gates
  const float* w1 = ctx.f32(input(op, 1));
  const float* b1 = input(op, 2) >= 0 ? ctx.f32(input(op, 2)) : nullptr;
  const float* w2 = ctx.f32(input(op, 3));
  const float* b2 = op_util::input_count(op) > 4 && input(op, 4) >= 0 ? ctx.f32(input(op, 4)) : nullptr;
  pthreadpool* const pool = ctx.pool_for(batch * pixels * c);
  const ChannelStats stats{&x, 1, batch, pixels, c, with_max, record.scratch + head_bytes(batch, c, cr)};
  compute_channel_stats(pool, stats, s, m);
  const size_t branches = with_max ? 2 : 1;
  for (size_t b = 0; b < batch; ++b) {
    image_util::small_gemv(cr, c, w1, b1, s + b * c, t + 2 * b * cr);
    if (with_max) image_util::small_gemv(cr, c, w1, b1, m + b * c, t + (2 * b + 1) * cr);
  }
  // The hidden layer's activation, then the gate layer (summed over the branches).
  ctx.kernels->f32_activation(2 * batch * cr, t, t, act);
  for (size_t b = 0; b < batch; ++b) {
    image_util::small_gemv(c, cr, w2, b2, t + 2 * b * cr, g + b * c);
    for (size_t k = 1; k < branches; ++k) {
      float* gb = m + b * c;  // the max row is no longer needed: the second branch's layer goes there
      image_util::small_gemv(c, cr, w2, b2, t + (2 * b + k) * cr, gb);
      for (size_t ch = 0; ch < c; ++ch) g[b * c + ch] += gb[ch];
    }
  }
  ctx.kernels->f32_activation(batch * c, g, g, gate);
  GateJob gj{x, g, y, pixels, c};
  parallel::for_1d_tile(pool, gate_rows, &gj, batch * pixels, std::max<size_t>(kStatsBlock, pixels / 8));
  return Status::ok();
}

}  // namespace

extern const OpRegistration kChannelAttentionOp = {"ChannelAttention", verify, prepare, nullptr, eval, nullptr};

}  // namespace edgeattn
