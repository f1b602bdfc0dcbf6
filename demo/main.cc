// edgeattn-demo: the on-device binary.
//
//   edgeattn-demo MODEL generate [--prompt TEXT] [--max-tokens N] [--temperature T]
//                               [--top-p P] [--seed S] [--threads N] [--context N]
//   edgeattn-demo MODEL embed TEXT [TEXT ...] [--threads N]
//
// generate streams the decoded text to stdout as it is produced, then one
// newline; embed prints one embedding per line (space-separated floats) and,
// for two or more texts, their cosine matrix on stderr. Statistics (tokens/s,
// arena, KV cache, weights, peak RSS) always go to stderr.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "runtime/model.h"
#include "runtime/platform.h"
#include "runtime/sampler.h"
#include "runtime/session.h"
#include "schema/edgeattn_generated.h"

namespace {

using edgeattn::InvokeInput;
using edgeattn::Model;
using edgeattn::Result;
using edgeattn::Sampler;
using edgeattn::Session;
using edgeattn::SessionOptions;
using edgeattn::Status;
using edgeattn::TensorView;
using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }
double mib(size_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }

int fail(const char* what, const Status& s) {
  std::fprintf(stderr, "edgeattn-demo: %s: %s\n", what, s.message());
  return 1;
}

void usage() {
  std::fprintf(stderr,
               "usage: edgeattn-demo MODEL generate [--prompt TEXT] [--max-tokens N] [--temperature T] [--top-p P]\n"
               "                                    [--seed S] [--threads N] [--context N]\n"
               "       edgeattn-demo MODEL embed TEXT [TEXT ...] [--threads N]\n");
}

struct Args {
  std::string prompt;
  int max_tokens = 256;
  float temperature = 0.0f;
  float top_p = 0.9f;
  uint64_t seed = 42;
  int threads = 1;
  int context = 0;
  std::vector<std::string> texts;
};

bool parse_args(int argc, char** argv, int first, Args* a) {
  for (int i = first; i < argc; ++i) {
    std::string s = argv[i];
    auto value = [&](const char* flag) -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "edgeattn-demo: %s needs a value\n", flag);
        return nullptr;
      }
      return argv[++i];
    };
    const char* v = nullptr;
    if (s == "--prompt") {
      if (!(v = value("--prompt"))) return false;
      a->prompt = v;
    } else if (s == "--max-tokens") {
      if (!(v = value("--max-tokens"))) return false;
      a->max_tokens = std::atoi(v);
    } else if (s == "--temperature") {
      if (!(v = value("--temperature"))) return false;
      a->temperature = std::strtof(v, nullptr);
    } else if (s == "--top-p") {
      if (!(v = value("--top-p"))) return false;
      a->top_p = std::strtof(v, nullptr);
    } else if (s == "--seed") {
      if (!(v = value("--seed"))) return false;
      a->seed = std::strtoull(v, nullptr, 10);
    } else if (s == "--threads") {
      if (!(v = value("--threads"))) return false;
      a->threads = std::atoi(v);
    } else if (s == "--context") {
      if (!(v = value("--context"))) return false;
      a->context = std::atoi(v);
    } else if (s.size() > 2 && s.compare(0, 2, "--") == 0) {
      std::fprintf(stderr, "edgeattn-demo: unknown option %s\n", s.c_str());
      return false;
    } else {
      a->texts.push_back(s);
    }
  }
  if (a->max_tokens < 1 || a->threads < 1 || a->context < 0) {
    std::fprintf(stderr, "edgeattn-demo: --max-tokens and --threads must be positive\n");
    return false;
  }
  return true;
}

void print_memory(const Session& session) {
  const edgeattn::MemoryStats& m = session.memory();
  std::fprintf(stderr,
               "memory: weights %.2f MiB (mapped), arena %.2f MiB (activations %.2f, KV cache %.2f), "
               "XNNPACK packed %.2f MiB, peak RSS %.2f MiB\n",
               mib(m.weight_bytes), mib(m.arena_bytes), mib(m.activation_bytes), mib(m.kv_cache_bytes),
               mib(m.xnnpack_bytes), mib(edgeattn::peak_rss_bytes()));
}

