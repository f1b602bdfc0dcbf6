#include "runtime/tasks/embedder.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <new>

namespace edgeattn {
namespace {

double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

// Pools one row of token states [seq, dim] (its first `length` valid) into
// out [dim]: the mean of the valid tokens, or the first (CLS) token.
void pool_tokens(const float* states, int32_t length, size_t dim, Pooling pooling, float* out) {
  if (pooling == Pooling::kCls) {
    std::memcpy(out, states, dim * sizeof(float));
    return;
  }
  for (size_t i = 0; i < dim; ++i) {
    double sum = 0;  // double: a mean over hundreds of tokens without drift
    for (int32_t t = 0; t < length; ++t) sum += states[static_cast<size_t>(t) * dim + i];
    out[i] = static_cast<float>(sum / length);
  }
}

// x / max(||x||, 1e-12), as the graph's L2Normalize (torch's F.normalize).
void l2_normalize(float* x, size_t n) {
  double sq = 0;
  for (size_t i = 0; i < n; ++i) sq += static_cast<double>(x[i]) * x[i];
  const double norm = std::max(std::sqrt(sq), 1e-12);
  for (size_t i = 0; i < n; ++i) x[i] = static_cast<float>(x[i] / norm);
}

}  // namespace

Embedder::~Embedder() = default;

// The checks of create() and plan(), and the session they size: max_batch
// texts of max_tokens tokens (0: the model's max_input_tokens()).
Status Embedder::session_options_for(const Model& model, const EmbedderOptions& options, SessionOptions* so) {
  const ModelInfo& info = model.info();
  EA_ENSURE(info.task == Task::kEmbedding && model.tokenizer() != nullptr, StatusCode::kInvalidArgument,
            "Embedder needs an embedding model with a tokenizer; this one is %s (task %s)%s",
            architecture_name(info.architecture), task_name(info.task),
            model.tokenizer() == nullptr ? " without a tokenizer" : "");
  const int max_tokens = options.max_tokens > 0 ? options.max_tokens : info.max_input_tokens();
  EA_ENSURE(max_tokens >= 1, StatusCode::kInvalidArgument,
            "max_tokens %d: set it, the model gives neither a tokenizer max_length nor max_positions",
            options.max_tokens);
  EA_ENSURE(info.max_positions <= 0 || max_tokens <= info.max_positions, StatusCode::kInvalidArgument,
            "max_tokens %d exceeds the model's max_positions %d", max_tokens, info.max_positions);
  const MethodInfo& method = info.methods[0];
  EA_ENSURE(method.outputs.size() >= 1 && (method.outputs[0].rank == 2 || method.outputs[0].rank == 3),
            StatusCode::kInvalidArgument, "Embedder needs an output of [batch, dim] or [batch, seq, dim]; '%s' has rank %d",
            method.outputs.size() >= 1 ? method.outputs[0].name : "(none)",
            method.outputs.size() >= 1 ? method.outputs[0].rank : 0);
  const TensorInfo& out = method.outputs[0];
  EA_ENSURE(out.dtype == DType::kF32 && out.dims[out.rank - 1].kind == DimKind::kFixed, StatusCode::kInvalidArgument,
            "Embedder needs f32 output rows of a fixed width; '%s' is %s", out.name, dtype_name(out.dtype));
  // A [batch, seq, dim] output is token states: this task pools them.
  EA_ENSURE(out.rank == 2 || info.pooling != Pooling::kNone, StatusCode::kInvalidArgument,
            "output '%s' holds token states and the model names no pooling", out.name);
  so->max_batch = options.max_batch;
  so->max_seq = max_tokens;
  so->threads = options.threads;
  so->kernels = options.kernels;
  so->arena = options.arena;
  return Status::ok();
}

Result<MemoryStats> Embedder::plan(const Model& model, const EmbedderOptions& options) {
  SessionOptions so;
  EA_RETURN_IF_ERROR(session_options_for(model, options, &so));
  return Session::plan(model, so);
}

Result<std::unique_ptr<Embedder>> Embedder::create(const Model& model, const EmbedderOptions& options) {
  SessionOptions so;
  EA_RETURN_IF_ERROR(session_options_for(model, options, &so));
  std::unique_ptr<Embedder> e(new (std::nothrow) Embedder());
  EA_ENSURE(e != nullptr, StatusCode::kOutOfMemory, "out of memory allocating the Embedder");
  const ModelInfo& info = model.info();
  const TensorInfo& out = info.methods[0].outputs[0];
  e->model_ = &model;
  e->max_batch_ = so.max_batch;
  e->max_tokens_ = so.max_seq;
  e->dimension_ = static_cast<size_t>(out.dims[out.rank - 1].value);
  if (out.rank == 3) {
    e->pooling_ = info.pooling;
    e->normalize_ = info.normalize_embeddings;
  }
  e->pad_id_ = model.tokenizer()->pad_id() >= 0 ? model.tokenizer()->pad_id() : 0;
  EA_ASSIGN_OR_RETURN(e->session_, Session::create(model, so));
  const size_t cells = static_cast<size_t>(so.max_batch) * static_cast<size_t>(so.max_seq);
  EA_RETURN_IF_ERROR(e->batch_ids_.assign(cells, e->pad_id_, "the embedder's token batch"));
  EA_RETURN_IF_ERROR(e->batch_lengths_.assign(static_cast<size_t>(so.max_batch), 0, "the embedder's lengths"));
  return e;
}

Status Embedder::tokenize_into(std::string_view text, int row) {
  const Tokenizer& tok = *model_->tokenizer();
  EncodeOptions enc;
  // One token more than fits tells a truncated text from one that fits.
  enc.max_tokens = static_cast<size_t>(max_tokens_) + 1;
  EA_RETURN_IF_ERROR(tok.encode(text, enc, &text_ids_));
  if (text_ids_.size() > static_cast<size_t>(max_tokens_)) {
    ++stats_.truncated;
    enc.max_tokens = static_cast<size_t>(max_tokens_);
    EA_RETURN_IF_ERROR(tok.encode(text, enc, &text_ids_));
  }
  EA_ENSURE(!text_ids_.empty(), StatusCode::kInvalidArgument, "text %d tokenized to nothing", row);
  std::copy(text_ids_.begin(), text_ids_.end(), batch_ids_.data() + static_cast<size_t>(row) * max_tokens_);
  batch_lengths_[static_cast<size_t>(row)] = static_cast<int32_t>(text_ids_.size());
  return Status::ok();
}

Status Embedder::run_batch(int count, float* out) {
  int seq = 1;
  for (int b = 0; b < count; ++b) seq = std::max(seq, batch_lengths_[static_cast<size_t>(b)]);
  // Rows were written with a stride of max_tokens; the invoke wants [count, seq].
  int32_t* ids = batch_ids_.data();
  for (int b = 0; b < count; ++b) {
    const int32_t len = batch_lengths_[static_cast<size_t>(b)];
    int32_t* dst = ids + static_cast<size_t>(b) * seq;
    std::memmove(dst, ids + static_cast<size_t>(b) * max_tokens_, static_cast<size_t>(len) * sizeof(int32_t));
    std::fill(dst + len, dst + seq, pad_id_);
    stats_.tokens += static_cast<size_t>(len);
  }
  InvokeInput in;
  in.ids = ids;
  in.batch = count;
  in.seq = seq;
  in.lengths = batch_lengths_.data();
  const auto t = std::chrono::steady_clock::now();
  EA_RETURN_IF_ERROR(session_->invoke(in));
  stats_.invoke_ms += ms_since(t);
  stats_.invokes += 1;
  stats_.padded_tokens += static_cast<size_t>(count) * static_cast<size_t>(seq);

  const TensorView states = session_->output(0);  // [count, dim] or [count, seq, dim]
  for (int b = 0; b < count; ++b) {
    float* row = out + static_cast<size_t>(b) * dimension_;
    if (states.rank == 2) {
      std::memcpy(row, states.f32() + static_cast<size_t>(b) * dimension_, dimension_ * sizeof(float));
      continue;
    }
    pool_tokens(states.f32() + static_cast<size_t>(b) * seq * dimension_, batch_lengths_[static_cast<size_t>(b)],
                dimension_, pooling_, row);
    if (normalize_) l2_normalize(row, dimension_);
  }
  return Status::ok();
}

Status Embedder::embed(Span<const std::string_view> texts, Span<float> out) {
  stats_ = EmbedStats();
  EA_ENSURE(out.size() >= texts.size() * dimension_, StatusCode::kInvalidArgument,
            "out holds %zu floats; %zu texts of dimension %zu need %zu", out.size(), texts.size(), dimension_,
            texts.size() * dimension_);
  for (size_t first = 0; first < texts.size(); first += static_cast<size_t>(max_batch_)) {
    const int count = static_cast<int>(std::min(texts.size() - first, static_cast<size_t>(max_batch_)));
    for (int b = 0; b < count; ++b) {
      Status s = tokenize_into(texts[first + static_cast<size_t>(b)], b);
      if (!s.is_ok()) return s.with_context("text %zu", first + static_cast<size_t>(b));
    }
    EA_RETURN_IF_ERROR(run_batch(count, out.data() + first * dimension_));
  }
  stats_.texts = texts.size();
  return Status::ok();
}

Status Embedder::embed_tokens(Span<const Span<const int32_t>> rows, Span<float> out) {
  stats_ = EmbedStats();
  EA_ENSURE(out.size() >= rows.size() * dimension_, StatusCode::kInvalidArgument,
            "out holds %zu floats; %zu rows of dimension %zu need %zu", out.size(), rows.size(), dimension_,
            rows.size() * dimension_);
  for (size_t i = 0; i < rows.size(); ++i) {
    EA_ENSURE(rows[i].size() >= 1 && rows[i].size() <= static_cast<size_t>(max_tokens_), StatusCode::kInvalidArgument,
              "row %zu has %zu tokens; [1, max_tokens %d] fit", i, rows[i].size(), max_tokens_);
  }
  for (size_t first = 0; first < rows.size(); first += static_cast<size_t>(max_batch_)) {
    const int count = static_cast<int>(std::min(rows.size() - first, static_cast<size_t>(max_batch_)));
    for (int b = 0; b < count; ++b) {
      const Span<const int32_t> row = rows[first + static_cast<size_t>(b)];
      std::copy(row.begin(), row.end(), batch_ids_.data() + static_cast<size_t>(b) * max_tokens_);
      batch_lengths_[static_cast<size_t>(b)] = static_cast<int32_t>(row.size());
    }
    EA_RETURN_IF_ERROR(run_batch(count, out.data() + first * dimension_));
  }
  stats_.texts = rows.size();
  return Status::ok();
}

double Embedder::cosine(const float* a, const float* b, size_t n) {
  double dot = 0, na = 0, nb = 0;
  for (size_t i = 0; i < n; ++i) {
    dot += static_cast<double>(a[i]) * b[i];
    na += static_cast<double>(a[i]) * a[i];
    nb += static_cast<double>(b[i]) * b[i];
  }
  return na > 0 && nb > 0 ? dot / std::sqrt(na * nb) : 0.0;
}

}  // namespace edgeattn
