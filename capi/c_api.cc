// The C API (capi/edgeattn.h) over the C++ runtime: status, model,
// tokenizer, session and generator. The tasks are in c_api_tasks.cc; what
// both files share (last error, conversions) is declared in c_api_internal.h
// and defined here.
//
// Each handle wraps the C++ objects it stands for; each entry point checks
// its pointers, calls the C++ API and turns the Status into a code plus the
// thread's last-error message. The hot calls (invoke, output, step) add no
// allocation to what the C++ API does, which is none.
#include "capi/edgeattn.h"

#include <cstring>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "capi/c_api_internal.h"
#include "runtime/core/fallible_vector.h"
#include "runtime/generator.h"
#include "runtime/model.h"
#include "runtime/sampler.h"
#include "runtime/session.h"
#include "runtime/tasks/text_generator.h"
#include "runtime/tokenizer/tokenizer.h"

using edgeattn::DType;
using edgeattn::GenerateOptions;
using edgeattn::Generator;
using edgeattn::KvCacheDType;
using edgeattn::MemoryStats;
using edgeattn::Model;
using edgeattn::Result;
using edgeattn::SamplingOptions;
using edgeattn::Session;
using edgeattn::SessionOptions;
using edgeattn::Span;
using edgeattn::Status;
using edgeattn::StatusCode;
using edgeattn::Tokenizer;
using edgeattn::capi::enum_value;
using edgeattn::capi::ok;
using edgeattn::capi::out_of_memory;
using edgeattn::capi::record;
using edgeattn::capi::to_c;
using edgeattn::capi::to_cpp;

EA_C_SAME(EDGEATTN_OK, StatusCode::kOk);
EA_C_SAME(EDGEATTN_INVALID_ARGUMENT, StatusCode::kInvalidArgument);
EA_C_SAME(EDGEATTN_INVALID_MODEL, StatusCode::kInvalidModel);
EA_C_SAME(EDGEATTN_UNSUPPORTED, StatusCode::kUnsupported);
EA_C_SAME(EDGEATTN_OUT_OF_RANGE, StatusCode::kOutOfRange);
EA_C_SAME(EDGEATTN_RESOURCE_EXHAUSTED, StatusCode::kResourceExhausted);
EA_C_SAME(EDGEATTN_IO_ERROR, StatusCode::kIoError);
EA_C_SAME(EDGEATTN_INTERNAL, StatusCode::kInternal);
EA_C_SAME(EDGEATTN_OUT_OF_MEMORY, StatusCode::kOutOfMemory);
EA_C_SAME(EDGEATTN_KV_F32, KvCacheDType::kF32);
EA_C_SAME(EDGEATTN_KV_F16, KvCacheDType::kF16);
EA_C_SAME(EDGEATTN_KV_I8, KvCacheDType::kI8);
EA_C_SAME(EDGEATTN_F32, DType::kF32);
EA_C_SAME(EDGEATTN_F16, DType::kF16);
EA_C_SAME(EDGEATTN_I8, DType::kI8);
EA_C_SAME(EDGEATTN_I32, DType::kI32);
EA_C_SAME(EDGEATTN_U8, DType::kU8);
EA_C_SAME(EDGEATTN_MAX_RANK, edgeattn::kMaxRank);

struct edgeattn_session {
  std::unique_ptr<Session> session;
  bool has_output = false;  // the last invoke succeeded: output() is meaningful
};

struct edgeattn_generator {
  const Model* model = nullptr;
  std::unique_ptr<Session> session;
  edgeattn::Vector<int32_t> stop_ids;  // GenerateOptions::stop_ids points here
  GenerateOptions options;
  size_t vocab = 0;
  std::optional<Generator> gen;   // rebuilt in place by reset()
  int32_t prev = -1;              // last token in the context, for streaming text
  std::vector<int32_t> prompt;    // tokenizer output, reused across appends
};

