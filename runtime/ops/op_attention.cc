// Attention: out = softmax(q kᵀ · scale + mask) v per head, with grouped-query
// heads (query head h reads kv head h / (n_heads / n_kv_heads)).
//
// Two sources of keys and values:
//   kv_cache_slot < 0   the op's own k/v inputs, [B, Skv, Hkv * Dh]
//                       (encoders; mask Padding uses each row's length;
//                       cross-attention: k/v are sequence state, e.g. the
//                       projected encoder states, Skv their own length).
//   cross, kv dtype      cross-attention in a session whose KV dtype is f16
//   not f32              or int8: at the first invoke of a sequence
//                       (past == 0) k/v are copied once into the op's own
//                       [B, Hkv, Skv, Dh] rows of that dtype (sequence
//                       state), which every invoke then reads: half or a
//                       quarter of the bytes per decoded token.
//   kv_cache_slot >= 0  the session's KV cache for this op (CacheLayout:
//                       [B, Hkv, max_context, Dh] rows each for K and V in
//                       f32, f16 or int8 with a scale per row); this
//                       invoke's k/v rows are appended at positions
//                       [past, past + S) first (decoders, mask Causal).
// The core is the streaming kernel in kernels/ (no [S, S] scores stored);
// (batch, head) pairs run in parallel on the session's threadpool.
#include <pthreadpool.h>

#include <cmath>
#include <cstring>

#include "kernels/kernels.h"
#include "runtime/model.h"
#include "runtime/ops/op_checks.h"
#include "runtime/ops/op_registry.h"
#include "runtime/ops/parallel.h"
#include "schema/edgeattn_generated.h"

