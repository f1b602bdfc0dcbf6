// The C API's tasks (capi/edgeattn.h: edgeattn_embedder,
// edgeattn_text_generator) over the C++ tasks of runtime/tasks/.
//
// Each entry point checks its pointers, converts the C structs and calls the
// C++ task, which does all the work: sizing its session from the ModelInfo,
// tokenizing, batching, pooling, sampling, stopping. What is here is only
// what C needs on top: views of the caller's arrays in the Span types the
// tasks take, and a trampoline from the C++ text callback to the C one.
#include <cstring>
#include <memory>
#include <new>
#include <string_view>

#include "capi/c_api_internal.h"
#include "capi/edgeattn.h"
#include "runtime/core/fallible_vector.h"
#include "runtime/tasks/embedder.h"
#include "runtime/tasks/text_generator.h"

using edgeattn::ContextPolicy;
using edgeattn::EmbedderOptions;
using edgeattn::Embedder;
using edgeattn::EmbedStats;
using edgeattn::GenerationRequest;
using edgeattn::GenerationStats;
using edgeattn::Result;
using edgeattn::Span;
using edgeattn::Status;
using edgeattn::StatusCode;
using edgeattn::StopReason;
using edgeattn::TextGenerator;
using edgeattn::TextGeneratorOptions;
using edgeattn::Vector;
using edgeattn::capi::enum_value;
using edgeattn::capi::ok;
using edgeattn::capi::out_of_memory;
using edgeattn::capi::record;
using edgeattn::capi::result_of;
using edgeattn::capi::to_c;
using edgeattn::capi::to_cpp;

EA_C_SAME(EDGEATTN_CONTEXT_STOP, ContextPolicy::kStop);
EA_C_SAME(EDGEATTN_CONTEXT_SLIDE, ContextPolicy::kSlide);
EA_C_SAME(EDGEATTN_STOP_NONE, StopReason::kNone);
EA_C_SAME(EDGEATTN_STOP_TOKEN, StopReason::kStopToken);
EA_C_SAME(EDGEATTN_STOP_MAX_TOKENS, StopReason::kMaxTokens);
EA_C_SAME(EDGEATTN_STOP_CONTEXT_FULL, StopReason::kContextFull);
EA_C_SAME(EDGEATTN_STOP_CALLBACK, StopReason::kCallback);

struct edgeattn_embedder {
  std::unique_ptr<Embedder> embedder;
  // The caller's texts / token rows as the views Embedder takes. Reserved
  // for max_batch at create, so a call with up to that many allocates
  // nothing here; a larger count grows them once (kept for later calls).
  Vector<std::string_view> texts;
  Vector<Span<const int32_t>> rows;
};

struct edgeattn_text_generator {
  std::unique_ptr<TextGenerator> generator;
};

