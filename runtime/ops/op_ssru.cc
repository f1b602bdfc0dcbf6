// Ssru: Marian's simpler simple recurrent unit (the decoder layers of
// Firefox's Bergamot translation models; marian-dev src/rnn/cells.h, SSRU):
//   in:  x [B, S, D] = W·input, f [B, S, D] = Wf·input + bf (the FullyConnected ops before it)
//   out: h [B, S, D], per position t of the sequence:
//        g = sigmoid(f_t);  c = g * c + (1 - g) * x_t;  h_t = relu(c)
// c [B, D] is the op's recurrent state in the arena's persistent head
// (PersistentKind::kRecurrentState): it starts at 0 with each sequence
// (past == 0) and carries over the invokes of a sequence, like a KV cache
// (so the session counts positions for a decoder made only of these).
#include <pthreadpool.h>

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
  EA_RETURN_IF_ERROR(op_check::arity(op, 2, 2, 1));
  for (int i = 0; i < 2; ++i) {
    EA_RETURN_IF_ERROR(op_check::activation_f32(model, input(op, i), 3));
    EA_RETURN_IF_ERROR(op_check::dim_kind(model, input(op, i), 0, DimKind::kBatch));
    EA_RETURN_IF_ERROR(op_check::dim_kind(model, input(op, i), 1, DimKind::kSeq));
  }
  EA_RETURN_IF_ERROR(op_check::same_dims(model, input(op, 0), input(op, 1)));
  EA_ENSURE(op_util::fixed_last_dim(model, input(op, 0)) > 0, StatusCode::kInvalidModel,
            "Ssru input '%s' needs a fixed width", model.tensor(input(op, 0)).name);
  return op_check::same_dims(model, input(op, 0), output(op, 0));
}

struct SsruState {
  size_t offset = 0;    // persistent, from the arena start
  float* c = nullptr;   // [max_batch, D], resolved at bind
};

Status prepare(PrepareContext& ctx, const fb::Op& op, OpRecord* record) {
  EA_ASSIGN_OR_RETURN(SsruState* const state, ctx.make_state<SsruState>(record));
  const size_t width = static_cast<size_t>(op_util::fixed_last_dim(*ctx.model, input(op, 0)));
  const size_t bytes = static_cast<size_t>(ctx.max_dims.batch) * width * sizeof(float);
  EA_ASSIGN_OR_RETURN(state->offset, ctx.request_persistent(bytes, PersistentKind::kRecurrentState));
  return Status::ok();
}

void bind(const BindContext& ctx, const fb::Op&, OpRecord& record) {
  SsruState& state = *static_cast<SsruState*>(record.state);
  state.c = reinterpret_cast<float*>(ctx.persistent(state.offset));
}

Status eval(const EvalContext& ctx, const fb::Op& op, const OpRecord& record) {
  const SsruState& state = state_of<SsruState>(record);
  const size_t batch = static_cast<size_t>(ctx.dims.batch), seq = static_cast<size_t>(ctx.dims.seq);
  const size_t width = static_cast<size_t>(op_util::fixed_last_dim(*ctx.model, input(op, 0)));
  const float* x = ctx.f32(input(op, 0));  // [B, S, D]
  const float* f = ctx.f32(input(op, 1));  // [B, S, D]
  float* h = ctx.f32(output(op, 0));       // [B, S, D]
  if (ctx.past == 0) std::memset(state.c, 0, batch * width * sizeof(float));
  for (size_t b = 0; b < batch; ++b) {
    const size_t at = b * seq * width;
    ctx.kernels->f32_ssru(seq, width, x + at, width, f + at, width, state.c + b * width, h + at, width);
  }
  return Status::ok();
}

}  // namespace

extern const OpRegistration kSsruOp = {"Ssru", verify, prepare, bind, eval, nullptr};

}  // namespace edgeattn
