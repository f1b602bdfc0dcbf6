// The C API's transcriber (capi/edgeattn.h: edgeattn_transcriber) over the
// C++ Transcriber of runtime/tasks/transcriber.h.
//
// As for the other tasks (c_api_tasks.cc), each entry point checks its
// pointers, converts the C structs and calls the C++ task, which does all
// the work: WAV parsing and validation, resampling, log-mel, the 30-s
// windows, greedy decoding. The transcript and segments are read in place
// from the task, so nothing here allocates after create.
#include <memory>
#include <string_view>

#include "capi/c_api_internal.h"
#include "capi/edgeattn.h"
#include "runtime/tasks/transcriber.h"

using edgeattn::Span;
using edgeattn::Status;
using edgeattn::TranscribeStats;
using edgeattn::Transcriber;
using edgeattn::TranscriberOptions;
using edgeattn::TranscriptSegment;
using edgeattn::capi::ok;
using edgeattn::capi::record;
using edgeattn::capi::result_of;
using edgeattn::capi::to_c;

struct edgeattn_transcriber {
  std::unique_ptr<Transcriber> transcriber;
  // The last transcribe call failed: text and segments read as empty, as
  // documented, whatever the task left behind.
  bool failed = false;
};

// The C struct mirrors the C++ one field for field; a new C++ field must be
// added to both (the size check catches a changed rate table).
static_assert(sizeof(edgeattn_transcriber_options::sample_rates) == sizeof(TranscriberOptions::sample_rates),
              "edgeattn_transcriber_options.sample_rates mirrors TranscriberOptions::sample_rates");

namespace {

// The C++ options for the C ones (NULL: the defaults).
Status options_for(const edgeattn_transcriber_options* options, TranscriberOptions* t) {
  const edgeattn_transcriber_options o = options != nullptr ? *options : edgeattn_transcriber_options_default();
  EA_RETURN_IF_ERROR(edgeattn::capi::kv_dtype_from_c(o.kv_dtype, &t->kv_dtype));
  t->max_audio_seconds = o.max_audio_seconds;
  t->max_sample_rate = o.max_sample_rate;
  t->timestamps = o.timestamps != 0;
  t->threads = o.threads;
  t->kernels = o.kernels;  // a name; Session::create resolves and checks it
  for (size_t i = 0; i < sizeof(o.sample_rates) / sizeof(o.sample_rates[0]); ++i) t->sample_rates[i] = o.sample_rates[i];
  return Status::ok();
}

// The status of a transcribe call, remembering whether it failed.
edgeattn_status finish(edgeattn_transcriber* t, const Status& s) {
  t->failed = !s.is_ok();
  return result_of(s);
}

}  // namespace

extern "C" {

edgeattn_transcriber_options edgeattn_transcriber_options_default(void) EDGEATTN_NOEXCEPT {
  const TranscriberOptions d;
  edgeattn_transcriber_options o;
  o.max_audio_seconds = d.max_audio_seconds;
  o.max_sample_rate = d.max_sample_rate;
  o.timestamps = d.timestamps ? 1 : 0;
  o.threads = d.threads;
  o.kernels = d.kernels;
  o.kv_dtype = static_cast<edgeattn_kv_dtype>(d.kv_dtype);
  for (size_t i = 0; i < sizeof(o.sample_rates) / sizeof(o.sample_rates[0]); ++i) o.sample_rates[i] = d.sample_rates[i];
  return o;
}

edgeattn_status edgeattn_transcriber_create(const edgeattn_model* model, const edgeattn_transcriber_options* options,
                                            edgeattn_transcriber** out) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(out != nullptr, "out is NULL");
  *out = nullptr;
  EA_C_CHECK(model != nullptr, "model is NULL");
  TranscriberOptions to;
  const Status s = options_for(options, &to);
  if (!s.is_ok()) return record(s);
  return edgeattn::capi::adopt(Transcriber::create(*model->model, to), &edgeattn_transcriber::transcriber,
                               "a transcriber handle", out);
}

