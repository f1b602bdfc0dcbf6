// AttentionGate (format 1.6): the gate on an Attention U-Net's skip
// connection (Oktay et al. 2018): the decoder's gating signal g decides,
// per pixel, how much of the encoder feature x passes.
//
//   x [B, H, W, Cx] (skip), g [B, H, W, Cg] (gating signal, at x's size),
//   wx [Ci, Cx], wg [Ci, Cg], b? [Ci] (both layers' biases, batch norms folded), wpsi [1, Ci], bpsi? [1]
//   q[p] = act(wx x[p] + wg g[p] + b)          [Ci] per pixel p (Relu by default)
//   alpha[p] = gate(wpsi q[p] + bpsi)          (Sigmoid by default)
//   y[p, :] = x[p, :] * alpha[p]
//
// Pixel tiles run whole on the threads, each with its own q tile
// [kTilePixels, Ci] and alpha [kTilePixels]; activations through the
// table's f32_activation. Op scratch: per thread one such tile.
#include <algorithm>

#include "kernels/kernels.h"
#include "runtime/model.h"
#include "runtime/ops/image_util.h"
#include "runtime/ops/op_checks.h"
#include "runtime/ops/op_registry.h"
#include "runtime/ops/parallel.h"
#include "schema/edgeattn_generated.h"

