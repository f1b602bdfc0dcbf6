// Session: one stream of inference over a shared, read-only Model.
//
// create() is init + prepare: it checks the model against the limits, plans
// every activation, scratch buffer and the KV cache into ONE arena, creates
// the XNNPACK operators and the thread pool. invoke() then runs the graph
// with zero heap allocations; it validates only what the caller passes in
// (sizes, token ids).
//
// The arena (caller-supplied or allocated once by create()):
//
//   +----------------------------- persistent ----------------------------+--- planned ---+
//   | KV cache (decoders): [2, B, Hkv, ctx, Dh] per attention op           | activations,  |
//   | RoPE (cos, sin) tables: [ctx, rotary_dim / 2, 2], shared by all ops  | reused across |
//   | caller scratch (e.g. sampling: probabilities, candidates, history)   | ops by their  |
//   |                                                                      | lifetimes     |
//   +----------------------------------------------------------------------+---------------+
//   ^ arena start (64-byte aligned)                                        ^ persistent_bytes
//
// XNNPACK's packed weights live in XNNPACK's own allocations (counted, see
// MemoryStats::xnnpack_bytes); they are made at create() and never after.
//
// Example (sentence embeddings):
//   SessionOptions opts;
//   opts.max_batch = 4; opts.max_seq = 128;
//   auto session = Session::create(*model, opts);       // Result<unique_ptr<Session>>
//   int32_t ids[2 * 8] = {...};  int32_t lengths[2] = {8, 5};
//   InvokeInput in{ids, 2, 8, lengths};
//   Status s = (*session)->invoke(in);
//   TensorView emb = (*session)->output(0);              // [2, 384]
//
// Example (decoder): invoke() with seq = prompt length (prefill), then with
// seq = 1 per generated token; each call appends to the KV cache and
// past() grows. reset() starts a new sequence.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "runtime/core/fallible_vector.h"
#include "runtime/core/span.h"
#include "runtime/core/status.h"
#include "runtime/tensor.h"

struct pthreadpool;

