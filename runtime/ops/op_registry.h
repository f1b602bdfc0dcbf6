// Internal: the phases of every op, looked up by OpCode.
//
//   verify  (Model::load)       model-only checks: arity, dtypes, constant
//                               shapes, options. A file that passes can be
//                               prepared for any limits without crashing.
//   prepare (Session::create)   checks against the session limits; makes the
//                               op's own state (make_state), creates XNNPACK
//                               operators, asks for persistent arena bytes
//                               (KV cache, shared tables) and for scratch.
//   bind    (Session::create)   the arena exists: resolve persistent
//                               pointers in the state, fill tables.
//   eval    (Session::invoke)   trusts everything above; only values that
//                               come from the caller's data are checked
//                               (token ids). Never allocates.
//   release (~Session)          frees what the state owns (XNNPACK operators).
//
// One file per op family in runtime/ops/ implements these. An op with
// per-session state defines its own struct (e.g. AttentionState in
// op_attention.cc, FullyConnectedState in op_fully_connected.h), makes it in
// prepare with ctx.make_state<T>(record) and reads it in eval with
// state_of<T>(record): the session stores only the generic OpRecord below
// and never looks inside. TFLite Micro's per-op user_data is the model.
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>

#include "kernels/kernels.h"
#include "runtime/core/fallible_vector.h"
#include "runtime/core/status.h"
#include "runtime/session_plan.h"
#include "runtime/tensor.h"

struct pthreadpool;

namespace edgeattn {

class Model;
struct OpRegistration;

namespace fb {
struct Op;
}

// What the session keeps for every op of its method: made at prepare,
// resolved at bind, read at eval.
struct OpRecord {
  const OpRegistration* reg = nullptr;  // the op's phases (set by the session)
  // The op family's own state (e.g. AttentionState), made by prepare with
  // PrepareContext::make_state; nullptr for ops without one. Lives in the
  // session's OpStatePool; the family's release() frees what it owns.
  void* state = nullptr;
  // Working memory needed only while this op runs (e.g. quantized
  // activations): sized by prepare, planned into the arena like an
  // activation that lives for this one op, resolved at bind.
  size_t scratch_bytes = 0;
  uint8_t* scratch = nullptr;
};

// The op's typed state in eval (the type it gave make_state).
template <typename T>
const T& state_of(const OpRecord& record) {
  return *static_cast<const T*>(record.state);
}

// Prepare-time storage for the ops' states: zeroed blocks carved from
// 4 KiB chunks, stable until the pool dies (with the session). Allocation
// failures are kOutOfMemory.
class OpStatePool {
 public:
  OpStatePool() = default;
  ~OpStatePool();
  OpStatePool(const OpStatePool&) = delete;
  OpStatePool& operator=(const OpStatePool&) = delete;

  // `bytes` zeroed bytes, aligned for any scalar type.
  Result<void*> allocate(size_t bytes);

 private:
  static constexpr size_t kChunkBytes = 4096;
  Vector<void*> chunks_;  // [chunks] each calloc'd
  size_t chunk_size_ = 0;  // of the last chunk
  size_t used_ = 0;        // bytes handed out from the last chunk
};

// Everything prepare() may consult or request, for one op at a time.
struct PrepareContext {
  const Model* model = nullptr;
  DimValues max_dims;          // batch, seq, out_seq maxima
  int64_t max_context = 0;     // longest past + seq (decoders)
  pthreadpool* threadpool = nullptr;  // nullptr in plan() and for 1 thread
  // SessionOptions::threads (>= 1), also in plan(): what per-thread scratch
  // and operators are sized by, so plan() gives create()'s arena.
  size_t threads = 1;
  const KernelTable* kernels = nullptr;
  KvDType kv_dtype = KvDType::kF32;  // storage of the KV cache (from SessionOptions::kv_dtype)
  // False for Session::plan(): size everything, create no XNNPACK operators.
  bool create_operators = true;
  int op_index = 0;                       // the op being prepared
  PersistentLayout* persistent = nullptr;  // the session's
  OpStatePool* states = nullptr;           // the session's

