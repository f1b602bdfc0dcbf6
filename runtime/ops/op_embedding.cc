// Embedding: out[b, t, :] = scale * token_table[ids[b, t]]
//                          + position_table[past + t + position_offset]   (if given)
//                          + type_table[0]                                (if given)
// Token ids come from the caller, so they are the one thing eval() checks.
#include <cstring>

#include "runtime/model.h"
#include "runtime/ops/op_checks.h"
#include "runtime/ops/op_registry.h"
#include "schema/edgeattn_generated.h"

namespace edgeattn {
namespace {

using op_util::input;
using op_util::output;

Status verify(const Model& model, const fb::Op& op) {
  EA_RETURN_IF_ERROR(op_check::arity(op, 2, 4, 1));
  EA_RETURN_IF_ERROR(op_check::options(op, static_cast<uint8_t>(fb::OpOptions::EmbeddingOptions), false));
  const TensorInfo& ids = model.tensor(input(op, 0));
  EA_ENSURE(!ids.is_constant && ids.dtype == DType::kI32 && ids.rank == 2, StatusCode::kInvalidModel,
            "input 0 '%s' must be i32 ids [batch, seq]", ids.name);
  EA_RETURN_IF_ERROR(op_check::dim_kind(model, input(op, 0), 0, DimKind::kBatch));
  EA_RETURN_IF_ERROR(op_check::dim_kind(model, input(op, 0), 1, DimKind::kSeq));
  const int64_t any2[2] = {-1, -1};
  EA_RETURN_IF_ERROR(op_check::constant(model, input(op, 1), DType::kF32, 2, any2));
  const int64_t width = model.tensor(input(op, 1)).shape[1];
  const int64_t table_shape[2] = {-1, width};
  for (size_t i = 2; i < op_util::input_count(op); ++i) {
    if (input(op, i) >= 0) EA_RETURN_IF_ERROR(op_check::constant(model, input(op, i), DType::kF32, 2, table_shape));
  }
  EA_RETURN_IF_ERROR(op_check::activation_f32(model, output(op, 0), 3));
  EA_RETURN_IF_ERROR(op_check::dim_kind(model, output(op, 0), 0, DimKind::kBatch));
  EA_RETURN_IF_ERROR(op_check::dim_kind(model, output(op, 0), 1, DimKind::kSeq));
  return op_check::last_dim(model, output(op, 0), width);
}

Status prepare(PrepareContext& ctx, const fb::Op& op, OpState*) {
  const int pos = input(op, 2);
  if (pos >= 0) {
    const fb::EmbeddingOptions* o = op.options_as_EmbeddingOptions();
    const int64_t offset = o ? o->position_offset() : 0;
    const int64_t rows = ctx.model->tensor(pos).shape[0];
    EA_ENSURE(offset >= 0 && ctx.max_context + offset <= rows, StatusCode::kOutOfRange,
              "context of %lld positions exceeds the position table (%lld rows)",
              static_cast<long long>(ctx.max_context), static_cast<long long>(rows));
  }
  return Status::ok();
}

Status eval(const EvalContext& ctx, const fb::Op& op, const OpState&) {
  const Model& model = *ctx.model;
  const TensorInfo& table = model.tensor(input(op, 1));
  const int64_t vocab = table.shape[0];
  const int64_t width = table.shape[1];
  const float* token_table = static_cast<const float*>(table.data);  // [vocab, width]
  const int pos_index = input(op, 2);
  const int type_index = input(op, 3);
  const float* pos_table = pos_index >= 0 ? static_cast<const float*>(model.tensor(pos_index).data) : nullptr;
  const float* type_row = type_index >= 0 ? static_cast<const float*>(model.tensor(type_index).data) : nullptr;
  const fb::EmbeddingOptions* o = op.options_as_EmbeddingOptions();
  const float scale = o ? o->scale() : 1.0f;
  const int64_t offset = o ? o->position_offset() : 0;

  const int32_t* ids = static_cast<const int32_t*>(ctx.tensor_data[input(op, 0)]);  // [batch, seq]
  float* out = ctx.f32(output(op, 0));                                             // [batch, seq, width]
  const int64_t batch = ctx.dims.batch, seq = ctx.dims.seq;
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t t = 0; t < seq; ++t) {
      const int32_t id = ids[b * seq + t];
      EA_ENSURE(id >= 0 && id < vocab, StatusCode::kInvalidArgument,
                "token id %d at [%lld, %lld] out of range [0, %lld)", id, static_cast<long long>(b),
                static_cast<long long>(t), static_cast<long long>(vocab));
      float* row = out + (b * seq + t) * width;
      const float* src = token_table + id * width;
      if (scale == 1.0f) {
        std::memcpy(row, src, static_cast<size_t>(width) * sizeof(float));
      } else {
        for (int64_t i = 0; i < width; ++i) row[i] = src[i] * scale;
      }
      if (pos_table != nullptr) {
        const float* p = pos_table + (ctx.past + t + offset) * width;
        for (int64_t i = 0; i < width; ++i) row[i] += p[i];
      }
      if (type_row != nullptr) {
        for (int64_t i = 0; i < width; ++i) row[i] += type_row[i];
      }
    }
  }
  return Status::ok();
}

}  // namespace

extern const OpRegistration kEmbeddingOp = {"Embedding", verify, prepare, eval};

}  // namespace edgeattn