namespace edgeattn {

class Model;
struct KernelTable;  // only the private parts name it: kernels/kernels.h is not public
struct OpRecord;     // the private parts: runtime/ops/op_registry.h, runtime/session_plan.h
class OpStatePool;
struct SessionLayout;
namespace fb {
struct Graph;
}

// Storage of the KV cache (decoders). Attention math stays fp32; fp16 and
// int8 (one scale per cached row) halve / quarter the cache and the memory
// traffic of long-context decoding. (session.cc maps it onto the kernels'
// own KvDType.)
enum class KvCacheDType : uint8_t { kF32 = 0, kF16 = 1, kI8 = 2 };

struct SessionOptions {
  // The method (named entry graph) to run, e.g. "forward", or "encode" and
  // "decode" of an encoder-decoder; nullptr: the model's first method. See
  // ModelInfo::methods. Read only during create() / plan().
  const char* method = nullptr;
  int max_batch = 1;
  int max_seq = 128;            // tokens in one invoke
  int max_context = 0;          // decoders: past + seq limit (0: max_seq)
  // Methods with a SourceSeq dim (a translation decoder's encoder states):
  // the longest source (0: max_seq).
  int max_source_seq = 0;
  // Methods with a selection input (ids of the output rows to compute):
  // the most ids one invoke may select (0: the model's vocab_size).
  int max_selection = 0;
  // Methods with image dims (Height / Width, e.g. a text detector or a
  // recognizer of any line width): the largest image height and width one
  // invoke may give, each a multiple of the method's image_multiple()
  // (0 on a method with such a dim is an error naming it).
  int max_image_height = 0;
  int max_image_width = 0;
  // Worker threads, 1..256; 0 = every online CPU (online_cpus()).
  int threads = 1;
  KvCacheDType kv_dtype = KvCacheDType::kF32;
  // Optional caller-owned arena, 64-byte aligned, which must outlive the
  // Session. Empty: create() allocates one of the required size.
  Span<uint8_t> arena;
  // Extra bytes reserved in the arena's persistent region for the caller,
  // e.g. Generator::scratch_bytes() for sampling; see Session::scratch().
  size_t scratch_bytes = 0;
  // Accumulate the wall time of every op across invokes (op_times_ns()).
  bool profile = false;
  // Activations to keep readable after invoke() (observed()), e.g. block
  // outputs for a quantization report. Names must exist; the planner keeps
  // them alive to the end of the graph. Must outlive create().
  Span<const char* const> observe;
  // Kernel table by name. nullptr or "auto": the best table for this CPU;
  // else one of available_kernel_names(), e.g. "reference" (the same output
  // bits on every architecture, slow; targets/README.md "Bit-identity") or
  // "avx2" on a VNNI host. Any other name makes create() and plan() fail
  // with kInvalidArgument listing the available names. Read only during
  // create() / plan(): the string need not outlive them.
  const char* kernels = nullptr;
};

// The kernel tables this build has and this CPU can run, reference first,
// then in the order of preference (the last is what "auto" picks), e.g.
// "reference", "avx2", "avx512vnni" or "reference", "neon", "neon_dotprod",
// "neon_fp16": the names SessionOptions::kernels accepts besides "auto".
// Writes at most max_names static strings to `names` and returns how many
// tables there are (call with max_names 0 to size the array).
size_t available_kernel_names(const char** names, size_t max_names);

// Ok for a SessionOptions::kernels value create() accepts (nullptr, "auto"
// or an available name); else kInvalidArgument naming it and listing the
// available names. For front-ends that check a flag before loading a model.
Status check_kernels_name(const char* name);

struct MemoryStats {
  size_t arena_bytes = 0;       // persistent + planned activations
  size_t activation_bytes = 0;  // planned part
  size_t persistent_bytes = 0;  // KV cache + tables + caller scratch
  size_t kv_cache_bytes = 0;
  size_t sequence_bytes = 0;    // sequence state, e.g. cross-attention K/V (part of persistent_bytes)
  // f32 weights packed for the kernel table's own GEMM (part of
  // persistent_bytes; issue #18), where XNNPACK's packed copy would be.
  size_t packed_weight_bytes = 0;
  size_t xnnpack_bytes = 0;     // XNNPACK operators (packed weights), held since create()
  size_t weight_bytes = 0;      // the model's constants (mapped, shared by sessions)
  size_t naive_activation_bytes = 0;  // what the activations would take without reuse
};

struct InvokeInput {
  const int32_t* ids = nullptr;      // [batch, seq] row-major token ids (methods with an i32 input)
  int batch = 1;
  int seq = 0;                       // ignored (may be 0) by methods whose inputs have no seq dim
  const int32_t* lengths = nullptr;  // [batch] valid tokens per row; nullptr: all seq
  bool all_positions = false;        // decoders: outputs for every position, not just the last
  // The method's f32 inputs, in its input order (ModelInfo::methods), each
  // row-major at this invoke's batch: e.g. log-mel features [batch, 3000, 80]
  // of "encode", encoder states [batch, 1500, 384] of "decode". A sequence
  // input (MethodInfo) is read only when past() == 0 and may be null after.
  Span<const float* const> float_inputs;
  // Methods with a SourceSeq dim: its length for this sequence (e.g. the
  // source sentence's tokens), read only when past() == 0.
  int source_seq = 0;
  // Methods with a selection input: the output rows to compute, e.g. a
  // translation model's shortlisted target ids (each in [0, rows)).
  const int32_t* selection = nullptr;
  int selection_size = 0;
  // Methods with image dims: this invoke's image height and width (the
  // input's, e.g. x [batch, height, width, 3]), multiples of
  // Session::image_multiple_height() / _width() within the maxima.
  int image_height = 0;
  int image_width = 0;
};

class Session {
 public:
  static Result<std::unique_ptr<Session>> create(const Model& model, const SessionOptions& options);
  // The arena size create() would need, without creating anything.
  static Result<MemoryStats> plan(const Model& model, const SessionOptions& options);

  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  Status invoke(const InvokeInput& input);

  size_t output_count() const;
  // Valid until the next invoke().
  TensorView output(size_t index) const;
  // An activation listed in SessionOptions::observe; empty view otherwise.
  TensorView observed(const char* name) const;

  // The Model this session runs (it must outlive the session).
  const Model& model() const { return *model_; }
  // True if this session was created for `model` (e.g. a wrapper checking a
  // (model, session) pair it was handed).
  bool is_for(const Model& model) const { return model_ == &model; }

  // Positions of the sequence so far (decoders: tokens in the KV cache or
  // consumed by a recurrent op's state); 0 for encoders. reset() starts a
  // new sequence: the next invoke gives the sequence inputs (e.g. encoder
  // states) again and recomputes the sequence state.
  int64_t past() const { return past_; }
  void reset() { past_ = 0; sequence_batch_ = 0; sequence_source_ = 0; }
  // True for decoders: a KV cache or recurrent state carries positions over invokes.
  bool has_kv_cache() const { return has_kv_cache_; }
  int64_t max_context() const { return max_context_; }
  int64_t max_seq() const { return max_dims_.seq; }
  int64_t max_batch() const { return max_dims_.batch; }
  // Methods with image dims: what every image height (width) must be a
  // multiple of (the least common multiple of the method's divisors, e.g.
  // 32 for a detector with five stride-2 stages); 0 when the method has no
  // such dim. The maxima as set at create().
  int64_t image_multiple_height() const { return image_multiple_h_; }
  int64_t image_multiple_width() const { return image_multiple_w_; }
  int64_t max_image_height() const { return max_dims_.height; }
  int64_t max_image_width() const { return max_dims_.width; }

