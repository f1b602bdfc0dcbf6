// The arena plan of one method: which bytes of the planned region each
// activation and each op's scratch occupies.
//
// A pure function over plain data: no Model, no FlatBuffers, no XNNPACK.
// Session::prepare describes the method's graph as a PlanGraph (tensor
// indices per op, sizes at the session maxima, scratch the ops asked for)
// and binds the result to its arena; tests/runtime/session_plan_test.cc
// plans hand-made graphs with it, and `edgeattn-convert inspect --plan`
// prints it.
//
// Lifetimes, in op indices (inclusive):
//   graph input            [0, last op reading it]
//   activation             [op writing it, last op reading it]
//   graph output, observed [.., n_ops]        (still readable after invoke)
//   op i's scratch         [i, i]
//   constant               no buffer (used in place from the model)
// Buffers whose lifetimes overlap never share bytes; others may (the greedy
// planner of runtime/memory_planner.h places them). Every buffer gets
// kBufferSlack extra bytes: XNNPACK reads up to 16 bytes past its inputs.
//
// Example (x -> op 0 -> y -> op 1 -> z, z the output):
//   int32_t in0[] = {0}, out0[] = {1}, in1[] = {1}, out1[] = {2};
//   PlanOp ops[] = {{Span<const int32_t>(in0), Span<const int32_t>(out0), 0},
//                   {Span<const int32_t>(in1), Span<const int32_t>(out1), 0}};
//   size_t bytes[] = {256, 512, 256};  bool constant[] = {false, false, false};
//   int32_t inputs[] = {0}, outputs[] = {2};
//   PlanGraph g;  g.ops = ops;  g.tensor_bytes = bytes;  g.is_constant = constant;
//   g.inputs = inputs;  g.outputs = outputs;
//   ArenaPlan plan;
//   EA_RETURN_IF_ERROR(plan_arena(g, &plan));  // x and z share bytes: 576 + 320
#pragma once

#include <cstddef>
#include <cstdint>

#include "runtime/core/fallible_vector.h"
#include "runtime/core/span.h"
#include "runtime/core/status.h"

namespace edgeattn {

// Extra bytes after every planned buffer: XNNPACK reads up to
// XNN_EXTRA_BYTES (16) past the end of its inputs (docs/xnnpack-debian12.md
// §6.3; session.cc checks the bound against xnnpack.h).
constexpr size_t kBufferSlack = 64;

// One op as the planner sees it. The spans must outlive plan_arena().
struct PlanOp {
  Span<const int32_t> inputs;   // tensor indices; < 0: an absent optional input
  Span<const int32_t> outputs;  // tensor indices
  size_t scratch_bytes = 0;     // working memory while the op runs; 0: none
};

// One method's graph. Every span must outlive plan_arena().
struct PlanGraph {
  Span<const PlanOp> ops;           // [n_ops] in run order
  Span<const size_t> tensor_bytes;  // [tensor_count] bytes at the session maxima (read for activations only)
  Span<const bool> is_constant;     // [tensor_count] no buffer to plan: constants, and sequence state (persistent)
  Span<const int32_t> inputs;       // graph inputs: live from op 0
  Span<const int32_t> outputs;      // graph outputs: live to the end
  Span<const int32_t> observed;     // activations kept readable after invoke: live to the end
};

// "No buffer": a constant, a tensor this graph does not use, an op without scratch.
constexpr size_t kNoBuffer = SIZE_MAX;

struct PlannedBuffer {
  size_t offset = 0;  // from the start of the planned region, 64-byte aligned
  size_t bytes = 0;   // as requested + kBufferSlack (placed rounded up to 64)
  int first_op = 0;   // lifetime, inclusive; last_op == n_ops: to the end (outputs, observed)
  int last_op = 0;
  int32_t tensor = -1;  // the activation, or -1 for scratch
  int32_t op = -1;      // whose scratch this is, or -1 for an activation
};

struct ArenaPlan {
  Vector<PlannedBuffer> buffers;  // activations in tensor order, then scratch in op order
  Vector<size_t> tensor_buffer;   // [tensor_count] index into buffers, or kNoBuffer
  Vector<size_t> scratch_buffer;  // [n_ops] index into buffers, or kNoBuffer
  size_t activation_bytes = 0;    // size of the planned region
  size_t naive_bytes = 0;         // without reuse: the sum of every buffer's bytes

