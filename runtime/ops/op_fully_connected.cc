// FullyConnected: y[.., N] = x[.., K] · Wᵀ + bias, W [N, K] (PyTorch layout).
// Runs on XNNPACK: the operator (with its packed copy of W) is created at
// prepare; eval only sets up the row count and pointers, which XNNPACK does
// without allocating (docs/xnnpack-debian12.md §2).
#include <xnnpack.h>

#include <limits>

#include "runtime/model.h"
#include "runtime/ops/op_checks.h"
#include "runtime/ops/op_registry.h"
#include "schema/edgeattn_generated.h"

namespace edgeattn {
namespace {

using op_util::input;
using op_util::output;

Status verify(const Model& model, const fb::Op& op) {
  EA_RETURN_IF_ERROR(op_check::arity(op, 2, 3, 1));
  EA_RETURN_IF_ERROR(op_check::options(op, static_cast<uint8_t>(fb::OpOptions::FullyConnectedOptions), false));
  EA_RETURN_IF_ERROR(op_check::activation_f32(model, input(op, 0), 0));
  const int64_t any2[2] = {-1, -1};
  EA_RETURN_IF_ERROR(op_check::constant(model, input(op, 1), DType::kF32, 2, any2));
  const TensorInfo& w = model.tensor(input(op, 1));
  const int64_t n = w.shape[0], k = w.shape[1];
  EA_RETURN_IF_ERROR(op_check::last_dim(model, input(op, 0), k));
  if (input(op, 2) >= 0) EA_RETURN_IF_ERROR(op_check::constant(model, input(op, 2), DType::kF32, 1, &n));
  EA_RETURN_IF_ERROR(op_check::activation_f32(model, output(op, 0), model.tensor(input(op, 0)).rank));
  EA_RETURN_IF_ERROR(op_check::last_dim(model, output(op, 0), n));
  const TensorInfo& x = model.tensor(input(op, 0));
  const TensorInfo& y = model.tensor(output(op, 0));
  for (int i = 0; i + 1 < x.rank; ++i) {
    EA_ENSURE(x.dims[i].kind == y.dims[i].kind && x.dims[i].value == y.dims[i].value, StatusCode::kInvalidModel,
              "output '%s' leading dims must match input '%s'", y.name, x.name);
  }
  if (const fb::FullyConnectedOptions* o = op.options_as_FullyConnectedOptions()) {
    EA_ENSURE(o->activation() == fb::Activation::None || o->activation() == fb::Activation::Relu,
              StatusCode::kUnsupported, "fused activation %d (only None and Relu)", static_cast<int>(o->activation()));
  }
  return Status::ok();
}

Status prepare(PrepareContext& ctx, const fb::Op& op, OpState* state) {
  const TensorInfo& w = ctx.model->tensor(input(op, 1));
  const size_t n = static_cast<size_t>(w.shape[0]), k = static_cast<size_t>(w.shape[1]);
  const float* bias = input(op, 2) >= 0 ? static_cast<const float*>(ctx.model->tensor(input(op, 2)).data) : nullptr;
  float lo = -std::numeric_limits<float>::infinity();
  const fb::FullyConnectedOptions* o = op.options_as_FullyConnectedOptions();
  if (o != nullptr && o->activation() == fb::Activation::Relu) lo = 0.0f;
  xnn_status s = xnn_create_fully_connected_nc_f32(k, n, k, n, static_cast<const float*>(w.data), bias, lo,
                                                   std::numeric_limits<float>::infinity(), 0, &state->xnn);
  EA_ENSURE(s == xnn_status_success, StatusCode::kInternal, "xnn_create_fully_connected_nc_f32 (%zux%zu) failed: %d",
            n, k, static_cast<int>(s));
  return Status::ok();
}

Status eval(const EvalContext& ctx, const fb::Op& op, const OpState& state) {
  const size_t rows = static_cast<size_t>(op_util::rows(*ctx.model, input(op, 0), ctx.dims));
  xnn_status s = xnn_setup_fully_connected_nc_f32(state.xnn, rows, ctx.f32(input(op, 0)), ctx.f32(output(op, 0)),
                                                  ctx.threadpool);
  if (s == xnn_status_success) s = xnn_run_operator(state.xnn, ctx.threadpool);
  EA_ENSURE(s == xnn_status_success, StatusCode::kInternal, "XNNPACK fully connected failed: %d", static_cast<int>(s));
  return Status::ok();
}

}  // namespace

extern const OpRegistration kFullyConnectedOp = {"FullyConnected", verify, prepare, eval};

}  // namespace edgeattn