int generate(const Model& model, const Args& a) {
  const edgeattn::Tokenizer* tok = model.tokenizer();
  if (tok == nullptr || tok->bos_id() < 0) {
    std::fprintf(stderr, "edgeattn-demo: generate needs a decoder model with a tokenizer\n");
    return 1;
  }
  std::vector<int32_t> prompt;
  edgeattn::EncodeOptions enc;
  enc.add_special_tokens = true;  // BOS
  Status s = tok->encode(a.prompt, enc, &prompt);
  if (!s.is_ok()) return fail("encode", s);

  const int max_positions = model.fb().hparams()->max_positions();
  int context = a.context > 0 ? a.context : static_cast<int>(prompt.size()) + a.max_tokens;
  if (max_positions > 0 && context > max_positions) context = max_positions;
  if (static_cast<int>(prompt.size()) >= context) {
    std::fprintf(stderr, "edgeattn-demo: prompt of %zu tokens does not fit a context of %d\n", prompt.size(), context);
    return 1;
  }
  SessionOptions opts;
  opts.max_batch = 1;
  opts.max_seq = static_cast<int>(prompt.size());
  opts.max_context = context;
  opts.threads = a.threads;
  const auto t_prepare = Clock::now();
  Result<std::unique_ptr<Session>> created = Session::create(model, opts);
  if (!created.is_ok()) return fail("prepare", created.status());
  Session& session = **created;
  const double prepare_ms = ms_since(t_prepare);

  const size_t vocab = static_cast<size_t>(model.fb().hparams()->vocab_size());
  Sampler sampler(vocab, a.temperature, a.top_p, a.seed);
  const auto t_prefill = Clock::now();
  InvokeInput in;
  in.ids = prompt.data();
  in.seq = static_cast<int>(prompt.size());
  s = session.invoke(in);
  if (!s.is_ok()) return fail("prefill", s);
  const double prefill_ms = ms_since(t_prefill);

  // The prompt (after BOS) is echoed so the output reads as one text.
  int32_t prev = prompt[0];
  for (size_t i = 1; i < prompt.size(); ++i) {
    std::string_view piece = tok->decode_piece(prev, prompt[i]);
    std::fwrite(piece.data(), 1, piece.size(), stdout);
    prev = prompt[i];
  }
  const auto t_decode = Clock::now();
  int generated = 0, decode_steps = 0;
  while (true) {
    const int32_t next = sampler.sample(session.output(0).f32());
    // BOS delimits sequences in llama2.c-style models; EOS ends one.
    if (next == tok->eos_id() || next == tok->bos_id()) break;
    std::string_view piece = tok->decode_piece(prev, next);
    std::fwrite(piece.data(), 1, piece.size(), stdout);
    std::fflush(stdout);
    prev = next;
    if (++generated >= a.max_tokens || session.past() >= session.max_context()) break;
    in.ids = &next;
    in.seq = 1;
    s = session.invoke(in);
    if (!s.is_ok()) return fail("decode", s);
    ++decode_steps;
  }
  const double decode_ms = ms_since(t_decode);
  std::fputc('\n', stdout);
  std::fflush(stdout);
  std::fprintf(stderr,
               "prompt %zu tokens, generated %d; prepare %.1f ms, prefill %.1f ms (%.1f tok/s), "
               "decode %.1f tok/s over %d steps; kernels %s, threads %d\n",
               prompt.size(), generated, prepare_ms, prefill_ms, 1000.0 * prompt.size() / prefill_ms,
               decode_steps > 0 ? 1000.0 * decode_steps / decode_ms : 0.0, decode_steps, session.kernel_name(),
               a.threads);
  print_memory(session);
  return 0;
}

