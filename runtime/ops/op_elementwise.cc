// Elementwise ops: Add (residuals), Gelu (erf or tanh), GatedUnit (SwiGLU: silu(gate) * up).
#include "kernels/kernels.h"
#include "runtime/model.h"
#include "runtime/ops/op_checks.h"
#include "runtime/ops/op_registry.h"
#include "schema/edgeattn_generated.h"

namespace edgeattn {
namespace {

using op_util::input;
using op_util::output;

size_t element_count(const EvalContext& ctx, int index) {
  return static_cast<size_t>(ctx.model->tensor(index).element_count(ctx.dims));
}

Status verify_binary(const Model& model, const fb::Op& op) {
  EA_RETURN_IF_ERROR(op_check::arity(op, 2, 2, 1));
  EA_RETURN_IF_ERROR(op_check::activation_f32(model, input(op, 0), 0));
  EA_RETURN_IF_ERROR(op_check::activation_f32(model, input(op, 1), 0));
  EA_RETURN_IF_ERROR(op_check::same_dims(model, input(op, 0), input(op, 1)));
  return op_check::same_dims(model, input(op, 0), output(op, 0));
}

Status verify_unary(const Model& model, const fb::Op& op) {
  EA_RETURN_IF_ERROR(op_check::arity(op, 1, 1, 1));
  EA_RETURN_IF_ERROR(op_check::activation_f32(model, input(op, 0), 0));
  return op_check::same_dims(model, input(op, 0), output(op, 0));
}

Status verify_add(const Model& model, const fb::Op& op) { return verify_binary(model, op); }

Status verify_gelu(const Model& model, const fb::Op& op) {
  EA_RETURN_IF_ERROR(verify_unary(model, op));
  EA_RETURN_IF_ERROR(op_check::options(op, static_cast<uint8_t>(fb::OpOptions::GeluOptions), false));
  const fb::GeluOptions* o = op.options_as_GeluOptions();
  EA_ENSURE(o == nullptr || o->approximation() == fb::GeluApproximation::Erf ||
                o->approximation() == fb::GeluApproximation::Tanh,
            StatusCode::kUnsupported, "unknown GELU approximation %d", o ? static_cast<int>(o->approximation()) : 0);
  return Status::ok();
}

Status verify_gated(const Model& model, const fb::Op& op) {
  EA_RETURN_IF_ERROR(verify_binary(model, op));
  EA_RETURN_IF_ERROR(op_check::options(op, static_cast<uint8_t>(fb::OpOptions::GatedUnitOptions), false));
  const fb::GatedUnitOptions* o = op.options_as_GatedUnitOptions();
  EA_ENSURE(o == nullptr || o->activation() == fb::Activation::Silu, StatusCode::kUnsupported,
            "gate activation %d (only Silu)", o ? static_cast<int>(o->activation()) : 0);
  return Status::ok();
}

Status eval_add(const EvalContext& ctx, const fb::Op& op, const OpRecord&) {
  ctx.kernels->f32_add(element_count(ctx, input(op, 0)), ctx.f32(input(op, 0)), ctx.f32(input(op, 1)),
                       ctx.f32(output(op, 0)));
  return Status::ok();
}

Status eval_gelu(const EvalContext& ctx, const fb::Op& op, const OpRecord&) {
  const fb::GeluOptions* o = op.options_as_GeluOptions();
  const bool tanh = o != nullptr && o->approximation() == fb::GeluApproximation::Tanh;
  (tanh ? ctx.kernels->f32_gelu_tanh : ctx.kernels->f32_gelu)(element_count(ctx, input(op, 0)), ctx.f32(input(op, 0)), ctx.f32(output(op, 0)));
  return Status::ok();
}

Status eval_gated(const EvalContext& ctx, const fb::Op& op, const OpRecord&) {
  ctx.kernels->f32_silu_mul(element_count(ctx, input(op, 0)), ctx.f32(input(op, 0)), ctx.f32(input(op, 1)),
                            ctx.f32(output(op, 0)));
  return Status::ok();
}

}  // namespace

extern const OpRegistration kAddOp = {"Add", verify_add, nullptr, nullptr, eval_add, nullptr};
extern const OpRegistration kGeluOp = {"Gelu", verify_gelu, nullptr, nullptr, eval_gelu, nullptr};
extern const OpRegistration kGatedUnitOp = {"GatedUnit", verify_gated, nullptr, nullptr, eval_gated, nullptr};

}  // namespace edgeattn