namespace edgeattn {
namespace {

using op_util::input;
using op_util::output;

Status verify(const Model& model, const fb::Op& op) {
  EA_RETURN_IF_ERROR(op_check::arity(op, 3, 3, 1));
  EA_RETURN_IF_ERROR(op_check::options(op, static_cast<uint8_t>(fb::OpOptions::AttentionOptions), true));
  const fb::AttentionOptions& o = *op.options_as_AttentionOptions();
  EA_ENSURE(o.n_heads() > 0 && o.n_kv_heads() > 0 && o.n_heads() % o.n_kv_heads() == 0, StatusCode::kInvalidModel,
            "n_heads %d must be a positive multiple of n_kv_heads %d", o.n_heads(), o.n_kv_heads());
  EA_ENSURE(o.head_dim() > 0 && static_cast<size_t>(o.head_dim()) <= kMaxHeadDim, StatusCode::kUnsupported,
            "head_dim %d not in [1, %zu]", o.head_dim(), kMaxHeadDim);
  EA_ENSURE(o.mask() >= fb::AttentionMask::MIN && o.mask() <= fb::AttentionMask::MAX, StatusCode::kInvalidModel,
            "unknown mask kind %d", static_cast<int>(o.mask()));
  EA_ENSURE(std::isfinite(o.scale()) && o.scale() >= 0.0f, StatusCode::kInvalidModel, "bad scale");
  const int64_t q_width = int64_t{o.n_heads()} * o.head_dim();
  const int64_t kv_width = int64_t{o.n_kv_heads()} * o.head_dim();
  for (int i = 0; i < 3; ++i) {
    EA_RETURN_IF_ERROR(op_check::activation_f32(model, input(op, i), 3));
    // The batch, or (format 1.6, mask None) a fixed count, e.g. a clip model's 1.
    const DimSpec& d0 = model.tensor(input(op, i)).dims[0];
    EA_ENSURE(d0.kind == DimKind::kBatch || (d0.kind == DimKind::kFixed && o.mask() == fb::AttentionMask::None),
              StatusCode::kInvalidModel, "tensor '%s' dim 0 must be the batch (or fixed, with mask None)",
              model.tensor(input(op, i)).name);
    EA_RETURN_IF_ERROR(op_check::last_dim(model, input(op, i), i == 0 ? q_width : kv_width));
  }
  // Queries: the invoke's tokens (Seq) or a fixed length (encoders over
  // audio frames or image patches). Keys and values: the queries' length,
  // except in cross-attention, where they have their own (fixed) length
  // (sequence state, checked by the model verifier).
  // (format 1.5) With mask None, also image positions (Height / Width, e.g.
  // a recognizer's tokens [B, W/8, C]): self-attention over every position.
  const DimKind q_len = model.tensor(input(op, 0)).dims[1].kind;
  const bool image_len = (q_len == DimKind::kHeight || q_len == DimKind::kWidth) && o.mask() == fb::AttentionMask::None;
  EA_ENSURE(q_len == DimKind::kSeq || q_len == DimKind::kFixed || image_len, StatusCode::kInvalidModel,
            "q '%s': dim 1 must be the sequence or fixed (or, with mask None, an image dim)",
            model.tensor(input(op, 0)).name);
  if (o.cross()) {
    EA_ENSURE(o.mask() == fb::AttentionMask::None && o.kv_cache_slot() < 0, StatusCode::kInvalidModel,
              "cross-attention takes mask None and no KV cache slot");
    // Keys: a fixed length (Whisper's 1500 frames) or the sequence's source
    // length (a translation decoder over the source sentence).
    const DimKind kv_len = model.tensor(input(op, 1)).dims[1].kind;
    EA_ENSURE(kv_len == DimKind::kFixed || kv_len == DimKind::kSourceSeq, StatusCode::kInvalidModel,
              "cross-attention k '%s': dim 1 must be fixed or the source length", model.tensor(input(op, 1)).name);
    EA_RETURN_IF_ERROR(op_check::same_dims(model, input(op, 1), input(op, 2)));
  } else {
    const DimSpec& q = model.tensor(input(op, 0)).dims[1];
    for (int i = 1; i <= 2; ++i) {
      const TensorInfo& kv = model.tensor(input(op, i));
      EA_ENSURE(kv.dims[1].kind == q.kind && kv.dims[1].value == q.value, StatusCode::kInvalidModel,
                "%s '%s': dim 1 must equal q's (self-attention)", i == 1 ? "k" : "v", kv.name);
    }
  }
  EA_ENSURE(o.mask() != fb::AttentionMask::Padding || q_len == DimKind::kSeq, StatusCode::kInvalidModel,
            "the padding mask needs queries of the invoke's length (row lengths count tokens)");
  if (o.kv_cache_slot() >= 0) {
    EA_ENSURE(o.mask() == fb::AttentionMask::Causal && q_len == DimKind::kSeq, StatusCode::kInvalidModel,
              "a KV cache needs the causal mask and queries of the invoke's length");
  }
  return op_check::same_dims(model, input(op, 0), output(op, 0));
}

// The cache of one attention op, in its persistent arena bytes:
//   K rows [max_batch, Hkv, ctx, Dh] of the cache dtype, then V rows (same),
//   then, for int8, K scales [max_batch, Hkv, ctx] f32 and V scales (same).
struct CacheLayout {
  size_t rows = 0;       // max_batch * Hkv * ctx
  size_t row_bytes = 0;  // Dh * element size
  size_t v_at = 0, k_scales_at = 0, v_scales_at = 0, total = 0;
  CacheLayout() = default;
  CacheLayout(size_t max_batch, size_t n_kv, size_t context, size_t head_dim, KvDType dtype) {
    auto align = [](size_t v) { return (v + 63) / 64 * 64; };
    const size_t elem = dtype == KvDType::kF32 ? 4 : dtype == KvDType::kF16 ? 2 : 1;
    rows = max_batch * n_kv * context;
    row_bytes = head_dim * elem;
    v_at = align(rows * row_bytes);
    k_scales_at = v_at + align(rows * row_bytes);
    const size_t scales = dtype == KvDType::kI8 ? align(rows * sizeof(float)) : 0;
    v_scales_at = k_scales_at + scales;
    total = v_scales_at + scales;
  }
};

// The state of an attention op with a KV cache (kv_cache_slot >= 0) or a
// cross-attention K/V copy; ops attending over their own k/v inputs have none.
struct AttentionState {
  bool cross = false;       // a cross-attention copy: rows [0, Skv) filled at past == 0
  size_t context = 0;       // positions the cache holds (max_context; cross: the most Skv)
  KvDType dtype = KvDType::kF32;
  CacheLayout layout;       // for the session's max_batch
  size_t cache_offset = 0;  // persistent, from the arena start
  uint8_t* cache = nullptr;  // resolved at bind: layout.total bytes
};

Status prepare(PrepareContext& ctx, const fb::Op& op, OpRecord* record) {
  const fb::AttentionOptions& o = *op.options_as_AttentionOptions();
  const bool cross_copy = o.cross() && ctx.kv_dtype != KvDType::kF32;
  if (o.kv_cache_slot() < 0 && !cross_copy) return Status::ok();
  EA_ASSIGN_OR_RETURN(AttentionState* const state, ctx.make_state<AttentionState>(record));
  state->cross = cross_copy;
  // Cross k/v have a fixed length or the source's (verify()): the key rows
  // of the copy, at the session's maxima.
  state->context = cross_copy ? static_cast<size_t>(ctx.max_dims.resolve(ctx.model->tensor(input(op, 1)).dims[1]))
                              : static_cast<size_t>(ctx.max_context);
  state->dtype = ctx.kv_dtype;
  state->layout = CacheLayout(static_cast<size_t>(ctx.max_dims.batch), static_cast<size_t>(o.n_kv_heads()),
                              state->context, static_cast<size_t>(o.head_dim()), state->dtype);
  const PersistentKind kind = cross_copy ? PersistentKind::kSequenceState : PersistentKind::kKvCache;
  EA_ASSIGN_OR_RETURN(state->cache_offset, ctx.request_persistent(state->layout.total, kind));
  return Status::ok();
}

void bind(const BindContext& ctx, const fb::Op&, OpRecord& record) {
  if (record.state == nullptr) return;
  AttentionState& state = *static_cast<AttentionState*>(record.state);
  state.cache = ctx.persistent(state.cache_offset);
}

struct AttentionJob {
  const KernelTable* kernels;
  const float* q;  // [B, S, Hq * Dh]
  const float* k;  // input [B, Skv, Hkv * Dh] (uncached)
  const float* v;
  const uint8_t* cache;  // the op's cache (cached), see CacheLayout
  float* out;      // [B, S, Hq * Dh]
  const int32_t* lengths;
  size_t seq, kv_seq, n_heads, group, head_dim, context;
  size_t past;
  bool cached;  // k/v rows come from the op's state (KV cache or cross copy)
  bool cross;   // ... a cross copy: all `context` rows, no causal mask
  KvDType kv_dtype;
  size_t v_at, k_scales_at, v_scales_at, row_bytes;
  fb::AttentionMask mask;
  float scale;
};

void run_head(void* context, size_t index) {
  const AttentionJob& job = *static_cast<const AttentionJob*>(context);
  const size_t b = index / job.n_heads;
  const size_t h = index % job.n_heads;
  const size_t kv_h = h / job.group;
  const size_t n_kv_heads = job.n_heads / job.group;
  const size_t q_width = job.n_heads * job.head_dim;
  const float* q = job.q + b * job.seq * q_width + h * job.head_dim;
  float* out = job.out + b * job.seq * q_width + h * job.head_dim;
  if (job.cached) {
    // Rows of (b, kv_h) start here; positions [0, past + seq) are filled.
    const size_t first_row = (b * n_kv_heads + kv_h) * job.context;
    AttentionKvArgs a;
    a.q = q;
    a.q_stride = q_width;
    a.k = job.cache + first_row * job.row_bytes;
    a.v = job.cache + job.v_at + first_row * job.row_bytes;
    a.k_stride = a.v_stride = job.head_dim;
    a.k_scales = reinterpret_cast<const float*>(job.cache + job.k_scales_at) + first_row;
    a.v_scales = reinterpret_cast<const float*>(job.cache + job.v_scales_at) + first_row;
    a.out = out;
    a.out_stride = q_width;
    a.n_queries = job.seq;
    a.head_dim = job.head_dim;
    a.n_keys = job.cross ? job.kv_seq : job.past + 1;
    a.causal_step = job.cross ? 0 : 1;
    a.scale = job.scale;
    a.kv_dtype = job.kv_dtype;
    job.kernels->f32_attention_kv(a);
    return;
  }
  AttentionArgs a;
  a.q = q;
  a.q_stride = q_width;
  a.out = out;
  a.out_stride = q_width;
  a.n_queries = job.seq;
  a.head_dim = job.head_dim;
  a.scale = job.scale;
  const size_t kv_width = n_kv_heads * job.head_dim;
  a.k = job.k + b * job.kv_seq * kv_width + kv_h * job.head_dim;
  a.v = job.v + b * job.kv_seq * kv_width + kv_h * job.head_dim;
  a.k_stride = a.v_stride = kv_width;
  switch (job.mask) {
    case fb::AttentionMask::Padding:
      a.n_keys = static_cast<size_t>(job.lengths[b]);
      a.causal_step = 0;
      break;
    case fb::AttentionMask::Causal:
      a.n_keys = 1;
      a.causal_step = 1;
      break;
    case fb::AttentionMask::None:
      a.n_keys = job.kv_seq;
      a.causal_step = 0;
      break;
  }
  job.kernels->f32_attention(a);
}

// Writes row `src` [Dh] into cache row `row` in the cache dtype.
void store_row(const AttentionJob& job, uint8_t* cache, size_t rows_at, size_t scales_at, size_t row,
               const float* src) {
  uint8_t* dst = cache + rows_at + row * job.row_bytes;
  switch (job.kv_dtype) {
    case KvDType::kF32:
      std::memcpy(dst, src, job.head_dim * sizeof(float));
      break;
    case KvDType::kF16:
      job.kernels->f32_to_f16_row(job.head_dim, src, reinterpret_cast<uint16_t*>(dst));
      break;
    case KvDType::kI8:
      reinterpret_cast<float*>(cache + scales_at)[row] =
          job.kernels->f32_quantize_row_q8(job.head_dim, src, reinterpret_cast<int8_t*>(dst));
      break;
  }
}

Status eval(const EvalContext& ctx, const fb::Op& op, const OpRecord& record) {
  const fb::AttentionOptions& o = *op.options_as_AttentionOptions();
  AttentionJob job;
  job.kernels = ctx.kernels;
  job.q = ctx.f32(input(op, 0));
  job.out = ctx.f32(output(op, 0));
  job.lengths = ctx.lengths;
  job.seq = static_cast<size_t>(op_util::dim(*ctx.model, input(op, 0), 1, ctx.dims));
  job.kv_seq = static_cast<size_t>(op_util::dim(*ctx.model, input(op, 1), 1, ctx.dims));
  job.n_heads = static_cast<size_t>(o.n_heads());
  job.group = static_cast<size_t>(o.n_heads() / o.n_kv_heads());
  job.head_dim = static_cast<size_t>(o.head_dim());
  job.past = static_cast<size_t>(ctx.past);
  job.cached = record.state != nullptr;
  job.cross = o.cross();
  job.mask = o.mask();
  job.scale = o.scale() > 0.0f ? o.scale() : 1.0f / std::sqrt(static_cast<float>(o.head_dim()));
  const size_t batch = static_cast<size_t>(ctx.model->tensor(input(op, 0)).dim(0, ctx.dims));
  const size_t n_kv = static_cast<size_t>(o.n_kv_heads());
  if (job.cached) {
    const AttentionState& state = state_of<AttentionState>(record);
    uint8_t* cache = state.cache;
    const CacheLayout& layout = state.layout;
    job.kv_dtype = state.dtype;
    job.cache = cache;
    job.context = state.context;
    job.v_at = layout.v_at;
    job.k_scales_at = layout.k_scales_at;
    job.v_scales_at = layout.v_scales_at;
    job.row_bytes = layout.row_bytes;
    // Self-attention: append this invoke's keys and values at positions
    // [past, past + S). Cross: copy all Skv rows, once per sequence.
    const float* k_in = ctx.f32(input(op, 1));  // [B, S or Skv, Hkv * Dh]
    const float* v_in = ctx.f32(input(op, 2));
    const size_t kv_width = n_kv * job.head_dim;
    const size_t first = job.cross ? 0 : job.past;
    const size_t n_rows = job.cross ? (job.past == 0 ? job.kv_seq : 0) : job.seq;
    for (size_t b = 0; b < batch; ++b) {
      for (size_t t = 0; t < n_rows; ++t) {
        for (size_t h = 0; h < n_kv; ++h) {
          const size_t row = (b * n_kv + h) * job.context + first + t;
          const size_t src = (b * n_rows + t) * kv_width + h * job.head_dim;
          store_row(job, cache, 0, layout.k_scales_at, row, k_in + src);
          store_row(job, cache, layout.v_at, layout.v_scales_at, row, v_in + src);
        }
      }
    }
  } else {
    job.context = 0;
    job.k = ctx.f32(input(op, 1));
    job.v = ctx.f32(input(op, 2));
  }
  // Scores and values: ~2 x queries x keys x head_dim per head.
  const size_t keys = job.cross ? job.kv_seq : job.cached ? job.past + job.seq : job.kv_seq;
  const size_t work = 2 * batch * job.n_heads * job.seq * keys * job.head_dim;
  // K and V rows read (a decode step's reading of its KV cache: 768 KiB per
  // layer of a 110 M Llama at 128 positions in fp32).
  const size_t row_bytes = job.cached ? job.row_bytes : job.head_dim * sizeof(float);
  const size_t kv_bytes = 2 * batch * n_kv * keys * row_bytes;
  parallel::for_1d(ctx.pool_for_reads(work, kv_bytes), run_head, &job, batch * job.n_heads);
  return Status::ok();
}

}  // namespace

extern const OpRegistration kAttentionOp = {"Attention", verify, prepare, bind, eval, nullptr};

}  // namespace edgeattn
