/* A C program built against an installed edgeattn (tests/install).
 *
 *   c_consumer MODEL.eatn MAX_TOKENS
 *
 * Greedy generation from BOS through the C API: the text on stdout (one
 * newline at the end), the model and memory facts on stderr. */
#include <stdio.h>
#include <stdlib.h>

#include <edgeattn/edgeattn.h>

static int fail(const char* what, edgeattn_status s) {
  fprintf(stderr, "c_consumer: %s: %s: %s\n", what, edgeattn_status_name(s), edgeattn_last_error());
  return 1;
}

static int print_token(const edgeattn_token* token, void* user) {
  size_t* count = (size_t*)user;
  fwrite(token->text, 1, token->text_len, stdout);
  ++*count;
  return 0;
}

int main(int argc, char** argv) {
  edgeattn_model* model = NULL;
  edgeattn_generator* gen = NULL;
  edgeattn_model_info info;
  edgeattn_session_options so;
  edgeattn_generate_options go;
  edgeattn_memory_stats mem;
  edgeattn_status s;
  size_t tokens = 0;
  int max_tokens;
  if (argc != 3) {
    fprintf(stderr, "usage: c_consumer MODEL.eatn MAX_TOKENS\n");
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
  fprintf(stderr, "edgeattn %s: %s, vocab %d, %zu tensors, %zu weight bytes, tokenizer %s\n", edgeattn_version(),
          info.architecture, (int)info.vocab_size, info.tensor_count, info.weight_bytes,
          info.has_tokenizer ? "yes" : "no");

  so = edgeattn_session_options_default();
  so.max_context = max_tokens + 1; /* BOS + every generated token */
  so.max_seq = so.max_context < 16 ? so.max_context : 16; /* prefill chunk, at most the context */
  go = edgeattn_generate_options_default(); /* greedy */
  go.max_tokens = max_tokens;
  s = edgeattn_generator_create(model, &so, &go, &gen);
  if (s == EDGEATTN_OK) s = edgeattn_generator_append_text(gen, "", 0, 1); /* just BOS */
  if (s == EDGEATTN_OK) s = edgeattn_generator_run(gen, print_token, &tokens);
  if (s != EDGEATTN_OK) {
    edgeattn_generator_destroy(gen);
    edgeattn_model_destroy(model);
    return fail("generate", s);
  }
  fputc('\n', stdout);
  s = edgeattn_generator_memory(gen, &mem);
  if (s != EDGEATTN_OK) return fail("memory", s);
  fprintf(stderr, "%zu tokens; arena %zu bytes, KV cache %zu bytes, weights %zu bytes\n", tokens, mem.arena_bytes,
          mem.kv_cache_bytes, mem.weight_bytes);
  edgeattn_generator_destroy(gen);
  edgeattn_model_destroy(model);
  return 0;
}