int embed(const Model& model, const Args& a) {
  const edgeattn::Tokenizer* tok = model.tokenizer();
  if (tok == nullptr || a.texts.empty()) {
    std::fprintf(stderr, "edgeattn-demo: embed needs an encoder model with a tokenizer and at least one text\n");
    return 1;
  }
  const int max_length = model.fb().tokenizer()->max_length() > 0 ? model.fb().tokenizer()->max_length()
                                                                     : model.fb().hparams()->max_positions();
  std::vector<std::vector<int32_t>> ids(a.texts.size());
  size_t longest = 1;
  edgeattn::EncodeOptions enc;
  enc.max_tokens = static_cast<size_t>(max_length);
  for (size_t i = 0; i < a.texts.size(); ++i) {
    Status s = tok->encode(a.texts[i], enc, &ids[i]);
    if (!s.is_ok()) return fail("encode", s);
    if (ids[i].size() > longest) longest = ids[i].size();
  }
  const int batch = static_cast<int>(a.texts.size());
  const int seq = static_cast<int>(longest);
  std::vector<int32_t> padded(static_cast<size_t>(batch) * seq, tok->pad_id() >= 0 ? tok->pad_id() : 0);
  std::vector<int32_t> lengths(static_cast<size_t>(batch));
  for (int b = 0; b < batch; ++b) {
    std::copy(ids[b].begin(), ids[b].end(), padded.begin() + static_cast<std::ptrdiff_t>(b) * seq);
    lengths[b] = static_cast<int32_t>(ids[b].size());
  }
  SessionOptions opts;
  opts.max_batch = batch;
  opts.max_seq = seq;
  opts.threads = a.threads;
  Result<std::unique_ptr<Session>> created = Session::create(model, opts);
  if (!created.is_ok()) return fail("prepare", created.status());
  Session& session = **created;
  InvokeInput in;
  in.ids = padded.data();
  in.batch = batch;
  in.seq = seq;
  in.lengths = lengths.data();
  const auto t = Clock::now();
  Status s = session.invoke(in);
  if (!s.is_ok()) return fail("invoke", s);
  const double invoke_ms = ms_since(t);
  TensorView out = session.output(0);
  const int64_t dim = out.dim(out.rank - 1);
  for (int b = 0; b < batch; ++b) {
    const float* row = out.f32() + b * dim;
    for (int64_t i = 0; i < dim; ++i) std::printf(i ? " %.8g" : "%.8g", static_cast<double>(row[i]));
    std::printf("\n");
  }
  if (batch >= 2) {
    std::fprintf(stderr, "cosine similarity:\n");
    for (int i = 0; i < batch; ++i) {
      for (int j = 0; j < batch; ++j) {
        double dot = 0, ni = 0, nj = 0;
        for (int64_t k = 0; k < dim; ++k) {
          const double x = out.f32()[i * dim + k], y = out.f32()[j * dim + k];
          dot += x * y;
          ni += x * x;
          nj += y * y;
        }
        std::fprintf(stderr, " %7.4f", dot / std::sqrt(ni * nj + 1e-30));
      }
      std::fprintf(stderr, "   %.50s\n", a.texts[static_cast<size_t>(i)].c_str());
    }
  }
  std::fprintf(stderr, "%d texts, %d tokens (padded), %.2f ms, kernels %s, threads %d\n", batch, seq, invoke_ms,
               session.kernel_name(), a.threads);
  print_memory(session);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    usage();
    return 2;
  }
  const std::string mode = argv[2];
  Args args;
  if (!parse_args(argc, argv, 3, &args)) {
    usage();
    return 2;
  }
  const auto t_load = Clock::now();
  Result<std::unique_ptr<Model>> model = Model::load_file(argv[1]);
  if (!model.is_ok()) return fail("load", model.status());
  std::fprintf(stderr, "loaded %s in %.1f ms\n", argv[1], ms_since(t_load));
  if (mode == "generate") return generate(**model, args);
  if (mode == "embed") return embed(**model, args);
  usage();
  return 2;
}