namespace {

// The C++ options for the C ones (NULL: the defaults); _create and _plan
// share it so that a plan is always of what create would build.
Status options_for(const edgeattn_embedder_options* options, EmbedderOptions* e) {
  const edgeattn_embedder_options o = options != nullptr ? *options : edgeattn_embedder_options_default();
  EA_RETURN_IF_ERROR(edgeattn::capi::arena_from_c(o.arena, o.arena_bytes, &e->arena));
  e->max_batch = o.max_batch;
  e->max_tokens = o.max_tokens;
  e->threads = o.threads;
  e->kernels = o.kernels;  // a name; Session::create resolves and checks it
  return Status::ok();
}

// As for the embedder: one conversion for _create and _plan.
Status options_for(const edgeattn_text_generator_options* options, TextGeneratorOptions* t) {
  const edgeattn_text_generator_options o =
      options != nullptr ? *options : edgeattn_text_generator_options_default();
  EA_RETURN_IF_ERROR(edgeattn::capi::kv_dtype_from_c(o.kv_dtype, &t->kv_dtype));
  EA_RETURN_IF_ERROR(edgeattn::capi::arena_from_c(o.arena, o.arena_bytes, &t->arena));
  const int policy = enum_value(o.context_policy);
  EA_ENSURE(policy == EDGEATTN_CONTEXT_STOP || policy == EDGEATTN_CONTEXT_SLIDE, StatusCode::kInvalidArgument,
            "context_policy %d is not an edgeattn_context_policy", policy);
  t->context_policy = static_cast<ContextPolicy>(policy);
  t->max_context = o.max_context;
  t->prefill_chunk = o.prefill_chunk;
  t->threads = o.threads;
  t->kernels = o.kernels;
  t->sampling = edgeattn::capi::to_cpp(o.sampling);
  t->slide_keep = o.slide_keep;
  return Status::ok();
}

// The body of both tasks' _plan: the C++ options _create would use, planned
// without making the session.
template <typename Task, typename Options, typename COptions>
edgeattn_status plan_task(const edgeattn_model* model, const COptions* options, edgeattn_memory_stats* stats) {
  EA_C_CHECK(model != nullptr && stats != nullptr, "model or stats is NULL");
  Options o;
  const Status s = options_for(options, &o);
  if (!s.is_ok()) return record(s);
  Result<edgeattn::MemoryStats> planned = Task::plan(*model->model, o);
  if (!planned.is_ok()) return record(planned.status());
  *stats = to_c(*planned);
  return ok();
}

// The C callback and its user pointer, handed to the C++ task as its
// `user`; lives on the stack of the C call that runs the generation.
struct TextCallback {
  edgeattn_text_callback fn = nullptr;
  void* user = nullptr;
};

bool forward_text(void* user, std::string_view piece) {
  const TextCallback* c = static_cast<const TextCallback*>(user);
  return c->fn(c->user, piece.empty() ? "" : piece.data(), piece.size()) != 0;
}

// The C++ request for a C one (NULL: the defaults); `callback` must outlive
// the generation.
GenerationRequest request_from_c(const edgeattn_generation_request* r, TextCallback* callback) {
  GenerationRequest req;
  if (r == nullptr) return req;
  req.max_tokens = r->max_tokens;
  req.echo_prompt = r->echo_prompt != 0;
  if (r->on_text != nullptr) {
    callback->fn = r->on_text;
    callback->user = r->user;
    req.on_text = forward_text;
    req.user = callback;
  }
  return req;
}

}  // namespace

extern "C" {

// ---- Embedder ----------------------------------------------------------------

edgeattn_embedder_options edgeattn_embedder_options_default(void) EDGEATTN_NOEXCEPT {
  const EmbedderOptions d;
  edgeattn_embedder_options o;
  o.max_batch = d.max_batch;
  o.max_tokens = d.max_tokens;
  o.threads = d.threads;
  o.kernels = d.kernels;
  o.arena = nullptr;
  o.arena_bytes = 0;
  return o;
}

edgeattn_status edgeattn_embedder_create(const edgeattn_model* model, const edgeattn_embedder_options* options,
                                         edgeattn_embedder** out) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(out != nullptr, "out is NULL");
  *out = nullptr;
  EA_C_CHECK(model != nullptr, "model is NULL");
  EmbedderOptions eo;
  const Status s = options_for(options, &eo);
  if (!s.is_ok()) return record(s);
  Result<std::unique_ptr<Embedder>> created = Embedder::create(*model->model, eo);
  if (!created.is_ok()) return record(created.status());
  std::unique_ptr<edgeattn_embedder> h(new (std::nothrow) edgeattn_embedder);
  if (!h) return out_of_memory("an embedder handle");
  h->embedder = std::move(created).value();
  const size_t batch = static_cast<size_t>(h->embedder->max_batch());
  if (!h->texts.try_reserve(batch) || !h->rows.try_reserve(batch)) return out_of_memory("the embedder's row views");
  *out = h.release();
  return ok();
}

edgeattn_status edgeattn_embedder_plan(const edgeattn_model* model, const edgeattn_embedder_options* options,
                                       edgeattn_memory_stats* stats) EDGEATTN_NOEXCEPT {
  return plan_task<Embedder, EmbedderOptions>(model, options, stats);
}

void edgeattn_embedder_destroy(edgeattn_embedder* embedder) EDGEATTN_NOEXCEPT { delete embedder; }