namespace edgeattn::capi {
namespace {
// A trivially constructed thread_local: no TLS init guard, no allocation.
thread_local char t_last_error[Status::kMaxMessage];
}  // namespace

edgeattn_status record(const Status& s) {
  std::strncpy(t_last_error, s.message(), sizeof(t_last_error) - 1);
  t_last_error[sizeof(t_last_error) - 1] = '\0';
  return static_cast<edgeattn_status>(s.code());
}

edgeattn_status ok() {
  t_last_error[0] = '\0';
  return EDGEATTN_OK;
}

edgeattn_status out_of_memory(const char* what) {
  return record(Status::error(StatusCode::kOutOfMemory, "out of memory allocating %s", what));
}

edgeattn_memory_stats to_c(const MemoryStats& m) {
  edgeattn_memory_stats s;
  s.arena_bytes = m.arena_bytes;
  s.activation_bytes = m.activation_bytes;
  s.persistent_bytes = m.persistent_bytes;
  s.kv_cache_bytes = m.kv_cache_bytes;
  s.xnnpack_bytes = m.xnnpack_bytes;
  s.weight_bytes = m.weight_bytes;
  s.sequence_bytes = m.sequence_bytes;
  s.packed_weight_bytes = m.packed_weight_bytes;
  return s;
}

edgeattn_sampling to_c(const SamplingOptions& s) {
  edgeattn_sampling o;
  o.temperature = s.temperature;
  o.top_k = s.top_k;
  o.top_p = s.top_p;
  o.repetition_penalty = s.repetition_penalty;
  o.penalty_window = s.penalty_window;
  o.seed = s.seed;
  return o;
}

SamplingOptions to_cpp(const edgeattn_sampling& s) {
  SamplingOptions o;
  o.temperature = s.temperature;
  o.top_k = s.top_k;
  o.top_p = s.top_p;
  o.repetition_penalty = s.repetition_penalty;
  o.penalty_window = s.penalty_window;
  o.seed = s.seed;
  return o;
}

Status kv_dtype_from_c(const edgeattn_kv_dtype& c, KvCacheDType* out) {
  const int kv = enum_value(c);
  EA_ENSURE(kv >= EDGEATTN_KV_F32 && kv <= EDGEATTN_KV_I8, StatusCode::kInvalidArgument,
            "kv_dtype %d is not an edgeattn_kv_dtype", kv);
  *out = static_cast<KvCacheDType>(kv);
  return Status::ok();
}

Status arena_from_c(void* arena, size_t arena_bytes, Span<uint8_t>* out) {
  EA_ENSURE((arena == nullptr) == (arena_bytes == 0), StatusCode::kInvalidArgument,
            "arena and arena_bytes must be both set or both empty (arena %p, %zu bytes)", arena, arena_bytes);
  *out = Span<uint8_t>(static_cast<uint8_t*>(arena), arena_bytes);
  return Status::ok();
}

}  // namespace edgeattn::capi

