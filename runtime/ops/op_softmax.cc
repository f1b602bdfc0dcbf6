// Softmax (format 1.5): over the last axis (fixed), every other dim any
// kind; the table's f32_softmax over the rows.
#include "kernels/kernels.h"
#include "runtime/model.h"
#include "runtime/ops/op_checks.h"
#include "runtime/ops/op_registry.h"
#include "schema/edgeattn_generated.h"

namespace edgeattn {
namespace {

using op_util::input;
using op_util::output;

Status verify(const Model& model, const fb::Op& op) {
  EA_RETURN_IF_ERROR(op_check::arity(op, 1, 1, 1));
  EA_RETURN_IF_ERROR(op_check::activation_f32(model, input(op, 0), 0));
  EA_RETURN_IF_ERROR(op_check::same_dims(model, input(op, 0), output(op, 0)));
  const TensorInfo& x = model.tensor(input(op, 0));
  EA_ENSURE(op_util::fixed_last_dim(model, input(op, 0)) > 0, StatusCode::kInvalidModel,
            "x '%s': the last dim must be fixed", x.name);
  return Status::ok();
}

Status eval(const EvalContext& ctx, const fb::Op& op, const OpRecord&) {
  const size_t rows = static_cast<size_t>(op_util::rows(*ctx.model, input(op, 0), ctx.dims));
  const size_t cols = static_cast<size_t>(op_util::fixed_last_dim(*ctx.model, input(op, 0)));
  ctx.kernels->f32_softmax(rows, cols, ctx.f32(input(op, 0)), ctx.f32(output(op, 0)));
  return Status::ok();
}

}  // namespace

extern const OpRegistration kSoftmaxOp = {"Softmax", verify, nullptr, nullptr, eval, nullptr};

}  // namespace edgeattn
