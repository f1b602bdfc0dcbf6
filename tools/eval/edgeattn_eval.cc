// edgeattn-eval: how close a candidate conversion (fp16, int8, ...) is to a
// reference conversion (usually fp32) of the same checkpoint.
//
//   edgeattn-eval REFERENCE.eatn CANDIDATE.eatn [--text FILE | --sentences FILE]
//                 [--json] [--threads N] [--max-tokens N] [--context N]
//   edgeattn-eval --peer PEER.txt MODEL.eatn [--json] [--threads N]
//
// --peer: a decoder against another runtime's logits on the same tokens
// (tools/eval/peer.h; bench/peers/llama_teacher_forced.py writes them for
// llama.cpp): top-1 agreement, both perplexities, and the peer's logit
// margins where the two disagree.
//
// Both models must have the same hparams architecture and the same
// vocabulary (size and pieces); anything else is a usage error (exit 2).
//
// Encoders (BertEncoder): each non-empty line of --sentences FILE (default
// data/eval/sentences.txt in the source tree) is encoded with the reference
// tokenizer ([CLS] ... [SEP], truncated to the tokenizer's max_length or
// --max-tokens), both models embed it (batches of 16, right-padded, the
// lengths mask the padding; the graph's pooled output, or a mean over the
// valid tokens when the graph has no pooling) and the cosine similarity of the
// two embeddings is taken. Reported: the mean and minimum cosine over all
// sentences, the worst sentence and the count.
//
// Decoders (LlamaDecoder, Gpt2Decoder): --text FILE (default
// data/eval/stories.txt) is tokenized once with the reference tokenizer,
// without special tokens, and split into consecutive windows. Each window is
// BOS (when the tokenizer has one) followed by up to context - 1 text tokens,
// context = --context or min(512, max_positions). Teacher forcing: both models
// run each window from an empty KV cache, prefilled in chunks of 64 tokens
// with all_positions = true, so every position's logits are compared. At each
// position that has a next text token:
//   - top-1 agreement: argmax of the reference logits == argmax of the
//     candidate logits (ties: the lowest id);
//   - each model's cross-entropy of the actual next token (log-softmax in
//     double) -> perplexity exp(mean cross-entropy) of each model;
//   - the KL divergence KL(reference || candidate) of the two next-token
//     distributions, averaged over positions.
// "tokens" is the number of positions scored: every text token when the
// tokenizer has a BOS (--max-tokens N: the first N only).
//
// Human-readable text on stdout by default; one JSON object with --json.
// Exit codes: 0 ok, 1 a failure while running, 2 a usage error (bad flag,
// unreadable file or model, models that cannot be compared).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

#include "runtime/model.h"
#include "runtime/sampler.h"
#include "runtime/session.h"
#include "runtime/tasks/embedder.h"
#include "runtime/tokenizer/tokenizer.h"
#include "tools/cli/cli.h"
#include "tools/eval/peer.h"

#ifndef EDGEATTN_EVAL_DATA_DIR
#define EDGEATTN_EVAL_DATA_DIR "data/eval"
#endif