namespace {

// C options -> C++ options; checks what the C++ side cannot see (enum
// range after the cast, the arena pointer/size pair).
Status session_options_from_c(const edgeattn_session_options& o, SessionOptions* so) {
  EA_RETURN_IF_ERROR(edgeattn::capi::kv_dtype_from_c(o.kv_dtype, &so->kv_dtype));
  EA_RETURN_IF_ERROR(edgeattn::capi::arena_from_c(o.arena, o.arena_bytes, &so->arena));
  so->method = o.method;
  so->max_batch = o.max_batch;
  so->max_seq = o.max_seq;
  so->max_context = o.max_context;
  so->threads = o.threads;
  so->kernels = o.kernels;  // a name; Session::create / plan resolve and check it
  return Status::ok();
}

size_t vocab_of(const Model& model) {
  const int v = model.info().vocab_size;
  return v > 0 ? static_cast<size_t>(v) : 0;
}

// The session options a generator runs with: the caller's plus the sampling
// scratch in the arena's persistent region.
Status generator_session_options(const Model& model, const edgeattn_session_options& c,
                                 const edgeattn_generate_options& g, SessionOptions* so) {
  EA_RETURN_IF_ERROR(session_options_from_c(c, so));
  EA_ENSURE(model.is_decoder(), StatusCode::kInvalidArgument, "generation needs a decoder model; this one is %s",
            edgeattn::architecture_name(model.info().architecture));
  const int context = c.max_context > 0 ? c.max_context : c.max_seq;
  EA_ENSURE(context >= 1, StatusCode::kInvalidArgument, "max_context %d / max_seq %d must be positive",
            c.max_context, c.max_seq);
  so->scratch_bytes = Generator::scratch_bytes(vocab_of(model), static_cast<size_t>(context), to_cpp(g.sampling));
  return Status::ok();
}

const Tokenizer* tokenizer_of(const edgeattn_model* model) {
  return model != nullptr && model->model ? model->model->tokenizer() : nullptr;
}

edgeattn_status wrap_model(Result<std::unique_ptr<Model>> loaded, edgeattn_model** out) {
  if (!loaded.is_ok()) return record(loaded.status());
  edgeattn_model* m = new (std::nothrow) edgeattn_model;
  if (m == nullptr) return out_of_memory("a model handle");
  m->model = std::move(loaded).value();
  *out = m;
  return ok();
}

}  // namespace

extern "C" {

// ---- Status and version ----------------------------------------------------

const char* edgeattn_status_name(edgeattn_status status) EDGEATTN_NOEXCEPT {
  const int v = enum_value(status);
  if (v < EDGEATTN_OK || v > EDGEATTN_OUT_OF_MEMORY) return "unknown";
  return edgeattn::status_code_name(static_cast<StatusCode>(status));
}

const char* edgeattn_last_error(void) EDGEATTN_NOEXCEPT { return edgeattn::capi::t_last_error; }

const char* edgeattn_version(void) EDGEATTN_NOEXCEPT { return EDGEATTN_VERSION_STRING; }

int edgeattn_c_api_version(void) EDGEATTN_NOEXCEPT { return EDGEATTN_C_API_VERSION; }

// ---- Model -------------------------------------------------------------------

edgeattn_status edgeattn_model_load_file(const char* path, edgeattn_model** out) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(out != nullptr, "out is NULL");
  *out = nullptr;
  EA_C_CHECK(path != nullptr, "path is NULL");
  return wrap_model(Model::load_file(path), out);
}

edgeattn_status edgeattn_model_load_buffer(const void* data, size_t size, edgeattn_model** out) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(out != nullptr, "out is NULL");
  *out = nullptr;
  EA_C_CHECK(data != nullptr, "data is NULL");
  return wrap_model(Model::load_buffer(data, size), out);
}

void edgeattn_model_destroy(edgeattn_model* model) EDGEATTN_NOEXCEPT { delete model; }

edgeattn_status edgeattn_model_get_info(const edgeattn_model* model, edgeattn_model_info* info) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(model != nullptr && info != nullptr, "model or info is NULL");
  const Model& m = *model->model;
  const edgeattn::ModelInfo& hp = m.info();
  edgeattn_model_info i;
  i.tensor_count = m.tensor_count();
  i.weight_bytes = m.weight_bytes();
  i.file_bytes = m.file_size();
  i.architecture = edgeattn::architecture_name(hp.architecture);
  i.is_decoder = m.is_decoder() ? 1 : 0;
  i.vocab_size = hp.vocab_size;
  i.hidden_size = hp.hidden_size;
  i.n_layers = hp.n_layers;
  i.max_positions = hp.max_positions;
  const Tokenizer* tok = m.tokenizer();
  i.has_tokenizer = tok != nullptr ? 1 : 0;
  i.max_length = hp.tokenizer_max_length;
  i.bos_id = tok != nullptr ? tok->bos_id() : -1;
  i.eos_id = tok != nullptr ? tok->eos_id() : -1;
  i.pad_id = tok != nullptr ? tok->pad_id() : -1;
  i.unk_id = tok != nullptr ? tok->unk_id() : -1;
  i.cls_id = tok != nullptr ? tok->cls_id() : -1;
  i.sep_id = tok != nullptr ? tok->sep_id() : -1;
  *info = i;
  return ok();
}

