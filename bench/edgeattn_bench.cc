// edgeattn-bench: end-to-end latency, throughput and memory of one model.
//
//   edgeattn-bench MODEL.eatn [--json] [--threads N] [--runs N] [--context N] [--profile]
//                  [--shapes BxS[,BxS...]] [--kernels NAME] [--prompt N]
//
// Measures Model::load_file, Session::create, the session's memory
// (MemoryStats) and peak RSS, then, by the model's hparams architecture:
//   BertEncoder:  invoke() latency (median, min over --runs, default 20, after
//                 2 warm-ups) at [1, 16], [1, 128] and [8, 128], all on one
//                 session with max_batch 8, max_seq 128 (--context N replaces
//                 128; capped at max_positions). --shapes replaces the three
//                 shapes (and sizes the session for the largest batch and
//                 sequence in the list). Token ids are deterministic
//                 pseudo-random ids in [1000, vocab) (splitmix64, fixed
//                 seed), every row full length (lengths = seq).
//   LlamaDecoder: prefill of a 64-token prompt (--prompt N; capped at max_positions / 4)
//                 and 128 single-token decode steps after it (fewer if the
//                 context does not fit them), greedy argmax on the logits;
//                 median over --runs repetitions (default 5) after 1 warm-up,
//                 reset() between. The prompt is BOS + a fixed English
//                 sentence's ids repeated (pseudo-random ids if the model has
//                 no tokenizer). --context N sets max_context (default
//                 prompt + 128, capped at max_positions).
//   EncoderDecoder (speech, e.g. Whisper): --wav FILE [--repeat N]: the
//                 Transcriber task on the clip tiled N times (default 3),
//                 1 warm-up + --runs rounds (default 5); bench_transcribe.h.
// Only invoke() is inside the timed regions (not id generation, not argmax).
// Latencies: median, p90 (nearest rank) and minimum over the timed runs.
// Human-readable text on stdout by default; one JSON object with --json.
// Errors go to stderr and exit non-zero (1: model/run failure, 2: usage).
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include <unistd.h>

#include "bench/bench_report.h"
#include "bench/bench_transcribe.h"
#include "bench/bench_graph.h"
#include "bench/bench_ocr.h"
#include "bench/bench_translate.h"
#include "tools/cli/cli.h"
#include "runtime/model.h"
#include "runtime/platform.h"
#include "runtime/sampler.h"
#include "runtime/session.h"