namespace {

using edgeattn::EncodeOptions;
using edgeattn::InvokeInput;
using edgeattn::Model;
using edgeattn::ModelInfo;
using edgeattn::Task;
using edgeattn::architecture_name;
using edgeattn::Result;
using edgeattn::Session;
using edgeattn::SessionOptions;
using edgeattn::Span;
using edgeattn::Status;
using edgeattn::TensorView;
using edgeattn::Tokenizer;
using Clock = std::chrono::steady_clock;

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;
constexpr int kDefaultMaxContext = 512;
constexpr int kPrefillChunk = 64;
constexpr int kEncoderBatch = 16;

const char* const kUsage =
    "usage: edgeattn-eval REFERENCE.eatn CANDIDATE.eatn [--text FILE | --sentences FILE]\n"
    "                     [--json] [--threads N] [--max-tokens N] [--context N]\n"
    "  Compares a candidate conversion (e.g. int8) with a reference (e.g. fp32) of the same model.\n"
    "  Encoders: cosine similarity of the embeddings of each line of --sentences FILE\n"
    "            (default " EDGEATTN_EVAL_DATA_DIR "/sentences.txt).\n"
    "  Decoders: teacher-forced top-1 agreement and perplexity of both models on --text FILE\n"
    "            (default " EDGEATTN_EVAL_DATA_DIR "/stories.txt).\n"
    "  --json          one JSON object on stdout\n"
    "  --threads N     worker threads per session (default 1)\n"
    "  --max-tokens N  decoders: score only the first N tokens; encoders: truncate each sentence to N tokens\n"
    "  --context N     decoders: window length in tokens (default min(512, max_positions))\n"
    "       edgeattn-eval --peer PEER.txt MODEL.eatn [--json] [--threads N] [--kv f32|f16|i8] [--kernels NAME]\n"
    "  A decoder against another runtime's logits on the same tokens\n"
    "  (bench/peers/llama_teacher_forced.py writes PEER.txt for llama.cpp).\n"
    "  --kv DTYPE      the model's KV cache (default f32; llama.cpp's default is f16)\n"
    "  --kernels NAME  a kernel table (default: the CPU's), e.g. reference\n";

using edgeattn::cli::ms_since;

int fail(const char* what, const Status& s) { return edgeattn::cli::fail("edgeattn-eval", what, s, kExitFailure); }

struct Args {
  const char* reference = nullptr;
  const char* candidate = nullptr;
  std::string text;       // --text
  std::string sentences;  // --sentences
  std::string peer;       // --peer
  bool json = false;
  int threads = 1;
  int max_tokens = 0;
  int context = 0;
  edgeattn::KvCacheDType kv_dtype = edgeattn::KvCacheDType::kF32;  // --kv (peer mode)
  const char* kernels = nullptr;                                   // --kernels (peer mode)
};

bool parse_positive(const char* flag, const char* s, int* out) {
  return edgeattn::cli::parse_int("edgeattn-eval", flag, s, 1, 1L << 24, out);
}

// 0: parsed; 1: --help; 2: usage error (message printed).
int parse_args(int argc, char** argv, Args* a) {
  for (int i = 1; i < argc; ++i) {
    const std::string s = argv[i];
    if (s == "-h" || s == "--help") return 1;
    if (s == "--json") {
      a->json = true;
      continue;
    }
    const bool takes_value =
        s == "--text" || s == "--sentences" || s == "--peer" || s == "--threads" || s == "--max-tokens" ||
        s == "--context" || s == "--kv" || s == "--kernels";
    if (takes_value) {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "edgeattn-eval: %s needs a value\n", s.c_str());
        return 2;
      }
      const char* v = argv[++i];
      if (s == "--text") {
        a->text = v;
      } else if (s == "--kv") {
        if (!edgeattn::cli::parse_kv_dtype("edgeattn-eval", v, &a->kv_dtype)) return 2;
      } else if (s == "--kernels") {
        a->kernels = v;
      } else if (s == "--peer") {
        a->peer = v;
      } else if (s == "--sentences") {
        a->sentences = v;
      } else if (!parse_positive(s.c_str(), v,
                                 s == "--threads"      ? &a->threads
                                 : s == "--max-tokens" ? &a->max_tokens
                                                       : &a->context)) {
        return 2;
      }
      continue;
    }
    if (s.size() > 1 && s[0] == '-') {
      std::fprintf(stderr, "edgeattn-eval: unknown option '%s'\n", s.c_str());
      return 2;
    }
    if (a->reference == nullptr) {
      a->reference = argv[i];
    } else if (a->candidate == nullptr) {
      a->candidate = argv[i];
    } else {
      std::fprintf(stderr, "edgeattn-eval: unexpected argument '%s'\n", s.c_str());
      return 2;
    }
  }
  if (!a->peer.empty()) {
    // One model: the first positional argument.
    if (a->reference == nullptr || a->candidate != nullptr || !a->text.empty() || !a->sentences.empty()) {
      std::fprintf(stderr, "edgeattn-eval: --peer PEER.txt takes one model and no --text / --sentences\n");
      return 2;
    }
    a->candidate = a->reference;
    return 0;
  }
  if (a->candidate == nullptr) {
    std::fprintf(stderr, "edgeattn-eval: need two model files: REFERENCE.eatn CANDIDATE.eatn\n");
    return 2;
  }
  if (!a->text.empty() && !a->sentences.empty()) {
    std::fprintf(stderr, "edgeattn-eval: give --text or --sentences, not both\n");
    return 2;
  }
  return 0;
}