// ---- Tokenizer ---------------------------------------------------------------

edgeattn_status edgeattn_tokenize(const edgeattn_model* model, const char* text, size_t text_len,
                                  const edgeattn_tokenize_options* options, int32_t* ids, size_t capacity,
                                  size_t* count) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(model != nullptr && count != nullptr, "model or count is NULL");
  EA_C_CHECK(text != nullptr || text_len == 0, "text is NULL");
  EA_C_CHECK(ids != nullptr || capacity == 0, "ids is NULL with capacity %zu", capacity);
  const Tokenizer* tok = tokenizer_of(model);
  EA_C_CHECK(tok != nullptr, "model has no tokenizer");
  edgeattn::EncodeOptions enc;
  if (options != nullptr) {
    enc.add_special_tokens = options->add_special_tokens != 0;
    enc.add_eos = options->add_eos != 0;
    enc.max_tokens = options->max_tokens;
  }
  std::vector<int32_t> out;
  const Status s = tok->encode(std::string_view(text_len > 0 ? text : "", text_len), enc, &out);
  if (!s.is_ok()) return record(s);
  *count = out.size();
  if (out.size() > capacity) {
    return record(Status::error(StatusCode::kResourceExhausted, "ids buffer of %zu holds too few: %zu ids needed",
                                capacity, out.size()));
  }
  if (!out.empty()) std::memcpy(ids, out.data(), out.size() * sizeof(int32_t));
  return ok();
}

edgeattn_status edgeattn_detokenize(const edgeattn_model* model, const int32_t* ids, size_t n, char* text,
                                    size_t capacity, size_t* length) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(model != nullptr && length != nullptr, "model or length is NULL");
  EA_C_CHECK(ids != nullptr || n == 0, "ids is NULL");
  EA_C_CHECK(text != nullptr || capacity == 0, "text is NULL with capacity %zu", capacity);
  const Tokenizer* tok = tokenizer_of(model);
  EA_C_CHECK(tok != nullptr, "model has no tokenizer");
  std::string out;
  const Status s = tok->decode(Span<const int32_t>(ids, n), &out);
  if (!s.is_ok()) return record(s);
  *length = out.size();
  if (out.size() + 1 > capacity) {
    return record(Status::error(StatusCode::kResourceExhausted,
                                "text buffer of %zu bytes is too small: %zu bytes and a NUL needed", capacity,
                                out.size()));
  }
  std::memcpy(text, out.data(), out.size());
  text[out.size()] = '\0';
  return ok();
}

edgeattn_status edgeattn_token_text(const edgeattn_model* model, int32_t prev_id, int32_t id, const char** text,
                                    size_t* text_len) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(model != nullptr && text != nullptr && text_len != nullptr, "model, text or text_len is NULL");
  const Tokenizer* tok = tokenizer_of(model);
  EA_C_CHECK(tok != nullptr, "model has no tokenizer");
  const std::string_view piece = tok->decode_piece(prev_id, id);
  *text = piece.empty() ? "" : piece.data();
  *text_len = piece.size();
  return ok();
}

// ---- Session -----------------------------------------------------------------

edgeattn_session_options edgeattn_session_options_default(void) EDGEATTN_NOEXCEPT {
  const SessionOptions d;
  edgeattn_session_options o;
  o.method = nullptr;
  o.max_batch = d.max_batch;
  o.max_seq = d.max_seq;
  o.max_context = d.max_context;
  o.threads = d.threads;
  o.kv_dtype = static_cast<edgeattn_kv_dtype>(d.kv_dtype);
  o.arena = nullptr;
  o.arena_bytes = 0;
  o.kernels = nullptr;
  return o;
}