namespace {

using edgeattn::KvCacheDType;
using edgeattn::InvokeInput;
using edgeattn::Model;
using edgeattn::Result;
using edgeattn::Session;
using edgeattn::SessionOptions;
using edgeattn::Status;
using edgeattn::TensorView;
using edgeattn::bench::BenchReport;
using edgeattn::bench::DecoderResult;
using edgeattn::bench::EncoderCase;
using Clock = std::chrono::steady_clock;

constexpr int kEncoderRuns = 20;
constexpr int kEncoderWarmups = 2;
constexpr int kEncoderBatch = 8;
constexpr int kEncoderShortSeq = 16;
constexpr int kEncoderLongSeq = 128;
constexpr int kDecoderRuns = 5;
constexpr int kDecoderWarmups = 1;
constexpr int kPromptTokens = 64;
constexpr int kDecodeSteps = 128;
constexpr int32_t kFirstRandomId = 1000;
constexpr uint64_t kSeed = 0x5eed2024u;
constexpr const char* kPromptText =
    "Once upon a time, there was a little girl named Lily. She loved to play outside in the park with her "
    "friends. ";

using edgeattn::cli::ms_since;

void usage() {
  std::fprintf(stderr,
               "usage: edgeattn-bench MODEL.eatn [--json] [--threads N] [--runs N] [--context N] [--profile]\n"
               "                      [--shapes BxS[,BxS...]]   (encoders; default 1x16,1x128,8x128)\n"
               "                      [--kernels NAME]          (a kernel table, e.g. avx2; default: the best for this CPU)\n"
               "                      [--prompt N]              (decoders: prompt tokens to prefill; default 64)\n"
               "                      [--kv-dtype fp32|fp16|int8] (KV cache and cross-attention K/V storage; default fp32)\n"
               "                      [--wav FILE [--repeat N]] (speech models: transcribe the clip tiled N times)\n"
               "                      [--text FILE [--no-shortlist]] (translation models: translate the file's text)\n"
               "                      [--image FILE [--max-side N]] (text-reading models: read the image)\n"
               "                      [--method NAME]           (imported image graphs: time one invoke; default: the first method)\n");
}

int fail(const char* what, const Status& s) { return edgeattn::cli::fail("edgeattn-bench", what, s, 1); }

struct Args {
  const char* model = nullptr;
  bool json = false;
  int threads = 1;
  int runs = 0;     // 0: the default for the architecture
  int context = 0;  // 0: the default for the architecture
  int prompt = 0;   // --prompt: decoder prompt tokens (0: kPromptTokens)
  bool profile = false;
  // --kernels NAME (e.g. avx2 on a VNNI host); nullptr: the best for this CPU.
  const char* kernels = nullptr;
  KvCacheDType kv_dtype = KvCacheDType::kF32;  // --kv-dtype
  std::vector<std::pair<int, int>> shapes;  // --shapes: (batch, seq); empty: the defaults
  const char* wav = nullptr;                // --wav: speech models
  const char* text = nullptr;               // --text: translation models
  bool no_shortlist = false;                // --no-shortlist: translation models
  const char* image = nullptr;              // --image: text-reading (OCR) models
  const char* method = nullptr;             // --method: imported graphs (default: the first)
  int max_side = 0;                         // --max-side: the OCR detector's planned maximum side
  int repeat = 3;                           // --repeat: times the clip is tiled
};

// "1x16,8x128" -> {(1, 16), (8, 128)}; false (with a message) on anything else.
bool parse_shapes(const char* s, std::vector<std::pair<int, int>>* out) {
  const char* p = s;
  while (*p != '\0') {
    char* end = nullptr;
    const long b = std::strtol(p, &end, 10);
    if (end == p || *end != 'x') break;
    const char* q = end + 1;
    const long t = std::strtol(q, &end, 10);
    if (end == q || b < 1 || t < 1 || b > 4096 || t > (1L << 20)) break;
    out->emplace_back(static_cast<int>(b), static_cast<int>(t));
    if (*end == '\0') return true;
    if (*end != ',') break;
    p = end + 1;
  }
  std::fprintf(stderr, "edgeattn-bench: --shapes wants BATCHxSEQ[,BATCHxSEQ...], got '%s'\n", s);
  return false;
}

// With --profile: time per op kind over every timed and warm-up invoke, to
// stderr, and added into the report's profile_ms.
void print_profile(const Session& session, BenchReport* r) {
  const auto by_kind = edgeattn::bench::profile_by_kind(session);
  if (by_kind.empty()) return;
  uint64_t total = 0;
  for (const auto& e : by_kind) total += e.second;
  std::fprintf(stderr, "profile (all invokes, %.1f ms in ops):\n", total / 1e6);
  for (const auto& [name, ns] : by_kind) {
    std::fprintf(stderr, "  %-16s %9.2f ms  %5.1f %%\n", name.c_str(), ns / 1e6,
                 100.0 * static_cast<double>(ns) / static_cast<double>(total));
    auto it = std::find_if(r->profile_ms.begin(), r->profile_ms.end(),
                           [name = name](const std::pair<std::string, double>& e) { return e.first == name; });
    if (it == r->profile_ms.end()) {
      r->profile_ms.emplace_back(name, ns / 1e6);
    } else {
      it->second += ns / 1e6;
    }
  }
}

// Strict positive int: the whole string must be digits, in [1, 1 << 20].
bool parse_positive(const char* flag, const char* s, int* out) {
  return edgeattn::cli::parse_int("edgeattn-bench", flag, s, 1, 1L << 20, out);
}

bool parse_args(int argc, char** argv, Args* a) {
  for (int i = 1; i < argc; ++i) {
    const std::string s = argv[i];
    int* target = nullptr;
    if (s == "--json") {
      a->json = true;
      continue;
    } else if (s == "--profile") {
      a->profile = true;
      continue;
    } else if (s == "--kernels" && i + 1 < argc) {
      a->kernels = argv[++i];
      const edgeattn::Status known = edgeattn::check_kernels_name(a->kernels);
      if (!known.is_ok()) {
        std::fprintf(stderr, "edgeattn-bench: --kernels: %s\n", known.message());
        return false;
      }
      continue;
    } else if (s == "--kv-dtype" && i + 1 < argc) {
      if (!edgeattn::cli::parse_kv_dtype("edgeattn-bench", argv[++i], &a->kv_dtype)) return false;
      continue;
    } else if (s == "--threads" && i + 1 < argc) {  // 0: every online CPU
      if (!edgeattn::cli::parse_int("edgeattn-bench", "--threads", argv[++i], 0, 256, &a->threads)) return false;
      if (a->threads == 0) a->threads = edgeattn::online_cpus();
      continue;
    } else if (s == "--runs") {
      target = &a->runs;
    } else if (s == "--context") {
      target = &a->context;
    } else if (s == "--prompt") {
      target = &a->prompt;
    } else if (s == "--repeat") {
      target = &a->repeat;
    } else if (s == "--wav" && i + 1 < argc) {
      a->wav = argv[++i];
      continue;
    } else if (s == "--text" && i + 1 < argc) {
      a->text = argv[++i];
      continue;
    } else if (s == "--image" && i + 1 < argc) {
      a->image = argv[++i];
      continue;
    } else if (s == "--method" && i + 1 < argc) {
      a->method = argv[++i];
      continue;
    } else if (s == "--max-side") {
      target = &a->max_side;
    } else if (s == "--no-shortlist") {
      a->no_shortlist = true;
      continue;
    } else if (s == "--shapes") {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "edgeattn-bench: --shapes needs a value\n");
        return false;
      }
      a->shapes.clear();
      if (!parse_shapes(argv[++i], &a->shapes)) return false;
      continue;
    } else if (s == "-h" || s == "--help") {
      return false;
    } else if (s.size() > 1 && s[0] == '-') {
      std::fprintf(stderr, "edgeattn-bench: unknown option %s\n", s.c_str());
      return false;
    } else if (a->model == nullptr) {
      a->model = argv[i];
      continue;
    } else {
      std::fprintf(stderr, "edgeattn-bench: unexpected argument %s\n", s.c_str());
      return false;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "edgeattn-bench: %s needs a value\n", s.c_str());
      return false;
    }
    if (!parse_positive(s.c_str(), argv[++i], target)) return false;
  }
  if (a->model == nullptr) {
    std::fprintf(stderr, "edgeattn-bench: no model file given\n");
    return false;
  }
  return true;
}

