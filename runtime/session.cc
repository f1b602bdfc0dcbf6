#include "runtime/session.h"

#include <pthreadpool.h>
#include <xnnpack.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "kernels/kernels.h"
#include "runtime/model_internal.h"
#include "runtime/platform.h"
#include "runtime/ops/op_registry.h"
#include "runtime/session_layout.h"
#include "runtime/session_plan.h"
#include "runtime/sequence_state.h"
#include "runtime/session_with_kernels.h"
#include "runtime/xnnpack_context.h"
#include "schema/edgeattn_generated.h"

namespace edgeattn {
namespace {

// XNNPACK reads up to XNN_EXTRA_BYTES past the end of its inputs
// (docs/xnnpack-debian12.md §6.3); every planned buffer gets kBufferSlack
// (session_plan.h).
static_assert(kBufferSlack >= XNN_EXTRA_BYTES, "slack must cover XNNPACK's over-reads");

// SessionOptions::kernels -> a table: nullptr or "auto" the best for this
// CPU, else the available table of that name, else check_kernels_name()'s
// error listing the names. The choice lives here so that no front-end needs
// kernels/kernels.h.
Result<const KernelTable*> choose_kernels(const char* name) {
  if (name == nullptr || std::strcmp(name, "auto") == 0) return &select_kernels(detect_cpu_features());
  if (const KernelTable* table = find_kernel_table(name)) return table;
  return check_kernels_name(name);
}

// The one place the public KvCacheDType becomes the kernels' KvDType.
Result<KvDType> kv_dtype_for(KvCacheDType dtype) {
  switch (dtype) {
    case KvCacheDType::kF32:
      return KvDType::kF32;
    case KvCacheDType::kF16:
      return KvDType::kF16;
    case KvCacheDType::kI8:
      return KvDType::kI8;
  }
  return Status::error(StatusCode::kInvalidArgument, "unknown kv_dtype %d", static_cast<int>(dtype));
}

}  // namespace

Status check_kernels_name(const char* name) {
  if (name == nullptr || std::strcmp(name, "auto") == 0 || find_kernel_table(name) != nullptr) return Status();
  const char* names[kMaxKernelTables];
  const size_t n = std::min(available_kernel_names(names, kMaxKernelTables), kMaxKernelTables);
  char list[128] = "";
  size_t used = 0;
  for (size_t i = 0; i < n && used < sizeof(list); ++i) {
    const int w = std::snprintf(list + used, sizeof(list) - used, "%s%s", i > 0 ? ", " : "", names[i]);
    if (w < 0) break;
    used += static_cast<size_t>(w);
  }
  return Status::error(StatusCode::kInvalidArgument,
                       "kernels '%s': no such kernel table in this build for this CPU (available: %s)", name, list);
}

size_t available_kernel_names(const char** names, size_t max_names) {
  const KernelTable* tables[kMaxKernelTables];
  const size_t n = available_kernel_tables(tables, kMaxKernelTables);
  for (size_t i = 0; i < n && i < max_names; ++i) names[i] = tables[i]->name;
  return n;
}

Result<std::unique_ptr<Session>> create_session_with_kernels(const Model& model, const SessionOptions& options,
                                                             const KernelTable& kernels) {
  std::unique_ptr<Session> session(new (std::nothrow) Session());
  EA_ENSURE(session != nullptr, StatusCode::kOutOfMemory, "out of memory allocating the Session");
  session->model_ = &model;
  SessionLayout layout;
  EA_RETURN_IF_ERROR(session->prepare(options, kernels, /*allocate=*/true, &layout));
  return session;
}

// Befriended by Session (session.h) for describe_session_layout().
struct SessionLayoutAccess {
  static Status describe(const Model& model, const SessionOptions& options, SessionLayout* layout,
                         MemoryStats* memory) {
    EA_ASSIGN_OR_RETURN(const KernelTable* kernels, choose_kernels(options.kernels));
    Session session;
    session.model_ = &model;
    EA_RETURN_IF_ERROR(session.prepare(options, *kernels, /*allocate=*/false, layout));
    *memory = session.memory_;
    return Status::ok();
  }
};

Status describe_session_layout(const Model& model, const SessionOptions& options, SessionLayout* layout,
                               MemoryStats* memory) {
  return SessionLayoutAccess::describe(model, options, layout, memory);
}

Session::~Session() {
  for (OpRecord& op : ops_) {
    if (op.reg != nullptr && op.reg->release != nullptr) op.reg->release(op);
  }
  if (threadpool_ != nullptr) pthreadpool_destroy(threadpool_);
  std::free(owned_arena_);
}

Result<std::unique_ptr<Session>> Session::create(const Model& model, const SessionOptions& options) {
  EA_ASSIGN_OR_RETURN(const KernelTable* kernels, choose_kernels(options.kernels));
  return create_session_with_kernels(model, options, *kernels);
}

Result<MemoryStats> Session::plan(const Model& model, const SessionOptions& options) {
  SessionLayout layout;
  MemoryStats memory;
  EA_RETURN_IF_ERROR(describe_session_layout(model, options, &layout, &memory));
  return memory;
}

const char* Session::kernel_name() const { return kernels_ != nullptr ? kernels_->name : ""; }

// init + prepare. With `allocate` false (plan()), everything is sized and
// nothing is made: no thread pool, no XNNPACK operator, no arena.
Status Session::prepare(const SessionOptions& requested, const KernelTable& kernels, bool allocate,
                        SessionLayout* layout) {
  SessionOptions options = requested;
  if (options.threads == 0) options.threads = online_cpus();
  EA_RETURN_IF_ERROR(check_options(options));
  kernels_ = &kernels;
  if (allocate) EA_RETURN_IF_ERROR(start_threads(options.threads));
  const int64_t xnn_before = xnnpack_thread_live_bytes();
  EA_RETURN_IF_ERROR(prepare_ops(options, /*create_operators=*/allocate, layout));
  EA_RETURN_IF_ERROR(prepare_inputs(layout));
  EA_RETURN_IF_ERROR(plan_activations(options, layout));
  if (!allocate) return Status::ok();
  EA_ASSIGN_OR_RETURN(uint8_t* const arena, allocate_arena(options.arena));
  EA_RETURN_IF_ERROR(bind(options, *layout, arena));
  memory_.xnnpack_bytes = static_cast<size_t>(xnnpack_thread_live_bytes() - xnn_before);
  return Status::ok();
}

// The limits, and the method they apply to.
Status Session::check_options(const SessionOptions& options) {
  const Model& model = *model_;
  graph_ = internal::find_method(model, options.method);
  EA_ENSURE(graph_ != nullptr, StatusCode::kInvalidArgument, "model has no method '%s'", options.method);
  EA_ENSURE(options.max_batch >= 1 && options.max_batch <= 4096, StatusCode::kInvalidArgument,
            "max_batch %d not in [1, 4096]", options.max_batch);
  EA_ENSURE(options.max_seq >= 1 && options.max_seq <= (1 << 20), StatusCode::kInvalidArgument,
            "max_seq %d not in [1, 2^20]", options.max_seq);
  EA_ENSURE(options.threads >= 1 && options.threads <= 256, StatusCode::kInvalidArgument,
            "threads %d not in [1, 256] (0: every online CPU)", options.threads);
  max_context_ = options.max_context > 0 ? options.max_context : options.max_seq;
  EA_ENSURE(max_context_ >= options.max_seq && max_context_ <= (1 << 20), StatusCode::kInvalidArgument,
            "max_context %lld must be in [max_seq %d, 2^20]", static_cast<long long>(max_context_), options.max_seq);
  EA_ENSURE(options.max_source_seq >= 0 && options.max_source_seq <= (1 << 20) && options.max_selection >= 0 &&
                options.max_selection <= (1 << 24),
            StatusCode::kInvalidArgument, "max_source_seq %d / max_selection %d out of range", options.max_source_seq,
            options.max_selection);
  max_dims_ = DimValues{options.max_batch, options.max_seq, options.max_seq};
  max_dims_.source = options.max_source_seq > 0 ? options.max_source_seq : options.max_seq;
  const int64_t vocab = model.info().vocab_size;
  max_dims_.selection = options.max_selection > 0 ? options.max_selection : std::max<int64_t>(vocab, 1);
  return check_image_options(options);
}

namespace {

int64_t lcm(int64_t a, int64_t b) {
  int64_t x = a, y = b;
  while (y != 0) {
    const int64_t r = x % y;
    x = y;
    y = r;
  }
  return a / x * b;
}

}  // namespace

// Image dims: the multiples every height / width must be (from the divisors
// of the method's tensors), and the maxima, which must be such multiples.
Status Session::check_image_options(const SessionOptions& options) {
  const Model& model = *model_;
  image_multiple_h_ = image_multiple_w_ = 0;
  const auto visit = [&](const flatbuffers::Vector<int32_t>* list) {
    if (list == nullptr) return;
    for (int32_t t : *list) {
      if (t < 0) continue;
      const TensorInfo& info = model.tensor(static_cast<size_t>(t));
      if (info.is_constant) continue;
      for (int d = 0; d < info.rank; ++d) {
        int64_t* m = info.dims[d].kind == DimKind::kHeight  ? &image_multiple_h_
                     : info.dims[d].kind == DimKind::kWidth ? &image_multiple_w_
                                                            : nullptr;
        // Divisors are <= 4096 (verified), so the lcm of a graph's few stays small; cap it.
        if (m != nullptr) *m = std::min<int64_t>(lcm(*m == 0 ? 1 : *m, info.dims[d].value), int64_t{1} << 20);
      }
    }
  };
  visit(graph_->inputs());
  for (const fb::Op* op : *graph_->ops()) {
    visit(op->inputs());
    visit(op->outputs());
  }
  const auto check = [&](int64_t multiple, int max, const char* what, int64_t* out) -> Status {
    if (multiple == 0) return Status::ok();
    EA_ENSURE(max >= 1 && max <= (1 << 16) && max % multiple == 0, StatusCode::kInvalidArgument,
              "method '%s' takes images: max_image_%s %d must be a multiple of %lld in [1, 65536]", method(), what,
              max, static_cast<long long>(multiple));
    *out = max;
    return Status::ok();
  };
  EA_RETURN_IF_ERROR(check(image_multiple_h_, options.max_image_height, "height", &max_dims_.height));
  return check(image_multiple_w_, options.max_image_width, "width", &max_dims_.width);
}

Status Session::start_threads(int threads) {
  EA_RETURN_IF_ERROR(ensure_xnnpack_initialized());
  if (threads > 1) {
    threadpool_ = pthreadpool_create(static_cast<size_t>(threads));
    EA_ENSURE(threadpool_ != nullptr, StatusCode::kOutOfMemory, "out of memory creating a thread pool of %d threads",
              threads);
  }
  return Status::ok();
}

// Each op's prepare(): its state, XNNPACK operators, persistent regions
// (into layout->persistent) and scratch size (into its OpRecord).
Status Session::prepare_ops(const SessionOptions& options, bool create_operators, SessionLayout* layout) {
  EA_ASSIGN_OR_RETURN(const KvDType kv_dtype, kv_dtype_for(options.kv_dtype));
  op_state_pool_.reset(new (std::nothrow) OpStatePool());
  EA_ENSURE(op_state_pool_ != nullptr, StatusCode::kOutOfMemory, "out of memory allocating the op state pool");
  PrepareContext ctx;
  ctx.model = model_;
  ctx.max_dims = max_dims_;
  ctx.max_context = max_context_;
  ctx.threadpool = threadpool_;
  ctx.threads = static_cast<size_t>(std::max(1, options.threads));
  ctx.kernels = kernels_;
  ctx.kv_dtype = kv_dtype;
  ctx.create_operators = create_operators;
  ctx.persistent = &layout->persistent;
  ctx.states = op_state_pool_.get();
  const size_t n_ops = graph_->ops()->size();
  EA_RETURN_IF_ERROR(ops_.assign(n_ops, OpRecord(), "the op records"));
  for (size_t i = 0; i < n_ops; ++i) {
    const fb::Op& op = *graph_->ops()->Get(static_cast<flatbuffers::uoffset_t>(i));
    OpRecord& record = ops_[i];
    record.reg = find_op(static_cast<uint16_t>(op.code()));  // known: verified at load
    if (record.reg->prepare == nullptr) continue;
    ctx.op_index = static_cast<int>(i);
    Status s = record.reg->prepare(ctx, op, &record);
    if (!s.is_ok()) return s.with_context("op %zu (%s '%s')", i, record.reg->name, op.name() ? op.name()->c_str() : "");
  }
  has_kv_cache_ =
      layout->persistent.has(PersistentKind::kKvCache) || layout->persistent.has(PersistentKind::kRecurrentState);
  return Status::ok();
}

// The method's inputs: token ids (at most one i32 [batch, seq]) and f32
// inputs ([batch, ...]); then its sequence state (sequence_state.h): which
// ops run only at a sequence's start, and a persistent region for every
// sequence tensor read after it.
Status Session::prepare_inputs(SessionLayout* layout) {
  const Model& model = *model_;
  const char* method = graph_->name()->c_str();
  // Cross-attention ops that asked for a sequence-state region at prepare
  // keep their own K/V copy (op_attention.cc decides: a KV dtype other than
  // f32), so their k/v inputs need not outlive the first invoke.
  bool cross_kv_in_ops = false;
  for (const PersistentRegion& r : layout->persistent.regions) {
    cross_kv_in_ops = cross_kv_in_ops || (r.kind == PersistentKind::kSequenceState && r.op >= 0);
  }
  SequenceState state;
  EA_RETURN_IF_ERROR(analyze_sequence_state(model, *graph_, cross_kv_in_ops, &state));
  for (int32_t t : *graph_->inputs()) {
    const TensorInfo& info = model.tensor(static_cast<size_t>(t));
    // The SourceSeq dim comes from the sequence inputs (encoder states).
    for (int d = 0; d < info.rank; ++d) uses_source_ = uses_source_ || info.dims[d].kind == DimKind::kSourceSeq;
    if (info.dtype == DType::kI32 && info.rank == 1 && info.dims[0].kind == DimKind::kSelection) {
      EA_ENSURE(selection_input_ < 0, StatusCode::kUnsupported, "method '%s': more than one selection input", method);
      selection_input_ = t;
      continue;
    }
    // (format 1.6) A float input may also fix dim 0: a model exported for one
    // sample (e.g. a clip model's [1, H, W, T]) takes that many rows per invoke.
    EA_ENSURE(info.rank >= 1 && (info.dims[0].kind == DimKind::kBatch ||
                                 (info.dims[0].kind == DimKind::kFixed && info.dtype != DType::kI32)),
              StatusCode::kInvalidModel, "method '%s': input '%s' must have the batch (or, a float input, a fixed count) as dim 0",
              method, info.name);
    for (int d = 0; d < info.rank; ++d) uses_seq_ = uses_seq_ || info.dims[d].kind == DimKind::kSeq;
    if (info.dtype == DType::kI32) {
      EA_ENSURE(ids_input_ < 0, StatusCode::kUnsupported, "method '%s': more than one token-id input", method);
      EA_ENSURE(info.rank == 2 && info.dims[1].kind == DimKind::kSeq, StatusCode::kInvalidModel,
                "method '%s': token-id input '%s' must be [batch, seq]", method, info.name);
      ids_input_ = t;
      continue;
    }
    EA_RETURN_IF_ERROR(float_inputs_.push_back(t, "the input list"));
    EA_RETURN_IF_ERROR(input_is_sequence_.push_back(state.tensor_is_sequence[static_cast<size_t>(t)], "the input list"));
  }
  op_is_sequence_ = std::move(state.op_is_sequence);
  EA_RETURN_IF_ERROR(persisted_offset_.assign(model.tensor_count(), kNoBuffer, "the sequence state offsets"));
  for (size_t t = 0; t < model.tensor_count(); ++t) {
    if (!state.tensor_is_persisted[t]) continue;
    const TensorInfo& info = model.tensor(t);
    const size_t bytes = static_cast<size_t>(info.element_count(max_dims_)) * dtype_size(info.dtype) + kBufferSlack;
    EA_ASSIGN_OR_RETURN(persisted_offset_[t], layout->persistent.request(bytes, PersistentKind::kSequenceState, -1));
    layout->persistent.regions.back().key = t;  // which tensor (for inspect --plan)
  }
  return Status::ok();
}

namespace {

Span<const int32_t> span_of(const flatbuffers::Vector<int32_t>& v) { return Span<const int32_t>(v.data(), v.size()); }

// True if tensor `t` is a graph input or written by an op of `graph`.
bool is_activation_of(const SessionLayout& layout, int t) {
  for (int32_t in : layout.graph.inputs) {
    if (in == t) return true;
  }
  for (const PlanOp& op : layout.ops) {
    for (int32_t out : op.outputs) {
      if (out == t) return true;
    }
  }
  return false;
}

}  // namespace

// The method's graph as the pure planner sees it (session_plan.h), the
// observed names as tensor indices, then the plan and the sizes.
Status Session::plan_activations(const SessionOptions& options, SessionLayout* layout) {
  static_assert(FLATBUFFERS_LITTLEENDIAN, "op tensor lists are read in place as int32_t");
  const Model& model = *model_;
  const size_t n_ops = graph_->ops()->size(), n_tensors = model.tensor_count();
  EA_RETURN_IF_ERROR(layout->ops.resize(n_ops, "the planned ops"));
  EA_RETURN_IF_ERROR(layout->tensor_bytes.resize(n_tensors, "the tensor sizes"));
  EA_RETURN_IF_ERROR(layout->is_constant.resize(n_tensors, "the constant flags"));
  for (size_t i = 0; i < n_ops; ++i) {
    const fb::Op& op = *graph_->ops()->Get(static_cast<flatbuffers::uoffset_t>(i));
    layout->ops[i] = PlanOp{span_of(*op.inputs()), span_of(*op.outputs()), ops_[i].scratch_bytes};
  }
  for (size_t t = 0; t < n_tensors; ++t) {
    const TensorInfo& info = model.tensor(t);
    // Sequence state lives in the persistent head: nothing to plan.
    const bool unplanned = info.is_constant || persisted_offset_[t] != kNoBuffer;
    layout->is_constant[t] = unplanned;
    layout->tensor_bytes[t] = unplanned ? 0 : static_cast<size_t>(info.element_count(max_dims_)) * dtype_size(info.dtype);
  }
  layout->graph.ops = layout->ops.span();
  layout->graph.tensor_bytes = layout->tensor_bytes.span();
  layout->graph.is_constant = layout->is_constant.span();
  layout->graph.inputs = span_of(*graph_->inputs());
  layout->graph.outputs = span_of(*graph_->outputs());
  observed_.clear();
  EA_RETURN_IF_ERROR(observed_.reserve(options.observe.size(), "the observed tensor list"));
  EA_RETURN_IF_ERROR(layout->observed.reserve(options.observe.size(), "the observed tensor list"));
  for (const char* name : options.observe) {
    const int t = name != nullptr ? model.find_tensor(name) : -1;
    EA_ENSURE(t >= 0 && !model.tensor(static_cast<size_t>(t)).is_constant && is_activation_of(*layout, t),
              StatusCode::kInvalidArgument, "observe: '%s' is not an activation of this graph",
              name != nullptr ? name : "(null)");
    observed_.try_push_back(t);  // reserved: cannot fail
    layout->observed.try_push_back(t);
  }
  layout->graph.observed = layout->observed.span();
  EA_RETURN_IF_ERROR(plan_arena(layout->graph, &layout->plan));
  if (options.scratch_bytes > 0) {
    EA_RETURN_IF_ERROR(layout->persistent.request(options.scratch_bytes, PersistentKind::kCallerScratch, -1).status());
  }
  memory_.persistent_bytes = layout->persistent.bytes;
  memory_.kv_cache_bytes = layout->persistent.kv_cache_bytes;
  memory_.sequence_bytes = layout->persistent.sequence_bytes;
  memory_.packed_weight_bytes = layout->persistent.packed_weight_bytes;
  memory_.activation_bytes = layout->plan.activation_bytes;
  memory_.naive_activation_bytes = layout->plan.naive_bytes;
  memory_.arena_bytes = memory_.persistent_bytes + memory_.activation_bytes;
  memory_.weight_bytes = model.weight_bytes();
  return Status::ok();
}

// The caller's arena (checked) or one of our own; zeroed so an unused KV
// cache slot or padding never holds stale NaNs.
Result<uint8_t*> Session::allocate_arena(Span<uint8_t> caller_arena) {
  uint8_t* arena = nullptr;
  if (caller_arena.size() > 0) {
    EA_ENSURE(reinterpret_cast<uintptr_t>(caller_arena.data()) % 64 == 0, StatusCode::kInvalidArgument,
              "caller arena must be 64-byte aligned");
    EA_ENSURE(caller_arena.size() >= memory_.arena_bytes, StatusCode::kResourceExhausted,
              "caller arena of %zu bytes is too small: this model and these limits need %zu bytes",
              caller_arena.size(), memory_.arena_bytes);
    arena = caller_arena.data();
  } else {
    EA_ENSURE(posix_memalign(&owned_arena_, 64, memory_.arena_bytes > 0 ? memory_.arena_bytes : 64) == 0,
              StatusCode::kOutOfMemory, "out of memory allocating an arena of %zu bytes", memory_.arena_bytes);
    arena = static_cast<uint8_t*>(owned_arena_);
  }
  std::memset(arena, 0, memory_.arena_bytes);
  return arena;
}

// Every pointer into the arena: tensor data, op scratch, the ops' own
// persistent bytes (their bind()), the caller's scratch. arena_ is set last:
// invoke() refuses a session that was not bound completely.
Status Session::bind(const SessionOptions& options, const SessionLayout& layout, uint8_t* arena) {
  const Model& model = *model_;
  uint8_t* const planned = arena + layout.persistent.bytes;
  const ArenaPlan& plan = layout.plan;
  EA_RETURN_IF_ERROR(tensor_data_.assign(model.tensor_count(), nullptr, "the tensor data table"));
  for (size_t t = 0; t < model.tensor_count(); ++t) {
    const TensorInfo& info = model.tensor(t);
    if (info.is_constant) {
      tensor_data_[t] = const_cast<void*>(info.data);  // never written: ops take inputs as const
    } else if (persisted_offset_[t] != kNoBuffer) {
      tensor_data_[t] = arena + persisted_offset_[t];
    } else if (plan.tensor_buffer[t] != kNoBuffer) {
      tensor_data_[t] = planned + plan.tensor_offset(t);
    }
  }
  BindContext ctx;
  ctx.arena = arena;
  ctx.max_context = max_context_;
  ctx.kernels = kernels_;
  ctx.model = &model;
  for (size_t i = 0; i < ops_.size(); ++i) {
    OpRecord& record = ops_[i];
    if (plan.scratch_buffer[i] != kNoBuffer) record.scratch = planned + plan.scratch_offset(i);
    const fb::Op& op = *graph_->ops()->Get(static_cast<flatbuffers::uoffset_t>(i));
    if (record.reg->bind != nullptr) record.reg->bind(ctx, op, record);
  }
  for (const PersistentRegion& r : layout.persistent.regions) {
    if (r.kind == PersistentKind::kCallerScratch) scratch_ = Span<uint8_t>(arena + r.offset, r.bytes);
  }
  EA_RETURN_IF_ERROR(all_lengths_.assign(static_cast<size_t>(options.max_batch), 0, "the row lengths"));
  if (options.profile) EA_RETURN_IF_ERROR(op_times_ns_.assign(ops_.size(), 0, "the op profile"));
  arena_ = arena;
  return Status::ok();
}

// Everything invoke() takes from the caller, checked before anything runs.
Status Session::check_invoke(const InvokeInput& in) const {
  // Unreachable through create(), which returns only prepared sessions; a
  // guard for wrappers (the C API) that might hold a half-made one.
  EA_ENSURE(arena_ != nullptr, StatusCode::kInvalidArgument, "invoke before prepare: the session has no plan");
  EA_ENSURE(ids_input_ < 0 || in.ids != nullptr, StatusCode::kInvalidArgument, "ids is null");
  EA_ENSURE(in.batch >= 1 && in.batch <= max_dims_.batch, StatusCode::kOutOfRange,
            "batch %d not in [1, max_batch %lld]", in.batch, static_cast<long long>(max_dims_.batch));
  EA_ENSURE(past_ == 0 || sequence_batch_ == 0 || in.batch == sequence_batch_, StatusCode::kInvalidArgument,
            "batch %d differs from the sequence's batch %lld (reset() starts a new sequence)", in.batch,
            static_cast<long long>(sequence_batch_));
  if (uses_seq_) {
    EA_ENSURE(in.seq >= 1 && in.seq <= max_dims_.seq, StatusCode::kOutOfRange, "seq %d not in [1, max_seq %lld]",
              in.seq, static_cast<long long>(max_dims_.seq));
  }
  EA_ENSURE(in.float_inputs.size() == float_inputs_.size(), StatusCode::kInvalidArgument,
            "method '%s' takes %zu f32 inputs, got %zu", method(), float_inputs_.size(), in.float_inputs.size());
  for (size_t k = 0; k < float_inputs_.size(); ++k) {
    EA_ENSURE(in.float_inputs[k] != nullptr || (input_is_sequence_[k] && past_ > 0), StatusCode::kInvalidArgument,
              "f32 input %zu ('%s') is null", k, model_->tensor(static_cast<size_t>(float_inputs_[k])).name);
  }
  if (uses_source_ && past_ == 0) {
    EA_ENSURE(in.source_seq >= 1 && in.source_seq <= max_dims_.source, StatusCode::kOutOfRange,
              "source_seq %d not in [1, max_source_seq %lld]", in.source_seq, static_cast<long long>(max_dims_.source));
  }
  if (selection_input_ >= 0) {
    EA_ENSURE(in.selection != nullptr && in.selection_size >= 1 && in.selection_size <= max_dims_.selection,
              StatusCode::kInvalidArgument, "selection of %d ids not in [1, max_selection %lld]", in.selection_size,
              static_cast<long long>(max_dims_.selection));
  }
  if (image_multiple_h_ > 0) {
    EA_ENSURE(in.image_height >= 1 && in.image_height <= max_dims_.height && in.image_height % image_multiple_h_ == 0,
              StatusCode::kOutOfRange, "image height %d must be a multiple of %lld in [1, max_image_height %lld]",
              in.image_height, static_cast<long long>(image_multiple_h_), static_cast<long long>(max_dims_.height));
  }
  if (image_multiple_w_ > 0) {
    EA_ENSURE(in.image_width >= 1 && in.image_width <= max_dims_.width && in.image_width % image_multiple_w_ == 0,
              StatusCode::kOutOfRange, "image width %d must be a multiple of %lld in [1, max_image_width %lld]",
              in.image_width, static_cast<long long>(image_multiple_w_), static_cast<long long>(max_dims_.width));
  }
  const int seq = uses_seq_ ? in.seq : 1;
  if (has_kv_cache_) {
    EA_ENSURE(past_ + seq <= max_context_, StatusCode::kOutOfRange,
              "context full: %lld cached + %d new tokens > max_context %lld", static_cast<long long>(past_), seq,
              static_cast<long long>(max_context_));
  }
  for (int b = 0; b < in.batch; ++b) {
    const int32_t len = in.lengths != nullptr ? in.lengths[b] : seq;
    EA_ENSURE(len >= 1 && len <= seq, StatusCode::kInvalidArgument, "length %d of row %d not in [1, seq %d]", len,
              b, seq);
    // Rows of a KV-cached batch advance together, so they must be full.
    EA_ENSURE(!has_kv_cache_ || len == seq, StatusCode::kInvalidArgument,
              "row %d: padded rows are not supported with a KV cache (length %d, seq %d)", b, len, seq);
  }
  return Status::ok();
}

// The caller's inputs into their arena buffers; sequence inputs only at a
// sequence's start (afterwards their ops do not run).
void Session::copy_inputs(const InvokeInput& in, const DimValues& dims) {
  if (ids_input_ >= 0) {
    std::memcpy(tensor_data_[static_cast<size_t>(ids_input_)], in.ids,
                static_cast<size_t>(in.batch) * static_cast<size_t>(dims.seq) * sizeof(int32_t));
  }
  if (selection_input_ >= 0) {
    std::memcpy(tensor_data_[static_cast<size_t>(selection_input_)], in.selection,
                static_cast<size_t>(in.selection_size) * sizeof(int32_t));
  }
  for (size_t k = 0; k < float_inputs_.size(); ++k) {
    if (input_is_sequence_[k] && past_ > 0) continue;
    const size_t t = static_cast<size_t>(float_inputs_[k]);
    std::memcpy(tensor_data_[t], in.float_inputs[k],
                static_cast<size_t>(model_->tensor(t).element_count(dims)) * sizeof(float));
  }
  for (int b = 0; b < in.batch; ++b) {
    all_lengths_[static_cast<size_t>(b)] = in.lengths != nullptr ? in.lengths[b] : static_cast<int32_t>(dims.seq);
  }
}

Status Session::invoke(const InvokeInput& in) {
  EA_RETURN_IF_ERROR(check_invoke(in));
  const int seq = uses_seq_ ? in.seq : 1;
  DimValues dims{in.batch, seq, in.all_positions ? seq : 1};
  if (past_ == 0) sequence_source_ = uses_source_ ? in.source_seq : 1;
  dims.source = sequence_source_;
  dims.selection = selection_input_ >= 0 ? in.selection_size : 1;
  dims.height = image_multiple_h_ > 0 ? in.image_height : 1;
  dims.width = image_multiple_w_ > 0 ? in.image_width : 1;
  copy_inputs(in, dims);

  EvalContext ctx;
  ctx.dims = dims;
  ctx.past = past_;
  ctx.lengths = all_lengths_.data();
  ctx.tensor_data = tensor_data_.data();
  ctx.model = model_;
  ctx.kernels = kernels_;
  ctx.threadpool = threadpool_;
  const size_t n_ops = graph_->ops()->size();
  for (size_t i = 0; i < n_ops; ++i) {
    if (past_ > 0 && op_is_sequence_[i]) continue;  // its outputs are this sequence's state
    const fb::Op& op = *graph_->ops()->Get(static_cast<flatbuffers::uoffset_t>(i));
    const OpRecord& record = ops_[i];
    const bool timing = !op_times_ns_.empty();
    const auto start = timing ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point();
    Status s = record.reg->eval(ctx, op, record);
    if (timing) {
      op_times_ns_[i] += static_cast<uint64_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count());
    }
    if (!s.is_ok()) return s.with_context("op %zu (%s '%s')", i, record.reg->name, op.name() ? op.name()->c_str() : "");
  }
  last_dims_ = dims;
  if (past_ == 0) sequence_batch_ = in.batch;
  if (has_kv_cache_) past_ += seq;
  return Status::ok();
}

