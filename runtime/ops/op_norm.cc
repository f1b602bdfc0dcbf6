// LayerNorm and RmsNorm over the last dim.
#include "kernels/kernels.h"
#include "runtime/model.h"
#include "runtime/ops/op_checks.h"
#include "runtime/ops/op_registry.h"
#include "schema/edgeattn_generated.h"

namespace edgeattn {
namespace {

using op_util::input;
using op_util::output;

Status verify_norm(const Model& model, const fb::Op& op, size_t n_params) {
  EA_RETURN_IF_ERROR(op_check::arity(op, 1 + n_params, 1 + n_params, 1));
  EA_RETURN_IF_ERROR(op_check::options(op, static_cast<uint8_t>(fb::OpOptions::NormOptions), false));
  EA_RETURN_IF_ERROR(op_check::activation_f32(model, input(op, 0), 0));
  const int64_t width = op_util::fixed_last_dim(model, input(op, 0));
  EA_ENSURE(width > 0, StatusCode::kInvalidModel, "input last dim must be fixed");
  for (size_t i = 1; i <= n_params; ++i) {
    EA_RETURN_IF_ERROR(op_check::constant(model, input(op, i), DType::kF32, 1, &width));
  }
  return op_check::same_dims(model, input(op, 0), output(op, 0));
}

Status verify_layernorm(const Model& model, const fb::Op& op) { return verify_norm(model, op, 2); }
Status verify_rmsnorm(const Model& model, const fb::Op& op) { return verify_norm(model, op, 1); }

float epsilon(const fb::Op& op) {
  const fb::NormOptions* o = op.options_as_NormOptions();
  return o ? o->epsilon() : 1e-5f;
}

Status eval_layernorm(const EvalContext& ctx, const fb::Op& op, const OpRecord&) {
  const Model& m = *ctx.model;
  const size_t rows = static_cast<size_t>(op_util::rows(m, input(op, 0), ctx.dims));
  const size_t cols = static_cast<size_t>(op_util::fixed_last_dim(m, input(op, 0)));
  ctx.kernels->f32_layernorm(rows, cols, ctx.f32(input(op, 0)), cols, ctx.f32(input(op, 1)), ctx.f32(input(op, 2)),
                             epsilon(op), ctx.f32(output(op, 0)), cols);
  return Status::ok();
}

Status eval_rmsnorm(const EvalContext& ctx, const fb::Op& op, const OpRecord&) {
  const Model& m = *ctx.model;
  const size_t rows = static_cast<size_t>(op_util::rows(m, input(op, 0), ctx.dims));
  const size_t cols = static_cast<size_t>(op_util::fixed_last_dim(m, input(op, 0)));
  ctx.kernels->f32_rmsnorm(rows, cols, ctx.f32(input(op, 0)), cols, ctx.f32(input(op, 1)), epsilon(op),
                           ctx.f32(output(op, 0)), cols);
  return Status::ok();
}

}  // namespace

extern const OpRegistration kLayerNormOp = {"LayerNorm", verify_layernorm, nullptr, nullptr, eval_layernorm, nullptr};
extern const OpRegistration kRmsNormOp = {"RmsNorm", verify_rmsnorm, nullptr, nullptr, eval_rmsnorm, nullptr};

}  // namespace edgeattn