// splitmix64: a fixed, platform-independent id stream.
struct SplitMix64 {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
};

// `count` ids in [lo, vocab), or [0, vocab) when vocab <= lo.
std::vector<int32_t> random_ids(size_t count, int32_t vocab, int32_t lo) {
  if (vocab <= lo) lo = 0;
  SplitMix64 rng{kSeed};
  std::vector<int32_t> ids(count);
  const uint64_t span = static_cast<uint64_t>(vocab - lo);
  for (int32_t& id : ids) id = lo + static_cast<int32_t>(rng.next() % span);
  return ids;
}

// The 1-minute load average, or -1 where /proc/loadavg is unavailable.
double loadavg_1m() {
  std::FILE* f = std::fopen("/proc/loadavg", "r");
  if (f == nullptr) return -1.0;
  double v = -1.0;
  if (std::fscanf(f, "%lf", &v) != 1) v = -1.0;
  std::fclose(f);
  return v;
}

// One invoke() of `in`; *ms is its wall-clock time.
Status timed_invoke(Session& session, const InvokeInput& in, double* ms) {
  const auto t = Clock::now();
  Status s = session.invoke(in);
  *ms = ms_since(t);
  return s;
}

// The session of a run: `opts` (the limits) plus the flags' threads,
// kernels and profiling; records the prepare time, kernels and memory.
int create_session(const Model& model, const Args& a, SessionOptions opts, BenchReport* r,
                   std::unique_ptr<Session>* out) {
  opts.threads = a.threads;
  opts.kernels = a.kernels;
  opts.kv_dtype = a.kv_dtype;
  opts.profile = a.profile;
  const auto t_prepare = Clock::now();
  Result<std::unique_ptr<Session>> created = Session::create(model, opts);
  if (!created.is_ok()) return fail("prepare (Session::create)", created.status());
  r->prepare_ms = ms_since(t_prepare);
  *out = std::move(created).value();
  r->kernels = (*out)->kernel_name();
  r->memory = (*out)->memory();
  return 0;
}