namespace edgeattn {
namespace {

using op_util::input;
using op_util::output;

constexpr size_t kTilePixels = 64;

size_t slot_bytes(size_t ci) { return (kTilePixels * (ci + 1) * sizeof(float) + 63) / 64 * 64; }

void activations_of(const fb::Op& op, ActivationParams* act, ActivationParams* gate) {
  act->kind = ActKind::kRelu;
  gate->kind = ActKind::kSigmoid;
  if (const fb::AttentionGateOptions* o = op.options_as_AttentionGateOptions()) {
    (void)image_util::act_kind(o->activation(), &act->kind);  // verified
    (void)image_util::act_kind(o->gate(), &gate->kind);
    gate->alpha = o->gate_alpha();
    gate->beta = o->gate_beta();
  }
}

Status verify(const Model& model, const fb::Op& op) {
  EA_RETURN_IF_ERROR(op_check::arity(op, 7, 7, 1));
  EA_RETURN_IF_ERROR(op_check::options(op, static_cast<uint8_t>(fb::OpOptions::AttentionGateOptions), false));
  int64_t cx = 0, cy = 0, cg = 0;
  EA_RETURN_IF_ERROR(image_util::nhwc_pair(model, input(op, 0), output(op, 0), &cx, &cy));
  EA_RETURN_IF_ERROR(op_check::same_dims(model, input(op, 0), output(op, 0)));
  EA_RETURN_IF_ERROR(image_util::nhwc_pair(model, input(op, 1), output(op, 0), &cg, &cy));
  const TensorInfo& x = model.tensor(input(op, 0));
  const TensorInfo& g = model.tensor(input(op, 1));
  for (int d = 0; d < 3; ++d) {
    EA_ENSURE(image_util::same_dim(x.dims[d], g.dims[d]), StatusCode::kInvalidModel,
              "g '%s' dim %d differs from x '%s'", g.name, d, x.name);
  }
  EA_ENSURE(input(op, 2) >= 0 && input(op, 3) >= 0 && input(op, 5) >= 0, StatusCode::kInvalidModel,
            "wx (input 2), wg (input 3) and wpsi (input 5) are required");
  const int64_t wx_shape[2] = {-1, cx};
  EA_RETURN_IF_ERROR(op_check::constant(model, input(op, 2), DType::kF32, 2, wx_shape));
  const int64_t ci = model.tensor(input(op, 2)).shape[0];
  const int64_t wg_shape[2] = {ci, cg}, wpsi_shape[2] = {1, ci}, one = 1;
  EA_RETURN_IF_ERROR(op_check::constant(model, input(op, 3), DType::kF32, 2, wg_shape));
  if (input(op, 4) >= 0) EA_RETURN_IF_ERROR(op_check::constant(model, input(op, 4), DType::kF32, 1, &ci));
  EA_RETURN_IF_ERROR(op_check::constant(model, input(op, 5), DType::kF32, 2, wpsi_shape));
  if (input(op, 6) >= 0) EA_RETURN_IF_ERROR(op_check::constant(model, input(op, 6), DType::kF32, 1, &one));
  if (const fb::AttentionGateOptions* o = op.options_as_AttentionGateOptions()) {
    ActKind kind;
    EA_RETURN_IF_ERROR(image_util::act_kind(o->activation(), &kind));
    EA_RETURN_IF_ERROR(image_util::verify_gate(o->gate(), "AttentionGate"));
  }
  return Status::ok();
}

Status prepare(PrepareContext& ctx, const fb::Op& op, OpRecord* record) {
  const size_t ci = static_cast<size_t>(ctx.model->tensor(input(op, 2)).shape[0]);
  record->scratch_bytes = ctx.threads * slot_bytes(ci);  // [threads] q [kTilePixels, Ci], alpha [kTilePixels]
  return Status::ok();
}

struct GateJob {
  const KernelTable* kernels;
  const float* x;  // [P, Cx] (P = B H W)
  const float* g;  // [P, Cg]
  float* y;        // [P, Cx]
  const float *wx, *wg, *b, *wpsi;
  float bpsi;
  size_t pixels, cx, cg, ci;
  uint8_t* scratch;
  ActivationParams act, gate;
};

// Pixels [t kTilePixels, ...) of tile t, with thread slot `slot`'s scratch.
bool gate_tile(void* context, size_t slot, size_t t) {
  const GateJob& j = *static_cast<const GateJob*>(context);
  const size_t p0 = t * kTilePixels, n = std::min(kTilePixels, j.pixels - p0);
  float* q = reinterpret_cast<float*>(j.scratch + slot * slot_bytes(j.ci));  // [n, Ci]
  float* alpha = q + kTilePixels * j.ci;                                     // [n]
  for (size_t p = 0; p < n; ++p) {
    const float* xp = j.x + (p0 + p) * j.cx;
    const float* gp = j.g + (p0 + p) * j.cg;
    for (size_t i = 0; i < j.ci; ++i) {
      float acc = j.b != nullptr ? j.b[i] : 0.0f;
      const float* wxi = j.wx + i * j.cx;
      const float* wgi = j.wg + i * j.cg;
      for (size_t k = 0; k < j.cx; ++k) acc += wxi[k] * xp[k];
      for (size_t k = 0; k < j.cg; ++k) acc += wgi[k] * gp[k];
      q[p * j.ci + i] = acc;
    }
  }
  j.kernels->f32_activation(n * j.ci, q, q, j.act);
  for (size_t p = 0; p < n; ++p) {
    float acc = j.bpsi;
    for (size_t i = 0; i < j.ci; ++i) acc += j.wpsi[i] * q[p * j.ci + i];
    alpha[p] = acc;
  }
  j.kernels->f32_activation(n, alpha, alpha, j.gate);
  for (size_t p = 0; p < n; ++p) {
    const float* xp = j.x + (p0 + p) * j.cx;
    float* yp = j.y + (p0 + p) * j.cx;
    for (size_t k = 0; k < j.cx; ++k) yp[k] = xp[k] * alpha[p];
  }
  return true;
}

Status eval(const EvalContext& ctx, const fb::Op& op, const OpRecord& record) {
  const TensorInfo& xt = ctx.model->tensor(input(op, 0));
  GateJob j;
  j.kernels = ctx.kernels;
  j.x = ctx.f32(input(op, 0));
  j.g = ctx.f32(input(op, 1));
  j.y = ctx.f32(output(op, 0));
  j.wx = ctx.f32(input(op, 2));
  j.wg = ctx.f32(input(op, 3));
  j.b = input(op, 4) >= 0 ? ctx.f32(input(op, 4)) : nullptr;
  j.wpsi = ctx.f32(input(op, 5));
  j.bpsi = input(op, 6) >= 0 ? ctx.f32(input(op, 6))[0] : 0.0f;
  j.pixels = static_cast<size_t>(xt.dim(0, ctx.dims) * xt.dim(1, ctx.dims) * xt.dim(2, ctx.dims));
  j.cx = static_cast<size_t>(xt.dim(3, ctx.dims));
  j.cg = static_cast<size_t>(ctx.model->tensor(input(op, 1)).dim(3, ctx.dims));
  j.ci = static_cast<size_t>(ctx.model->tensor(input(op, 2)).shape[0]);
  j.scratch = record.scratch;
  activations_of(op, &j.act, &j.gate);
  pthreadpool* const pool = ctx.pool_for(j.pixels * j.ci * (j.cx + j.cg));
  const size_t tiles = (j.pixels + kTilePixels - 1) / kTilePixels;
  const size_t slots = std::min(record.scratch_bytes / slot_bytes(j.ci), parallel::threads(pool));  // scratch for these
  (void)parallel::for_tiles(pool, slots, gate_tile, &j, tiles);
  return Status::ok();
}

}  // namespace

extern const OpRegistration kAttentionGateOp = {"AttentionGate", verify, prepare, nullptr, eval, nullptr};

}  // namespace edgeattn
