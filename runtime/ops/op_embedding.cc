// Embedding: out[b, t, :] = scale * token_table[ids[b, t]]   (tables f32, f16 or i8 per row,
//                                                              the token table also i4 / i8
//                                                              blocks; zeros for zero_id)
//                          + position_table[past + t + position_offset]   (if given)
//                          + type_table[0]                                (if given)
// Token ids come from the caller, so they are the one thing eval() checks.
#include <cstring>

#include "runtime/core/half.h"
#include "runtime/core/weight_blocks.h"
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
  EA_RETURN_IF_ERROR(op_check::weight_matrix(model, input(op, 1), -1, -1, /*blocks=*/true));
  const int64_t width = model.tensor(input(op, 1)).shape[1];
  for (size_t i = 2; i < op_util::input_count(op); ++i) {
    if (input(op, i) >= 0) EA_RETURN_IF_ERROR(op_check::weight_matrix(model, input(op, i), -1, width));
  }
  if (const fb::EmbeddingOptions* o = op.options_as_EmbeddingOptions()) {
    EA_ENSURE(o->zero_id() == -1 || o->zero_id() >= model.tensor(input(op, 1)).shape[0], StatusCode::kInvalidModel,
              "zero_id %d must be -1 or outside the token table (>= %lld rows)", o->zero_id(),
              static_cast<long long>(model.tensor(input(op, 1)).shape[0]));
  }
  EA_RETURN_IF_ERROR(op_check::activation_f32(model, output(op, 0), 3));
  EA_RETURN_IF_ERROR(op_check::dim_kind(model, output(op, 0), 0, DimKind::kBatch));
  EA_RETURN_IF_ERROR(op_check::dim_kind(model, output(op, 0), 1, DimKind::kSeq));
  return op_check::last_dim(model, output(op, 0), width);
}

// Row `r` of a block-quantized [rows, width] table (width a multiple of 32).
template <typename Block>
void gather_blocks(const TensorInfo& table, size_t r, size_t width, bool accumulate, float* out) {
  const Block* row = static_cast<const Block*>(table.data) + r * (width / kWeightBlock);
  for (size_t b = 0; b < width / kWeightBlock; ++b) {
    float v[kWeightBlock];
    dequantize_block(row[b], v);
    float* o = out + b * kWeightBlock;
    for (size_t i = 0; i < kWeightBlock; ++i) o[i] = (accumulate ? o[i] : 0.0f) + v[i];
  }
}

// Row `r` of a [rows, width] table in f32, f16, per-row-scaled i8 or i4 /
// i8 blocks, written to (or added to) `out`. Memory-bound: one row per token.
void gather_row(const TensorInfo& table, int64_t r, int64_t width, bool accumulate, float* out) {
  const size_t n = static_cast<size_t>(width);
  const size_t offset = static_cast<size_t>(r) * n;
  switch (table.dtype) {
    case DType::kI4Blocks:
      return gather_blocks<I4Block>(table, static_cast<size_t>(r), n, accumulate, out);
    case DType::kI8Blocks:
      return gather_blocks<I8Block>(table, static_cast<size_t>(r), n, accumulate, out);
    case DType::kF16: {
      const uint16_t* src = static_cast<const uint16_t*>(table.data) + offset;
      for (size_t i = 0; i < n; ++i) out[i] = (accumulate ? out[i] : 0.0f) + half_to_float(src[i]);
      return;
    }
    case DType::kI8: {
      const int8_t* src = static_cast<const int8_t*>(table.data) + offset;
      const float s = table.scales[r];
      for (size_t i = 0; i < n; ++i) out[i] = (accumulate ? out[i] : 0.0f) + static_cast<float>(src[i]) * s;
      return;
    }
    default: {
      const float* src = static_cast<const float*>(table.data) + offset;
      if (!accumulate) {
        std::memcpy(out, src, n * sizeof(float));
      } else {
        for (size_t i = 0; i < n; ++i) out[i] += src[i];
      }
      return;
    }
  }
}

Status prepare(PrepareContext& ctx, const fb::Op& op, OpRecord*) {
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

Status eval(const EvalContext& ctx, const fb::Op& op, const OpRecord&) {
  const Model& model = *ctx.model;
  const TensorInfo& table = model.tensor(input(op, 1));
  const int64_t vocab = table.shape[0];
  const int64_t width = table.shape[1];
  const int pos_index = input(op, 2);
  const int type_index = input(op, 3);
  const fb::EmbeddingOptions* o = op.options_as_EmbeddingOptions();
  const float scale = o ? o->scale() : 1.0f;
  const int64_t offset = o ? o->position_offset() : 0;
  const int32_t zero_id = o ? o->zero_id() : -1;

  const int32_t* ids = static_cast<const int32_t*>(ctx.tensor_data[input(op, 0)]);  // [batch, seq]
  float* out = ctx.f32(output(op, 0));                                             // [batch, seq, width]
  const int64_t batch = ctx.dims.batch, seq = ctx.dims.seq;
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t t = 0; t < seq; ++t) {
      const int32_t id = ids[b * seq + t];
      float* row = out + (b * seq + t) * width;
      if (zero_id >= 0 && id == zero_id) {
        std::memset(row, 0, static_cast<size_t>(width) * sizeof(float));
      } else {
        EA_ENSURE(id >= 0 && id < vocab, StatusCode::kInvalidArgument,
                  "token id %d at [%lld, %lld] out of range [0, %lld)", id, static_cast<long long>(b),
                  static_cast<long long>(t), static_cast<long long>(vocab));
        gather_row(table, id, width, /*accumulate=*/false, row);
      }
      if (scale != 1.0f) {
        for (int64_t i = 0; i < width; ++i) row[i] *= scale;
      }
      if (pos_index >= 0) gather_row(model.tensor(pos_index), ctx.past + t + offset, width, true, row);
      if (type_index >= 0) gather_row(model.tensor(type_index), 0, width, true, row);
    }
  }
  return Status::ok();
}

}  // namespace

extern const OpRegistration kEmbeddingOp = {"Embedding", verify, prepare, nullptr, eval, nullptr};

}  // namespace edgeattn