int run_encoder(const Model& model, const Args& a, BenchReport* r) {
  const edgeattn::ModelInfo& hp = model.info();
  const int32_t vocab = hp.vocab_size;
  int long_seq = a.context > 0 ? a.context : kEncoderLongSeq;
  if (hp.max_positions > 0 && long_seq > hp.max_positions) {
    std::fprintf(stderr, "edgeattn-bench: note: sequence %d capped at max_positions %d\n", long_seq,
                 hp.max_positions);
    long_seq = hp.max_positions;
  }
  const int short_seq = std::min(kEncoderShortSeq, long_seq);
  std::vector<std::pair<int, int>> shapes = a.shapes;
  if (shapes.empty()) shapes = {{1, short_seq}, {1, long_seq}, {kEncoderBatch, long_seq}};
  int max_batch = 1, max_seq = 1;
  for (auto& [batch, seq] : shapes) {
    if (hp.max_positions > 0 && seq > hp.max_positions) {
      std::fprintf(stderr, "edgeattn-bench: note: sequence %d capped at max_positions %d\n", seq, hp.max_positions);
      seq = hp.max_positions;
    }
    max_batch = std::max(max_batch, batch);
    max_seq = std::max(max_seq, seq);
  }
  r->runs = a.runs > 0 ? a.runs : kEncoderRuns;
  r->warmups = kEncoderWarmups;
  r->max_batch = max_batch;
  r->max_seq = max_seq;
  char desc[160];
  std::snprintf(desc, sizeof(desc), "pseudo-random ids in [%d, %d) (splitmix64, seed 0x%llx), lengths = seq",
                vocab > kFirstRandomId ? kFirstRandomId : 0, vocab, static_cast<unsigned long long>(kSeed));
  r->input_ids = desc;

  SessionOptions opts;
  opts.max_batch = max_batch;
  opts.max_seq = max_seq;
  std::unique_ptr<Session> created;
  if (int rc = create_session(model, a, opts, r, &created)) return rc;
  Session& session = *created;

  for (const auto& [batch, seq] : shapes) {
    const std::vector<int32_t> ids = random_ids(static_cast<size_t>(batch) * seq, vocab, kFirstRandomId);
    InvokeInput in;
    in.ids = ids.data();
    in.batch = batch;
    in.seq = seq;
    std::vector<double> samples;
    samples.reserve(static_cast<size_t>(r->runs));
    for (int i = 0; i < r->warmups + r->runs; ++i) {
      double ms = 0.0;
      Status s = timed_invoke(session, in, &ms);
      if (!s.is_ok()) return fail("invoke", s);
      if (i >= r->warmups) samples.push_back(ms);
    }
    EncoderCase c;
    char name[48];
    std::snprintf(name, sizeof(name), "batch%d_seq%d", batch, seq);
    c.name = name;
    c.batch = batch;
    c.seq = seq;
    c.latency = edgeattn::bench::summarize(samples);
    c.tokens_per_s = 1000.0 * batch * seq / c.latency.median_ms;
    if (a.profile) {
      std::fprintf(stderr, "[batch %d, seq %d] ", batch, seq);
      print_profile(session, r);
      session.reset_profile();
    }
    c.sequences_per_s = 1000.0 * batch / c.latency.median_ms;
    r->encoder.push_back(c);
  }
  return 0;
}

// The decoder prompt of prompt_len ids: BOS + the fixed text's ids,
// repeated, cut to length; pseudo-random ids without a tokenizer.
int make_prompt(const Model& model, int prompt_len, std::vector<int32_t>* prompt, BenchReport* r) {
  prompt->clear();
  if (const edgeattn::Tokenizer* tok = model.tokenizer()) {
    std::vector<int32_t> text_ids;
    edgeattn::EncodeOptions enc;
    enc.add_special_tokens = false;
    Status s = tok->encode(kPromptText, enc, &text_ids);
    if (!s.is_ok()) return fail("encode prompt", s);
    if (tok->bos_id() >= 0) prompt->push_back(tok->bos_id());
    while (!text_ids.empty() && static_cast<int>(prompt->size()) < prompt_len) {
      for (int32_t id : text_ids) {
        if (static_cast<int>(prompt->size()) == prompt_len) break;
        prompt->push_back(id);
      }
    }
    r->input_ids = "prompt: BOS + ids of a fixed English sentence, repeated; decode: greedy argmax";
  }
  if (static_cast<int>(prompt->size()) < prompt_len) {
    *prompt = random_ids(static_cast<size_t>(prompt_len), model.info().vocab_size, 0);
    r->input_ids = "prompt: pseudo-random ids in [0, vocab) (no tokenizer); decode: greedy argmax";
  }
  return 0;
}

