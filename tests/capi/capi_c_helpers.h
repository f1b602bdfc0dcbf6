// Helpers written in C (capi_c_helpers.c, compiled as C99 with the project's
// warnings), so the tests exercise the header and the API from C itself.
#pragma once

#include <stddef.h>

#include "capi/edgeattn.h"

#ifdef __cplusplus
extern "C" {
#endif

// Greedy text of `steps` tokens from BOS with an edgeattn_generator
// (stopping at EOS/BOS), into text[0 .. *length) plus a NUL (truncated to
// capacity - 1). Returns the first failing status.
edgeattn_status capi_generator_greedy(const edgeattn_model* model, int steps, char* text, size_t capacity,
                                      size_t* length);

// The same with a plain session: one invoke per token, argmax over the
// logits output, edgeattn_token_text for the text (no stop tokens).
edgeattn_status capi_session_greedy(const edgeattn_model* model, int steps, char* text, size_t capacity,
                                    size_t* length);

// Greedy text from an empty prompt (just BOS) with an
// edgeattn_text_generator: at most `steps` tokens streamed through its
// callback into text[0 .. *length) plus a NUL (truncated to capacity - 1);
// *stop_reason says why it ended. Returns the first failing status.
edgeattn_status capi_text_generator_greedy(const edgeattn_model* model, int steps, char* text, size_t capacity,
                                           size_t* length, edgeattn_stop_reason* stop_reason);

// Embeds `count` NUL-terminated texts with an edgeattn_embedder (default
// options, lengths NULL) into out[count * dimension]; *dimension is set
// first (the embed then fails with EDGEATTN_INVALID_ARGUMENT if out_len is
// too small). Returns the first failing status.
edgeattn_status capi_embedder_embed(const edgeattn_model* model, const char* const* texts, size_t count, float* out,
                                    size_t out_len, size_t* dimension);

// Transcribes a WAV file held in memory with an edgeattn_transcriber
// (default options but 60 s of audio): the transcript into text[0 ..
// *length) plus a NUL (truncated to capacity - 1), the call's statistics
// into *stats. Returns the first failing status.
edgeattn_status capi_transcriber_transcribe_wav(const edgeattn_model* model, const void* wav, size_t size,
                                                char* text, size_t capacity, size_t* length,
                                                edgeattn_transcribe_stats* stats);

#ifdef __cplusplus
}
#endif
