// The C API's translator (capi/edgeattn.h: edgeattn_translator) over the
// C++ Translator of runtime/tasks/translator.h. Each entry point checks its
// pointers, converts the C structs and calls the C++ task; the translation
// is read in place from the task.
#include <memory>
#include <string_view>

#include "capi/c_api_internal.h"
#include "capi/edgeattn.h"
#include "runtime/tasks/translator.h"

using edgeattn::Status;
using edgeattn::TranslateStats;
using edgeattn::Translator;
using edgeattn::TranslatorOptions;
using edgeattn::capi::ok;
using edgeattn::capi::record;
using edgeattn::capi::result_of;
using edgeattn::capi::to_c;

struct edgeattn_translator {
  std::unique_ptr<Translator> translator;
  bool failed = false;  // the last translate call failed: the text reads as empty
};

namespace {

Status options_for(const edgeattn_translator_options* options, TranslatorOptions* t) {
  const edgeattn_translator_options o = options != nullptr ? *options : edgeattn_translator_options_default();
  EA_RETURN_IF_ERROR(edgeattn::capi::kv_dtype_from_c(o.kv_dtype, &t->kv_dtype));
  t->max_source_tokens = o.max_source_tokens;
  t->max_text_bytes = o.max_text_bytes;
  t->split_sentences = o.split_sentences != 0;
  t->shortlist = o.shortlist != 0;
  t->threads = o.threads;
  t->kernels = o.kernels;
  return Status::ok();
}

}  // namespace

extern "C" {

edgeattn_translator_options edgeattn_translator_options_default(void) EDGEATTN_NOEXCEPT {
  const TranslatorOptions d;
  edgeattn_translator_options o;
  o.max_source_tokens = d.max_source_tokens;
  o.max_text_bytes = d.max_text_bytes;
  o.split_sentences = d.split_sentences ? 1 : 0;
  o.shortlist = d.shortlist ? 1 : 0;
  o.threads = d.threads;
  o.kernels = d.kernels;
  o.kv_dtype = static_cast<edgeattn_kv_dtype>(d.kv_dtype);
  return o;
}

edgeattn_status edgeattn_translator_create(const edgeattn_model* model, const edgeattn_translator_options* options,
                                           edgeattn_translator** out) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(out != nullptr, "out is NULL");
  *out = nullptr;
  EA_C_CHECK(model != nullptr, "model is NULL");
  TranslatorOptions to;
  const Status s = options_for(options, &to);
  if (!s.is_ok()) return record(s);
  return edgeattn::capi::adopt(Translator::create(*model->model, to), &edgeattn_translator::translator,
                               "a translator handle", out);
}

void edgeattn_translator_destroy(edgeattn_translator* translator) EDGEATTN_NOEXCEPT { delete translator; }

edgeattn_status edgeattn_translator_translate(edgeattn_translator* translator, const char* text,
                                              size_t size) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(translator != nullptr, "translator is NULL");
  EA_C_CHECK(text != nullptr || size == 0, "text is NULL with size %zu", size);
  const Status s = translator->translator->translate(std::string_view(size > 0 ? text : "", size));
  translator->failed = !s.is_ok();
  return result_of(s);
}

const char* edgeattn_translator_text(const edgeattn_translator* translator, size_t* size) EDGEATTN_NOEXCEPT {
  if (size != nullptr) *size = 0;
  if (translator == nullptr || translator->failed) return "";
  const std::string_view text = translator->translator->text();
  if (text.empty()) return "";
  if (size != nullptr) *size = text.size();
  return text.data();
}

edgeattn_status edgeattn_translator_last_stats(const edgeattn_translator* translator,
                                               edgeattn_translate_stats* stats) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(translator != nullptr && stats != nullptr, "translator or stats is NULL");
  const TranslateStats& t = translator->translator->last_stats();
  stats->sentences = t.sentences;
  stats->source_tokens = t.source_tokens;
  stats->output_tokens = t.output_tokens;
  stats->selected_words = t.selected_words;
  stats->tokenize_ms = t.tokenize_ms;
  stats->encoder_ms = t.encoder_ms;
  stats->decoder_ms = t.decoder_ms;
  stats->total_ms = t.total_ms;
  return ok();
}

edgeattn_status edgeattn_translator_memory(const edgeattn_translator* translator, edgeattn_memory_stats* encoder,
                                           edgeattn_memory_stats* decoder) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(translator != nullptr, "translator is NULL");
  if (encoder != nullptr) *encoder = to_c(translator->translator->encoder_memory());
  if (decoder != nullptr) *decoder = to_c(translator->translator->decoder_memory());
  return ok();
}

}  // extern "C"