// One repetition: a fresh context, the prompt in one invoke, then `steps`
// greedy single-token invokes. Only the invokes are timed.
int time_generation(Session& session, const std::vector<int32_t>& prompt, int steps, double* prefill_ms,
                    double* decode_ms) {
  session.reset();
  InvokeInput in;
  in.ids = prompt.data();
  in.seq = static_cast<int>(prompt.size());
  Status s = timed_invoke(session, in, prefill_ms);
  if (!s.is_ok()) return fail("prefill invoke", s);
  TensorView out = session.output(0);
  int32_t next = edgeattn::Sampler::argmax(out.f32(), static_cast<size_t>(out.dim(out.rank - 1)));
  *decode_ms = 0.0;
  for (int i = 0; i < steps; ++i) {
    in.ids = &next;
    in.seq = 1;
    double ms = 0.0;
    s = timed_invoke(session, in, &ms);
    if (!s.is_ok()) return fail("decode invoke", s);
    *decode_ms += ms;
    out = session.output(0);
    next = edgeattn::Sampler::argmax(out.f32(), static_cast<size_t>(out.dim(out.rank - 1)));
  }
  return 0;
}

int run_decoder(const Model& model, const Args& a, BenchReport* r) {
  const edgeattn::ModelInfo& hp = model.info();
  const int max_pos = hp.max_positions;
  const int wanted = a.prompt > 0 ? a.prompt : kPromptTokens;
  const int prompt_len = max_pos > 0 ? std::max(1, std::min(wanted, max_pos / 4)) : wanted;
  int context = a.context > 0 ? a.context : prompt_len + kDecodeSteps;
  if (max_pos > 0 && context > max_pos) {
    if (a.context > 0) {
      std::fprintf(stderr, "edgeattn-bench: note: --context %d capped at max_positions %d\n", context, max_pos);
    }
    context = max_pos;
  }
  if (context <= prompt_len) {
    std::fprintf(stderr, "edgeattn-bench: context %d leaves no room to decode after a %d-token prompt\n", context,
                 prompt_len);
    return 1;
  }
  const int steps = std::min(kDecodeSteps, context - prompt_len);

  std::vector<int32_t> prompt;
  if (int rc = make_prompt(model, prompt_len, &prompt, r)) return rc;

  r->runs = a.runs > 0 ? a.runs : kDecoderRuns;
  r->warmups = kDecoderWarmups;
  r->max_batch = 1;
  r->max_seq = prompt_len;
  r->max_context = context;
  r->has_decoder = true;

  SessionOptions opts;
  opts.max_batch = 1;
  opts.max_seq = prompt_len;
  opts.max_context = context;
  std::unique_ptr<Session> created;
  if (int rc = create_session(model, a, opts, r, &created)) return rc;
  Session& session = *created;

  std::vector<double> prefill_ms, decode_ms;
  for (int rep = 0; rep < r->warmups + r->runs; ++rep) {
    double prefill = 0.0, decode = 0.0;
    if (int rc = time_generation(session, prompt, steps, &prefill, &decode)) return rc;
    if (rep >= r->warmups) {
      prefill_ms.push_back(prefill);
      decode_ms.push_back(decode);
    }
  }
  DecoderResult& d = r->decoder;
  d.prompt_tokens = prompt_len;
  d.decode_steps = steps;
  d.repetitions = r->runs;
  d.prefill = edgeattn::bench::summarize(prefill_ms);
  d.decode_total = edgeattn::bench::summarize(decode_ms);
  d.prefill_tokens_per_s = 1000.0 * prompt_len / d.prefill.median_ms;
  d.decode_tokens_per_s = 1000.0 * steps / d.decode_total.median_ms;
  d.decode_ms_per_token = d.decode_total.median_ms / steps;
  if (a.profile) print_profile(session, r);
  return 0;
}

