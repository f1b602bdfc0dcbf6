// Softmax (format 1.5): over the last axis (fixed), every other dim any
// kind; the table's f32_softmax over the rows, in tiles of rows on the
// session's threads (a text recognizer's last op: frames x 6625 classes).
#include <algorithm>

#include "kernels/kernels.h"
#include "runtime/model.h"
#include "runtime/ops/op_checks.h"
#include "runtime/ops/op_registry.h"
#include "runtime/ops/parallel.h"
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

struct SoftmaxJob {
  const KernelTable* kernels;
  size_t cols;
  const float* x;  // [rows, cols]
  float* y;        // [rows, cols]
};

void softmax_rows(void* context, size_t r0, size_t n) {
  const SoftmaxJob& j = *static_cast<const SoftmaxJob*>(context);
  j.kernels->f32_softmax(n, j.cols, j.x + r0 * j.cols, j.y + r0 * j.cols);
}

// An exp costs about as much as 8 multiply-adds (pool_for's unit).
constexpr size_t kWorkPerElement = 8;

Status eval(const EvalContext& ctx, const fb::Op& op, const OpRecord&) {
  const size_t rows = static_cast<size_t>(op_util::rows(*ctx.model, input(op, 0), ctx.dims));
  const size_t cols = static_cast<size_t>(op_util::fixed_last_dim(*ctx.model, input(op, 0)));
  SoftmaxJob j{ctx.kernels, cols, ctx.f32(input(op, 0)), ctx.f32(output(op, 0))};
  pthreadpool* const pool = ctx.pool_for(rows * cols * kWorkPerElement);
  parallel::for_1d_tile(pool, softmax_rows, &j, rows, std::max<size_t>(1, rows / (4 * parallel::threads(pool))));
  return Status::ok();
}

}  // namespace

extern const OpRegistration kSoftmaxOp = {"Softmax", verify, nullptr, nullptr, eval, nullptr};

}  // namespace edgeattn
