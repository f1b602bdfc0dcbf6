// edgeattn-demo embed: encoder models (sentence embeddings, semantic search).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "demo/demo_common.h"
#include "demo/text.h"
#include "schema/edgeattn_generated.h"

namespace edgeattn::demo {
namespace {

double cosine(const float* a, const float* b, int64_t n) {
  double dot = 0, na = 0, nb = 0;
  for (int64_t i = 0; i < n; ++i) {
    dot += static_cast<double>(a[i]) * b[i];
    na += static_cast<double>(a[i]) * a[i];
    nb += static_cast<double>(b[i]) * b[i];
  }
  return dot / std::sqrt(na * nb + 1e-300);
}

// Characters of each text shown beside its row of the cosine matrix.
constexpr size_t kMatrixLabelChars = 50;

}  // namespace

int run_embed(const Model& model, const DemoArgs& args) {
  const Tokenizer* tok = model.tokenizer();
  if (model.fb().hparams()->architecture() != fb::Architecture::BertEncoder || tok == nullptr) {
    std::fprintf(stderr, "edgeattn-demo: embed needs an encoder model with a tokenizer (this one is %s)\n",
                 fb::EnumNameArchitecture(model.fb().hparams()->architecture()));
    return kExitUsage;
  }
  std::vector<std::string> texts = args.texts;
  const bool search = !args.query.empty();
  if (search) texts.insert(texts.begin(), args.query);  // row 0 is the query
  if (texts.empty() || (search && texts.size() < 2)) {
    std::fprintf(stderr, "edgeattn-demo: embed needs at least one text%s\n", search ? " besides the query" : "");
    return kExitUsage;
  }
  const int max_length = model.fb().tokenizer()->max_length() > 0 ? model.fb().tokenizer()->max_length()
                                                                     : model.fb().hparams()->max_positions();
  std::vector<std::vector<int32_t>> ids(texts.size());
  size_t longest = 1;
  EncodeOptions enc;
  enc.max_tokens = static_cast<size_t>(max_length);
  for (size_t i = 0; i < texts.size(); ++i) {
    Status s = tok->encode(texts[i], enc, &ids[i]);
    if (!s.is_ok()) return fail("encode", s);
    longest = std::max(longest, ids[i].size());
  }
  const int batch = static_cast<int>(texts.size());
  const int seq = static_cast<int>(longest);
  // Right-padded batch; each row's length masks its padding.
  std::vector<int32_t> padded(static_cast<size_t>(batch) * seq, tok->pad_id() >= 0 ? tok->pad_id() : 0);
  std::vector<int32_t> lengths(static_cast<size_t>(batch));
  for (int b = 0; b < batch; ++b) {
    std::copy(ids[b].begin(), ids[b].end(), padded.begin() + static_cast<std::ptrdiff_t>(b) * seq);
    lengths[b] = static_cast<int32_t>(ids[b].size());
  }
  SessionOptions opts;
  opts.max_batch = batch;
  opts.max_seq = seq;
  opts.threads = args.threads;
  opts.kernels = args.kernels;
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
  const TensorView out = session.output(0);
  const int64_t dim = out.dim(out.rank - 1);
  const float* rows = out.f32();

  if (search) {
    // Rank the texts by cosine similarity to the query, best first.
    std::vector<std::pair<double, int>> ranked;
    for (int b = 1; b < batch; ++b) ranked.emplace_back(cosine(rows, rows + b * dim, dim), b);
    std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    for (const auto& [score, b] : ranked) std::printf("%.4f  %s\n", score, texts[static_cast<size_t>(b)].c_str());
  } else {
    for (int b = 0; b < batch; ++b) {
      for (int64_t i = 0; i < dim; ++i) std::printf(i ? " %.8g" : "%.8g", static_cast<double>(rows[b * dim + i]));
      std::printf("\n");
    }
    if (batch >= 2) {
      std::fprintf(stderr, "cosine similarity:\n");
      for (int i = 0; i < batch; ++i) {
        for (int j = 0; j < batch; ++j) std::fprintf(stderr, " %7.4f", cosine(rows + i * dim, rows + j * dim, dim));
        std::fprintf(stderr, "   %s\n", truncate_for_display(texts[static_cast<size_t>(i)], kMatrixLabelChars).c_str());
      }
    }
  }
  EmbedStats stats;
  stats.texts = static_cast<size_t>(batch);
  for (const std::vector<int32_t>& row : ids) stats.tokens += row.size();
  stats.padded_tokens = static_cast<size_t>(batch) * static_cast<size_t>(seq);
  stats.invoke_ms = invoke_ms;
  print_embed_stats(args, session, stats);
  return 0;
}

}  // namespace edgeattn::demo