edgeattn_status edgeattn_embedder_embed(edgeattn_embedder* embedder, const char* const* texts, const size_t* lengths,
                                        size_t count, float* out, size_t out_len) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(embedder != nullptr, "embedder is NULL");
  EA_C_CHECK(texts != nullptr || count == 0, "texts is NULL with count %zu", count);
  EA_C_CHECK(out != nullptr || out_len == 0, "out is NULL with out_len %zu", out_len);
  for (size_t i = 0; i < count; ++i) {
    EA_C_CHECK(texts[i] != nullptr || (lengths != nullptr && lengths[i] == 0), "text %zu is NULL", i);
  }
  if (!embedder->texts.try_resize(count)) return out_of_memory("the embedder's text views");
  for (size_t i = 0; i < count; ++i) {
    const size_t n = lengths != nullptr ? lengths[i] : std::strlen(texts[i]);
    embedder->texts[i] = std::string_view(n > 0 ? texts[i] : "", n);
  }
  return result_of(embedder->embedder->embed(Span<const std::string_view>(embedder->texts.data(), count),
                                             Span<float>(out, out_len)));
}

edgeattn_status edgeattn_embedder_embed_tokens(edgeattn_embedder* embedder, const int32_t* const* rows,
                                               const size_t* lengths, size_t count, float* out,
                                               size_t out_len) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(embedder != nullptr, "embedder is NULL");
  EA_C_CHECK((rows != nullptr && lengths != nullptr) || count == 0, "rows or lengths is NULL with count %zu", count);
  EA_C_CHECK(out != nullptr || out_len == 0, "out is NULL with out_len %zu", out_len);
  for (size_t i = 0; i < count; ++i) {
    EA_C_CHECK(rows[i] != nullptr || lengths[i] == 0, "row %zu is NULL", i);
  }
  if (!embedder->rows.try_resize(count)) return out_of_memory("the embedder's row views");
  for (size_t i = 0; i < count; ++i) embedder->rows[i] = Span<const int32_t>(rows[i], lengths[i]);
  return result_of(embedder->embedder->embed_tokens(Span<const Span<const int32_t>>(embedder->rows.data(), count),
                                                    Span<float>(out, out_len)));
}

size_t edgeattn_embedder_dimension(const edgeattn_embedder* embedder) EDGEATTN_NOEXCEPT {
  return embedder != nullptr ? embedder->embedder->dimension() : 0;
}

edgeattn_status edgeattn_embedder_last_stats(const edgeattn_embedder* embedder,
                                             edgeattn_embed_stats* stats) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(embedder != nullptr && stats != nullptr, "embedder or stats is NULL");
  const EmbedStats& e = embedder->embedder->last_stats();
  stats->texts = e.texts;
  stats->tokens = e.tokens;
  stats->padded_tokens = e.padded_tokens;
  stats->truncated = e.truncated;
  stats->invokes = e.invokes;
  stats->invoke_ms = e.invoke_ms;
  return ok();
}

edgeattn_status edgeattn_embedder_memory(const edgeattn_embedder* embedder,
                                         edgeattn_memory_stats* stats) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(embedder != nullptr && stats != nullptr, "embedder or stats is NULL");
  *stats = to_c(embedder->embedder->session().memory());
  return ok();
}

double edgeattn_cosine(const float* a, const float* b, size_t n) EDGEATTN_NOEXCEPT {
  if (a == nullptr || b == nullptr) return 0.0;
  return Embedder::cosine(a, b, n);
}

// ---- Text generator ------------------------------------------------------------

edgeattn_text_generator_options edgeattn_text_generator_options_default(void) EDGEATTN_NOEXCEPT {
  const TextGeneratorOptions d;
  edgeattn_text_generator_options o;
  o.max_context = d.max_context;
  o.prefill_chunk = d.prefill_chunk;
  o.threads = d.threads;
  o.kernels = d.kernels;
  o.kv_dtype = static_cast<edgeattn_kv_dtype>(d.kv_dtype);
  o.sampling = to_c(d.sampling);
  o.context_policy = static_cast<edgeattn_context_policy>(d.context_policy);
  o.slide_keep = d.slide_keep;
  o.arena = nullptr;
  o.arena_bytes = 0;
  return o;
}

edgeattn_generation_request edgeattn_generation_request_default(void) EDGEATTN_NOEXCEPT {
  const GenerationRequest d;
  edgeattn_generation_request r;
  r.max_tokens = d.max_tokens;
  r.on_text = nullptr;
  r.user = nullptr;
  r.echo_prompt = d.echo_prompt ? 1 : 0;
  return r;
}

const char* edgeattn_stop_reason_name(edgeattn_stop_reason reason) EDGEATTN_NOEXCEPT {
  const int v = enum_value(reason);
  if (v < EDGEATTN_STOP_NONE || v > EDGEATTN_STOP_CALLBACK) return "unknown";
  return edgeattn::stop_reason_name(static_cast<StopReason>(v));
}

