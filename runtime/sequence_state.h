// Sequence state: what a method computes once per sequence.
//
// An encoder-decoder's "decode" method takes the encoder states as a
// sequence input (Graph.sequence_inputs, schema/edgeattn.fbs): given at the
// start of a sequence (past == 0) only. Every op whose activation inputs
// all derive from sequence inputs (Whisper: each layer's cross-attention
// key and value projections) is a sequence op: the session runs it on the
// first invoke of a sequence and skips it afterwards. The sequence tensors
// that later invokes still read (the cross K/V) live in the arena's
// persistent head, so no planned activation ever overwrites them.
//
//   encoder_states ─► FC(k) ─► cross_k ─┐            sequence ops: run at past == 0
//                   └► FC(v) ─► cross_v ─┤            (outputs persisted)
//   token_ids ─► ... ─► q ─────────────► Attention(cross) ─► ...   every invoke
//
// Example (Session::prepare):
//   SequenceState s;
//   EA_RETURN_IF_ERROR(analyze_sequence_state(model, graph, /*cross_kv_in_ops=*/false, &s));
//   if (s.op_is_sequence[i] && past > 0) continue;  // in invoke
#pragma once

#include <cstdint>

#include "runtime/core/fallible_vector.h"
#include "runtime/core/status.h"

namespace edgeattn {

class Model;
namespace fb {
struct Graph;
}

struct SequenceState {
  Vector<uint8_t> op_is_sequence;      // [n_ops] 1: runs only at the start of a sequence
  Vector<uint8_t> tensor_is_sequence;  // [tensor_count] 1: a sequence input or written by a sequence op
  // [tensor_count] 1: a sequence tensor that must outlive the first invoke
  // (read by a non-sequence op, or a graph output): it lives in the
  // persistent head.
  Vector<uint8_t> tensor_is_persisted;
  bool any = false;                    // the graph has sequence inputs
};

// Fills *state for `graph` (a method of `model`, its indices verified).
// With `cross_kv_in_ops`, cross-attention ops keep their own copy of their
// k/v inputs (a KV dtype other than f32, op_attention.cc), so reading them
// does not make those inputs persisted.
// Errors: kInvalidModel when a sequence input is not an f32 input of the
// graph, or a sequence tensor has a Seq/OutSeq dim (its size must not
// depend on the first invoke's length); kOutOfMemory.
Status analyze_sequence_state(const Model& model, const fb::Graph& graph, bool cross_kv_in_ops,
                              SequenceState* state);

}  // namespace edgeattn
