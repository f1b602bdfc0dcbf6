/* edgeattn C API: a stable C interface over the edgeattn C++ runtime.
 *
 * One header, opaque handles, status codes. Every fallible call returns an
 * edgeattn_status; edgeattn_last_error() gives the message of the calling
 * thread's last such call (it names the tensor, op, id or limit at fault).
 * No C++ exception ever crosses this interface: the library is built without
 * exceptions, and its entry points are noexcept for C++ callers.
 *
 * Two levels. The tasks are the easy path and what edgeattn's own tools use:
 *   edgeattn_embedder        texts in, one pooled, normalized vector per text
 *                            out (sentence-embedding models such as MiniLM).
 *   edgeattn_text_generator  a prompt in, text streamed to a callback out,
 *                            greedy or sampled; chat turns keep the context.
 *   edgeattn_transcriber     a WAV file or samples in, the transcript and its
 *                            timed segments out (speech models: Whisper).
 *   edgeattn_translator      text in, its translation out (Marian/Bergamot
 *                            translation models).
 *   edgeattn_text_reader     an RGB image in, its lines of text with their
 *                            boxes out (OCR: RapidOCR's PP-OCR models).
 *   edgeattn_image_runner    RGB images in, an image model's output tensors
 *                            out (classifiers with their top classes, maps,
 *                            clips of frames), preprocessed as the model says.
 * Each sizes its own session from the model and a small options struct, and
 * does what the C++ tasks (runtime/tasks/embedder.h, text_generator.h,
 * transcriber.h, translator.h, text_reader.h, image_runner.h) do:
 * the C functions only check their pointers and convert. Below them, the handles the
 * tasks are made of, for callers that need the raw tensors or token-level
 * control:
 *   edgeattn_model      a verified, read-only .eatn file (weights, graph,
 *                       tokenizer). Immutable after load: any number of
 *                       sessions, generators and tasks, on any threads, may
 *                       share it.
 *   edgeattn_session    one stream of inference: an arena planned at create
 *                       time, then allocation-free invokes. Encoders (sentence
 *                       embeddings) and raw decoder logits.
 *   edgeattn_generator  a decoder session plus a sampler: tokens in, tokens
 *                       out one step at a time, greedy or temperature /
 *                       top-k / top-p with a seed.
 *
 * Ownership: every handle made by a *_create / *_load call is destroyed by
 * the matching *_destroy (NULL is accepted and ignored). A model must outlive
 * every session, generator and task made from it. Views handed out (output
 * tensors, token text, streamed text) point into a handle and are valid as
 * documented per call.
 *
 * Threads: a model may be used from many threads at once (const calls:
 * info, tokenize, detokenize, token_text, and creating sessions and tasks).
 * A session, generator or task is used by one thread at a time; different
 * ones run in parallel. edgeattn_last_error() is per thread.
 *
 * Memory: loading and *_create allocate (or use a caller arena), and report
 * a failed allocation as EDGEATTN_OUT_OF_MEMORY with nothing left allocated;
 * invoke, output, generator_step, edgeattn_text_generator_generate_tokens /
 * _chat_tokens and edgeattn_embedder_embed_tokens (up to max_batch rows, or
 * as many as an earlier call) then allocate nothing. Calls that tokenize or detokenize (edgeattn_tokenize,
 * edgeattn_detokenize, edgeattn_generator_append_text, the tasks' text
 * calls) use standard containers while they run: if the heap is exhausted
 * there, the process ends (std::terminate, as in the C++ API) rather than
 * unwinding into C.
 *
 * Linking: CMake `find_package(edgeattn)` + `target_link_libraries(app
 * edgeattn::edgeattn_c)`, or `pkg-config --cflags --libs edgeattn`. The
 * libraries are static and written in C++: link with the C++ runtime (both
 * ways above add it).
 *
 * Example: tell a story with a decoder (error handling shortened).
 *
 *   #include <stdio.h>
 *   #include <edgeattn/edgeattn.h>
 *
 *   static int print_piece(void* user, const char* piece, size_t len) {
 *     (void)user;
 *     fwrite(piece, 1, len, stdout);
 *     return 1;                                      // nonzero: keep going
 *   }
 *
 *   int main(int argc, char** argv) {
 *     edgeattn_model* model = NULL;
 *     if (argc != 2) return 2;                       // usage: story MODEL.eatn
 *     if (edgeattn_model_load_file(argv[1], &model) != EDGEATTN_OK) {
 *       fprintf(stderr, "load: %s\n", edgeattn_last_error());
 *       return 1;
 *     }
 *     edgeattn_text_generator_options o = edgeattn_text_generator_options_default();
 *     o.max_context = 512;
 *     o.sampling.temperature = 0.8f;
 *     o.sampling.top_p = 0.9f;
 *     edgeattn_text_generator* gen = NULL;
 *     edgeattn_status s = edgeattn_text_generator_create(model, &o, &gen);
 *     edgeattn_generation_request r = edgeattn_generation_request_default();
 *     r.max_tokens = 200;
 *     r.on_text = print_piece;
 *     r.echo_prompt = 1;                             // print the prompt too
 *     if (s == EDGEATTN_OK) s = edgeattn_text_generator_generate(gen, "Once upon a time", 16, &r);
 *     if (s != EDGEATTN_OK) fprintf(stderr, "%s: %s\n", edgeattn_status_name(s), edgeattn_last_error());
 *     edgeattn_generation_stats st;
 *     if (s == EDGEATTN_OK && edgeattn_text_generator_last_stats(gen, &st) == EDGEATTN_OK)
 *       fprintf(stderr, "\n%d tokens, %s\n", st.generated, edgeattn_stop_reason_name(st.stop_reason));
 *     edgeattn_text_generator_destroy(gen);
 *     edgeattn_model_destroy(model);
 *     return s == EDGEATTN_OK ? 0 : 1;
 *   }
 *
 * Example: which text answers a query best (all-MiniLM-L6-v2).
 *
 *   const char* texts[3] = {"How do I bake bread?", "Knead the dough.", "The stock market fell."};
 *   edgeattn_embedder* emb = NULL;
 *   edgeattn_embedder_create(model, NULL, &emb);     // defaults: 8 texts per invoke
 *   float rows[3 * 384];                             // 3 x edgeattn_embedder_dimension(emb)
 *   edgeattn_embedder_embed(emb, texts, NULL, 3, rows, 3 * 384);  // NULL lengths: NUL-terminated
 *   double bread = edgeattn_cosine(rows, rows + 384, 384);         // > the next one
 *   double stocks = edgeattn_cosine(rows, rows + 2 * 384, 384);
 *   edgeattn_embedder_destroy(emb);
 *
 * The low-level equivalent of the first example is edgeattn_generator_create
 * + _append_text + _run; of the second, edgeattn_tokenize into a right-padded
 * [batch, seq] batch, edgeattn_session_invoke and edgeattn_session_output.
 */