edgeattn_status edgeattn_text_generator_create(const edgeattn_model* model,
                                               const edgeattn_text_generator_options* options,
                                               edgeattn_text_generator** out) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(out != nullptr, "out is NULL");
  *out = nullptr;
  EA_C_CHECK(model != nullptr, "model is NULL");
  TextGeneratorOptions to;
  const Status s = options_for(options, &to);
  if (!s.is_ok()) return record(s);
  return edgeattn::capi::adopt(TextGenerator::create(*model->model, to), &edgeattn_text_generator::generator,
                               "a text generator handle", out);
}

edgeattn_status edgeattn_text_generator_plan(const edgeattn_model* model,
                                             const edgeattn_text_generator_options* options,
                                             edgeattn_memory_stats* stats) EDGEATTN_NOEXCEPT {
  return plan_task<TextGenerator, TextGeneratorOptions>(model, options, stats);
}

void edgeattn_text_generator_destroy(edgeattn_text_generator* generator) EDGEATTN_NOEXCEPT { delete generator; }

edgeattn_status edgeattn_text_generator_generate(edgeattn_text_generator* generator, const char* text,
                                                 size_t text_len,
                                                 const edgeattn_generation_request* request) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(generator != nullptr, "generator is NULL");
  EA_C_CHECK(text != nullptr || text_len == 0, "text is NULL with text_len %zu", text_len);
  TextCallback callback;
  return result_of(generator->generator->generate(std::string_view(text_len > 0 ? text : "", text_len),
                                                  request_from_c(request, &callback)));
}

edgeattn_status edgeattn_text_generator_generate_tokens(edgeattn_text_generator* generator, const int32_t* ids,
                                                        size_t n,
                                                        const edgeattn_generation_request* request) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(generator != nullptr, "generator is NULL");
  EA_C_CHECK(ids != nullptr || n == 0, "ids is NULL with n %zu", n);
  TextCallback callback;
  return result_of(
      generator->generator->generate_tokens(Span<const int32_t>(ids, n), request_from_c(request, &callback)));
}

edgeattn_status edgeattn_text_generator_chat(edgeattn_text_generator* generator, const char* text, size_t text_len,
                                             const edgeattn_generation_request* request) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(generator != nullptr, "generator is NULL");
  EA_C_CHECK(text != nullptr || text_len == 0, "text is NULL with text_len %zu", text_len);
  TextCallback callback;
  return result_of(generator->generator->chat(std::string_view(text_len > 0 ? text : "", text_len),
                                              request_from_c(request, &callback)));
}

edgeattn_status edgeattn_text_generator_chat_tokens(edgeattn_text_generator* generator, const int32_t* ids, size_t n,
                                                    const edgeattn_generation_request* request) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(generator != nullptr, "generator is NULL");
  EA_C_CHECK(ids != nullptr || n == 0, "ids is NULL with n %zu", n);
  TextCallback callback;
  return result_of(generator->generator->chat_tokens(Span<const int32_t>(ids, n), request_from_c(request, &callback)));
}

void edgeattn_text_generator_reset(edgeattn_text_generator* generator) EDGEATTN_NOEXCEPT {
  if (generator != nullptr) generator->generator->reset();
}

edgeattn_status edgeattn_text_generator_last_stats(const edgeattn_text_generator* generator,
                                                   edgeattn_generation_stats* stats) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(generator != nullptr && stats != nullptr, "generator or stats is NULL");
  const GenerationStats& g = generator->generator->last_stats();
  stats->prompt_tokens = g.prompt_tokens;
  stats->generated = g.generated;
  stats->decode_steps = g.decode_steps;
  stats->prefill_ms = g.prefill_ms;
  stats->decode_ms = g.decode_ms;
  stats->slides = g.slides;
  stats->context_tokens = g.context_tokens;
  stats->stop_reason = static_cast<edgeattn_stop_reason>(g.stop_reason);
  return ok();
}

edgeattn_status edgeattn_text_generator_memory(const edgeattn_text_generator* generator,
                                               edgeattn_memory_stats* stats) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(generator != nullptr && stats != nullptr, "generator or stats is NULL");
  *stats = to_c(generator->generator->session().memory());
  return ok();
}

}  // extern "C"
