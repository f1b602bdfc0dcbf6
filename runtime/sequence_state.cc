#include "runtime/sequence_state.h"

#include "runtime/model.h"
#include "schema/edgeattn_generated.h"

namespace edgeattn {
namespace {

bool contains(const flatbuffers::Vector<int32_t>& v, int32_t t) {
  for (int32_t x : v) {
    if (x == t) return true;
  }
  return false;
}

Status check_sequence_input(const Model& model, const fb::Graph& graph, int32_t t) {
  const char* method = graph.name()->c_str();
  EA_ENSURE(t >= 0 && static_cast<size_t>(t) < model.tensor_count() && contains(*graph.inputs(), t),
            StatusCode::kInvalidModel, "method '%s': sequence input %d is not one of its inputs", method, t);
  EA_ENSURE(model.tensor(static_cast<size_t>(t)).dtype == DType::kF32, StatusCode::kInvalidModel,
            "method '%s': sequence input '%s' must be f32", method, model.tensor(static_cast<size_t>(t)).name);
  return Status::ok();
}

// A sequence tensor is sized once, for max_batch: no dim may follow the
// invoke's length.
Status check_sequence_dims(const Model& model, const fb::Graph& graph, size_t t) {
  const TensorInfo& info = model.tensor(t);
  for (int d = 0; d < info.rank; ++d) {
    EA_ENSURE(info.dims[d].kind != DimKind::kSeq && info.dims[d].kind != DimKind::kOutSeq, StatusCode::kInvalidModel,
              "method '%s': sequence tensor '%s' has a length-dependent dim %d", graph.name()->c_str(), info.name, d);
  }
  return Status::ok();
}

// True if input `slot` of `op` is the k or v of a cross-attention op.
bool is_cross_kv(const fb::Op& op, flatbuffers::uoffset_t slot) {
  if (op.code() != fb::OpCode::Attention || (slot != 1 && slot != 2)) return false;
  const fb::AttentionOptions* o = op.options_as_AttentionOptions();
  return o != nullptr && o->cross();
}

}  // namespace

Status analyze_sequence_state(const Model& model, const fb::Graph& graph, bool cross_kv_in_ops,
                              SequenceState* state) {
  const size_t n_tensors = model.tensor_count(), n_ops = graph.ops()->size();
  EA_RETURN_IF_ERROR(state->op_is_sequence.assign(n_ops, 0, "the sequence op flags"));
  EA_RETURN_IF_ERROR(state->tensor_is_sequence.assign(n_tensors, 0, "the sequence tensor flags"));
  EA_RETURN_IF_ERROR(state->tensor_is_persisted.assign(n_tensors, 0, "the persisted tensor flags"));
  state->any = graph.sequence_inputs() != nullptr && graph.sequence_inputs()->size() > 0;
  if (!state->any) return Status::ok();
  for (int32_t t : *graph.sequence_inputs()) {
    EA_RETURN_IF_ERROR(check_sequence_input(model, graph, t));
    state->tensor_is_sequence[static_cast<size_t>(t)] = 1;
  }
  for (size_t i = 0; i < n_ops; ++i) {
    const fb::Op& op = *graph.ops()->Get(static_cast<flatbuffers::uoffset_t>(i));
    bool any_activation = false, all_sequence = true;
    for (int32_t in : *op.inputs()) {
      if (in < 0 || model.tensor(static_cast<size_t>(in)).is_constant) continue;
      any_activation = true;
      all_sequence = all_sequence && state->tensor_is_sequence[static_cast<size_t>(in)] != 0;
    }
    const bool sequence = any_activation && all_sequence;
    state->op_is_sequence[i] = sequence ? 1 : 0;
    for (int32_t out : *op.outputs()) state->tensor_is_sequence[static_cast<size_t>(out)] = sequence ? 1 : 0;
  }
  // Persisted: sequence tensors read after the first invoke.
  for (size_t i = 0; i < n_ops; ++i) {
    if (state->op_is_sequence[i]) continue;
    const fb::Op& op = *graph.ops()->Get(static_cast<flatbuffers::uoffset_t>(i));
    for (flatbuffers::uoffset_t slot = 0; slot < op.inputs()->size(); ++slot) {
      const int32_t in = op.inputs()->Get(slot);
      if (in < 0 || !state->tensor_is_sequence[static_cast<size_t>(in)]) continue;
      if (cross_kv_in_ops && is_cross_kv(op, slot)) continue;
      state->tensor_is_persisted[static_cast<size_t>(in)] = 1;
    }
  }
  for (int32_t out : *graph.outputs()) {
    if (state->tensor_is_sequence[static_cast<size_t>(out)]) state->tensor_is_persisted[static_cast<size_t>(out)] = 1;
  }
  for (size_t t = 0; t < n_tensors; ++t) {
    if (state->tensor_is_sequence[t]) EA_RETURN_IF_ERROR(check_sequence_dims(model, graph, t));
  }
  return Status::ok();
}

}  // namespace edgeattn
