#include "runtime/session.h"

#include <pthreadpool.h>
#include <xnnpack.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "kernels/kernels.h"
#include "runtime/memory_planner.h"
#include "runtime/model.h"
#include "runtime/ops/op_registry.h"
#include "runtime/session_with_kernels.h"
#include "runtime/xnnpack_context.h"
#include "schema/edgeattn_generated.h"

namespace edgeattn {
namespace {

// XNNPACK reads up to XNN_EXTRA_BYTES past the end of its inputs
// (docs/xnnpack-debian12.md §6.3); every planned buffer gets this slack.
constexpr size_t kBufferSlack = 64;
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
  EA_RETURN_IF_ERROR(session->prepare(options, kernels, /*allocate=*/true));
  return session;
}

Session::~Session() {
  for (OpState& s : op_states_) {
    if (s.xnn != nullptr) xnn_delete_operator(s.xnn);
  }
  if (threadpool_ != nullptr) pthreadpool_destroy(threadpool_);
  std::free(owned_arena_);
}

Result<std::unique_ptr<Session>> Session::create(const Model& model, const SessionOptions& options) {
  EA_ASSIGN_OR_RETURN(const KernelTable* kernels, choose_kernels(options.kernels));
  return create_session_with_kernels(model, options, *kernels);
}

Result<MemoryStats> Session::plan(const Model& model, const SessionOptions& options) {
  EA_ASSIGN_OR_RETURN(const KernelTable* kernels, choose_kernels(options.kernels));
  Session session;
  session.model_ = &model;
  EA_RETURN_IF_ERROR(session.prepare(options, *kernels, /*allocate=*/false));
  return session.memory_;
}

const char* Session::kernel_name() const { return kernels_ != nullptr ? kernels_->name : ""; }

Status Session::prepare(const SessionOptions& options, const KernelTable& kernels, bool allocate) {
  const Model& model = *model_;
  if (options.graph != nullptr) {
    graph_ = model.find_graph(options.graph);
    EA_ENSURE(graph_ != nullptr, StatusCode::kInvalidArgument, "model has no graph '%s'", options.graph);
  } else {
    graph_ = &model.default_graph();
  }
  EA_ENSURE(options.max_batch >= 1 && options.max_batch <= 4096, StatusCode::kInvalidArgument,
            "max_batch %d not in [1, 4096]", options.max_batch);
  EA_ENSURE(options.max_seq >= 1 && options.max_seq <= (1 << 20), StatusCode::kInvalidArgument,
            "max_seq %d not in [1, 2^20]", options.max_seq);
  EA_ENSURE(options.threads >= 1 && options.threads <= 256, StatusCode::kInvalidArgument,
            "threads %d not in [1, 256]", options.threads);
  EA_ENSURE(graph_->inputs()->size() == 1, StatusCode::kUnsupported,
            "graph has %u inputs; sessions feed exactly one (token ids)", graph_->inputs()->size());
  {
    const TensorInfo& ids = model.tensor(static_cast<size_t>(graph_->inputs()->Get(0)));
    EA_ENSURE(ids.rank == 2 && ids.dims[0].kind == DimKind::kBatch && ids.dims[1].kind == DimKind::kSeq,
              StatusCode::kInvalidModel, "graph input '%s' must be [batch, seq]", ids.name);
  }
  max_context_ = options.max_context > 0 ? options.max_context : options.max_seq;
  EA_ENSURE(max_context_ >= options.max_seq && max_context_ <= (1 << 20), StatusCode::kInvalidArgument,
            "max_context %lld must be in [max_seq %d, 2^20]", static_cast<long long>(max_context_), options.max_seq);
  max_dims_ = DimValues{options.max_batch, options.max_seq, options.max_seq};
  kernels_ = &kernels;
  EA_ASSIGN_OR_RETURN(const KvDType kv_dtype, kv_dtype_for(options.kv_dtype));

  const size_t n_ops = graph_->ops()->size();
  const size_t n_tensors = model.tensor_count();
  if (allocate) {
    EA_RETURN_IF_ERROR(ensure_xnnpack_initialized());
    if (options.threads > 1) {
      threadpool_ = pthreadpool_create(static_cast<size_t>(options.threads));
      EA_ENSURE(threadpool_ != nullptr, StatusCode::kOutOfMemory, "out of memory creating a thread pool of %d threads",
                options.threads);
    }
  }
  const int64_t xnn_before = xnnpack_thread_live_bytes();

  PrepareContext ctx;
  ctx.model = &model;
  ctx.max_dims = max_dims_;
  ctx.max_context = max_context_;
  ctx.threadpool = threadpool_;
  ctx.kernels = kernels_;
  ctx.create_operators = allocate;
  ctx.kv_dtype = kv_dtype;
  EA_RETURN_IF_ERROR(op_states_.assign(n_ops, OpState(), "the op states"));
  for (size_t i = 0; i < n_ops; ++i) {
    const fb::Op& op = *graph_->ops()->Get(static_cast<flatbuffers::uoffset_t>(i));
    const OpRegistration* reg = find_op(static_cast<uint16_t>(op.code()));
    Status s = reg->prepare(ctx, op, &op_states_[i]);
    if (!s.is_ok()) {
      return s.with_context("op %zu (%s '%s')", i, reg->name, op.name() ? op.name()->c_str() : "");
    }
    if (op.code() == fb::OpCode::Attention && op.options_as_AttentionOptions()->kv_cache_slot() >= 0) {
      has_kv_cache_ = true;
    }
  }

  // Lifetimes of activations: [producing op, last reading op]; graph inputs
  // are live from the start, graph outputs to the end.
  Vector<int> first_use, last_use;  // [n_tensors] op indices; -2: not used by this graph
  EA_RETURN_IF_ERROR(first_use.assign(n_tensors, -2, "the tensor lifetimes"));
  EA_RETURN_IF_ERROR(last_use.assign(n_tensors, -2, "the tensor lifetimes"));
  for (int32_t in : *graph_->inputs()) first_use[in] = last_use[in] = 0;
  for (size_t i = 0; i < n_ops; ++i) {
    const fb::Op& op = *graph_->ops()->Get(static_cast<flatbuffers::uoffset_t>(i));
    for (int32_t in : *op.inputs()) {
      if (in >= 0 && !model.tensor(in).is_constant) last_use[in] = static_cast<int>(i);
    }
    for (int32_t out : *op.outputs()) first_use[out] = last_use[out] = static_cast<int>(i);
  }
  for (int32_t out : *graph_->outputs()) last_use[out] = static_cast<int>(n_ops);
  observed_.clear();
  EA_RETURN_IF_ERROR(observed_.reserve(options.observe.size(), "the observed tensor list"));
  for (const char* name : options.observe) {
    const int t = name != nullptr ? model.find_tensor(name) : -1;
    EA_ENSURE(t >= 0 && first_use[static_cast<size_t>(t)] != -2 && !model.tensor(static_cast<size_t>(t)).is_constant,
              StatusCode::kInvalidArgument, "observe: '%s' is not an activation of this graph",
              name != nullptr ? name : "(null)");
    last_use[static_cast<size_t>(t)] = static_cast<int>(n_ops);
    observed_.try_push_back(t);  // reserved: cannot fail
  }
  GreedyMemoryPlanner planner;
  Vector<size_t> plan_index;  // [n_tensors] planner buffer of each activation, SIZE_MAX: none
  EA_RETURN_IF_ERROR(plan_index.assign(n_tensors, SIZE_MAX, "the memory plan index"));
  size_t naive = 0;
  for (size_t t = 0; t < n_tensors; ++t) {
    if (first_use[t] == -2) continue;
    const TensorInfo& info = model.tensor(t);
    size_t bytes = static_cast<size_t>(info.element_count(max_dims_)) * dtype_size(info.dtype) + kBufferSlack;
    plan_index[t] = planner.add(bytes, first_use[t], last_use[t]);
    naive += bytes;
  }
  // Per-op scratch lives only while its op runs.
  Vector<size_t> scratch_index;  // [n_ops] planner buffer of each op's scratch, SIZE_MAX: none
  EA_RETURN_IF_ERROR(scratch_index.assign(n_ops, SIZE_MAX, "the op scratch index"));
  for (size_t i = 0; i < n_ops; ++i) {
    if (op_states_[i].scratch_bytes == 0) continue;
    scratch_index[i] = planner.add(op_states_[i].scratch_bytes + kBufferSlack, static_cast<int>(i), static_cast<int>(i));
    naive += op_states_[i].scratch_bytes + kBufferSlack;
  }
  EA_RETURN_IF_ERROR(planner.plan());

  const size_t scratch_offset = ctx.request_persistent(options.scratch_bytes);
  memory_.persistent_bytes = ctx.persistent_bytes;
  memory_.kv_cache_bytes = ctx.kv_cache_bytes;
  memory_.activation_bytes = planner.total_bytes();
  memory_.naive_activation_bytes = naive;
  memory_.arena_bytes = ctx.persistent_bytes + planner.total_bytes();
  memory_.weight_bytes = model.weight_bytes();
  if (!allocate) return Status::ok();

  if (options.arena.size() > 0) {
    EA_ENSURE(reinterpret_cast<uintptr_t>(options.arena.data()) % 64 == 0, StatusCode::kInvalidArgument,
              "caller arena must be 64-byte aligned");
    EA_ENSURE(options.arena.size() >= memory_.arena_bytes, StatusCode::kResourceExhausted,
              "caller arena of %zu bytes is too small: this model and these limits need %zu bytes",
              options.arena.size(), memory_.arena_bytes);
    arena_ = options.arena.data();
  } else {
    EA_ENSURE(posix_memalign(&owned_arena_, 64, memory_.arena_bytes > 0 ? memory_.arena_bytes : 64) == 0,
              StatusCode::kOutOfMemory, "out of memory allocating an arena of %zu bytes", memory_.arena_bytes);
    arena_ = static_cast<uint8_t*>(owned_arena_);
  }
  // Zeroed so an unused KV cache slot or padding never holds stale NaNs.
  std::memset(arena_, 0, memory_.arena_bytes);
  uint8_t* const arena = arena_;
  arena_ = nullptr;  // set again once every buffer below exists: invoke() checks it

  uint8_t* planned = arena + ctx.persistent_bytes;
  EA_RETURN_IF_ERROR(tensor_data_.assign(n_tensors, nullptr, "the tensor data table"));
  for (size_t t = 0; t < n_tensors; ++t) {
    const TensorInfo& info = model.tensor(t);
    if (info.is_constant) {
      tensor_data_[t] = const_cast<void*>(info.data);  // never written: ops take inputs as const
    } else if (plan_index[t] != SIZE_MAX) {
      tensor_data_[t] = planned + planner.offset(plan_index[t]);
    }
  }
  for (size_t i = 0; i < n_ops; ++i) {
    op_states_[i].persistent = arena + op_states_[i].persistent_offset;
    if (scratch_index[i] != SIZE_MAX) op_states_[i].scratch = planned + planner.offset(scratch_index[i]);
  }
  scratch_ = Span<uint8_t>(arena + scratch_offset, options.scratch_bytes);
  for (int i = 0; i < ctx.rope_table_count; ++i) {
    const PrepareContext::RopeTable& t = ctx.rope_tables[i];
    fill_rope_table(static_cast<size_t>(max_context_), static_cast<size_t>(t.rotary_dim), t.theta,
                    reinterpret_cast<float*>(arena + t.offset));
  }
  EA_RETURN_IF_ERROR(all_lengths_.assign(static_cast<size_t>(options.max_batch), 0, "the row lengths"));
  if (options.profile) EA_RETURN_IF_ERROR(op_times_ns_.assign(n_ops, 0, "the op profile"));
  arena_ = arena;
  memory_.xnnpack_bytes = static_cast<size_t>(xnnpack_thread_live_bytes() - xnn_before);
  return Status::ok();
}

Status Session::invoke(const InvokeInput& in) {
  // Unreachable through create(), which returns only prepared sessions; a
  // guard for wrappers (the C API) that might hold a half-made one.
  EA_ENSURE(arena_ != nullptr, StatusCode::kInvalidArgument, "invoke before prepare: the session has no plan");
  EA_ENSURE(in.ids != nullptr, StatusCode::kInvalidArgument, "ids is null");
  EA_ENSURE(in.batch >= 1 && in.batch <= max_dims_.batch, StatusCode::kOutOfRange,
            "batch %d not in [1, max_batch %lld]", in.batch, static_cast<long long>(max_dims_.batch));
  EA_ENSURE(in.seq >= 1 && in.seq <= max_dims_.seq, StatusCode::kOutOfRange, "seq %d not in [1, max_seq %lld]",
            in.seq, static_cast<long long>(max_dims_.seq));
  if (has_kv_cache_) {
    EA_ENSURE(past_ + in.seq <= max_context_, StatusCode::kOutOfRange,
              "context full: %lld cached + %d new tokens > max_context %lld", static_cast<long long>(past_), in.seq,
              static_cast<long long>(max_context_));
  }
  for (int b = 0; b < in.batch; ++b) {
    const int32_t len = in.lengths != nullptr ? in.lengths[b] : in.seq;
    EA_ENSURE(len >= 1 && len <= in.seq, StatusCode::kInvalidArgument, "length %d of row %d not in [1, seq %d]", len,
              b, in.seq);
    // Rows of a KV-cached batch advance together, so they must be full.
    EA_ENSURE(!has_kv_cache_ || len == in.seq, StatusCode::kInvalidArgument,
              "row %d: padded rows are not supported with a KV cache (length %d, seq %d)", b, len, in.seq);
    all_lengths_[static_cast<size_t>(b)] = len;
  }

  DimValues dims{in.batch, in.seq, in.all_positions ? in.seq : 1};
  const int32_t input_tensor = graph_->inputs()->Get(0);
  std::memcpy(tensor_data_[static_cast<size_t>(input_tensor)], in.ids,
              static_cast<size_t>(in.batch) * static_cast<size_t>(in.seq) * sizeof(int32_t));

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
    const fb::Op& op = *graph_->ops()->Get(static_cast<flatbuffers::uoffset_t>(i));
    const OpRegistration* reg = find_op(static_cast<uint16_t>(op.code()));
    const bool timing = !op_times_ns_.empty();
    const auto start = timing ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point();
    Status s = reg->eval(ctx, op, op_states_[i]);
    if (timing) {
      op_times_ns_[i] += static_cast<uint64_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count());
    }
    if (!s.is_ok()) return s.with_context("op %zu (%s '%s')", i, reg->name, op.name() ? op.name()->c_str() : "");
  }
  last_dims_ = dims;
  if (has_kv_cache_) past_ += in.seq;
  return Status::ok();
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