  // Offset of tensor `t`'s buffer (or op `i`'s scratch), kNoBuffer if none.
  size_t tensor_offset(size_t t) const {
    return tensor_buffer[t] == kNoBuffer ? kNoBuffer : buffers[tensor_buffer[t]].offset;
  }
  size_t scratch_offset(size_t i) const {
    return scratch_buffer[i] == kNoBuffer ? kNoBuffer : buffers[scratch_buffer[i]].offset;
  }
};

// The persistent head of the arena (before the planned region), as the ops
// ask for it at prepare: regions in request order, each 64-byte aligned.
enum class PersistentKind : uint8_t {
  kKvCache,        // an attention op's keys and values
  kTable,          // a table shared by ops (e.g. RoPE cos/sin)
  kCallerScratch,  // SessionOptions::scratch_bytes (the session's own request)
  // Computed once per sequence (runtime/sequence_state.h): a persisted
  // tensor (op -1, key = its index), or a cross-attention op's K/V copy in
  // the session's kv dtype (op >= 0).
  kSequenceState,
  // A recurrent op's state (e.g. Ssru's c [B, D]), carried over the invokes
  // of a sequence like a KV cache.
  kRecurrentState,
  // W and bias of f32 FullyConnected ops packed for the kernel table's
  // packed GEMM (runtime/ops/fc_packed_f32.h), shared by the ops with the
  // same weight; replaces XNNPACK's packed copy outside the arena.
  kPackedWeights,
};

struct PersistentRegion {
  size_t offset = 0;  // from the arena start, 64-byte aligned
  size_t bytes = 0;   // as requested (the region is rounded up to 64)
  int op = -1;        // the op that asked (-1: the session)
  int users = 1;      // ops that share it (tables)
  PersistentKind kind = PersistentKind::kTable;
  const char* shared_kind = nullptr;  // sharing key (request_shared); nullptr: not shared
  uint64_t key = 0;                   // sharing key; for kSequenceState, the tensor index
};

struct PersistentLayout {
  Vector<PersistentRegion> regions;  // in request order (= offset order)
  size_t bytes = 0;                  // the whole persistent head
  size_t kv_cache_bytes = 0;         // the part of it that is KV cache
  size_t sequence_bytes = 0;         // the part of it that is sequence state
  size_t packed_weight_bytes = 0;    // the part of it that is packed weights

  // A new region; returns its offset.
  Result<size_t> request(size_t bytes, PersistentKind kind, int op);
  // The region of every request with the same (shared_kind, key), e.g. one
  // RoPE table per (rotary_dim, theta). *owner is true for the request that
  // created it (that op fills it at bind).
  Result<size_t> request_shared(const char* shared_kind, uint64_t key, size_t bytes, int op, bool* owner,
                                PersistentKind kind = PersistentKind::kTable);
  bool has(PersistentKind kind) const {
    for (const PersistentRegion& r : regions) {
      if (r.kind == kind) return true;
    }
    return false;
  }
};

// Everything Session::prepare decides about one session's arena:
//   [0, persistent.bytes)                          the persistent head
//   [persistent.bytes, + plan.activation_bytes)    the planned region
// kept for bind, and for `edgeattn-convert inspect --plan`
// (describe_session_layout, runtime/session_layout.h).
struct SessionLayout {
  PersistentLayout persistent;
  // The method's graph as planned, and the storage behind its spans.
  Vector<PlanOp> ops;           // [n_ops]
  Vector<size_t> tensor_bytes;  // [tensor_count]
  Vector<bool> is_constant;     // [tensor_count]
  Vector<int32_t> observed;     // [observed] tensor indices
  PlanGraph graph;
  ArenaPlan plan;
};

// Plans `graph` into *plan (replacing its contents). Errors: kInvalidModel
// for a tensor index out of range or an op reading an activation nothing
// wrote; kInvalidArgument for an observed tensor that is not an activation
// of this graph; kOutOfMemory.
Status plan_arena(const PlanGraph& graph, ArenaPlan* plan);

}  // namespace edgeattn
