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

// b is an activation like a, or (format 1.3) a constant f32 of a's
// trailing shape added to every leading index: e.g. sinusoidal positions
// [T, D] added to each row of [B, T, D] (Whisper's encoder).
Status verify_add(const Model& model, const fb::Op& op) {
  if (op.inputs()->size() != 2 || op_util::input(op, 1) < 0 || !model.tensor(input(op, 1)).is_constant) {
    return verify_binary(model, op);
  }
  EA_RETURN_IF_ERROR(op_check::arity(op, 2, 2, 1));
  EA_RETURN_IF_ERROR(op_check::activation_f32(model, input(op, 0), 0));
  const TensorInfo& a = model.tensor(input(op, 0));
  const TensorInfo& b = model.tensor(input(op, 1));
  EA_ENSURE(b.dtype == DType::kF32 && b.rank >= 1 && b.rank < a.rank, StatusCode::kInvalidModel,
            "constant b '%s' must be f32 of lower rank than a '%s'", b.name, a.name);
  for (int i = 0; i < b.rank; ++i) {
    const DimSpec& ad = a.dims[a.rank - b.rank + i];
    EA_ENSURE(ad.kind == DimKind::kFixed && ad.value == b.shape[i], StatusCode::kInvalidModel,
              "constant b '%s' dim %d (%lld) must equal a '%s''s fixed dim %d", b.name, i,
              static_cast<long long>(b.shape[i]), a.name, a.rank - b.rank + i);
  }
  return op_check::same_dims(model, input(op, 0), output(op, 0));
}

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
  const size_t n = element_count(ctx, input(op, 0));
  const size_t n_b = element_count(ctx, input(op, 1));  // n, or the broadcast constant's size
  const float* a = ctx.f32(input(op, 0));
  const float* b = ctx.f32(input(op, 1));
  float* y = ctx.f32(output(op, 0));
  for (size_t at = 0; at < n; at += n_b) ctx.kernels->f32_add(n_b, a + at, b, y + at);
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
