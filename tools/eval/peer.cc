#include "tools/eval/peer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <string_view>

#include "runtime/sampler.h"
#include "runtime/session.h"

namespace edgeattn::eval {
namespace {

constexpr int kChunk = 64;

// A reader of whitespace-separated fields that remembers the first error.
class Fields {
 public:
  Fields(std::FILE* f, const std::string& path) : f_(f), path_(path) {}
  bool word(const char* expect) {
    char buf[64];
    if (!ok_ || std::fscanf(f_, "%63s", buf) != 1 || std::strcmp(buf, expect) != 0) return fail(expect);
    return true;
  }
  bool integer(long long lo, long long hi, const char* what, long long* v) {
    if (!ok_ || std::fscanf(f_, "%lld", v) != 1 || *v < lo || *v > hi) return fail(what);
    return true;
  }
  bool real(const char* what, double* v) {
    if (!ok_ || std::fscanf(f_, "%lf", v) != 1 || !std::isfinite(*v)) return fail(what);
    return true;
  }
  bool rest_of_line(std::string* out) {
    char buf[512];
    if (!ok_ || std::fgets(buf, sizeof(buf), f_) == nullptr) return fail("the peer line");
    std::string_view line(buf);
    while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    while (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    *out = std::string(line);
    return true;
  }
  bool ok() const { return ok_; }

 private:
  bool fail(const char* what) {
    if (ok_) std::fprintf(stderr, "edgeattn-eval: peer file '%s': bad or missing %s\n", path_.c_str(), what);
    ok_ = false;
    return false;
  }
  std::FILE* f_;
  const std::string& path_;
  bool ok_ = true;
};

bool read_body(Fields& in, int32_t vocab, PeerFile* out) {
  long long v = 0, n = 0;
  if (!in.word("edgeattn-peer") || !in.integer(1, 1, "format version (1)", &v) || !in.word("peer") ||
      !in.rest_of_line(&out->peer) || !in.word("context") || !in.integer(2, 1 << 20, "context", &v)) {
    return false;
  }
  out->context = static_cast<int>(v);
  if (!in.word("ids") || !in.integer(2, 1 << 24, "id count", &n)) return false;
  out->ids.resize(static_cast<size_t>(n));
  for (int32_t& id : out->ids) {
    if (!in.integer(0, vocab - 1, "token id (outside the model's vocabulary)", &v)) return false;
    id = static_cast<int32_t>(v);
  }
  if (!in.word("windows") || !in.integer(1, 1 << 20, "window count", &n)) return false;
  size_t scored = 0;
  for (long long w = 0; w < n; ++w) {
    long long start = 0, len = 0;
    if (!in.integer(0, static_cast<long long>(out->ids.size()) - 2, "window start", &start) ||
        !in.integer(2, std::min<long long>(out->context, static_cast<long long>(out->ids.size()) - start),
                    "window length", &len)) {
      return false;
    }
    out->windows.emplace_back(static_cast<size_t>(start), static_cast<size_t>(len));
    scored += static_cast<size_t>(len) - 1;
  }
  if (!in.word("positions") || !in.integer(static_cast<long long>(scored), static_cast<long long>(scored),
                                           "position count (the windows' lengths - 1)", &n)) {
    return false;
  }
  out->positions.resize(scored);
  for (PeerPosition& p : out->positions) {
    for (int32_t& id : p.top_ids) {
      if (!in.integer(0, vocab - 1, "top id", &v)) return false;
      id = static_cast<int32_t>(v);
    }
    for (float& l : p.top_logits) {
      double d = 0;
      if (!in.real("top logit", &d)) return false;
      l = static_cast<float>(d);
    }
    if (!in.real("nll", &p.nll)) return false;
  }
  return true;
}

// One position: the model's logits [vocab] against the peer's.
void score(const float* logits, size_t vocab, int32_t target, const PeerPosition& p, PeerResult* r) {
  const int32_t top = static_cast<int32_t>(Sampler::argmax(logits, vocab));
  r->nll_model += log_sum_exp(logits, vocab) - logits[target];
  r->nll_peer += p.nll;
  ++r->tokens;
  for (int k = 0; k < kPeerTop; ++k) {
    const double diff = std::fabs(static_cast<double>(logits[p.top_ids[k]]) - p.top_logits[k]);
    r->logit_diff_sum += diff;
    r->logit_diff_max = std::max(r->logit_diff_max, diff);
    ++r->logit_diff_count;
  }
  if (top == p.top_ids[0]) {
    ++r->agree;
    return;
  }
  double margin = std::numeric_limits<double>::infinity();
  for (int k = 1; k < kPeerTop; ++k) {
    if (p.top_ids[k] == top) margin = static_cast<double>(p.top_logits[0]) - p.top_logits[k];
  }
  r->disagree_margins.push_back(margin);
}

}  // namespace

double log_sum_exp(const float* x, size_t n) {
  double m = x[0];
  for (size_t i = 1; i < n; ++i) m = std::max(m, static_cast<double>(x[i]));
  double s = 0;
  for (size_t i = 0; i < n; ++i) s += std::exp(static_cast<double>(x[i]) - m);
  return m + std::log(s);
}

bool read_peer_file(const std::string& path, int32_t vocab, PeerFile* out) {
  std::FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) {
    std::fprintf(stderr, "edgeattn-eval: cannot read peer file '%s'\n", path.c_str());
    return false;
  }
  Fields in(f, path);
  const bool ok = read_body(in, vocab, out);
  std::fclose(f);
  return ok;
}

int score_against_peer(const Model& model, const PeerFile& peer, const PeerRunOptions& run, PeerResult* r) {
  SessionOptions opts;
  opts.max_seq = std::min(kChunk, peer.context);
  opts.max_context = peer.context;
  opts.threads = run.threads;
  opts.kv_dtype = run.kv_dtype;
  opts.kernels = run.kernels;
  Result<std::unique_ptr<Session>> created = Session::create(model, opts);
  if (!created.is_ok()) {
    std::fprintf(stderr, "edgeattn-eval: prepare: %s\n", created.status().message());
    return 1;
  }
  Session& s = **created;
  const size_t vocab = static_cast<size_t>(model.info().vocab_size);
  size_t next_position = 0;
  for (const auto& [start, len] : peer.windows) {
    s.reset();
    const int32_t* window = peer.ids.data() + start;
    for (size_t pos = 0; pos + 1 < len; pos += kChunk) {
      const size_t chunk = std::min<size_t>(kChunk, len - 1 - pos);
      InvokeInput in;
      in.ids = window + pos;
      in.seq = static_cast<int>(chunk);
      in.all_positions = true;
      const Status st = s.invoke(in);
      if (!st.is_ok()) {
        std::fprintf(stderr, "edgeattn-eval: invoke: %s\n", st.message());
        return 1;
      }
      const TensorView logits = s.output(0);
      if (logits.element_count() != static_cast<int64_t>(chunk * vocab)) {
        std::fprintf(stderr, "edgeattn-eval: unexpected logits shape\n");
        return 1;
      }
      for (size_t t = 0; t < chunk; ++t) {
        score(logits.f32() + t * vocab, vocab, window[pos + t + 1], peer.positions[next_position++], r);
      }
    }
  }
  return 0;
}

}  // namespace edgeattn::eval