edgeattn_status edgeattn_session_plan(const edgeattn_model* model, const edgeattn_session_options* options,
                                      edgeattn_memory_stats* stats) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(model != nullptr && stats != nullptr, "model or stats is NULL");
  SessionOptions so;
  const Status s = session_options_from_c(options != nullptr ? *options : edgeattn_session_options_default(), &so);
  if (!s.is_ok()) return record(s);
  Result<MemoryStats> planned = Session::plan(*model->model, so);
  if (!planned.is_ok()) return record(planned.status());
  *stats = to_c(*planned);
  return ok();
}

edgeattn_status edgeattn_session_create(const edgeattn_model* model, const edgeattn_session_options* options,
                                        edgeattn_session** out) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(out != nullptr, "out is NULL");
  *out = nullptr;
  EA_C_CHECK(model != nullptr, "model is NULL");
  SessionOptions so;
  const Status s = session_options_from_c(options != nullptr ? *options : edgeattn_session_options_default(), &so);
  if (!s.is_ok()) return record(s);
  Result<std::unique_ptr<Session>> created = Session::create(*model->model, so);
  if (!created.is_ok()) return record(created.status());
  edgeattn_session* h = new (std::nothrow) edgeattn_session;
  if (h == nullptr) return out_of_memory("a session handle");
  h->session = std::move(created).value();
  *out = h;
  return ok();
}

void edgeattn_session_destroy(edgeattn_session* session) EDGEATTN_NOEXCEPT { delete session; }

edgeattn_status edgeattn_session_invoke(edgeattn_session* session, const edgeattn_input* input) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(session != nullptr && input != nullptr, "session or input is NULL");
  edgeattn::InvokeInput in;
  in.ids = input->ids;
  in.batch = input->batch;
  in.seq = input->seq;
  in.lengths = input->lengths;
  in.all_positions = input->all_positions != 0;
  const Status s = session->session->invoke(in);
  session->has_output = s.is_ok();
  return s.is_ok() ? ok() : record(s);
}

size_t edgeattn_session_output_count(const edgeattn_session* session) EDGEATTN_NOEXCEPT {
  return session != nullptr ? session->session->output_count() : 0;
}

edgeattn_status edgeattn_session_output(const edgeattn_session* session, size_t index,
                                        edgeattn_tensor* out) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(session != nullptr && out != nullptr, "session or out is NULL");
  EA_C_CHECK(session->has_output, "no output: the session has no successful invoke since create or reset");
  const size_t n = session->session->output_count();
  EA_C_CHECK(index < n, "output %zu of %zu", index, n);
  const edgeattn::TensorView v = session->session->output(index);
  out->dtype = static_cast<edgeattn_dtype>(v.dtype);
  out->rank = v.rank;
  for (int i = 0; i < EDGEATTN_MAX_RANK; ++i) out->shape[i] = i < v.rank ? v.shape[i] : 0;
  out->data = v.data;
  return ok();
}

int64_t edgeattn_session_past(const edgeattn_session* session) EDGEATTN_NOEXCEPT {
  return session != nullptr ? session->session->past() : 0;
}

void edgeattn_session_reset(edgeattn_session* session) EDGEATTN_NOEXCEPT {
  if (session == nullptr) return;
  session->session->reset();
  session->has_output = false;
}

edgeattn_status edgeattn_session_memory(const edgeattn_session* session,
                                        edgeattn_memory_stats* stats) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(session != nullptr && stats != nullptr, "session or stats is NULL");
  *stats = to_c(session->session->memory());
  return ok();
}

const char* edgeattn_session_kernel_name(const edgeattn_session* session) EDGEATTN_NOEXCEPT {
  return session != nullptr ? session->session->kernel_name() : "";
}

