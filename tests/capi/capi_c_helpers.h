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

#ifdef __cplusplus
}
#endif