void edgeattn_transcriber_destroy(edgeattn_transcriber* transcriber) EDGEATTN_NOEXCEPT { delete transcriber; }

edgeattn_status edgeattn_transcriber_transcribe_wav(edgeattn_transcriber* transcriber, const void* wav,
                                                    size_t size) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(transcriber != nullptr, "transcriber is NULL");
  EA_C_CHECK(wav != nullptr || size == 0, "wav is NULL with size %zu", size);
  static const uint8_t kEmpty = 0;  // a valid pointer for an empty span
  const uint8_t* bytes = size > 0 ? static_cast<const uint8_t*>(wav) : &kEmpty;
  return finish(transcriber, transcriber->transcriber->transcribe_wav(Span<const uint8_t>(bytes, size)));
}

edgeattn_status edgeattn_transcriber_transcribe(edgeattn_transcriber* transcriber, const float* samples, size_t n,
                                                uint32_t sample_rate) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(transcriber != nullptr, "transcriber is NULL");
  EA_C_CHECK(samples != nullptr || n == 0, "samples is NULL with n %zu", n);
  return finish(transcriber, transcriber->transcriber->transcribe(Span<const float>(samples, n), sample_rate));
}

const char* edgeattn_transcriber_text(const edgeattn_transcriber* transcriber, size_t* size) EDGEATTN_NOEXCEPT {
  if (size != nullptr) *size = 0;
  if (transcriber == nullptr || transcriber->failed) return "";
  const std::string_view text = transcriber->transcriber->text();
  if (text.empty()) return "";
  if (size != nullptr) *size = text.size();
  return text.data();
}

size_t edgeattn_transcriber_segment_count(const edgeattn_transcriber* transcriber) EDGEATTN_NOEXCEPT {
  if (transcriber == nullptr || transcriber->failed) return 0;
  return transcriber->transcriber->segments().size();
}

edgeattn_status edgeattn_transcriber_segment(const edgeattn_transcriber* transcriber, size_t index, double* start,
                                             double* end, const char** text, size_t* size) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(transcriber != nullptr, "transcriber is NULL");
  EA_C_CHECK(start != nullptr && end != nullptr && text != nullptr && size != nullptr,
             "start, end, text or size is NULL");
  const size_t count = edgeattn_transcriber_segment_count(transcriber);
  EA_C_CHECK(index < count, "segment %zu of %zu", index, count);
  const TranscriptSegment& s = transcriber->transcriber->segments()[index];
  *start = s.start_seconds;
  *end = s.end_seconds;
  *text = transcriber->transcriber->text().data() + s.text_offset;
  *size = s.text_size;
  return ok();
}

edgeattn_status edgeattn_transcriber_last_stats(const edgeattn_transcriber* transcriber,
                                                edgeattn_transcribe_stats* stats) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(transcriber != nullptr && stats != nullptr, "transcriber or stats is NULL");
  const TranscribeStats& t = transcriber->transcriber->last_stats();
  stats->audio_seconds = t.audio_seconds;
  stats->windows = t.windows;
  stats->decoder_tokens = t.decoder_tokens;
  stats->frontend_ms = t.frontend_ms;
  stats->encoder_ms = t.encoder_ms;
  stats->decoder_ms = t.decoder_ms;
  stats->total_ms = t.total_ms;
  stats->real_time_factor = t.real_time_factor();
  stats->decoder_tokens_per_second = t.decoder_tokens_per_second();
  return ok();
}

edgeattn_status edgeattn_transcriber_memory(const edgeattn_transcriber* transcriber, edgeattn_memory_stats* encoder,
                                            edgeattn_memory_stats* decoder, size_t* buffer_bytes) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(transcriber != nullptr, "transcriber is NULL");
  if (encoder != nullptr) *encoder = to_c(transcriber->transcriber->encoder_memory());
  if (decoder != nullptr) *decoder = to_c(transcriber->transcriber->decoder_memory());
  if (buffer_bytes != nullptr) *buffer_bytes = transcriber->transcriber->buffer_bytes();
  return ok();
}

}  // extern "C"
