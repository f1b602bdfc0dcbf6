/* A C program built against an installed edgeattn (tests/install).
 *
 *   c_consumer MODEL.eatn MAX_TOKENS [EMBEDDING_MODEL.eatn]
 *
 * Greedy generation from BOS with the text generator task: the text on
 * stdout (one newline at the end), the model and memory facts on stderr.
 * The low-level generator (edgeattn_generator) then generates again and must
 * give the same text. Given a second model, the embedder task ranks three
 * sentences against a query by cosine (on stderr, best first). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <edgeattn/edgeattn.h>

static int fail(const char* what, edgeattn_status s) {
  fprintf(stderr, "c_consumer: %s: %s: %s\n", what, edgeattn_status_name(s), edgeattn_last_error());
  return 1;
}

/* The generated text, kept to compare the two generators. */
typedef struct text_buffer {
  char bytes[16384];
  size_t length;
} text_buffer;

static void keep(text_buffer* b, const char* piece, size_t len) {
  if (b->length + len > sizeof(b->bytes)) len = sizeof(b->bytes) - b->length;
  memcpy(b->bytes + b->length, piece, len);
  b->length += len;
}

static int print_piece(void* user, const char* piece, size_t len) {
  fwrite(piece, 1, len, stdout);
  keep((text_buffer*)user, piece, len);
  return 1; /* keep going */
}

static int keep_token(const edgeattn_token* token, void* user) {
  keep((text_buffer*)user, token->text, token->text_len);
  return 0; /* 0: keep going (edgeattn_token_callback) */
}

static edgeattn_status generate(const edgeattn_model* model, int max_tokens, text_buffer* text) {
  edgeattn_text_generator_options o = edgeattn_text_generator_options_default(); /* greedy */
  edgeattn_generation_request r = edgeattn_generation_request_default();
  edgeattn_text_generator* gen = NULL;
  edgeattn_generation_stats st;
  edgeattn_memory_stats mem;
  edgeattn_status s;
  o.max_context = max_tokens + 1; /* BOS + every generated token */
  o.prefill_chunk = 16;
  r.max_tokens = max_tokens;
  r.on_text = print_piece;
  r.user = text;
  s = edgeattn_text_generator_create(model, &o, &gen);
  if (s == EDGEATTN_OK) s = edgeattn_text_generator_generate(gen, "", 0, &r); /* just BOS */
  if (s == EDGEATTN_OK) s = edgeattn_text_generator_last_stats(gen, &st);
  if (s == EDGEATTN_OK) s = edgeattn_text_generator_memory(gen, &mem);
  if (s == EDGEATTN_OK) {
    fputc('\n', stdout);
    fprintf(stderr, "%d tokens; stop %s; arena %zu bytes, KV cache %zu bytes, weights %zu bytes\n", st.generated,
            edgeattn_stop_reason_name(st.stop_reason), mem.arena_bytes, mem.kv_cache_bytes, mem.weight_bytes);
  }
  edgeattn_text_generator_destroy(gen);
  return s;
}

/* The same with the low-level generator; *same says whether it matched. */
static edgeattn_status generate_low_level(const edgeattn_model* model, int max_tokens, const text_buffer* want,
                                          int* same) {
  static text_buffer text;
  edgeattn_session_options so = edgeattn_session_options_default();
  edgeattn_generate_options go = edgeattn_generate_options_default(); /* greedy */
  edgeattn_generator* gen = NULL;
  edgeattn_status s;
  text.length = 0;
  so.max_context = max_tokens + 1;
  so.max_seq = so.max_context < 16 ? so.max_context : 16; /* prefill chunk, at most the context */
  go.max_tokens = max_tokens;
  s = edgeattn_generator_create(model, &so, &go, &gen);
  if (s == EDGEATTN_OK) s = edgeattn_generator_append_text(gen, "", 0, 1);
  if (s == EDGEATTN_OK) s = edgeattn_generator_run(gen, keep_token, &text);
  edgeattn_generator_destroy(gen);
  *same = text.length == want->length && memcmp(text.bytes, want->bytes, text.length) == 0;
  return s;
}