// Reads a whole file; false if it cannot be read.
bool read_file(const std::string& path, std::string* out) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return false;
  out->clear();
  char buf[1 << 16];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) out->append(buf, n);
  const bool ok = std::ferror(f) == 0;
  std::fclose(f);
  return ok;
}

// JSON string literal: quotes, backslashes and control bytes escaped; other
// bytes (UTF-8) as they are.
std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (u < 0x20) {
      char esc[8];
      std::snprintf(esc, sizeof(esc), "\\u%04x", u);
      out += esc;
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

const char* producer_dtype(const Model& m) {
  return m.info().dtype[0] != '\0' ? m.info().dtype : "?";
}

// Same vocabulary: same hparams vocab size and, when both have tokenizers,
// the same kind and pieces.
bool same_vocabulary(const Model& a, const Model& b, std::string* why) {
  char msg[160];
  if (a.info().vocab_size != b.info().vocab_size) {
    std::snprintf(msg, sizeof(msg), "vocab_size %d vs %d", a.info().vocab_size, b.info().vocab_size);
    *why = msg;
    return false;
  }
  const Tokenizer* ta = a.tokenizer();
  const Tokenizer* tb = b.tokenizer();
  if ((ta == nullptr) != (tb == nullptr)) {
    *why = "only one model has a tokenizer";
    return false;
  }
  if (ta == nullptr) return true;
  if (ta->kind() != tb->kind() || ta->vocab_size() != tb->vocab_size()) {
    *why = "different tokenizers";
    return false;
  }
  for (int32_t id = 0; id < ta->vocab_size(); ++id) {
    if (ta->id_to_piece(id) != tb->id_to_piece(id)) {
      std::snprintf(msg, sizeof(msg), "tokenizers differ at id %d", id);
      *why = msg;
      return false;
    }
  }
  return true;
}

// ------------------------------------------------------------------ encoders

struct EncoderResult {
  size_t sentences = 0;
  double cosine_mean = 0;
  double cosine_min = 2;  // above any cosine until the first sentence
  std::string worst_sentence;
  int max_tokens = 0;
};

// Cosine of two embeddings; two zero vectors agree (1), one zero vector does not (0).
double agreement(const float* a, const float* b, size_t n) {
  bool a_zero = true, b_zero = true;
  for (size_t i = 0; i < n; ++i) {
    a_zero &= a[i] == 0.0f;
    b_zero &= b[i] == 0.0f;
  }
  return a_zero && b_zero ? 1.0 : edgeattn::Embedder::cosine(a, b, n);
}

Result<std::unique_ptr<edgeattn::Embedder>> make_embedder(const Model& model, int max_tokens, int threads) {
  edgeattn::EmbedderOptions o;
  o.max_batch = kEncoderBatch;
  o.max_tokens = max_tokens;
  o.threads = threads;
  return edgeattn::Embedder::create(model, o);
}

// The input text of a run: the --text / --sentences file or the default
// one in EDGEATTN_EVAL_DATA_DIR. Prints why and returns kExitUsage when the
// reference has no tokenizer or the file cannot be read; 0 otherwise.
int read_input(const Model& ref, const std::string& given, const char* default_name, const char* what,
               const char* flag, std::string* source, std::string* text) {
  if (ref.tokenizer() == nullptr) {
    std::fprintf(stderr, "edgeattn-eval: the reference model has no tokenizer\n");
    return kExitUsage;
  }
  *source = given.empty() ? std::string(EDGEATTN_EVAL_DATA_DIR) + "/" + default_name : given;
  if (!read_file(*source, text)) {
    std::fprintf(stderr, "edgeattn-eval: cannot read %s file '%s'%s%s%s\n", what, source->c_str(),
                 given.empty() ? " (the default; pass " : "", given.empty() ? flag : "", given.empty() ? " FILE)" : "");
    return kExitUsage;
  }
  return 0;
}

int run_encoder(const Model& ref, const Model& cand, const Args& a, EncoderResult* r, std::string* source) {
  if (!a.text.empty()) {
    std::fprintf(stderr, "edgeattn-eval: encoder models take --sentences FILE (one sentence per line), not --text\n");
    return kExitUsage;
  }
  std::string text;
  if (int rc = read_input(ref, a.sentences, "sentences.txt", "sentences", "--sentences", source, &text)) return rc;
  const Tokenizer* tok = ref.tokenizer();
  std::vector<std::string> sentences;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") != std::string::npos) sentences.push_back(line);
    start = end + 1;
  }
  if (sentences.empty()) {
    std::fprintf(stderr, "edgeattn-eval: no sentences in '%s'\n", source->c_str());
    return kExitUsage;
  }

  int max_length = ref.info().max_input_tokens();
  if (max_length <= 0) max_length = kDefaultMaxContext;
  if (a.max_tokens > 0) max_length = std::min(max_length, a.max_tokens);
  r->max_tokens = max_length;
  // Batches of similar lengths waste less on padding; results do not depend
  // on the order (each row is masked to its own length).
  EncodeOptions enc;
  enc.max_tokens = static_cast<size_t>(max_length);
  std::vector<size_t> lengths(sentences.size());
  std::vector<int32_t> ids;
  int longest = 1;
  for (size_t i = 0; i < sentences.size(); ++i) {
    Status s = tok->encode(sentences[i], enc, &ids);
    if (!s.is_ok()) return fail("encode", s);
    lengths[i] = ids.size();
    longest = std::max(longest, static_cast<int>(ids.size()));
  }
  std::vector<size_t> order(sentences.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) { return lengths[x] < lengths[y]; });
  std::vector<std::string_view> sorted;
  for (size_t i : order) sorted.push_back(sentences[i]);

  Result<std::unique_ptr<edgeattn::Embedder>> ref_e = make_embedder(ref, longest, a.threads);
  if (!ref_e.is_ok()) return fail("prepare reference", ref_e.status());
  Result<std::unique_ptr<edgeattn::Embedder>> cand_e = make_embedder(cand, longest, a.threads);
  if (!cand_e.is_ok()) return fail("prepare candidate", cand_e.status());
  const size_t dim = (*ref_e)->dimension();
  if ((*cand_e)->dimension() != dim) {
    std::fprintf(stderr, "edgeattn-eval: embedding sizes differ: %zu vs %zu\n", dim, (*cand_e)->dimension());
    return kExitUsage;
  }
  std::vector<float> e_ref(sorted.size() * dim), e_cand(sorted.size() * dim);
  const Span<const std::string_view> texts(sorted.data(), sorted.size());
  Status s = (*ref_e)->embed(texts, Span<float>(e_ref.data(), e_ref.size()));
  if (!s.is_ok()) return fail("reference embed", s);
  s = (*cand_e)->embed(texts, Span<float>(e_cand.data(), e_cand.size()));
  if (!s.is_ok()) return fail("candidate embed", s);
  double sum = 0;
  size_t worst_index = sentences.size();
  for (size_t k = 0; k < sorted.size(); ++k) {
    const double c = agreement(&e_ref[k * dim], &e_cand[k * dim], dim);
    sum += c;
    // The worst sentence; on a tie, the one first in the file.
    if (c < r->cosine_min || (c == r->cosine_min && order[k] < worst_index)) {
      r->cosine_min = c;
      worst_index = order[k];
    }
  }
  r->sentences = sorted.size();
  r->cosine_mean = sum / static_cast<double>(r->sentences);
  r->worst_sentence = sentences[worst_index];
  return 0;
}

