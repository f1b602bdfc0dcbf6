// Internal: the three phases of every op, looked up by OpCode.
//
//   verify  (Model::load)       model-only checks: arity, dtypes, constant
//                               shapes, options. A file that passes can be
//                               prepared for any limits without crashing.
//   prepare (Session::create)   checks against the session limits, creates
//                               XNNPACK operators, requests persistent arena
//                               bytes (KV cache, RoPE tables).
//   eval    (Session::invoke)   trusts everything above; only values that
//                               come from the caller's data are checked
//                               (token ids). Never allocates.
//
// One file per op family in runtime/ops/ implements these.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/kernels.h"
#include "runtime/core/status.h"
#include "runtime/tensor.h"

struct xnn_operator;
struct pthreadpool;

namespace edgeattn {

class Model;

namespace fb {
struct Op;
}

// Per-op state made at prepare, used at eval. Plain data: the session owns
// the XNNPACK operator and the arena bytes it points to.
struct OpState {
  xnn_operator* xnn = nullptr;      // FullyConnected; deleted with the session
  size_t persistent_offset = 0;     // requested arena bytes (KV cache, ...)
  size_t persistent_bytes = 0;
  uint8_t* persistent = nullptr;    // resolved once the arena exists
  int shared_index = -1;            // e.g. which RoPE table this op uses
  size_t kv_max_batch = 0;          // Attention with a KV cache: its extents
  size_t kv_context = 0;
  KvDType kv_dtype = KvDType::kF32;  // and its storage
  // Working memory needed only while this op runs (e.g. quantized
  // activations); set by prepare, planned into the arena like an activation
  // that lives for this one op, resolved before the first invoke.
  size_t scratch_bytes = 0;
  uint8_t* scratch = nullptr;
  size_t max_rows = 0;              // rows prepare() sized per-row scratch for
};

// Everything prepare() may consult or request.
struct PrepareContext {
  const Model* model = nullptr;
  DimValues max_dims;          // batch, seq, out_seq maxima
  int64_t max_context = 0;     // longest past + seq (decoders)
  pthreadpool* threadpool = nullptr;
  const KernelTable* kernels = nullptr;
  KvDType kv_dtype = KvDType::kF32;  // storage of the KV cache (from SessionOptions::kv_dtype)
  // False for Session::plan(): size everything, create no XNNPACK operators.
  bool create_operators = true;
  // Bytes of persistent arena requested so far (offsets are relative to the
  // start of the persistent region). 64-byte aligned.
  size_t persistent_bytes = 0;
  size_t kv_cache_bytes = 0;   // the part of persistent_bytes that is KV cache

  size_t request_persistent(size_t bytes) {
    size_t offset = persistent_bytes;
    persistent_bytes += (bytes + 63) / 64 * 64;
    return offset;
  }

  // RoPE tables shared by every op with the same (rotary_dim, theta).
  struct RopeTable {
    int rotary_dim;
    float theta;
    size_t offset;  // persistent offset of [max_context, rotary_dim / 2, 2] floats
  };
  static constexpr int kMaxRopeTables = 8;
  RopeTable rope_tables[kMaxRopeTables];
  int rope_table_count = 0;
};

// Everything eval() needs for one invoke.
struct EvalContext {
  DimValues dims;
  int64_t past = 0;                // positions already in the KV cache
  const int32_t* lengths = nullptr;  // [batch] valid tokens per row
  void* const* tensor_data = nullptr;  // [tensor_count] constants and activations
  const Model* model = nullptr;
  const KernelTable* kernels = nullptr;
  pthreadpool* threadpool = nullptr;

  float* f32(int index) const { return static_cast<float*>(tensor_data[index]); }
};

struct OpRegistration {
  const char* name;
  Status (*verify)(const Model& model, const fb::Op& op);
  Status (*prepare)(PrepareContext& ctx, const fb::Op& op, OpState* state);
  Status (*eval)(const EvalContext& ctx, const fb::Op& op, const OpState& state);
};

// nullptr for an unknown op code.
const OpRegistration* find_op(uint16_t code);

// Helpers shared by the op files.
namespace op_util {
// The i-th input index, or -1 if absent/optional.
int input(const fb::Op& op, size_t i);
int output(const fb::Op& op, size_t i);
size_t input_count(const fb::Op& op);
size_t output_count(const fb::Op& op);
// Concrete size of dim `d` of tensor `index` under `dims`.
int64_t dim(const Model& model, int index, int d, const DimValues& dims);
// Product of all dims but the last (rows of a [.., cols] tensor).
int64_t rows(const Model& model, int index, const DimValues& dims);
// Last dim if it is fixed, else -1.
int64_t fixed_last_dim(const Model& model, int index);
}  // namespace op_util

}  // namespace edgeattn
