// LayerNorm and RmsNorm over the last dim.
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

// Rows [r0, r0 + n) of a LayerNorm (beta != nullptr) or RmsNorm. Rows are
// independent, so any split gives the bits of one call.
struct NormJob {
  const KernelTable* kernels;
  const float* x;      // [rows, cols]
  const float* gamma;  // [cols]
  const float* beta;   // [cols] (LayerNorm) or nullptr (RmsNorm)
  float* y;            // [rows, cols]
  size_t cols;
  float eps;
};

void norm_rows(void* context, size_t r0, size_t n) {
  const NormJob& j = *static_cast<const NormJob*>(context);
  const float* x = j.x + r0 * j.cols;
  float* y = j.y + r0 * j.cols;
  if (j.beta != nullptr) {
    j.kernels->f32_layernorm(n, j.cols, x, j.cols, j.gamma, j.beta, j.eps, y, j.cols);
  } else {
    j.kernels->f32_rmsnorm(n, j.cols, x, j.cols, j.gamma, j.eps, y, j.cols);
  }
}

// Row tiles on the pool when the op is large (MiniLM at 8 x 128: 1024 rows
// of 384, two per layer); ~8 operations per element in pool_for's unit.
Status eval_norm(const EvalContext& ctx, const fb::Op& op, bool layer) {
  const Model& m = *ctx.model;
  const size_t rows = static_cast<size_t>(op_util::rows(m, input(op, 0), ctx.dims));
  NormJob j{ctx.kernels,      ctx.f32(input(op, 0)), ctx.f32(input(op, 1)), layer ? ctx.f32(input(op, 2)) : nullptr,
            ctx.f32(output(op, 0)), static_cast<size_t>(op_util::fixed_last_dim(m, input(op, 0))), epsilon(op)};
  pthreadpool* const pool = ctx.pool_for(rows * j.cols * 8);
  parallel::for_1d_tile(pool, norm_rows, &j, rows, std::max<size_t>(1, rows / (4 * parallel::threads(pool))));
  return Status::ok();
}

Status eval_layernorm(const EvalContext& ctx, const fb::Op& op, const OpRecord&) { return eval_norm(ctx, op, true); }
Status eval_rmsnorm(const EvalContext& ctx, const fb::Op& op, const OpRecord&) { return eval_norm(ctx, op, false); }

}  // namespace

extern const OpRegistration kLayerNormOp = {"LayerNorm", verify_layernorm, nullptr, nullptr, eval_layernorm, nullptr};
extern const OpRegistration kRmsNormOp = {"RmsNorm", verify_rmsnorm, nullptr, nullptr, eval_rmsnorm, nullptr};

}  // namespace edgeattn
