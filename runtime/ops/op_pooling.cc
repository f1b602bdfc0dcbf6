// Sequence reductions and selections:
//   MeanPool      [B, S, D] -> [B, D], mean over each row's valid tokens
//                 (sentence-transformers mean pooling; padding ignored).
//   L2Normalize   [.., D] -> [.., D], x / max(||x||, 1e-12) (torch's F.normalize).
//   SelectTokens  [B, S, D] -> [B, OutSeq, D]: every position, or each row's
//                 last valid one (so the LM head runs on one row, not S).
#include <cstring>

#include "kernels/kernels.h"
#include "runtime/model.h"
#include "runtime/ops/op_checks.h"
#include "runtime/ops/op_registry.h"
#include "schema/edgeattn_generated.h"

namespace edgeattn {
namespace {

using op_util::input;
using op_util::output;

Status verify_seq_input(const Model& model, const fb::Op& op, int out_rank) {
  EA_RETURN_IF_ERROR(op_check::arity(op, 1, 1, 1));
  EA_RETURN_IF_ERROR(op_check::activation_f32(model, input(op, 0), 3));
  EA_RETURN_IF_ERROR(op_check::dim_kind(model, input(op, 0), 0, DimKind::kBatch));
  EA_RETURN_IF_ERROR(op_check::dim_kind(model, input(op, 0), 1, DimKind::kSeq));
  const int64_t width = op_util::fixed_last_dim(model, input(op, 0));
  EA_ENSURE(width > 0, StatusCode::kInvalidModel, "input last dim must be fixed");
  EA_RETURN_IF_ERROR(op_check::activation_f32(model, output(op, 0), out_rank));
  EA_RETURN_IF_ERROR(op_check::dim_kind(model, output(op, 0), 0, DimKind::kBatch));
  return op_check::last_dim(model, output(op, 0), width);
}

Status verify_mean_pool(const Model& model, const fb::Op& op) { return verify_seq_input(model, op, 2); }

Status verify_select(const Model& model, const fb::Op& op) {
  EA_RETURN_IF_ERROR(verify_seq_input(model, op, 3));
  return op_check::dim_kind(model, output(op, 0), 1, DimKind::kOutSeq);
}

Status verify_l2(const Model& model, const fb::Op& op) {
  EA_RETURN_IF_ERROR(op_check::arity(op, 1, 1, 1));
  EA_RETURN_IF_ERROR(op_check::activation_f32(model, input(op, 0), 0));
  EA_ENSURE(op_util::fixed_last_dim(model, input(op, 0)) > 0, StatusCode::kInvalidModel,
            "input last dim must be fixed");
  return op_check::same_dims(model, input(op, 0), output(op, 0));
}

Status eval_mean_pool(const EvalContext& ctx, const fb::Op& op, const OpRecord&) {
  const size_t width = static_cast<size_t>(op_util::fixed_last_dim(*ctx.model, input(op, 0)));
  const size_t seq = static_cast<size_t>(ctx.dims.seq);
  const float* x = ctx.f32(input(op, 0));  // [B, S, D]
  float* y = ctx.f32(output(op, 0));        // [B, D]
  for (int64_t b = 0; b < ctx.dims.batch; ++b) {
    const size_t n = static_cast<size_t>(ctx.lengths[b]);
    float* row = y + static_cast<size_t>(b) * width;
    std::memset(row, 0, width * sizeof(float));
    for (size_t t = 0; t < n; ++t) {
      const float* src = x + (static_cast<size_t>(b) * seq + t) * width;
      for (size_t i = 0; i < width; ++i) row[i] += src[i];
    }
    const float inv = 1.0f / static_cast<float>(n);
    for (size_t i = 0; i < width; ++i) row[i] *= inv;
  }
  return Status::ok();
}

Status eval_l2(const EvalContext& ctx, const fb::Op& op, const OpRecord&) {
  const size_t rows = static_cast<size_t>(op_util::rows(*ctx.model, input(op, 0), ctx.dims));
  const size_t cols = static_cast<size_t>(op_util::fixed_last_dim(*ctx.model, input(op, 0)));
  ctx.kernels->f32_l2_normalize(rows, cols, ctx.f32(input(op, 0)), 1e-12f, ctx.f32(output(op, 0)));
  return Status::ok();
}

Status eval_select(const EvalContext& ctx, const fb::Op& op, const OpRecord&) {
  const size_t width = static_cast<size_t>(op_util::fixed_last_dim(*ctx.model, input(op, 0)));
  const size_t seq = static_cast<size_t>(ctx.dims.seq);
  const size_t out_seq = static_cast<size_t>(ctx.dims.out_seq);
  const float* x = ctx.f32(input(op, 0));  // [B, S, D]
  float* y = ctx.f32(output(op, 0));        // [B, OutSeq, D]
  for (int64_t b = 0; b < ctx.dims.batch; ++b) {
    const float* src = x + static_cast<size_t>(b) * seq * width;
    float* dst = y + static_cast<size_t>(b) * out_seq * width;
    if (out_seq == seq) {
      std::memcpy(dst, src, seq * width * sizeof(float));
    } else {
      const size_t last = static_cast<size_t>(ctx.lengths[b]) - 1;
      std::memcpy(dst, src + last * width, width * sizeof(float));
    }
  }
  return Status::ok();
}

}  // namespace

extern const OpRegistration kMeanPoolOp = {"MeanPool", verify_mean_pool, nullptr, nullptr, eval_mean_pool, nullptr};
extern const OpRegistration kL2NormalizeOp = {"L2Normalize", verify_l2, nullptr, nullptr, eval_l2, nullptr};
extern const OpRegistration kSelectTokensOp = {"SelectTokens", verify_select, nullptr, nullptr, eval_select, nullptr};

}  // namespace edgeattn
