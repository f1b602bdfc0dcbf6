#include "runtime/session_plan.h"

#include <cstring>

#include "runtime/memory_planner.h"

namespace edgeattn {
namespace {

constexpr int kUnused = -2;  // a tensor this graph never touches

// Lifetimes of every tensor, in op indices: [first, last], kUnused if the
// graph does not use it. Checks every index against the tensor count.
struct Lifetimes {
  Vector<int> first;  // [tensor_count]
  Vector<int> last;   // [tensor_count]
};

Status check_index(int32_t t, size_t tensor_count, const char* role, size_t where) {
  EA_ENSURE(t >= 0 && static_cast<size_t>(t) < tensor_count, StatusCode::kInvalidModel,
            "%s %zu: tensor index %d out of range [0, %zu)", role, where, t, tensor_count);
  return Status::ok();
}

Status compute_lifetimes(const PlanGraph& g, Lifetimes* life) {
  const size_t n_tensors = g.tensor_bytes.size();
  const int n_ops = static_cast<int>(g.ops.size());
  EA_ENSURE(g.is_constant.size() == n_tensors, StatusCode::kInvalidArgument,
            "plan: %zu constant flags for %zu tensors", g.is_constant.size(), n_tensors);
  EA_RETURN_IF_ERROR(life->first.assign(n_tensors, kUnused, "the tensor lifetimes"));
  EA_RETURN_IF_ERROR(life->last.assign(n_tensors, kUnused, "the tensor lifetimes"));
  for (size_t k = 0; k < g.inputs.size(); ++k) {
    EA_RETURN_IF_ERROR(check_index(g.inputs[k], n_tensors, "graph input", k));
    life->first[g.inputs[k]] = life->last[g.inputs[k]] = 0;
  }
  for (int i = 0; i < n_ops; ++i) {
    const PlanOp& op = g.ops[static_cast<size_t>(i)];
    for (int32_t in : op.inputs) {
      if (in < 0) continue;  // an absent optional input
      EA_RETURN_IF_ERROR(check_index(in, n_tensors, "op", static_cast<size_t>(i)));
      if (g.is_constant[in]) continue;
      EA_ENSURE(life->first[in] != kUnused, StatusCode::kInvalidModel,
                "op %d reads tensor %d before any op writes it", i, in);
      life->last[in] = i;
    }
    for (int32_t out : op.outputs) {
      EA_RETURN_IF_ERROR(check_index(out, n_tensors, "op", static_cast<size_t>(i)));
      life->first[out] = life->last[out] = i;
    }
  }
  for (size_t k = 0; k < g.outputs.size(); ++k) {
    EA_RETURN_IF_ERROR(check_index(g.outputs[k], n_tensors, "graph output", k));
    life->last[g.outputs[k]] = n_ops;
  }
  for (int32_t t : g.observed) {
    EA_ENSURE(t >= 0 && static_cast<size_t>(t) < n_tensors && life->first[t] != kUnused && !g.is_constant[t],
              StatusCode::kInvalidArgument, "observed tensor %d is not an activation of this graph", t);
    life->last[t] = n_ops;
  }
  return Status::ok();
}

}  // namespace

Status plan_arena(const PlanGraph& g, ArenaPlan* plan) {
  Lifetimes life;
  EA_RETURN_IF_ERROR(compute_lifetimes(g, &life));
  const size_t n_tensors = g.tensor_bytes.size();
  const size_t n_ops = g.ops.size();
  plan->buffers.clear();
  plan->activation_bytes = plan->naive_bytes = 0;
  EA_RETURN_IF_ERROR(plan->tensor_buffer.assign(n_tensors, kNoBuffer, "the memory plan index"));
  EA_RETURN_IF_ERROR(plan->scratch_buffer.assign(n_ops, kNoBuffer, "the op scratch index"));

  // Activations in tensor order, then scratch in op order: the order the
  // planner breaks ties in, so a graph always gets the same offsets.
  GreedyMemoryPlanner planner;
  auto add = [&](size_t bytes, int first, int last, int32_t tensor, int32_t op) -> Status {
    PlannedBuffer b;
    b.bytes = bytes + kBufferSlack;
    b.first_op = first;
    b.last_op = last;
    b.tensor = tensor;
    b.op = op;
    EA_RETURN_IF_ERROR(plan->buffers.push_back(b, "the memory plan's buffers"));
    planner.add(b.bytes, first, last);  // a failure here is reported by plan()
    plan->naive_bytes += b.bytes;
    return Status::ok();
  };
  for (size_t t = 0; t < n_tensors; ++t) {
    if (life.first[t] == kUnused || g.is_constant[t]) continue;
    plan->tensor_buffer[t] = plan->buffers.size();
    EA_RETURN_IF_ERROR(add(g.tensor_bytes[t], life.first[t], life.last[t], static_cast<int32_t>(t), -1));
  }
  for (size_t i = 0; i < n_ops; ++i) {
    if (g.ops[i].scratch_bytes == 0) continue;
    plan->scratch_buffer[i] = plan->buffers.size();
    EA_RETURN_IF_ERROR(add(g.ops[i].scratch_bytes, static_cast<int>(i), static_cast<int>(i), -1,
                           static_cast<int32_t>(i)));
  }
  EA_RETURN_IF_ERROR(planner.plan());
  for (size_t b = 0; b < plan->buffers.size(); ++b) plan->buffers[b].offset = planner.offset(b);
  plan->activation_bytes = planner.total_bytes();
  return Status::ok();
}

Result<size_t> PersistentLayout::request(size_t n, PersistentKind kind, int op) {
  PersistentRegion r;
  r.offset = bytes;
  r.bytes = n;
  r.op = op;
  r.kind = kind;
  EA_RETURN_IF_ERROR(regions.push_back(r, "the persistent regions"));
  const size_t rounded = (n + 63) / 64 * 64;
  bytes += rounded;
  if (kind == PersistentKind::kKvCache) kv_cache_bytes += rounded;
  if (kind == PersistentKind::kSequenceState) sequence_bytes += rounded;
  if (kind == PersistentKind::kPackedWeights) packed_weight_bytes += rounded;
  return r.offset;
}

Result<size_t> PersistentLayout::request_shared(const char* shared_kind, uint64_t key, size_t n, int op,
                                                bool* owner, PersistentKind kind) {
  for (PersistentRegion& r : regions) {
    if (r.shared_kind != nullptr && std::strcmp(r.shared_kind, shared_kind) == 0 && r.key == key) {
      ++r.users;
      *owner = false;
      return r.offset;
    }
  }
  EA_ASSIGN_OR_RETURN(const size_t offset, request(n, kind, op));
  regions.back().shared_kind = shared_kind;
  regions.back().key = key;
  *owner = true;
  return offset;
}

}  // namespace edgeattn