// ---- Generator ---------------------------------------------------------------

edgeattn_generate_options edgeattn_generate_options_default(void) EDGEATTN_NOEXCEPT {
  const GenerateOptions d;
  edgeattn_generate_options o;
  o.sampling = to_c(d.sampling);
  o.max_tokens = d.max_tokens;
  o.stop_ids = nullptr;
  o.stop_id_count = 0;
  o.slide = d.context_policy == edgeattn::ContextPolicy::kSlide ? 1 : 0;
  o.slide_keep = d.slide_keep;
  return o;
}

edgeattn_status edgeattn_generator_plan(const edgeattn_model* model, const edgeattn_session_options* session_options,
                                        const edgeattn_generate_options* options,
                                        edgeattn_memory_stats* stats) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(model != nullptr && stats != nullptr, "model or stats is NULL");
  SessionOptions so;
  const Status s = generator_session_options(
      *model->model, session_options != nullptr ? *session_options : edgeattn_session_options_default(),
      options != nullptr ? *options : edgeattn_generate_options_default(), &so);
  if (!s.is_ok()) return record(s);
  Result<MemoryStats> planned = Session::plan(*model->model, so);
  if (!planned.is_ok()) return record(planned.status());
  *stats = to_c(*planned);
  return ok();
}

edgeattn_status edgeattn_generator_create(const edgeattn_model* model, const edgeattn_session_options* session_options,
                                          const edgeattn_generate_options* options,
                                          edgeattn_generator** out) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(out != nullptr, "out is NULL");
  *out = nullptr;
  EA_C_CHECK(model != nullptr, "model is NULL");
  const edgeattn_generate_options go = options != nullptr ? *options : edgeattn_generate_options_default();
  EA_C_CHECK(go.stop_ids != nullptr || go.stop_id_count == 0, "stop_ids is NULL with stop_id_count %zu",
             go.stop_id_count);
  const Model& m = *model->model;
  SessionOptions so;
  Status s = generator_session_options(
      m, session_options != nullptr ? *session_options : edgeattn_session_options_default(), go, &so);
  if (!s.is_ok()) return record(s);

  std::unique_ptr<edgeattn_generator> g(new (std::nothrow) edgeattn_generator);
  if (!g) return out_of_memory("a generator handle");
  g->model = &m;
  g->vocab = vocab_of(m);
  if (go.stop_ids != nullptr) {
    if (!g->stop_ids.try_resize(go.stop_id_count)) return out_of_memory("stop ids");
    for (size_t i = 0; i < go.stop_id_count; ++i) g->stop_ids[i] = go.stop_ids[i];
  } else if (const Tokenizer* tok = m.tokenizer()) {
    // The TextGenerator's rule: EOS, and BOS that ends a llama2.c story.
    int32_t stops[2];
    const size_t n = edgeattn::TextGenerator::default_stop_ids(*tok, stops);
    if (!g->stop_ids.try_resize(n)) return out_of_memory("stop ids");
    for (size_t i = 0; i < n; ++i) g->stop_ids[i] = stops[i];
  }
  g->options.sampling = to_cpp(go.sampling);
  g->options.max_tokens = go.max_tokens;
  g->options.stop_ids = Span<const int32_t>(g->stop_ids.data(), g->stop_ids.size());
  g->options.context_policy = go.slide != 0 ? edgeattn::ContextPolicy::kSlide : edgeattn::ContextPolicy::kStop;
  g->options.slide_keep = go.slide_keep;

  Result<std::unique_ptr<Session>> created = Session::create(m, so);
  if (!created.is_ok()) return record(created.status());
  g->session = std::move(created).value();
  g->gen.emplace(*g->session, g->vocab, g->options);
  if (!g->gen->status().is_ok()) return record(g->gen->status());
  *out = g.release();
  return ok();
}

void edgeattn_generator_destroy(edgeattn_generator* generator) EDGEATTN_NOEXCEPT { delete generator; }