int run_speech(const Model& model, const Args& a, BenchReport* r) {
  if (a.wav == nullptr) {
    std::fprintf(stderr, "edgeattn-bench: a speech model needs --wav FILE\n");
    return 2;
  }
  edgeattn::bench::TranscribeBenchOptions o;
  o.wav = a.wav;
  o.repeat = a.repeat;
  o.threads = a.threads;
  o.runs = a.runs > 0 ? a.runs : o.runs;
  o.kernels = a.kernels;
  o.kv_dtype = a.kv_dtype;
  o.profile = a.profile;
  return edgeattn::bench::run_transcribe(model, o, r);
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!parse_args(argc, argv, &args)) {
    usage();
    return 2;
  }
  const auto t_load = Clock::now();
  Result<std::unique_ptr<Model>> loaded = Model::load_file(args.model);
  if (!loaded.is_ok()) {
    std::fprintf(stderr, "edgeattn-bench: cannot load model '%s': %s\n", args.model, loaded.status().message());
    return 1;
  }
  const double load_ms = ms_since(t_load);
  const Model& model = **loaded;
  const edgeattn::ModelInfo& hp = model.info();
  if (args.image != nullptr) {
    edgeattn::bench::OcrBenchOptions o;
    o.image_file = args.image;
    o.max_side = args.max_side;
    o.threads = args.threads;
    o.runs = args.runs > 0 ? args.runs : o.runs;
    o.kernels = args.kernels;
    o.json = args.json;
    o.profile = args.profile;
    return edgeattn::bench::run_ocr(model, o, load_ms);
  }
  if (hp.architecture == edgeattn::Architecture::kImportedGraph) {  // an imported image graph (ONNX)
    edgeattn::bench::GraphBenchOptions o;
    o.method = args.method;
    o.threads = args.threads;
    o.runs = args.runs > 0 ? args.runs : o.runs;
    o.kernels = args.kernels;
    o.json = args.json;
    o.profile = args.profile;
    return edgeattn::bench::run_graph(model, o, load_ms);
  }
  if (hp.vocab_size < 1) {
    std::fprintf(stderr, "edgeattn-bench: model '%s' has vocab_size %d\n", args.model, hp.vocab_size);
    return 1;
  }

  BenchReport report;
  report.model_path = args.model;
  report.architecture = edgeattn::architecture_name(hp.architecture);
  report.threads = args.threads;
  report.kv_dtype = args.kv_dtype == KvCacheDType::kF16 ? "fp16" : args.kv_dtype == KvCacheDType::kI8 ? "int8" : "fp32";
  report.file_bytes = model.file_size();
  report.load_ms = load_ms;
  const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  report.online_cpus = cpus > 0 ? static_cast<int>(cpus) : 0;
  report.loadavg_1m = loadavg_1m();

  int rc = 0;
  switch (hp.architecture) {
    case edgeattn::Architecture::kBertEncoder:
      rc = run_encoder(model, args, &report);
      break;
    case edgeattn::Architecture::kLlamaDecoder:
      rc = run_decoder(model, args, &report);
      break;
    case edgeattn::Architecture::kEncoderDecoder:
      if (hp.task == edgeattn::Task::kTranslation) {
        edgeattn::bench::TranslateBenchOptions o;
        o.text_file = args.text;
        o.shortlist = !args.no_shortlist;
        o.threads = args.threads;
        o.runs = args.runs > 0 ? args.runs : o.runs;
        o.kernels = args.kernels;
        o.kv_dtype = args.kv_dtype;
        o.json = args.json;
        return edgeattn::bench::run_translate(model, o, load_ms);
      }
      rc = run_speech(model, args, &report);
      break;
    default:
      std::fprintf(stderr, "edgeattn-bench: architecture '%s' is not benchmarked (BertEncoder, LlamaDecoder, EncoderDecoder only)\n",
                   report.architecture.c_str());
      return 1;
  }
  if (rc != 0) return rc;
  report.peak_rss_bytes = edgeattn::peak_rss_bytes();
  if (args.json) {
    edgeattn::bench::print_json(stdout, report);
  } else {
    edgeattn::bench::print_text(stdout, report);
  }
  return std::fflush(stdout) == 0 ? 0 : 1;
}