// ------------------------------------------------------------------ decoders

struct DecoderResult {
  size_t text_tokens = 0;  // the whole text, before --max-tokens
  size_t tokens = 0;       // positions scored
  size_t agree = 0;
  double nll_reference = 0;  // sums over positions (nats)
  double nll_candidate = 0;
  double kl_sum = 0;
  int context = 0;
  size_t windows = 0;
  bool bos = false;
};

using edgeattn::eval::log_sum_exp;

// KL(p || q) of softmax(a) and softmax(b), given their log-sum-exps.
double kl_divergence(const float* a, double lse_a, const float* b, double lse_b, int64_t n) {
  double kl = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double la = a[i] - lse_a;
    const double lb = b[i] - lse_b;
    kl += std::exp(la) * (la - lb);
  }
  return std::max(0.0, kl);
}

// The window length: --context or kDefaultMaxContext, capped at both
// models' max_positions; 0 (after a message) when too short to score.
int choose_context(const Model& ref, const Model& cand, const Args& a) {
  const int max_pos = std::min(ref.info().max_positions, cand.info().max_positions);
  int context = a.context > 0 ? a.context : kDefaultMaxContext;
  if (max_pos > 0 && context > max_pos) {
    if (a.context > 0) {
      std::fprintf(stderr, "edgeattn-eval: note: --context %d capped at max_positions %d\n", context, max_pos);
    }
    context = max_pos;
  }
  // A window needs at least one scored position: BOS + 1 token, or 2 tokens.
  if (context < 2) {
    std::fprintf(stderr, "edgeattn-eval: context %d is too short to score anything\n", context);
    return 0;
  }
  return context;
}