edgeattn_status edgeattn_generator_append_tokens(edgeattn_generator* generator, const int32_t* ids,
                                                 size_t n) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(generator != nullptr, "generator is NULL");
  EA_C_CHECK(ids != nullptr && n > 0, "no tokens to append (ids %p, n %zu)", static_cast<const void*>(ids), n);
  // The generator feeds the history to the session, which checks each id
  // against the vocabulary; checking here too names the position.
  for (size_t i = 0; i < n; ++i) {
    EA_C_CHECK(ids[i] >= 0 && static_cast<size_t>(ids[i]) < generator->vocab, "token %zu: id %d not in [0, %zu)", i,
               ids[i], generator->vocab);
  }
  const Status s = generator->gen->append(Span<const int32_t>(ids, n));
  if (!s.is_ok()) return record(s);
  generator->prev = ids[n - 1];
  return ok();
}

edgeattn_status edgeattn_generator_append_text(edgeattn_generator* generator, const char* text, size_t text_len,
                                               int add_bos) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(generator != nullptr, "generator is NULL");
  EA_C_CHECK(text != nullptr || text_len == 0, "text is NULL");
  const Tokenizer* tok = generator->model->tokenizer();
  EA_C_CHECK(tok != nullptr, "model has no tokenizer: use edgeattn_generator_append_tokens");
  const Status s = edgeattn::TextGenerator::prompt_ids(*tok, std::string_view(text_len > 0 ? text : "", text_len),
                                                       add_bos != 0, &generator->prompt);
  if (!s.is_ok()) return record(s);
  return edgeattn_generator_append_tokens(generator, generator->prompt.data(), generator->prompt.size());
}

edgeattn_status edgeattn_generator_step(edgeattn_generator* generator, edgeattn_token* token) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(generator != nullptr && token != nullptr, "generator or token is NULL");
  Generator& gen = *generator->gen;
  int32_t id = -1;
  const Status s = gen.step(&id);
  if (!s.is_ok()) return record(s);
  token->id = id;
  token->is_stop = gen.stopped() ? 1 : 0;
  token->finished = gen.finished() ? 1 : 0;
  token->text = "";
  token->text_len = 0;
  if (!gen.stopped()) {
    if (const Tokenizer* tok = generator->model->tokenizer()) {
      const std::string_view piece = tok->decode_piece(generator->prev, id);
      if (!piece.empty()) {
        token->text = piece.data();
        token->text_len = piece.size();
      }
    }
    generator->prev = id;
  }
  return ok();
}

edgeattn_status edgeattn_generator_run(edgeattn_generator* generator, edgeattn_token_callback callback,
                                       void* user) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(generator != nullptr, "generator is NULL");
  while (!generator->gen->finished()) {
    edgeattn_token t;
    const edgeattn_status s = edgeattn_generator_step(generator, &t);
    if (s != EDGEATTN_OK) return s;
    if (t.is_stop) break;
    if (callback != nullptr && callback(&t, user) != 0) break;
  }
  return ok();
}

void edgeattn_generator_reset(edgeattn_generator* generator) EDGEATTN_NOEXCEPT {
  if (generator == nullptr) return;
  // The Generator lives in the session arena's scratch; rebuilding it resets
  // the session, the history and the sampler's RNG without allocating.
  generator->gen.emplace(*generator->session, generator->vocab, generator->options);
  generator->prev = -1;
}

int edgeattn_generator_generated(const edgeattn_generator* generator) EDGEATTN_NOEXCEPT {
  return generator != nullptr ? generator->gen->generated() : 0;
}

edgeattn_status edgeattn_generator_memory(const edgeattn_generator* generator,
                                          edgeattn_memory_stats* stats) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(generator != nullptr && stats != nullptr, "generator or stats is NULL");
  *stats = to_c(generator->session->memory());
  return ok();
}

}  // extern "C"