  // The SessionOptions::scratch_bytes reserved in the arena (64-byte aligned).
  Span<uint8_t> scratch() const { return scratch_; }

  const MemoryStats& memory() const { return memory_; }

  // With SessionOptions::profile: nanoseconds spent in each op of the graph
  // (graph order) summed over all invokes so far; empty otherwise.
  Span<const uint64_t> op_times_ns() const { return Span<const uint64_t>(op_times_ns_.data(), op_times_ns_.size()); }
  void reset_profile() { std::fill(op_times_ns_.begin(), op_times_ns_.end(), 0); }
  // The method this session runs (a string inside the model).
  const char* method() const;
  // The method's ops, in run order, for reading op_times_ns(): how many,
  // each op's name ("blk.0.attn_q") and kind ("FullyConnected"). Strings
  // live as long as the model; out-of-range indices give "".
  size_t op_count() const;
  const char* op_name(size_t index) const;
  const char* op_kind(size_t index) const;
  // The name of the kernel table the session runs (a static string).
  const char* kernel_name() const;

 private:
  // Internal hook for tests that need a table no CPU is handed (runtime/session_with_kernels.h).
  friend Result<std::unique_ptr<Session>> create_session_with_kernels(const Model& model,
                                                                     const SessionOptions& options,
                                                                     const KernelTable& kernels);
  // describe_session_layout() (runtime/session_layout.h): the layout for `edgeattn-convert inspect --plan`.
  friend struct SessionLayoutAccess;

  Session() = default;
  // create() (allocate) and plan() (sizes only): the steps below, in order.
  Status prepare(const SessionOptions& options, const KernelTable& kernels, bool allocate, SessionLayout* layout);
  Status check_options(const SessionOptions& options);
  Status check_image_options(const SessionOptions& options);
  Status start_threads(int threads);
  Status prepare_ops(const SessionOptions& options, bool create_operators, SessionLayout* layout);
  Status prepare_inputs(SessionLayout* layout);
  Status plan_activations(const SessionOptions& options, SessionLayout* layout);
  Status check_invoke(const InvokeInput& input) const;
  void copy_inputs(const InvokeInput& input, const DimValues& dims);
  Result<uint8_t*> allocate_arena(Span<uint8_t> caller_arena);
  Status bind(const SessionOptions& options, const SessionLayout& layout, uint8_t* arena);
  TensorView view_of(int tensor) const;

  const Model* model_ = nullptr;     // must outlive the Session
  const fb::Graph* graph_ = nullptr;  // inside model_
  const KernelTable* kernels_ = nullptr;
  pthreadpool* threadpool_ = nullptr;
  Vector<OpRecord> ops_;                       // [ops] what each op prepared; states in op_state_pool_
  std::unique_ptr<OpStatePool> op_state_pool_;  // the ops' typed states
  Vector<void*> tensor_data_;                  // [tensor_count]
  uint8_t* arena_ = nullptr;                   // caller's or owned_arena_; null until bound
  void* owned_arena_ = nullptr;
  DimValues max_dims_;
  int64_t max_context_ = 0;
  int64_t past_ = 0;
  bool has_kv_cache_ = false;                  // an op asked for a KV cache at prepare
  DimValues last_dims_;
  Vector<int32_t> all_lengths_;                // [max_batch], filled with seq when lengths is null
  int32_t ids_input_ = -1;                     // the i32 input tensor, -1: none
  int32_t selection_input_ = -1;               // the i32 [Selection] input, -1: none
  bool uses_source_ = false;                   // a tensor of the method has a SourceSeq dim
  int64_t sequence_source_ = 0;                // SourceSeq of the current sequence
  Vector<int32_t> float_inputs_;               // [f32 inputs] tensor indices, in input order
  Vector<uint8_t> input_is_sequence_;          // [f32 inputs] 1: a sequence input
  bool uses_seq_ = false;                      // an input has a seq dim (InvokeInput::seq is read)
  int64_t image_multiple_h_ = 0;               // lcm of the method's Height divisors, 0: none
  int64_t image_multiple_w_ = 0;               // lcm of its Width divisors, 0: none
  // Sequence state (runtime/sequence_state.h): ops run only when past_ == 0,
  // and the persistent offset of each tensor they keep (kNoOffset: none).
  Vector<uint8_t> op_is_sequence_;             // [ops]
  Vector<size_t> persisted_offset_;            // [tensor_count]
  int64_t sequence_batch_ = 0;                 // batch of the sequence's first invoke
  Span<uint8_t> scratch_;
  Vector<uint64_t> op_times_ns_;               // [ops] when profiling
  Vector<int> observed_;                       // tensor indices kept readable
  MemoryStats memory_;
};

}  // namespace edgeattn