#ifndef EDGEATTN_EDGEATTN_H_
#define EDGEATTN_EDGEATTN_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
#define EDGEATTN_NOEXCEPT noexcept
extern "C" {
#else
#define EDGEATTN_NOEXCEPT
#endif

/* Version of this header's interface; edgeattn_c_api_version() returns the
 * library's. They differ only if the header and library come from different
 * installs. 1: models, sessions, generators; 2: adds the tasks
 * (edgeattn_embedder, edgeattn_text_generator); 3: adds edgeattn_transcriber
 * and edgeattn_memory_stats.sequence_bytes; 4: adds edgeattn_translator;
 * 5: adds edgeattn_text_reader; 6: adds edgeattn_image_runner; 7: adds
 * edgeattn_memory_stats.packed_weight_bytes. */
#define EDGEATTN_C_API_VERSION 7

/* ---- Status --------------------------------------------------------------
 * Mirrors edgeattn::StatusCode (runtime/core/status.h), value for value. */
typedef enum edgeattn_status {
  EDGEATTN_OK = 0,
  EDGEATTN_INVALID_ARGUMENT = 1,   /* the caller passed something wrong (limits, ids, lengths, NULL) */
  EDGEATTN_INVALID_MODEL = 2,      /* the model file is malformed or inconsistent */
  EDGEATTN_UNSUPPORTED = 3,        /* valid, but this build cannot run it (op, dtype, ISA) */
  EDGEATTN_OUT_OF_RANGE = 4,       /* a request exceeds what create() planned for (batch, seq, context) */
  EDGEATTN_RESOURCE_EXHAUSTED = 5, /* a caller buffer or arena is too small; the message gives the size */
  EDGEATTN_IO_ERROR = 6,           /* open/read/mmap failed */
  EDGEATTN_INTERNAL = 7,           /* a bug in edgeattn or a dependency */
  EDGEATTN_OUT_OF_MEMORY = 8       /* a heap allocation failed; nothing is left half-made, a retry may succeed */
} edgeattn_status;

/* Stable lowercase name of a status ("ok", "invalid_model", ...); "unknown"
 * for values outside the enum. Static storage. */
const char* edgeattn_status_name(edgeattn_status status) EDGEATTN_NOEXCEPT;

/* Message of the calling thread's most recent call that returns an
 * edgeattn_status: "" after EDGEATTN_OK, else why it failed. Thread-local,
 * NUL-terminated, valid until this thread's next such call. Never NULL. */
const char* edgeattn_last_error(void) EDGEATTN_NOEXCEPT;

/* The library version, e.g. "0.1.0". Static storage. */
const char* edgeattn_version(void) EDGEATTN_NOEXCEPT;
/* EDGEATTN_C_API_VERSION of the library that was linked. */
int edgeattn_c_api_version(void) EDGEATTN_NOEXCEPT;

/* ---- Model ---------------------------------------------------------------- */
typedef struct edgeattn_model edgeattn_model;

/* Maps the .eatn file at `path` read-only and verifies all of it (FlatBuffer,
 * data segments, tensor indices, op shapes). On success *out owns the model;
 * on failure *out is NULL. The file may be replaced or deleted afterwards
 * only by rename/unlink, not by writing into it (it is mapped). */
edgeattn_status edgeattn_model_load_file(const char* path, edgeattn_model** out) EDGEATTN_NOEXCEPT;

/* Verifies a model held in caller memory and uses it in place (no copy).
 * Lifetime contract: `data` must stay valid and unchanged until
 * edgeattn_model_destroy() of this model (and so of every session and
 * generator made from it). It must be at least 8-byte aligned; 64-byte
 * alignment lets weights be used at full speed. Any bytes are safe to pass:
 * a malformed buffer gives EDGEATTN_INVALID_MODEL, never a crash. */
edgeattn_status edgeattn_model_load_buffer(const void* data, size_t size, edgeattn_model** out) EDGEATTN_NOEXCEPT;

/* Frees the model (and unmaps its file). Every session and generator made
 * from it must have been destroyed. NULL is ignored. */
void edgeattn_model_destroy(edgeattn_model* model) EDGEATTN_NOEXCEPT;

typedef struct edgeattn_model_info {
  size_t tensor_count;     /* constants and activations of all graphs */
  size_t weight_bytes;     /* bytes of the constant tensors as stored */
  size_t file_bytes;       /* size of the file / buffer */
  const char* architecture; /* "BertEncoder", "LlamaDecoder", "Gpt2Decoder", ...; static storage */
  int is_decoder;          /* nonzero: an autoregressive LM (use a generator) */
  int32_t vocab_size;
  int32_t hidden_size;
  int32_t n_layers;
  int32_t max_positions;   /* longest context the model was trained for (0: unknown) */
  int has_tokenizer;       /* nonzero: tokenize / detokenize / append_text work */
  int32_t max_length;      /* tokenizer truncation length the model was trained with; 0: none */
  int32_t bos_id, eos_id, pad_id, unk_id, cls_id, sep_id; /* special ids; -1 when absent */
} edgeattn_model_info;

/* Fills *info. Strings point to static storage. */
edgeattn_status edgeattn_model_get_info(const edgeattn_model* model, edgeattn_model_info* info) EDGEATTN_NOEXCEPT;

/* ---- Tokenizer (the one stored in the model) -------------------------------
 * Need a model with a tokenizer (else EDGEATTN_INVALID_ARGUMENT). They
 * allocate working memory: keep them out of latency-critical loops, or use
 * edgeattn_token_text() there. */
typedef struct edgeattn_tokenize_options {
  int add_special_tokens;  /* WordPiece: [CLS] ... [SEP]; SentencePiece / GPT-2: BOS first. Default 1 */
  int add_eos;             /* SentencePiece / GPT-2: append EOS. Default 0 */
  size_t max_tokens;       /* 0: no limit; else truncate text tokens, keeping the specials. Default 0 */
} edgeattn_tokenize_options;

/* Tokenizes `text` (`text_len` bytes, any bytes; not NUL-terminated) into
 * ids[0 .. *count). `options` NULL means the defaults above. If `capacity` is
 * too small, returns EDGEATTN_RESOURCE_EXHAUSTED with *count set to the
 * number of ids needed (ids untouched): call again with a larger buffer. */
edgeattn_status edgeattn_tokenize(const edgeattn_model* model, const char* text, size_t text_len,
                                  const edgeattn_tokenize_options* options, int32_t* ids, size_t capacity,
                                  size_t* count) EDGEATTN_NOEXCEPT;

/* Text of `ids` (special tokens skipped) into text[0 .. *length) plus a NUL.
 * Out-of-range ids are EDGEATTN_INVALID_ARGUMENT. If `capacity` < *length + 1,
 * returns EDGEATTN_RESOURCE_EXHAUSTED with *length set to the bytes needed
 * (without the NUL). The bytes need not be valid UTF-8 (GPT-2 ids can split a
 * character). */
edgeattn_status edgeattn_detokenize(const edgeattn_model* model, const int32_t* ids, size_t n, char* text,
                                    size_t capacity, size_t* length) EDGEATTN_NOEXCEPT;

/* Streaming text of token `id` when it follows `prev_id` (-1 at the start):
 * *text / *text_len (not NUL-terminated) point into the model, valid until
 * it is destroyed. Special and out-of-range ids give "". No allocation. */
edgeattn_status edgeattn_token_text(const edgeattn_model* model, int32_t prev_id, int32_t id, const char** text,
                                    size_t* text_len) EDGEATTN_NOEXCEPT;

/* ---- Session -------------------------------------------------------------- */
typedef struct edgeattn_session edgeattn_session;

/* KV cache storage for decoders; attention math stays f32. */
typedef enum edgeattn_kv_dtype { EDGEATTN_KV_F32 = 0, EDGEATTN_KV_F16 = 1, EDGEATTN_KV_I8 = 2 } edgeattn_kv_dtype;

typedef struct edgeattn_session_options {
  const char* method;     /* method (named entry graph), e.g. "forward"; NULL: the model's first. Only read during create */
  int max_batch;          /* rows per invoke. Default 1 */
  int max_seq;            /* tokens per row in one invoke (decoders: prefill chunk). Default 128 */
  int max_context;        /* decoders: past + seq limit; 0: max_seq. Default 0 */
  int threads;            /* worker threads of this session. Default 1; 0 = every online CPU */
  edgeattn_kv_dtype kv_dtype; /* Default EDGEATTN_KV_F32 */
  /* Optional caller arena: 64-byte aligned, at least the arena_bytes that
   * edgeattn_session_plan() / edgeattn_generator_plan() report, and valid
   * until the session or generator is destroyed. NULL / 0: create()
   * allocates one. */
  void* arena;
  size_t arena_bytes;
  /* Kernel table by name; NULL or "auto": the fastest for this CPU.
   * "reference" gives the same output bits on x86-64, aarch64 and armv7 for
   * every dtype (slow: plain C++, no XNNPACK; for golden-output checks, see
   * targets/README.md "Bit-identity"); others: "avx2", "avxvnni",
   * "avx512vnni", "neon", "neon_dotprod", "neon_fp16" where this build and
   * CPU have them (else EDGEATTN_INVALID_ARGUMENT, naming the available
   * ones). Only read during create. */
  const char* kernels;
} edgeattn_session_options;

/* The defaults above. */
edgeattn_session_options edgeattn_session_options_default(void) EDGEATTN_NOEXCEPT;

typedef struct edgeattn_memory_stats {
  size_t arena_bytes;       /* the one arena: persistent + planned activations */
  size_t activation_bytes;  /* planned activations (reused across ops) */
  size_t persistent_bytes;  /* KV cache, RoPE tables, generator scratch */
  size_t kv_cache_bytes;
  size_t xnnpack_bytes;     /* XNNPACK operators (packed weights), held since create */
  size_t weight_bytes;      /* the model's constants (mapped, shared by sessions) */
  size_t sequence_bytes;    /* per-sequence state, e.g. a decoder's cross-attention K/V (part of persistent) */
  size_t packed_weight_bytes; /* f32 weights packed for the kernel table's own GEMM, where XNNPACK's
                                 copy would be (part of persistent) */
} edgeattn_memory_stats;

/* The arena a session with these options needs, without creating one (for a
 * caller arena). `options` NULL: the defaults. */
edgeattn_status edgeattn_session_plan(const edgeattn_model* model, const edgeattn_session_options* options,
                                      edgeattn_memory_stats* stats) EDGEATTN_NOEXCEPT;

/* Checks the model against the options, plans and allocates (or takes) the
 * arena, builds the operators and the thread pool. `model` must outlive the
 * session. `options` NULL: the defaults. On failure *out is NULL. */
edgeattn_status edgeattn_session_create(const edgeattn_model* model, const edgeattn_session_options* options,
                                        edgeattn_session** out) EDGEATTN_NOEXCEPT;

/* NULL is ignored. A caller arena is not freed. */
void edgeattn_session_destroy(edgeattn_session* session) EDGEATTN_NOEXCEPT;

typedef struct edgeattn_input {
  const int32_t* ids;      /* [batch, seq] row-major token ids; each in [0, vocab) */
  int batch;               /* 1 .. max_batch */
  int seq;                 /* 1 .. max_seq (decoders: past + seq <= max_context) */
  const int32_t* lengths;  /* [batch] valid tokens per row (right padding); NULL: all seq */
  int all_positions;       /* decoders: logits for every position, not only the last */
} edgeattn_input;

/* Runs the graph. No heap allocation; checks only what the caller passes
 * (sizes, token ids, lengths): a bad id is EDGEATTN_INVALID_ARGUMENT, sizes
 * over the planned limits EDGEATTN_OUT_OF_RANGE. Decoders append to the KV
 * cache (see edgeattn_session_past / _reset). */
edgeattn_status edgeattn_session_invoke(edgeattn_session* session, const edgeattn_input* input) EDGEATTN_NOEXCEPT;

typedef enum edgeattn_dtype {
  EDGEATTN_F32 = 0, EDGEATTN_F16 = 1, EDGEATTN_I8 = 2, EDGEATTN_I32 = 3, EDGEATTN_U8 = 4
} edgeattn_dtype;

#define EDGEATTN_MAX_RANK 6

typedef struct edgeattn_tensor {
  edgeattn_dtype dtype;
  int rank;
  int64_t shape[EDGEATTN_MAX_RANK]; /* shape[0 .. rank) */
  const void* data;                 /* row-major; inside the session arena */
} edgeattn_tensor;

/* Number of graph outputs (encoders: the embeddings; decoders: the logits). */
size_t edgeattn_session_output_count(const edgeattn_session* session) EDGEATTN_NOEXCEPT;

/* Output `index` of the last invoke: encoders [batch, hidden] (pooled) or
 * [batch, seq, hidden]; decoders [batch, 1 or seq, vocab]. The data is valid
 * until the next invoke, reset or destroy of this session. If that invoke
 * failed, or there was none since create / reset: EDGEATTN_INVALID_ARGUMENT.
 * No allocation. */
edgeattn_status edgeattn_session_output(const edgeattn_session* session, size_t index,
                                        edgeattn_tensor* out) EDGEATTN_NOEXCEPT;

/* Decoders: tokens held in the KV cache; 0 for encoders. */
int64_t edgeattn_session_past(const edgeattn_session* session) EDGEATTN_NOEXCEPT;

/* Decoders: forget the KV cache and start a new sequence. No allocation. */
void edgeattn_session_reset(edgeattn_session* session) EDGEATTN_NOEXCEPT;

/* The session's memory: arena (and its KV cache part), XNNPACK's packed
 * weights, the model's weights. Fixed since create. */
edgeattn_status edgeattn_session_memory(const edgeattn_session* session,
                                        edgeattn_memory_stats* stats) EDGEATTN_NOEXCEPT;

/* Name of the kernel table in use, e.g. "avx2". Static storage. */
const char* edgeattn_session_kernel_name(const edgeattn_session* session) EDGEATTN_NOEXCEPT;

/* ---- Generator (decoders) ------------------------------------------------- */
typedef struct edgeattn_generator edgeattn_generator;

typedef struct edgeattn_sampling {
  float temperature;         /* 0: greedy (argmax, lowest id on ties). Default 0 */
  int top_k;                 /* 0: off. Default 0 */
  float top_p;               /* 1: off. Default 1 */
  float repetition_penalty;  /* 1: off; > 1 discourages repeats. Default 1 */
  int penalty_window;        /* recent tokens the penalty sees. Default 64 */
  uint64_t seed;             /* the same seed repeats a run exactly. Default 42 */
} edgeattn_sampling;

typedef struct edgeattn_generate_options {
  edgeattn_sampling sampling;
  int max_tokens;            /* tokens per append (each prompt or turn). Default 256 */
  /* Tokens that end a generation (not part of the text); copied at create.
   * NULL: the tokenizer's EOS and BOS (llama2.c models end a story with
   * BOS). Non-NULL with count 0: no stop tokens. Default NULL. */
  const int32_t* stop_ids;
  size_t stop_id_count;
  /* When the context (session max_context) is full: 0 stops with
   * EDGEATTN_OUT_OF_RANGE; nonzero slides: the oldest tokens are dropped and
   * the newest `slide_keep` (0: half the context) are recomputed. Default 0 */
  int slide;
  int slide_keep;
} edgeattn_generate_options;

/* The defaults above (greedy, 256 tokens, the tokenizer's stop tokens,
 * stop when the context is full). */
edgeattn_generate_options edgeattn_generate_options_default(void) EDGEATTN_NOEXCEPT;

/* What edgeattn_generator_create would allocate (arena_bytes includes the
 * sampling scratch), for a caller arena. NULL options: the defaults. */
edgeattn_status edgeattn_generator_plan(const edgeattn_model* model, const edgeattn_session_options* session_options,
                                        const edgeattn_generate_options* options,
                                        edgeattn_memory_stats* stats) EDGEATTN_NOEXCEPT;

/* A generator with its own decoder session, sized by `session_options`
 * (max_seq is the prefill chunk; max_context the context window). The model
 * must be a decoder (else EDGEATTN_INVALID_ARGUMENT) and outlive the
 * generator. NULL options: the defaults. On failure *out is NULL. */
edgeattn_status edgeattn_generator_create(const edgeattn_model* model, const edgeattn_session_options* session_options,
                                          const edgeattn_generate_options* options,
                                          edgeattn_generator** out) EDGEATTN_NOEXCEPT;

/* Frees the generator and its session (a caller arena is not freed). NULL
 * is ignored. */
void edgeattn_generator_destroy(edgeattn_generator* generator) EDGEATTN_NOEXCEPT;

/* Tokenizes `text` (`text_len` bytes; add_bos: BOS first, for the start of a
 * conversation) and appends it to the context: prefills it, in chunks of
 * max_seq, and starts a new generation (max_tokens counts from here). An
 * empty text with add_bos gives just BOS; with no tokens at all the
 * tokenizer's EOS is used (GPT-2 starts from <|endoftext|>). Allocates while
 * tokenizing. */
edgeattn_status edgeattn_generator_append_text(edgeattn_generator* generator, const char* text, size_t text_len,
                                               int add_bos) EDGEATTN_NOEXCEPT;

/* The same with token ids (no tokenizer needed). No allocation. */
edgeattn_status edgeattn_generator_append_tokens(edgeattn_generator* generator, const int32_t* ids,
                                                 size_t n) EDGEATTN_NOEXCEPT;

typedef struct edgeattn_token {
  int32_t id;
  const char* text;   /* streaming text of id (not NUL-terminated), inside the model; "" for a stop token */
  size_t text_len;
  int is_stop;        /* nonzero: id is a stop token, not part of the text */
  int finished;       /* nonzero: this generation is over (stop token, max_tokens, or full context);
                         step again only after another append */
} edgeattn_token;

/* Samples the next token (one decode step, no allocation). After the token
 * with `finished` set, step fails with EDGEATTN_INVALID_ARGUMENT until the
 * next append. */
edgeattn_status edgeattn_generator_step(edgeattn_generator* generator, edgeattn_token* token) EDGEATTN_NOEXCEPT;

/* Called by edgeattn_generator_run for each token that is part of the text
 * (not for a stop token). Return 0 to go on, nonzero to stop early. */
typedef int (*edgeattn_token_callback)(const edgeattn_token* token, void* user);

/* Steps until the generation is finished or `callback` returns nonzero. */
edgeattn_status edgeattn_generator_run(edgeattn_generator* generator, edgeattn_token_callback callback,
                                       void* user) EDGEATTN_NOEXCEPT;

/* Forgets the context (new conversation), keeping the options; the sampler's
 * RNG restarts from the seed. No allocation. */
void edgeattn_generator_reset(edgeattn_generator* generator) EDGEATTN_NOEXCEPT;

/* Tokens generated since the last append (stop token excluded). */
int edgeattn_generator_generated(const edgeattn_generator* generator) EDGEATTN_NOEXCEPT;

/* Memory of the generator's session, as edgeattn_session_memory. */
edgeattn_status edgeattn_generator_memory(const edgeattn_generator* generator,
                                          edgeattn_memory_stats* stats) EDGEATTN_NOEXCEPT;

/* ---- Task: embedder (sentence-embedding models) ------------------------------
 * Wraps edgeattn::Embedder (runtime/tasks/embedder.h): tokenizes each text
 * (truncated to max_tokens), right-pads a batch, invokes the encoder and
 * writes one row per text, pooled (mean or CLS) and L2-normalized as the
 * model says. More texts than max_batch run in several invokes. */
typedef struct edgeattn_embedder edgeattn_embedder;

typedef struct edgeattn_embedder_options {
  int max_batch;          /* texts per invoke. Default 8 */
  int max_tokens;         /* tokens per text, specials included; 0: the model's tokenizer max_length,
                             else its max_positions. Default 0 */
  int threads;            /* worker threads. Default 1; 0 = every online CPU */
  const char* kernels;    /* as edgeattn_session_options.kernels. Default NULL ("auto") */
  /* Optional caller arena, as edgeattn_session_options.arena (64-byte
   * aligned, valid until the embedder is destroyed). Its size: arena_bytes of
   * edgeattn_embedder_plan with the same options; a smaller one gives
   * EDGEATTN_RESOURCE_EXHAUSTED naming the size needed. NULL / 0: create
   * allocates one. */
  void* arena;
  size_t arena_bytes;
} edgeattn_embedder_options;

/* The defaults above. */
edgeattn_embedder_options edgeattn_embedder_options_default(void) EDGEATTN_NOEXCEPT;

/* What edgeattn_embedder_create would allocate with these options (arena,
 * weights), without creating anything: size a caller arena with arena_bytes.
 * Same checks as create. `options` NULL: the defaults. Allocates nothing
 * that outlives the call. */
edgeattn_status edgeattn_embedder_plan(const edgeattn_model* model, const edgeattn_embedder_options* options,
                                       edgeattn_memory_stats* stats) EDGEATTN_NOEXCEPT;

/* An embedder with its own encoder session, planned for max_batch x
 * max_tokens. Allocates the handle, the session (arena unless the caller's,
 * XNNPACK operators, threads) and the token batch buffers. Checks: the model
 * is an embedding model with a tokenizer, max_tokens fits its positions,
 * the options (EDGEATTN_INVALID_ARGUMENT otherwise). `model` must outlive
 * the embedder. `options` NULL: the defaults. On failure *out is NULL. */
edgeattn_status edgeattn_embedder_create(const edgeattn_model* model, const edgeattn_embedder_options* options,
                                         edgeattn_embedder** out) EDGEATTN_NOEXCEPT;

/* Frees the embedder and its session (a caller arena is not freed). NULL is
 * ignored. */
void edgeattn_embedder_destroy(edgeattn_embedder* embedder) EDGEATTN_NOEXCEPT;

/* Embeds `count` texts: text i is texts[i], lengths[i] bytes (any bytes, not
 * NUL-terminated), or NUL-terminated when `lengths` is NULL. Row i of
 * out [count, dimension] is text i's embedding; `out_len` (floats) must be at
 * least count * edgeattn_embedder_dimension(). Checks the pointers (a NULL
 * text with a nonzero length is EDGEATTN_INVALID_ARGUMENT) and out_len.
 * Allocates inside the tokenizer, and grows a table of text views when
 * count exceeds max_batch and every earlier count. On failure the rows of
 * out are unspecified. */
edgeattn_status edgeattn_embedder_embed(edgeattn_embedder* embedder, const char* const* texts, const size_t* lengths,
                                        size_t count, float* out, size_t out_len) EDGEATTN_NOEXCEPT;

/* The same for texts already tokenized (special tokens included, e.g.
 * [CLS] ... [SEP] from edgeattn_tokenize): row i is rows[i][0 .. lengths[i]),
 * 1 .. max_tokens ids, each in the vocabulary. No allocation when count is
 * at most max_batch (or a count used before): the embedder's table of row
 * views is made at create and grows only for a larger count. */
edgeattn_status edgeattn_embedder_embed_tokens(edgeattn_embedder* embedder, const int32_t* const* rows,
                                               const size_t* lengths, size_t count, float* out,
                                               size_t out_len) EDGEATTN_NOEXCEPT;

/* Floats per embedding (e.g. 384 for MiniLM); 0 for NULL. */
size_t edgeattn_embedder_dimension(const edgeattn_embedder* embedder) EDGEATTN_NOEXCEPT;

/* What the last embed / embed_tokens call did. */
typedef struct edgeattn_embed_stats {
  size_t texts;
  size_t tokens;          /* valid tokens, without padding */
  size_t padded_tokens;   /* what the invokes processed */
  size_t truncated;       /* texts cut at max_tokens */
  size_t invokes;
  double invoke_ms;       /* wall time inside the encoder invokes */
} edgeattn_embed_stats;

edgeattn_status edgeattn_embedder_last_stats(const edgeattn_embedder* embedder,
                                             edgeattn_embed_stats* stats) EDGEATTN_NOEXCEPT;

/* Memory of the embedder's session, as edgeattn_session_memory. */
edgeattn_status edgeattn_embedder_memory(const edgeattn_embedder* embedder,
                                         edgeattn_memory_stats* stats) EDGEATTN_NOEXCEPT;

/* Cosine similarity of two [n] vectors, accumulated in double; 0 if either
 * is all zeros (or NULL). Embeddings are normalized, so this equals their
 * dot product up to rounding. */
double edgeattn_cosine(const float* a, const float* b, size_t n) EDGEATTN_NOEXCEPT;

/* ---- Task: text generator (decoder LMs) --------------------------------------
 * Wraps edgeattn::TextGenerator (runtime/tasks/text_generator.h): tokenizes
 * the prompt, prefills it, samples until a stop token (EOS, and BOS for
 * llama2.c-style models), max_tokens or a full context, and streams each
 * token's text to a callback. generate starts a new context each call; chat
 * keeps the KV cache between turns until reset. */
typedef struct edgeattn_text_generator edgeattn_text_generator;

/* What a full context does (mirrors edgeattn::ContextPolicy). */
typedef enum edgeattn_context_policy {
  EDGEATTN_CONTEXT_STOP = 0,  /* the generation ends, stop reason EDGEATTN_STOP_CONTEXT_FULL */
  EDGEATTN_CONTEXT_SLIDE = 1  /* the oldest tokens are dropped, the newest slide_keep recomputed */
} edgeattn_context_policy;

typedef struct edgeattn_text_generator_options {
  int max_context;        /* positions the KV cache holds (prompt + replies, all chat turns); 0: the
                             model's max_positions; more than that is refused. Default 0 */
  int prefill_chunk;      /* prompt tokens per invoke. Default 64 */
  int threads;            /* worker threads. Default 1; 0 = every online CPU */
  const char* kernels;    /* as edgeattn_session_options.kernels. Default NULL ("auto") */
  edgeattn_kv_dtype kv_dtype;      /* KV cache storage. Default EDGEATTN_KV_F32 */
  edgeattn_sampling sampling;      /* Default greedy (temperature 0), as edgeattn_generate_options */
  edgeattn_context_policy context_policy; /* Default EDGEATTN_CONTEXT_STOP */
  int slide_keep;         /* tokens kept when sliding; 0: half the context. Default 0 */
  /* Optional caller arena, as in edgeattn_embedder_options (size: arena_bytes
   * of edgeattn_text_generator_plan with the same options). NULL / 0: create
   * allocates one. */
  void* arena;
  size_t arena_bytes;
} edgeattn_text_generator_options;

/* The defaults above. */
edgeattn_text_generator_options edgeattn_text_generator_options_default(void) EDGEATTN_NOEXCEPT;

/* Receives each generated token's text as soon as it is sampled: `len`
 * bytes at `piece`, not NUL-terminated, valid only during the call (a
 * byte-level BPE piece may be part of a UTF-8 character). Return nonzero to
 * go on, 0 to stop (stop reason EDGEATTN_STOP_CALLBACK). Note: the opposite
 * convention of edgeattn_token_callback, as in the C++ on_text. */
typedef int (*edgeattn_text_callback)(void* user, const char* piece, size_t len);

typedef struct edgeattn_generation_request {
  int max_tokens;                 /* sampled tokens, the stop token not counted; >= 1. Default 256 */
  edgeattn_text_callback on_text; /* may be NULL (the text is then only counted). Default NULL */
  void* user;                     /* passed to on_text. Default NULL */
  int echo_prompt;                /* nonzero: generate / generate_tokens first pass the prompt's text
                                     through on_text (not chat turns). Default 0 */
} edgeattn_generation_request;

/* The defaults above. */
edgeattn_generation_request edgeattn_generation_request_default(void) EDGEATTN_NOEXCEPT;

/* Why a generation ended (mirrors edgeattn::StopReason). */
typedef enum edgeattn_stop_reason {
  EDGEATTN_STOP_NONE = 0,         /* not finished: the call failed, or nothing ran yet */
  EDGEATTN_STOP_TOKEN = 1,        /* a stop token (EOS; BOS ends a llama2.c story) */
  EDGEATTN_STOP_MAX_TOKENS = 2,
  EDGEATTN_STOP_CONTEXT_FULL = 3, /* EDGEATTN_CONTEXT_STOP only */
  EDGEATTN_STOP_CALLBACK = 4      /* on_text returned 0 */
} edgeattn_stop_reason;

/* "none", "stop-token", "max-tokens", "context-full", "callback"; "unknown"
 * outside the enum. Static storage. */
const char* edgeattn_stop_reason_name(edgeattn_stop_reason reason) EDGEATTN_NOEXCEPT;

/* What edgeattn_text_generator_create would allocate with these options
 * (arena with the KV cache, weights), without creating anything: size a
 * caller arena with arena_bytes. Same checks as create. `options` NULL: the
 * defaults. Allocates nothing that outlives the call. */
edgeattn_status edgeattn_text_generator_plan(const edgeattn_model* model,
                                             const edgeattn_text_generator_options* options,
                                             edgeattn_memory_stats* stats) EDGEATTN_NOEXCEPT;

/* A text generator with its own decoder session (KV cache for max_context,
 * prefill chunks of prefill_chunk, sampling scratch in the arena).
 * Allocates the handle and the session (arena unless the caller's, XNNPACK
 * operators, threads). Checks: the
 * model is a text-generation model with a tokenizer, max_context fits its
 * max_positions, the options (EDGEATTN_INVALID_ARGUMENT otherwise).
 * `model` must outlive the generator. `options` NULL: the defaults. On
 * failure *out is NULL. */
edgeattn_status edgeattn_text_generator_create(const edgeattn_model* model,
                                               const edgeattn_text_generator_options* options,
                                               edgeattn_text_generator** out) EDGEATTN_NOEXCEPT;

/* Frees the generator and its session (a caller arena is not freed). NULL
 * is ignored. */
void edgeattn_text_generator_destroy(edgeattn_text_generator* generator) EDGEATTN_NOEXCEPT;

/* A new context: tokenizes `text` (`text_len` bytes; BOS first; an empty
 * text starts from BOS, or from EOS for GPT-2-style vocabularies), prefills
 * it and generates, streaming to request->on_text. `request` NULL: the
 * defaults. A prompt that does not fit the context is EDGEATTN_OUT_OF_RANGE
 * under EDGEATTN_CONTEXT_STOP. EDGEATTN_OK also when the callback stopped
 * it: edgeattn_text_generator_last_stats says why it ended. Allocates inside
 * the tokenizer. */
edgeattn_status edgeattn_text_generator_generate(edgeattn_text_generator* generator, const char* text,
                                                 size_t text_len,
                                                 const edgeattn_generation_request* request) EDGEATTN_NOEXCEPT;

/* The same for a tokenized prompt (`n` >= 1 ids in the vocabulary; include
 * BOS yourself). No allocation. */
edgeattn_status edgeattn_text_generator_generate_tokens(edgeattn_text_generator* generator, const int32_t* ids,
                                                        size_t n,
                                                        const edgeattn_generation_request* request) EDGEATTN_NOEXCEPT;

/* One turn of a conversation: appends `text` to the context kept since
 * create or the last reset (BOS only on the first turn) and generates the
 * reply. echo_prompt is ignored. Allocates inside the tokenizer. */
edgeattn_status edgeattn_text_generator_chat(edgeattn_text_generator* generator, const char* text, size_t text_len,
                                             const edgeattn_generation_request* request) EDGEATTN_NOEXCEPT;

/* The same for tokens (no BOS is added). No allocation. */
edgeattn_status edgeattn_text_generator_chat_tokens(edgeattn_text_generator* generator, const int32_t* ids, size_t n,
                                                    const edgeattn_generation_request* request) EDGEATTN_NOEXCEPT;

/* Forgets the context: the next chat is a first turn. No allocation. NULL
 * is ignored. */
void edgeattn_text_generator_reset(edgeattn_text_generator* generator) EDGEATTN_NOEXCEPT;

/* What the last generate / chat call did. */
typedef struct edgeattn_generation_stats {
  size_t prompt_tokens;       /* tokens fed by the call (BOS included) */
  int generated;              /* sampled tokens of the reply (a stop token is not part of it) */
  size_t decode_steps;        /* generated - 1: the first token comes from the prefill's logits */
  double prefill_ms;
  double decode_ms;
  int slides;                 /* context slides so far (EDGEATTN_CONTEXT_SLIDE) */
  size_t context_tokens;      /* tokens in the context after the call */
  edgeattn_stop_reason stop_reason;
} edgeattn_generation_stats;

edgeattn_status edgeattn_text_generator_last_stats(const edgeattn_text_generator* generator,
                                                   edgeattn_generation_stats* stats) EDGEATTN_NOEXCEPT;

/* Memory of the generator's session, as edgeattn_session_memory. */
edgeattn_status edgeattn_text_generator_memory(const edgeattn_text_generator* generator,
                                               edgeattn_memory_stats* stats) EDGEATTN_NOEXCEPT;

/* ---- Task: transcriber (speech models: Whisper) --------------------------------
 * Wraps edgeattn::Transcriber (runtime/tasks/transcriber.h): decodes a WAV
 * file (PCM 8/16/24/32-bit or float, any channel count, downmixed) or takes
 * mono samples, resamples to 16 kHz, computes the log-mel of each 30-s
 * window, encodes it and decodes greedily as openai-whisper does. The
 * transcript and its segments stay readable until the next transcribe call.
 * There is no _plan and no caller arena: the C++ task has neither yet.
 *
 *   edgeattn_transcriber_options o = edgeattn_transcriber_options_default();
 *   o.max_audio_seconds = 60;
 *   edgeattn_transcriber* t = NULL;
 *   size_t n = 0;
 *   if (edgeattn_transcriber_create(model, &o, &t) == EDGEATTN_OK &&
 *       edgeattn_transcriber_transcribe_wav(t, wav_bytes, wav_size) == EDGEATTN_OK) {
 *     const char* text = edgeattn_transcriber_text(t, &n);
 *     printf("%.*s\n", (int)n, text);
 *   }
 *   edgeattn_transcriber_destroy(t);
 */
typedef struct edgeattn_transcriber edgeattn_transcriber;

typedef struct edgeattn_transcriber_options {
  double max_audio_seconds;   /* longest recording accepted; sizes the sample buffers. Default 30 */
  uint32_t max_sample_rate;   /* highest input rate in Hz. Default 48000 */
  int timestamps;             /* nonzero: decode timestamp tokens, segments get their times, and long
                                 audio is cut at segment ends (openai-whisper). Default 0 */
  int threads;                /* worker threads. Default 1; 0 = every online CPU */
  const char* kernels;        /* as edgeattn_session_options.kernels. Default NULL ("auto") */
  edgeattn_kv_dtype kv_dtype; /* decoder KV cache storage. Default EDGEATTN_KV_F32 */
  /* Input rates whose resamplers create builds, so that transcribing at them
   * allocates nothing (16000 needs none); 0 marks an unused slot. Another
   * rate gets its resampler on first use. Default 8000, 11025, 22050, 24000,
   * 32000, 44100, 48000, 0. */
  uint32_t sample_rates[8];
} edgeattn_transcriber_options;

/* The defaults above. */
edgeattn_transcriber_options edgeattn_transcriber_options_default(void) EDGEATTN_NOEXCEPT;

/* A transcriber with the model's "encode" and "decode" sessions and the
 * buffers for max_audio_seconds of audio. Checks: the model is a speech
 * model (task speech recognition, with its audio frontend, decoding config
 * and tokenizer), the options (EDGEATTN_INVALID_ARGUMENT otherwise).
 * `model` must outlive the transcriber. `options` NULL: the defaults. On
 * failure *out is NULL. */
edgeattn_status edgeattn_transcriber_create(const edgeattn_model* model, const edgeattn_transcriber_options* options,
                                            edgeattn_transcriber** out) EDGEATTN_NOEXCEPT;

/* Frees the transcriber and its sessions. NULL is ignored. */
void edgeattn_transcriber_destroy(edgeattn_transcriber* transcriber) EDGEATTN_NOEXCEPT;

/* Transcribes a WAV file held in memory (`size` bytes; untrusted bytes are
 * safe). A malformed file (not RIFF/WAVE, truncated, zero samples, a rate or
 * channel count out of range, a NaN or infinite sample) is
 * EDGEATTN_INVALID_ARGUMENT, a format this build does not decode
 * EDGEATTN_UNSUPPORTED, a recording longer than max_audio_seconds or faster
 * than max_sample_rate EDGEATTN_OUT_OF_RANGE / EDGEATTN_INVALID_ARGUMENT;
 * the message names the byte offset or field. No allocation at a planned
 * rate. */
edgeattn_status edgeattn_transcriber_transcribe_wav(edgeattn_transcriber* transcriber, const void* wav,
                                                    size_t size) EDGEATTN_NOEXCEPT;

/* The same for `n` >= 1 mono samples in [-1, 1] at `sample_rate` Hz. */
edgeattn_status edgeattn_transcriber_transcribe(edgeattn_transcriber* transcriber, const float* samples, size_t n,
                                                uint32_t sample_rate) EDGEATTN_NOEXCEPT;

/* The last transcript: *size bytes (UTF-8, not NUL-terminated) inside the
 * transcriber, valid until its next transcribe call or destroy. "" with
 * size 0 before the first call, after a failed one, or for NULL. `size` may
 * be NULL. */
const char* edgeattn_transcriber_text(const edgeattn_transcriber* transcriber, size_t* size) EDGEATTN_NOEXCEPT;

/* Segments of the last transcript (one per window without timestamps); 0
 * for NULL. */
size_t edgeattn_transcriber_segment_count(const edgeattn_transcriber* transcriber) EDGEATTN_NOEXCEPT;

/* Segment `index`: [*start, *end) seconds of the recording and its text
 * (*size bytes, not NUL-terminated, a slice of edgeattn_transcriber_text,
 * valid as that). Without timestamps the times are those of the window. An
 * index past segment_count is EDGEATTN_INVALID_ARGUMENT. */
edgeattn_status edgeattn_transcriber_segment(const edgeattn_transcriber* transcriber, size_t index, double* start,
                                             double* end, const char** text, size_t* size) EDGEATTN_NOEXCEPT;

/* What the last transcribe call did. */
typedef struct edgeattn_transcribe_stats {
  double audio_seconds;
  int windows;                 /* encoder runs (30-s windows) */
  int decoder_tokens;          /* decoder steps' tokens, prompts included */
  double frontend_ms;          /* WAV decode, resampling, log-mel */
  double encoder_ms;
  double decoder_ms;
  double total_ms;
  double real_time_factor;     /* total time / audio time; < 1 is faster than real time */
  double decoder_tokens_per_second;
} edgeattn_transcribe_stats;

edgeattn_status edgeattn_transcriber_last_stats(const edgeattn_transcriber* transcriber,
                                                edgeattn_transcribe_stats* stats) EDGEATTN_NOEXCEPT;

/* Memory of the encoder and decoder sessions (the decoder's persistent
 * part holds the KV cache and the cross-attention sequence state,
 * sequence_bytes), and the bytes of the sample, mel and text buffers the
 * transcriber allocated besides the two arenas. Fixed since create. Each
 * output may be NULL. */
edgeattn_status edgeattn_transcriber_memory(const edgeattn_transcriber* transcriber, edgeattn_memory_stats* encoder,
                                            edgeattn_memory_stats* decoder, size_t* buffer_bytes) EDGEATTN_NOEXCEPT;

/* ---- Task: translator (translation models: Marian / Bergamot) ---------------
 * Wraps edgeattn::Translator (runtime/tasks/translator.h): splits the text
 * into sentences, tokenizes each (SentencePiece), encodes it and decodes
 * greedily, over the model's lexical shortlist when it has one. The
 * translation stays readable until the next translate call.
 *
 *   edgeattn_translator* t = NULL;
 *   size_t n = 0;
 *   if (edgeattn_translator_create(model, NULL, &t) == EDGEATTN_OK &&
 *       edgeattn_translator_translate(t, "Hello, world.", 13) == EDGEATTN_OK) {
 *     const char* text = edgeattn_translator_text(t, &n);
 *     printf("%.*s\n", (int)n, text);
 *   }
 *   edgeattn_translator_destroy(t);
 */
typedef struct edgeattn_translator edgeattn_translator;

typedef struct edgeattn_translator_options {
  int max_source_tokens;      /* per sentence, end-of-sentence token included. Default 256 */
  size_t max_text_bytes;      /* longest text translate takes. Default 16384 */
  int split_sentences;        /* nonzero: translate sentence by sentence. Default 1 */
  int shortlist;              /* nonzero: the output layer over the model's shortlist, if any. Default 1 */
  int threads;                /* worker threads. Default 1; 0 = every online CPU */
  const char* kernels;        /* as edgeattn_session_options.kernels. Default NULL ("auto") */
  edgeattn_kv_dtype kv_dtype; /* storage of the cross-attention keys and values. Default EDGEATTN_KV_F32 */
} edgeattn_translator_options;

edgeattn_translator_options edgeattn_translator_options_default(void) EDGEATTN_NOEXCEPT;

/* A translator with the model's "encode" and "decode" sessions and the
 * buffers for max_text_bytes of text. The model must be a translation model
 * (methods "encode" and "decode", a decoding config, a tokenizer) and
 * outlive the translator. `options` NULL: the defaults. On failure *out is
 * NULL. */
edgeattn_status edgeattn_translator_create(const edgeattn_model* model, const edgeattn_translator_options* options,
                                           edgeattn_translator** out) EDGEATTN_NOEXCEPT;

void edgeattn_translator_destroy(edgeattn_translator* translator) EDGEATTN_NOEXCEPT;

/* Translates `size` bytes of UTF-8 text (untrusted bytes are safe: invalid
 * UTF-8 becomes U+FFFD). Nothing to translate (empty or whitespace) or more
 * than max_text_bytes is EDGEATTN_INVALID_ARGUMENT; a sentence longer than
 * max_source_tokens EDGEATTN_OUT_OF_RANGE. */
edgeattn_status edgeattn_translator_translate(edgeattn_translator* translator, const char* text,
                                              size_t size) EDGEATTN_NOEXCEPT;

/* The last translation: *size bytes (UTF-8, not NUL-terminated) inside the
 * translator, valid until its next translate call or destroy. "" with size
 * 0 before the first call, after a failed one, or for NULL. `size` may be
 * NULL. */
const char* edgeattn_translator_text(const edgeattn_translator* translator, size_t* size) EDGEATTN_NOEXCEPT;

/* What the last translate call did. */
typedef struct edgeattn_translate_stats {
  int sentences;
  int source_tokens;           /* end-of-sentence tokens included */
  int output_tokens;           /* decoder steps */
  size_t selected_words;       /* output-layer rows computed, summed over the sentences */
  double tokenize_ms;
  double encoder_ms;
  double decoder_ms;
  double total_ms;
} edgeattn_translate_stats;

edgeattn_status edgeattn_translator_last_stats(const edgeattn_translator* translator,
                                               edgeattn_translate_stats* stats) EDGEATTN_NOEXCEPT;

/* Memory of the encoder and decoder sessions. Fixed since create. Each
 * output may be NULL. */
edgeattn_status edgeattn_translator_memory(const edgeattn_translator* translator, edgeattn_memory_stats* encoder,
                                           edgeattn_memory_stats* decoder) EDGEATTN_NOEXCEPT;

/* ---- Task: text reader (OCR: RapidOCR's PP-OCR detector, classifier, recognizer)
 * Wraps edgeattn::TextReader (runtime/tasks/text_reader.h): an 8-bit RGB
 * image (the caller decodes files) -> text detection -> one crop per line,
 * turned upright when the classifier says so -> recognition -> the lines
 * in reading order, each with its text, its box in image pixels and its
 * confidence. read allocates nothing; the lines stay readable until the
 * next read call.
 *
 *   edgeattn_text_reader* r = NULL;
 *   if (edgeattn_text_reader_create(model, NULL, &r) == EDGEATTN_OK &&
 *       edgeattn_text_reader_read(r, rgb, width, height, 3 * (size_t)width) == EDGEATTN_OK) {
 *     for (size_t i = 0; i < edgeattn_text_reader_line_count(r); ++i) {
 *       edgeattn_text_line line;
 *       edgeattn_text_reader_line(r, i, &line);
 *       printf("%.*s\n", (int)line.text_size, line.text);
 *     }
 *   }
 *   edgeattn_text_reader_destroy(r);
 */
typedef struct edgeattn_text_reader edgeattn_text_reader;

typedef struct edgeattn_text_reader_options {
  int max_side;        /* the detector's planned largest side, multiple of 32; larger images are scaled down. Default 960 */
  int max_lines;       /* lines read per image (the first in reading order). Default 64 */
  int max_line_width;  /* the recognizer's planned width, multiple of 8; wider lines are scaled down. Default 1280 */
  int classify_angle;  /* nonzero: turn lines the classifier finds upside down. Default 1 */
  int threads;         /* worker threads. Default 1; 0 = every online CPU */
  const char* kernels; /* as edgeattn_session_options.kernels. Default NULL ("auto") */
  float det_thresh;    /* the detector map's binarization threshold. Default 0.3 */
  double box_thresh;   /* boxes with a lower mean probability are dropped. Default 0.5 */
  double unclip_ratio; /* how far boxes are grown. Default 1.6 */
  double cls_thresh;   /* a line is turned when P(180 degrees) exceeds this. Default 0.9 */
  double text_score;   /* lines with a lower confidence are dropped. Default 0.5 */
} edgeattn_text_reader_options;

edgeattn_text_reader_options edgeattn_text_reader_options_default(void) EDGEATTN_NOEXCEPT;

/* A text reader with the model's "det", "cls" and "rec" sessions and every
 * buffer for the planned sizes. The model must be a text-reading model
 * (those three methods and a CtcCharacters tokenizer) and outlive the
 * reader. `options` NULL: the defaults. On failure *out is NULL. */
edgeattn_status edgeattn_text_reader_create(const edgeattn_model* model, const edgeattn_text_reader_options* options,
                                            edgeattn_text_reader** out) EDGEATTN_NOEXCEPT;

void edgeattn_text_reader_destroy(edgeattn_text_reader* reader) EDGEATTN_NOEXCEPT;

/* Reads the lines of an image: `rgb` holds `height` rows `stride` bytes
 * apart, each `width` pixels of R, G, B bytes. NULL pixels, an empty image
 * or a stride below 3 x width is EDGEATTN_INVALID_ARGUMENT. An image without
 * text is EDGEATTN_OK with no lines. */
edgeattn_status edgeattn_text_reader_read(edgeattn_text_reader* reader, const uint8_t* rgb, int width, int height,
                                          size_t stride) EDGEATTN_NOEXCEPT;

/* Lines of the last read (0 before the first, after a failed one, or for NULL). */
size_t edgeattn_text_reader_line_count(const edgeattn_text_reader* reader) EDGEATTN_NOEXCEPT;

typedef struct edgeattn_text_line {
  const char* text;   /* UTF-8, text_size bytes, not NUL-terminated; inside the reader until its next read */
  size_t text_size;
  float box[4][2];    /* corners (x, y) in image pixels: top-left, top-right, bottom-right, bottom-left */
  float confidence;   /* the recognizer's mean probability of the line's characters */
  int rotated;        /* 1: the classifier turned the line by 180 degrees */
} edgeattn_text_line;

/* Line `index` of the last read, in reading order; EDGEATTN_OUT_OF_RANGE
 * past line_count. */
edgeattn_status edgeattn_text_reader_line(const edgeattn_text_reader* reader, size_t index,
                                          edgeattn_text_line* line) EDGEATTN_NOEXCEPT;

/* What the last read call did: milliseconds per stage, the detector's
 * input size, and how many boxes became lines. */
typedef struct edgeattn_text_read_stats {
  double det_ms;     /* letterbox, resize, the detector */
  double post_ms;    /* DB post-processing, reading order */
  double cls_ms;     /* crops and the classifier */
  double rec_ms;     /* the recognizer and CTC decoding */
  double total_ms;
  int det_height;    /* the detector's input size */
  int det_width;
  int boxes;         /* text boxes found */
  int dropped;       /* boxes beyond max_lines */
  int rejected;      /* lines below text_score */
  int rotated;       /* lines turned by the classifier */
  int lines;         /* lines returned */
} edgeattn_text_read_stats;

edgeattn_status edgeattn_text_reader_last_stats(const edgeattn_text_reader* reader,
                                                edgeattn_text_read_stats* stats) EDGEATTN_NOEXCEPT;

/* Memory of the three sessions and the bytes of the reader's own buffers
 * (network inputs, letterbox image, crop, lines). Fixed since create. Each
 * output may be NULL. */
edgeattn_status edgeattn_text_reader_memory(const edgeattn_text_reader* reader, edgeattn_memory_stats* det,
                                            edgeattn_memory_stats* cls, edgeattn_memory_stats* rec,
                                            size_t* buffer_bytes) EDGEATTN_NOEXCEPT;

/* ---- Task: image runner (image models: classifiers, maps, clips)
 * Wraps edgeattn::ImageRunner (runtime/tasks/image_runner.h): 8-bit RGB
 * images -> resized to the model's size (stretch, letterbox or center crop,
 * as the model file says), gray for a 1-channel model, normalized with the
 * model's mean and std -> one invoke -> the output tensors, and for a
 * classifier its most probable classes with their labels. The model must be
 * converted with image metadata (edgeattn-convert MODEL.onnx --image-size
 * ... --image-mean ... --image-std ... [--labels FILE]). run, run_clip,
 * run_batch and top_k allocate nothing; outputs stay readable until the next
 * run.
 *
 *   edgeattn_image_runner* r = NULL;
 *   edgeattn_image_class best[5];
 *   size_t n = 0;
 *   if (edgeattn_image_runner_create(model, NULL, &r) == EDGEATTN_OK &&
 *       edgeattn_image_runner_run(r, rgb, width, height, 3 * (size_t)width) == EDGEATTN_OK &&
 *       edgeattn_image_runner_top_k(r, 5, 0, best, 5, &n) == EDGEATTN_OK) {
 *     for (size_t i = 0; i < n; ++i) printf("%.3f %s\n", best[i].probability, best[i].label);
 *   }
 *   edgeattn_image_runner_destroy(r);
 */
typedef struct edgeattn_image_runner edgeattn_image_runner;

typedef struct edgeattn_image_runner_options {
  int threads;          /* worker threads. Default 1; 0 = every online CPU */
  const char* kernels;  /* as edgeattn_session_options.kernels. Default NULL ("auto") */
  const char* method;   /* the method to run; NULL: "forward", else the model's first. Default NULL */
  int max_batch;        /* images per edgeattn_image_runner_run_batch, 1 .. 256. Default 1 */
  int softmax;          /* nonzero: top_k probabilities are the softmax of the scores; 0: the scores are
                           probabilities already. Default 1 */
} edgeattn_image_runner_options;

edgeattn_image_runner_options edgeattn_image_runner_options_default(void) EDGEATTN_NOEXCEPT;

/* A runner with the model's session planned at its image size and every
 * buffer. The model must have image preprocessing (else
 * EDGEATTN_INVALID_ARGUMENT) and outlive the runner. `options` NULL: the
 * defaults. On failure *out is NULL. */
edgeattn_status edgeattn_image_runner_create(const edgeattn_model* model, const edgeattn_image_runner_options* options,
                                             edgeattn_image_runner** out) EDGEATTN_NOEXCEPT;

void edgeattn_image_runner_destroy(edgeattn_image_runner* runner) EDGEATTN_NOEXCEPT;

/* What the model's preprocessing says (ModelInfo::image). */
typedef struct edgeattn_image_info {
  int height;           /* the network's input size, pixels */
  int width;
  int channels;         /* per frame: 1 (gray) or 3 */
  int frames;           /* images per clip (1: single images) */
  int bgr;              /* nonzero: 3 channels fed as B, G, R */
  const char* resize;   /* "stretch", "letterbox" or "center-crop"; static storage */
  size_t label_count;   /* a classifier's labels (0: none) */
} edgeattn_image_info;

edgeattn_status edgeattn_image_runner_info(const edgeattn_image_runner* runner,
                                           edgeattn_image_info* info) EDGEATTN_NOEXCEPT;

/* Label `index` (UTF-8, NUL-terminated, inside the model), or NULL past
 * label_count or for NULL. */
const char* edgeattn_image_runner_label(const edgeattn_image_runner* runner, size_t index) EDGEATTN_NOEXCEPT;

/* One image of a one-frame model: `rgb` holds `height` rows `stride` bytes
 * apart, each `width` pixels of R, G, B bytes (1 .. 16384 pixels a side).
 * NULL pixels, an empty or oversized image, a stride below 3 x width, or a
 * clip model (use run_clip) is EDGEATTN_INVALID_ARGUMENT. */
edgeattn_status edgeattn_image_runner_run(edgeattn_image_runner* runner, const uint8_t* rgb, int width, int height,
                                          size_t stride) EDGEATTN_NOEXCEPT;

typedef struct edgeattn_image {
  const uint8_t* rgb;   /* [height, stride] bytes, R, G, B per pixel */
  int width;
  int height;
  size_t stride;
} edgeattn_image;

/* One clip: exactly edgeattn_image_info.frames images, frame 0 first; another
 * count or a bad frame is EDGEATTN_INVALID_ARGUMENT (the message names it). */
edgeattn_status edgeattn_image_runner_run_clip(edgeattn_image_runner* runner, const edgeattn_image* frames,
                                               size_t count) EDGEATTN_NOEXCEPT;

/* 1 .. max_batch images of a one-frame model in one invoke: output row b is
 * image b. */
edgeattn_status edgeattn_image_runner_run_batch(edgeattn_image_runner* runner, const edgeattn_image* images,
                                                size_t count) EDGEATTN_NOEXCEPT;

/* Outputs of the last run (0 before the first, after a failed one, or for NULL). */
size_t edgeattn_image_runner_output_count(const edgeattn_image_runner* runner) EDGEATTN_NOEXCEPT;

/* Output `index` of the last run (method order): shape and float data inside
 * the runner, valid until its next run or destroy. A 4-D output is NHWC,
 * e.g. a map [1, h, w, 1]. EDGEATTN_OUT_OF_RANGE past output_count. */
edgeattn_status edgeattn_image_runner_output(const edgeattn_image_runner* runner, size_t index,
                                             edgeattn_tensor* out) EDGEATTN_NOEXCEPT;

typedef struct edgeattn_image_class {
  int index;            /* the class: its position in the first output's row */
  const char* label;    /* its label, "" without labels; inside the model */
  float probability;    /* softmax of the row (or the score, softmax = 0) */
  float score;          /* the output value */
} edgeattn_image_class;

/* The k most probable classes of row `row` of the first output (read as
 * class scores [batch, n]), probability descending, into out[0 .. *count)
 * (*count = min(k, n, capacity)). Before a run, k < 1 or a bad row:
 * EDGEATTN_INVALID_ARGUMENT; a first output that is not [batch, n]:
 * EDGEATTN_INVALID_MODEL. No allocation. */
edgeattn_status edgeattn_image_runner_top_k(edgeattn_image_runner* runner, int k, int row, edgeattn_image_class* out,
                                            size_t capacity, size_t* count) EDGEATTN_NOEXCEPT;

/* What the last run did: milliseconds preprocessing and invoking, images read. */
typedef struct edgeattn_image_run_stats {
  double preprocess_ms;
  double invoke_ms;
  double total_ms;
  int images;
} edgeattn_image_run_stats;

edgeattn_status edgeattn_image_runner_last_stats(const edgeattn_image_runner* runner,
                                                 edgeattn_image_run_stats* stats) EDGEATTN_NOEXCEPT;

/* Memory of the session and the bytes of the runner's own buffers (the
 * input tensor, resize taps, top-k classes). Fixed since create. Each output
 * may be NULL. */
edgeattn_status edgeattn_image_runner_memory(const edgeattn_image_runner* runner, edgeattn_memory_stats* session,
                                             size_t* buffer_bytes) EDGEATTN_NOEXCEPT;

#ifdef __cplusplus
}  /* extern "C" */
#endif

#endif /* EDGEATTN_EDGEATTN_H_ */
