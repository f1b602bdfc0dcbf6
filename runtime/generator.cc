#include "runtime/generator.h"

#include <cstring>

#include "runtime/session.h"

namespace edgeattn {
namespace {

size_t history_bytes(size_t max_context) {
  // +1: a sampled token waiting to be fed when the context is exactly full.
  return ((max_context + 1) * sizeof(int32_t) + 63) / 64 * 64;
}

Span<uint8_t> sampler_scratch(Session& session) {
  Span<uint8_t> all = session.scratch();
  const size_t h = history_bytes(static_cast<size_t>(session.max_context()));
  return all.size() >= h ? all.subspan(h, all.size() - h) : Span<uint8_t>();
}

}  // namespace

size_t Generator::scratch_bytes(size_t vocab_size, size_t max_context, const SamplingOptions& sampling) {
  return history_bytes(max_context) + Sampler::scratch_bytes(vocab_size, sampling);
}

Generator::Generator(Session& session, size_t vocab_size, const GenerateOptions& options)
    : session_(&session),
      vocab_size_(vocab_size),
      options_(options),
      sampler_(vocab_size, options.sampling, sampler_scratch(session)),
      history_(reinterpret_cast<int32_t*>(session.scratch().data())) {
  const size_t need = scratch_bytes(vocab_size, static_cast<size_t>(session.max_context()), options.sampling);
  // The logits row the sampler reads: [batch, out_seq, vocab] for decoders.
  const TensorView logits = session.output(0);
  const int64_t logits_width = logits.rank >= 1 ? logits.dim(logits.rank - 1) : 0;
  if (!session.has_kv_cache()) {
    status_ = Status::error(StatusCode::kInvalidArgument, "generation needs a decoder session with a KV cache");
  } else if (logits.dtype != DType::kF32 || logits_width != static_cast<int64_t>(vocab_size)) {
    // E.g. a vocabulary size from another model's tokenizer: the sampler
    // would read past the logits.
    status_ = Status::error(StatusCode::kInvalidArgument,
                            "vocab_size %zu does not match this session's model, whose logits have %lld entries",
                            vocab_size, static_cast<long long>(logits_width));
  } else if (session.scratch().size() < need) {
    status_ = Status::error(StatusCode::kInvalidArgument,
                            "session scratch of %zu bytes is too small: generation needs %zu (Generator::scratch_bytes)",
                            session.scratch().size(), need);
  } else if (options.max_tokens < 1) {
    status_ = Status::error(StatusCode::kInvalidArgument, "max_tokens must be positive");
  }
  session.reset();
}

Status Generator::slide() {
  const size_t context = static_cast<size_t>(session_->max_context());
  size_t keep = options_.slide_keep > 0 ? static_cast<size_t>(options_.slide_keep) : context / 2;
  if (keep >= context) keep = context - 1;
  if (keep > history_len_) keep = history_len_;
  std::memmove(history_, history_ + (history_len_ - keep), keep * sizeof(int32_t));
  history_len_ = keep;
  fed_ = 0;
  session_->reset();
  ++slides_;
  return feed(nullptr, 0);
}

// Appends `tokens` to the history, then feeds every token not yet in the KV
// cache (history_[fed_, history_len_)) in chunks of the session's max_seq,
// applying the context policy when the cache is full.
Status Generator::feed(const int32_t* tokens, size_t n) {
  const size_t context = static_cast<size_t>(session_->max_context());
  for (size_t i = 0; i < n; ++i) {
    if (history_len_ == context + 1) {
      if (options_.context_policy == ContextPolicy::kStop) {
        return Status::error(StatusCode::kOutOfRange, "context full: %zu tokens (max_context %zu)", history_len_,
                             context);
      }
      EA_RETURN_IF_ERROR(slide());
    }
    history_[history_len_++] = tokens[i];
    sampler_.observe(tokens[i]);
  }
  const size_t max_seq = static_cast<size_t>(session_->max_seq());
  while (fed_ < history_len_) {
    if (fed_ == context) {
      if (options_.context_policy == ContextPolicy::kStop) {
        return Status::error(StatusCode::kOutOfRange, "context full: %zu tokens (max_context %zu)", fed_, context);
      }
      return slide();
    }
    size_t chunk = history_len_ - fed_;
    if (chunk > max_seq) chunk = max_seq;
    if (chunk > context - fed_) chunk = context - fed_;
    InvokeInput in;
    in.ids = history_ + fed_;
    in.seq = static_cast<int>(chunk);
    EA_RETURN_IF_ERROR(session_->invoke(in));
    fed_ += chunk;
    have_logits_ = true;
  }
  return Status::ok();
}

Status Generator::append(Span<const int32_t> tokens) {
  EA_RETURN_IF_ERROR(status_);
  EA_RETURN_IF_ERROR(feed(tokens.data(), tokens.size()));
  finished_ = false;
  stopped_ = false;
  generated_ = 0;
  return Status::ok();
}

Status Generator::step(int32_t* token) {
  EA_RETURN_IF_ERROR(status_);
  EA_ENSURE(!finished_, StatusCode::kInvalidArgument, "generation finished; append() to continue");
  // Feed the token sampled last time; it is part of the context now.
  EA_RETURN_IF_ERROR(feed(nullptr, 0));
  EA_ENSURE(have_logits_, StatusCode::kInvalidArgument, "append() a prompt before step()");
  float* logits = session_->output(0).mutable_f32();
  // A model file with NaN or huge weights gives non-finite logits; sampling
  // them would be meaningless.
  const Status finite = Sampler::check_logits(logits, vocab_size_);
  if (!finite.is_ok()) {
    return Status::error(StatusCode::kInvalidModel, "the model produced non-finite logits: %s", finite.message());
  }
  const int32_t next = sampler_.sample(logits);
  *token = next;
  for (int32_t stop : options_.stop_ids) {
    if (next == stop) {
      finished_ = stopped_ = true;
      return Status::ok();
    }
  }
  // After feed() the history holds at most max_context tokens: room for one more.
  history_[history_len_++] = next;
  ++generated_;
  // Under kStop a full cache cannot take the token just sampled: this was the last one.
  if (options_.context_policy == ContextPolicy::kStop && fed_ == static_cast<size_t>(session_->max_context())) {
    finished_ = true;
  }
  if (generated_ >= options_.max_tokens) finished_ = true;
  return Status::ok();
}

}  // namespace edgeattn