// Adds the scores of `chunk` positions: both models' logits [chunk, vocab]
// against the next tokens `targets` [chunk].
void score_positions(const float* lr, const float* lc, const int32_t* targets, int chunk, int64_t vocab,
                     DecoderResult* r) {
  const size_t v = static_cast<size_t>(vocab);
  for (int t = 0; t < chunk; ++t) {
    const float* xr = lr + t * vocab;
    const float* xc = lc + t * vocab;
    if (edgeattn::Sampler::argmax(xr, v) == edgeattn::Sampler::argmax(xc, v)) ++r->agree;
    const double lse_r = log_sum_exp(xr, v);
    const double lse_c = log_sum_exp(xc, v);
    r->nll_reference += lse_r - xr[targets[t]];
    r->nll_candidate += lse_c - xc[targets[t]];
    r->kl_sum += kl_divergence(xr, lse_r, xc, lse_c, vocab);
    ++r->tokens;
  }
}

// Teacher-forces one window through both sessions (fresh contexts), in
// chunks of the sessions' max_seq; the last position has no next token and
// is not fed. 0, or an exit code after a message.
int score_window(Session& rs, Session& cs, const std::vector<int32_t>& window, int64_t vocab, DecoderResult* r) {
  rs.reset();
  cs.reset();
  const int len = static_cast<int>(window.size());
  const int max_seq = static_cast<int>(rs.max_seq());
  for (int pos = 0; pos < len - 1; pos += max_seq) {
    const int chunk = std::min(max_seq, len - 1 - pos);
    InvokeInput in;
    in.ids = window.data() + pos;
    in.seq = chunk;
    in.all_positions = true;
    Status s = rs.invoke(in);
    if (!s.is_ok()) return fail("reference invoke", s);
    s = cs.invoke(in);
    if (!s.is_ok()) return fail("candidate invoke", s);
    const TensorView lr = rs.output(0);
    const TensorView lc = cs.output(0);
    if (lr.dim(lr.rank - 1) != vocab || lc.dim(lc.rank - 1) != vocab || lr.element_count() != chunk * vocab ||
        lc.element_count() != chunk * vocab) {
      std::fprintf(stderr, "edgeattn-eval: unexpected logits shape (vocab %lld)\n", static_cast<long long>(vocab));
      return kExitFailure;
    }
    score_positions(lr.f32(), lc.f32(), window.data() + pos + 1, chunk, vocab, r);
  }
  ++r->windows;
  return 0;
}

