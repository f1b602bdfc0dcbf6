// Rope: rotary position embedding of q or k, [B, S, H * Dh].
// The (cos, sin) table is shared by every Rope op with the same rotary_dim
// and theta, sized for the session's max context and filled once at bind,
// after the arena exists (RopeState).
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

int rotary_dim(const fb::RopeOptions& o) { return o.rotary_dim() == 0 ? o.head_dim() : o.rotary_dim(); }

Status verify(const Model& model, const fb::Op& op) {
  EA_RETURN_IF_ERROR(op_check::arity(op, 1, 1, 1));
  EA_RETURN_IF_ERROR(op_check::options(op, static_cast<uint8_t>(fb::OpOptions::RopeOptions), true));
  const fb::RopeOptions& o = *op.options_as_RopeOptions();
  EA_ENSURE(o.n_heads() > 0 && o.head_dim() > 0 && static_cast<size_t>(o.head_dim()) <= kMaxHeadDim,
            StatusCode::kInvalidModel, "n_heads %d / head_dim %d out of range (head_dim <= %zu)", o.n_heads(),
            o.head_dim(), kMaxHeadDim);
  const int rd = rotary_dim(o);
  EA_ENSURE(rd > 0 && rd % 2 == 0 && rd <= o.head_dim(), StatusCode::kInvalidModel,
            "rotary_dim %d must be even and in (0, head_dim %d]", rd, o.head_dim());
  EA_ENSURE(o.style() == fb::RopeStyle::Interleaved || o.style() == fb::RopeStyle::Half, StatusCode::kInvalidModel,
            "unknown RoPE style %d", static_cast<int>(o.style()));
  EA_ENSURE(o.theta() > 0.0f, StatusCode::kInvalidModel, "theta must be positive");
  EA_RETURN_IF_ERROR(op_check::activation_f32(model, input(op, 0), 3));
  EA_RETURN_IF_ERROR(op_check::dim_kind(model, input(op, 0), 1, DimKind::kSeq));
  EA_RETURN_IF_ERROR(op_check::last_dim(model, input(op, 0), int64_t{o.n_heads()} * o.head_dim()));
  return op_check::same_dims(model, input(op, 0), output(op, 0));
}

// Each Rope op's state: the (cos, sin) table it reads, shared by every Rope
// op with the same (rotary_dim, theta); the first of them fills it at bind.
struct RopeState {
  int rotary_dim = 0;
  float theta = 0.0f;
  size_t table_offset = 0;     // persistent, from the arena start
  bool fills_table = false;    // this op asked first
  const float* table = nullptr;  // resolved at bind: [max_context, rotary_dim / 2, 2]
};

Status prepare(PrepareContext& ctx, const fb::Op& op, OpRecord* record) {
  const fb::RopeOptions& o = *op.options_as_RopeOptions();
  EA_ASSIGN_OR_RETURN(RopeState* const state, ctx.make_state<RopeState>(record));
  state->rotary_dim = rotary_dim(o);
  state->theta = o.theta();
  uint32_t theta_bits;
  std::memcpy(&theta_bits, &state->theta, sizeof(theta_bits));
  const uint64_t key = uint64_t{static_cast<uint32_t>(state->rotary_dim)} << 32 | theta_bits;
  const size_t bytes = static_cast<size_t>(ctx.max_context) * static_cast<size_t>(state->rotary_dim) * sizeof(float);
  EA_ASSIGN_OR_RETURN(state->table_offset, ctx.request_shared_persistent("rope", key, bytes, &state->fills_table));
  return Status::ok();
}

void bind(const BindContext& ctx, const fb::Op&, OpRecord& record) {
  RopeState& state = *static_cast<RopeState*>(record.state);
  float* table = reinterpret_cast<float*>(ctx.persistent(state.table_offset));
  if (state.fills_table) {
    fill_rope_table(static_cast<size_t>(ctx.max_context), static_cast<size_t>(state.rotary_dim), state.theta, table);
  }
  state.table = table;
}

Status eval(const EvalContext& ctx, const fb::Op& op, const OpRecord& record) {
  const fb::RopeOptions& o = *op.options_as_RopeOptions();
  const size_t width = static_cast<size_t>(o.n_heads()) * static_cast<size_t>(o.head_dim());
  const size_t seq = static_cast<size_t>(ctx.dims.seq);
  const size_t total = static_cast<size_t>(ctx.dims.batch) * seq * width;
  const float* x = ctx.f32(input(op, 0));  // [B, S, H * Dh]
  float* y = ctx.f32(output(op, 0));        // [B, S, H * Dh]
  if (x != y) std::memcpy(y, x, total * sizeof(float));
  const RopeState& state = state_of<RopeState>(record);
  const RopeStyle style = o.style() == fb::RopeStyle::Half ? RopeStyle::kHalf : RopeStyle::kInterleaved;
  for (int64_t b = 0; b < ctx.dims.batch; ++b) {
    ctx.kernels->f32_rope(y + static_cast<size_t>(b) * seq * width, seq, width, static_cast<size_t>(o.n_heads()),
                          static_cast<size_t>(o.head_dim()), static_cast<size_t>(state.rotary_dim),
                          static_cast<size_t>(ctx.past), state.table, style);
  }
  return Status::ok();
}

}  // namespace

extern const OpRegistration kRopeOp = {"Rope", verify, prepare, bind, eval, nullptr};

}  // namespace edgeattn