const char* Session::method() const { return graph_ != nullptr ? graph_->name()->c_str() : ""; }

size_t Session::op_count() const { return graph_ != nullptr ? graph_->ops()->size() : 0; }

const char* Session::op_name(size_t index) const {
  if (index >= op_count()) return "";
  const fb::Op& op = *graph_->ops()->Get(static_cast<flatbuffers::uoffset_t>(index));
  return op.name() != nullptr ? op.name()->c_str() : "";
}

const char* Session::op_kind(size_t index) const {
  if (index >= op_count()) return "";
  const OpRegistration* reg = find_op(static_cast<uint16_t>(graph_->ops()->Get(static_cast<flatbuffers::uoffset_t>(index))->code()));
  return reg != nullptr ? reg->name : "";
}

size_t Session::output_count() const { return graph_->outputs()->size(); }

TensorView Session::observed(const char* name) const {
  for (int t : observed_) {
    if (std::strcmp(model_->tensor(static_cast<size_t>(t)).name, name) == 0) return view_of(t);
  }
  return TensorView();
}

TensorView Session::view_of(int t) const {
  TensorView view;
  const TensorInfo& info = model_->tensor(static_cast<size_t>(t));
  view.dtype = info.dtype;
  view.rank = info.rank;
  for (int i = 0; i < info.rank; ++i) view.shape[i] = info.dim(i, last_dims_);
  view.data = tensor_data_[static_cast<size_t>(t)];
  return view;
}

TensorView Session::output(size_t index) const {
  if (index >= output_count()) return TensorView();
  return view_of(graph_->outputs()->Get(static_cast<flatbuffers::uoffset_t>(index)));
}

}  // namespace edgeattn