int run_decoder(const Model& ref, const Model& cand, const Args& a, DecoderResult* r, std::string* source) {
  if (!a.sentences.empty()) {
    std::fprintf(stderr, "edgeattn-eval: decoder models take --text FILE, not --sentences\n");
    return kExitUsage;
  }
  std::string text;
  if (int rc = read_input(ref, a.text, "stories.txt", "text", "--text", source, &text)) return rc;
  const Tokenizer* tok = ref.tokenizer();
  std::vector<int32_t> ids;
  EncodeOptions enc;
  enc.add_special_tokens = false;
  Status s = tok->encode(text, enc, &ids);
  if (!s.is_ok()) return fail("encode", s);
  r->text_tokens = ids.size();
  const int32_t bos = tok->bos_id();
  r->bos = bos >= 0;
  if (a.max_tokens > 0 && ids.size() > static_cast<size_t>(a.max_tokens)) ids.resize(static_cast<size_t>(a.max_tokens));
  const int context = choose_context(ref, cand, a);
  if (context == 0) return kExitUsage;
  r->context = context;
  // Window starts advance by context - 1 text tokens: with BOS, a window is
  // BOS + context - 1 text tokens; without, context text tokens, overlapping
  // the next window by one, so every token after the first is scored once.
  const size_t step = static_cast<size_t>(context - 1);
  if (ids.size() < (r->bos ? 1u : 2u)) {
    std::fprintf(stderr, "edgeattn-eval: text '%s' has too few tokens (%zu)\n", source->c_str(), ids.size());
    return kExitUsage;
  }

  SessionOptions opts;
  opts.max_seq = std::min(kPrefillChunk, context);
  opts.max_context = context;
  opts.threads = a.threads;
  Result<std::unique_ptr<Session>> ref_created = Session::create(ref, opts);
  if (!ref_created.is_ok()) return fail("prepare reference", ref_created.status());
  Result<std::unique_ptr<Session>> cand_created = Session::create(cand, opts);
  if (!cand_created.is_ok()) return fail("prepare candidate", cand_created.status());

  const bool progress = isatty(2) != 0 && !a.json;
  const size_t n_windows = r->bos ? (ids.size() + step - 1) / step : (ids.size() - 1 + step - 1) / step;
  std::vector<int32_t> window;
  for (size_t first = 0; first < ids.size(); first += step) {
    // window = [BOS] + ids[first, first + step) (or, without BOS,
    // ids[first, first + step + 1)).
    window.clear();
    if (r->bos) window.push_back(bos);
    const size_t take = std::min(ids.size() - first, r->bos ? step : step + 1);
    if (!r->bos && take < 2) break;
    window.insert(window.end(), ids.begin() + static_cast<std::ptrdiff_t>(first),
                  ids.begin() + static_cast<std::ptrdiff_t>(first + take));
    if (int rc = score_window(**ref_created, **cand_created, window, ref.info().vocab_size, r)) return rc;
    if (progress) std::fprintf(stderr, "\rwindow %zu/%zu", r->windows, n_windows);
  }
  if (progress) std::fprintf(stderr, "\r%*s\r", 40, "");
  return 0;
}

}  // namespace