static edgeattn_status rank_sentences(const edgeattn_model* model) {
  static const char* const texts[4] = {"How do I bake bread?", "The stock market fell today.",
                                       "Knead the dough and let it rise before baking.", "My cat sleeps all day."};
  edgeattn_embedder* embedder = NULL;
  float* rows = NULL;
  double sim[4];
  int order[3] = {1, 2, 3}, i, j;
  size_t d = 0;
  edgeattn_status s = edgeattn_embedder_create(model, NULL, &embedder);
  if (s == EDGEATTN_OK) {
    d = edgeattn_embedder_dimension(embedder);
    rows = (float*)malloc(4 * d * sizeof(float));
    s = rows != NULL ? edgeattn_embedder_embed(embedder, texts, NULL, 4, rows, 4 * d) : EDGEATTN_OUT_OF_MEMORY;
  }
  if (s == EDGEATTN_OK) {
    for (i = 1; i < 4; ++i) sim[i] = edgeattn_cosine(rows, rows + (size_t)i * d, d);
    for (i = 0; i < 3; ++i) { /* best first */
      for (j = i + 1; j < 3; ++j) {
        if (sim[order[j]] > sim[order[i]]) {
          const int t = order[i];
          order[i] = order[j];
          order[j] = t;
        }
      }
    }
    fprintf(stderr, "query: %s (dimension %zu)\n", texts[0], d);
    for (i = 0; i < 3; ++i) fprintf(stderr, "rank %d: %.4f %s\n", i + 1, sim[order[i]], texts[order[i]]);
  }
  free(rows);
  edgeattn_embedder_destroy(embedder);
  return s;
}

int main(int argc, char** argv) {
  static text_buffer text;
  edgeattn_model* model = NULL;
  edgeattn_model_info info;
  edgeattn_status s;
  int max_tokens, same = 0;
  if (argc != 3 && argc != 4) {
    fprintf(stderr, "usage: c_consumer MODEL.eatn MAX_TOKENS [EMBEDDING_MODEL.eatn]\n");
    return 2;
  }
  max_tokens = atoi(argv[2]);
  if (edgeattn_c_api_version() != EDGEATTN_C_API_VERSION) {
    fprintf(stderr, "c_consumer: header is C API %d, library %d\n", EDGEATTN_C_API_VERSION, edgeattn_c_api_version());
    return 1;
  }
  s = edgeattn_model_load_file(argv[1], &model);
  if (s != EDGEATTN_OK) return fail("load", s);
  s = edgeattn_model_get_info(model, &info);
  if (s != EDGEATTN_OK) return fail("info", s);
  fprintf(stderr, "edgeattn %s (C API %d): %s, vocab %d, %zu tensors, %zu weight bytes, tokenizer %s\n",
          edgeattn_version(), edgeattn_c_api_version(), info.architecture, (int)info.vocab_size, info.tensor_count,
          info.weight_bytes, info.has_tokenizer ? "yes" : "no");

  s = generate(model, max_tokens, &text);
  if (s == EDGEATTN_OK) s = generate_low_level(model, max_tokens, &text, &same);
  edgeattn_model_destroy(model);
  if (s != EDGEATTN_OK) return fail("generate", s);
  fprintf(stderr, "low-level generator: %s\n", same ? "same text" : "DIFFERENT text");
  if (!same) return 1;

  if (argc == 4) {
    s = edgeattn_model_load_file(argv[3], &model);
    if (s != EDGEATTN_OK) return fail("load", s);
    s = rank_sentences(model);
    edgeattn_model_destroy(model);
    if (s != EDGEATTN_OK) return fail("embed", s);
  }
  return 0;
}
