/* C99 users of the C API for the tests (see capi_c_helpers.h). */
#include "tests/capi/capi_c_helpers.h"

#include <string.h>

/* Appends bytes to a NUL-terminated buffer, truncating at capacity - 1. */
static void append(char* text, size_t capacity, size_t* length, const char* bytes, size_t n) {
  if (*length + n + 1 > capacity) n = *length + 1 < capacity ? capacity - 1 - *length : 0;
  memcpy(text + *length, bytes, n);
  *length += n;
  text[*length] = '\0';
}

edgeattn_status capi_generator_greedy(const edgeattn_model* model, int steps, char* text, size_t capacity,
                                      size_t* length) {
  edgeattn_session_options so = edgeattn_session_options_default();
  edgeattn_generate_options go = edgeattn_generate_options_default();
  edgeattn_generator* gen = NULL;
  edgeattn_status s;
  *length = 0;
  text[0] = '\0';
  so.max_seq = 8;
  so.max_context = steps + 1;
  go.max_tokens = steps;
  s = edgeattn_generator_create(model, &so, &go, &gen);
  if (s == EDGEATTN_OK) s = edgeattn_generator_append_text(gen, "", 0, 1);
  while (s == EDGEATTN_OK) {
    edgeattn_token t;
    s = edgeattn_generator_step(gen, &t);
    if (s != EDGEATTN_OK || t.is_stop) break;
    append(text, capacity, length, t.text, t.text_len);
    if (t.finished) break;
  }
  edgeattn_generator_destroy(gen);
  return s;
}

edgeattn_status capi_session_greedy(const edgeattn_model* model, int steps, char* text, size_t capacity,
                                    size_t* length) {
  edgeattn_session_options so = edgeattn_session_options_default();
  edgeattn_model_info info;
  edgeattn_session* session = NULL;
  edgeattn_status s;
  int32_t token;
  int step;
  *length = 0;
  text[0] = '\0';
  s = edgeattn_model_get_info(model, &info);
  if (s != EDGEATTN_OK) return s;
  so.max_seq = 1;
  so.max_context = steps;
  s = edgeattn_session_create(model, &so, &session);
  token = info.bos_id;
  for (step = 0; s == EDGEATTN_OK && step < steps; ++step) {
    edgeattn_input in;
    edgeattn_tensor logits;
    const float* row;
    const char* piece;
    size_t piece_len;
    int32_t best = 0, v;
    in.ids = &token;
    in.batch = 1;
    in.seq = 1;
    in.lengths = NULL;
    in.all_positions = 0;
    s = edgeattn_session_invoke(session, &in);
    if (s == EDGEATTN_OK) s = edgeattn_session_output(session, 0, &logits);
    if (s != EDGEATTN_OK) break;
    /* logits: f32 [1, 1, vocab] */
    row = (const float*)logits.data;
    for (v = 1; v < (int32_t)logits.shape[2]; ++v) {
      if (row[v] > row[best]) best = v;
    }
    s = edgeattn_token_text(model, token, best, &piece, &piece_len);
    if (s == EDGEATTN_OK) append(text, capacity, length, piece, piece_len);
    token = best;
  }
  edgeattn_session_destroy(session);
  return s;
}

/* The text generator's callback: appends each piece to a capi_text_sink. */
typedef struct capi_text_sink {
  char* text;
  size_t capacity;
  size_t* length;
} capi_text_sink;

static int sink_text(void* user, const char* piece, size_t len) {
  capi_text_sink* sink = (capi_text_sink*)user;
  append(sink->text, sink->capacity, sink->length, piece, len);
  return 1; /* keep going */
}

edgeattn_status capi_text_generator_greedy(const edgeattn_model* model, int steps, char* text, size_t capacity,
                                           size_t* length, edgeattn_stop_reason* stop_reason) {
  edgeattn_text_generator_options o = edgeattn_text_generator_options_default();
  edgeattn_generation_request r = edgeattn_generation_request_default();
  edgeattn_generation_stats stats;
  edgeattn_text_generator* gen = NULL;
  capi_text_sink sink;
  edgeattn_status s;
  *length = 0;
  text[0] = '\0';
  *stop_reason = EDGEATTN_STOP_NONE;
  sink.text = text;
  sink.capacity = capacity;
  sink.length = length;
  o.max_context = steps + 1; /* BOS + every generated token */
  o.prefill_chunk = 8;
  r.max_tokens = steps;
  r.on_text = sink_text;
  r.user = &sink;
  s = edgeattn_text_generator_create(model, &o, &gen);
  if (s == EDGEATTN_OK) s = edgeattn_text_generator_generate(gen, "", 0, &r);
  if (s == EDGEATTN_OK) s = edgeattn_text_generator_last_stats(gen, &stats);
  if (s == EDGEATTN_OK) *stop_reason = stats.stop_reason;
  edgeattn_text_generator_destroy(gen);
  return s;
}

edgeattn_status capi_embedder_embed(const edgeattn_model* model, const char* const* texts, size_t count, float* out,
                                    size_t out_len, size_t* dimension) {
  edgeattn_embedder* embedder = NULL;
  edgeattn_status s = edgeattn_embedder_create(model, NULL, &embedder);
  *dimension = 0;
  if (s == EDGEATTN_OK) {
    *dimension = edgeattn_embedder_dimension(embedder);
    s = edgeattn_embedder_embed(embedder, texts, NULL, count, out, out_len);
  }
  edgeattn_embedder_destroy(embedder);
  return s;
}

edgeattn_status capi_transcriber_transcribe_wav(const edgeattn_model* model, const void* wav, size_t size,
                                                char* text, size_t capacity, size_t* length,
                                                edgeattn_transcribe_stats* stats) {
  edgeattn_transcriber_options o = edgeattn_transcriber_options_default();
  edgeattn_transcriber* t = NULL;
  edgeattn_status s;
  *length = 0;
  text[0] = '\0';
  o.max_audio_seconds = 60;
  s = edgeattn_transcriber_create(model, &o, &t);
  if (s == EDGEATTN_OK) s = edgeattn_transcriber_transcribe_wav(t, wav, size);
  if (s == EDGEATTN_OK) {
    size_t n = 0;
    const char* transcript = edgeattn_transcriber_text(t, &n);
    append(text, capacity, length, transcript, n);
    s = edgeattn_transcriber_last_stats(t, stats);
  }
  edgeattn_transcriber_destroy(t);
  return s;
}