namespace {

// What both printers need about the run.
struct RunInfo {
  const Args* args;
  const Model* ref;
  const Model* cand;
  const char* arch;
  std::string source;
  double seconds = 0;
};

void print_encoder(const RunInfo& run, const EncoderResult& r) {
  const Args& args = *run.args;
  if (args.json) {
    std::printf("{\"kind\":\"encoder\",\"architecture\":%s,\"reference\":%s,\"candidate\":%s,"
                "\"reference_dtype\":%s,\"candidate_dtype\":%s,\"source\":%s,\"sentences\":%zu,"
                "\"max_tokens\":%d,\"cosine_mean\":%.12g,\"cosine_min\":%.12g,\"worst_sentence\":%s,"
                "\"seconds\":%.3f}\n",
                json_string(run.arch).c_str(), json_string(args.reference).c_str(), json_string(args.candidate).c_str(),
                json_string(producer_dtype(*run.ref)).c_str(), json_string(producer_dtype(*run.cand)).c_str(),
                json_string(run.source).c_str(), r.sentences, r.max_tokens, r.cosine_mean, r.cosine_min,
                json_string(r.worst_sentence).c_str(), run.seconds);
    return;
  }
  std::printf("encoder %s: reference %s (%s), candidate %s (%s)\n", run.arch, args.reference,
              producer_dtype(*run.ref), args.candidate, producer_dtype(*run.cand));
  std::printf("sentences       %zu from %s (up to %d tokens each)\n", r.sentences, run.source.c_str(), r.max_tokens);
  std::printf("cosine_mean     %.9f\n", r.cosine_mean);
  std::printf("cosine_min      %.9f\n", r.cosine_min);
  std::printf("worst_sentence  %s\n", r.worst_sentence.c_str());
  std::printf("time            %.2f s\n", run.seconds);
}

void print_decoder(const RunInfo& run, const DecoderResult& r) {
  const Args& args = *run.args;
  const double n = static_cast<double>(std::max<size_t>(1, r.tokens));
  const double agreement = static_cast<double>(r.agree) / n;
  const double ppl_ref = std::exp(r.nll_reference / n);
  const double ppl_cand = std::exp(r.nll_candidate / n);
  const double ratio = ppl_cand / ppl_ref;
  const double kl_mean = r.kl_sum / n;
  if (args.json) {
    std::printf("{\"kind\":\"decoder\",\"architecture\":%s,\"reference\":%s,\"candidate\":%s,"
                "\"reference_dtype\":%s,\"candidate_dtype\":%s,\"source\":%s,\"text_tokens\":%zu,"
                "\"tokens\":%zu,\"windows\":%zu,\"context\":%d,\"top1_agreement\":%.12g,"
                "\"ppl_reference\":%.12g,\"ppl_candidate\":%.12g,\"ppl_ratio\":%.12g,\"kl_mean\":%.12g,"
                "\"seconds\":%.3f}\n",
                json_string(run.arch).c_str(), json_string(args.reference).c_str(), json_string(args.candidate).c_str(),
                json_string(producer_dtype(*run.ref)).c_str(), json_string(producer_dtype(*run.cand)).c_str(),
                json_string(run.source).c_str(), r.text_tokens, r.tokens, r.windows, r.context, agreement, ppl_ref,
                ppl_cand, ratio, kl_mean, run.seconds);
    return;
  }
  std::printf("decoder %s: reference %s (%s), candidate %s (%s)\n", run.arch, args.reference,
              producer_dtype(*run.ref), args.candidate, producer_dtype(*run.cand));
  std::printf("text            %s: %zu tokens\n", run.source.c_str(), r.text_tokens);
  std::printf("tokens          %zu scored in %zu windows of up to %d (%s)\n", r.tokens, r.windows, r.context,
              r.bos ? "BOS + text" : "text only");
  std::printf("top1_agreement  %.6f (%zu/%zu)\n", agreement, r.agree, r.tokens);
  std::printf("ppl_reference   %.6f\n", ppl_ref);
  std::printf("ppl_candidate   %.6f\n", ppl_cand);
  std::printf("ppl_ratio       %.6f\n", ratio);
  std::printf("kl_mean         %.6g nats\n", kl_mean);
  std::printf("time            %.2f s\n", run.seconds);
}

// Loads a model named by a flag; prints why and returns nullptr on failure.
std::unique_ptr<Model> load(const char* role, const char* path) {
  Result<std::unique_ptr<Model>> loaded = Model::load_file(path);
  if (!loaded.is_ok()) {
    std::fprintf(stderr, "edgeattn-eval: cannot load %s model '%s': %s\n", role, path, loaded.status().message());
    return nullptr;
  }
  return std::move(loaded).value();
}

// The two models must be comparable: same architecture, same vocabulary, a
// task this tool scores. Prints why not.
bool comparable(const Model& ref, const Model& cand) {
  const ModelInfo& hr = ref.info();
  if (hr.architecture != cand.info().architecture) {
    std::fprintf(stderr, "edgeattn-eval: the models have different architectures: %s (reference) vs %s (candidate)\n",
                 architecture_name(hr.architecture), architecture_name(cand.info().architecture));
    return false;
  }
  std::string why;
  if (!same_vocabulary(ref, cand, &why)) {
    std::fprintf(stderr, "edgeattn-eval: the models have different vocabularies: %s\n", why.c_str());
    return false;
  }
  if (hr.task != Task::kEmbedding && hr.task != Task::kTextGeneration) {
    std::fprintf(stderr, "edgeattn-eval: architecture '%s' is not supported (BertEncoder, LlamaDecoder, Gpt2Decoder)\n",
                 architecture_name(hr.architecture));
    return false;
  }
  return true;
}

// --peer: the model against the peer file's logits (tools/eval/peer.h).
int run_peer(const Args& args, Clock::time_point t0) {
  std::unique_ptr<Model> model = load("the", args.candidate);
  if (model == nullptr) return kExitUsage;
  if (model->info().task != Task::kTextGeneration) {
    std::fprintf(stderr, "edgeattn-eval: --peer needs a decoder model, not '%s'\n",
                 architecture_name(model->info().architecture));
    return kExitUsage;
  }
  edgeattn::eval::PeerFile peer;
  if (!edgeattn::eval::read_peer_file(args.peer, model->info().vocab_size, &peer)) return kExitUsage;
  edgeattn::eval::PeerResult r;
  edgeattn::eval::PeerRunOptions run;
  run.threads = args.threads;
  run.kv_dtype = args.kv_dtype;
  run.kernels = args.kernels;
  if (int rc = edgeattn::eval::score_against_peer(*model, peer, run, &r)) return rc;
  const double n = static_cast<double>(std::max<size_t>(1, r.tokens));
  std::vector<double> m = r.disagree_margins;
  std::sort(m.begin(), m.end());
  auto below = [&](double x) { return static_cast<size_t>(std::lower_bound(m.begin(), m.end(), x) - m.begin()); };
  const double median = m.empty() ? 0 : m[m.size() / 2];
  const double worst = m.empty() ? 0 : m.back();
  const double seconds = ms_since(t0) / 1000.0;
  const double diff_mean = r.logit_diff_sum / static_cast<double>(std::max<size_t>(1, r.logit_diff_count));
  if (args.json) {
    std::printf("{\"kind\":\"peer\",\"peer\":%s,\"model\":%s,\"dtype\":%s,\"tokens\":%zu,\"windows\":%zu,"
                "\"context\":%d,\"top1_agreement\":%.12g,\"ppl_model\":%.12g,\"ppl_peer\":%.12g,"
                "\"disagreements\":%zu,\"margin_below_0_1\":%zu,\"margin_below_0_5\":%zu,\"margin_below_1\":%zu,"
                "\"margin_median\":%.6g,\"margin_max\":%.6g,\"logit_diff_mean\":%.6g,\"logit_diff_max\":%.6g,"
                "\"seconds\":%.3f}\n",
                json_string(peer.peer).c_str(), json_string(args.candidate).c_str(),
                json_string(producer_dtype(*model)).c_str(), r.tokens, peer.windows.size(), peer.context,
                static_cast<double>(r.agree) / n, std::exp(r.nll_model / n), std::exp(r.nll_peer / n), m.size(),
                below(0.1), below(0.5), below(1.0), median, worst, diff_mean, r.logit_diff_max, seconds);
    return std::fflush(stdout) == 0 ? 0 : kExitFailure;
  }
  std::printf("decoder %s (%s) vs peer: %s\n", args.candidate, producer_dtype(*model), peer.peer.c_str());
  std::printf("tokens          %zu scored in %zu windows of up to %d\n", r.tokens, peer.windows.size(), peer.context);
  std::printf("top1_agreement  %.6f (%zu/%zu)\n", static_cast<double>(r.agree) / n, r.agree, r.tokens);
  std::printf("ppl_model       %.6f\n", std::exp(r.nll_model / n));
  std::printf("ppl_peer        %.6f\n", std::exp(r.nll_peer / n));
  std::printf("disagreements   %zu: peer margin < 0.1: %zu, < 0.5: %zu, < 1: %zu; median %.3g, max %.3g\n", m.size(),
              below(0.1), below(0.5), below(1.0), median, worst);
  std::printf("logit_diff      |model - peer| at the peer's 5 best: mean %.4g, max %.4g\n", diff_mean,
              r.logit_diff_max);
  std::printf("time            %.2f s\n", seconds);
  return std::fflush(stdout) == 0 ? 0 : kExitFailure;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  const int parsed = parse_args(argc, argv, &args);
  if (parsed == 1) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (parsed != 0) {
    std::fputs(kUsage, stderr);
    return kExitUsage;
  }
  const auto t0 = Clock::now();
  if (!args.peer.empty()) return run_peer(args, t0);
  std::unique_ptr<Model> ref = load("reference", args.reference);
  if (ref == nullptr) return kExitUsage;
  std::unique_ptr<Model> cand = load("candidate", args.candidate);
  if (cand == nullptr) return kExitUsage;
  if (!comparable(*ref, *cand)) return kExitUsage;
  RunInfo run{&args, ref.get(), cand.get(), architecture_name(ref->info().architecture), std::string()};
  if (ref->info().task == Task::kEmbedding) {
    EncoderResult r;
    if (int rc = run_encoder(*ref, *cand, args, &r, &run.source)) return rc;
    run.seconds = ms_since(t0) / 1000.0;
    print_encoder(run, r);
  } else {
    DecoderResult r;
    if (int rc = run_decoder(*ref, *cand, args, &r, &run.source)) return rc;
    run.seconds = ms_since(t0) / 1000.0;
    print_decoder(run, r);
  }
  return std::fflush(stdout) == 0 ? 0 : kExitFailure;
}