  // Makes the op's state (value-initialized T) and records it in `record`.
  // T must be trivially destructible: what it owns is freed by release().
  template <typename T>
  Result<T*> make_state(OpRecord* record) {
    static_assert(std::is_trivially_destructible<T>::value, "op states are never destroyed; free in release()");
    EA_ASSIGN_OR_RETURN(void* bytes, states->allocate(sizeof(T)));
    static_assert(alignof(T) <= alignof(std::max_align_t), "the pool aligns for scalars only");
    T* state = new (bytes) T();
    record->state = state;
    return state;
  }
  Result<size_t> request_persistent(size_t bytes, PersistentKind kind) {
    return persistent->request(bytes, kind, op_index);
  }
  Result<size_t> request_shared_persistent(const char* shared_kind, uint64_t key, size_t bytes, bool* owner,
                                           PersistentKind kind = PersistentKind::kTable) {
    return persistent->request_shared(shared_kind, key, bytes, op_index, owner, kind);
  }
};

// What bind() may use: the arena exists.
struct BindContext {
  uint8_t* arena = nullptr;  // start of the arena; persistent offsets count from here
  int64_t max_context = 0;
  const KernelTable* kernels = nullptr;
  const Model* model = nullptr;  // constants to fill persistent regions from (packed weights)

  uint8_t* persistent(size_t offset) const { return arena + offset; }
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

  // The thread pool for an op of `work` multiply-adds, or nullptr (run on
  // the calling thread) when that is too little to pay for waking the
  // workers: a dispatch costs ~30 us on a 2-core KVM guest, what 1-2 M int8
  // multiply-adds take on one core. A translation decoder's step (ops of
  // 65 K-400 K) then stays on one thread instead of paying it ~20 times.
  static constexpr size_t kMinParallelWork = size_t{1} << 21;
  pthreadpool* pool_for(size_t work) const { return work >= kMinParallelWork ? threadpool : nullptr; }

  // The same for an op that reads `bytes_read` bytes it does not reuse: a
  // linear layer's weights at decode (a few rows), an attention's KV cache.
  // Its time is that reading, from DRAM once a model outgrows the cache:
  // 512 KiB take ~25 us at 20 GB/s, and the dispatch is < 1 us when the
  // workers are still spinning from the op before (they are, once every such
  // op runs on them). A 110 M Llama's 768x768 int8 projections, under 2^21
  // multiply-adds, then use both cores (2-thread int8 decode 92 -> 215
  // tok/s); a Bergamot decoder's (256 wide, <= 384 KiB) stay on the calling
  // thread.
  static constexpr size_t kMinParallelReadBytes = size_t{512} << 10;
  pthreadpool* pool_for_reads(size_t work, size_t bytes_read) const {
    return work >= kMinParallelWork || bytes_read >= kMinParallelReadBytes ? threadpool : nullptr;
  }
};

// An op family's phases. prepare, bind and release may be nullptr (nothing
// to do); verify and eval may not.
struct OpRegistration {
  const char* name;
  Status (*verify)(const Model& model, const fb::Op& op);
  Status (*prepare)(PrepareContext& ctx, const fb::Op& op, OpRecord* record);
  void (*bind)(const BindContext& ctx, const fb::Op& op, OpRecord& record);
  Status (*eval)(const EvalContext& ctx, const fb::Op& op, const OpRecord& record);
  void (*release)(OpRecord& record);
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
// The key of a region of weights packed from input 1 (the weight) and, when
// `with_bias`, input 2 (the bias, absent = -1) for
// PrepareContext::request_shared_persistent: ops with the same pair share
// one. Tensor indices are int32, so the two halves never collide.
uint64_t packed_weight_key(const fb::Op& op, bool with_bias);
}  // namespace op_util

}  // namespace edgeattn
