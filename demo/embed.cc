// edgeattn-demo embed: encoder models (sentence embeddings, semantic search),
// argument checks and printing over the Embedder task.
#include <algorithm>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "demo/demo_common.h"
#include "demo/text.h"
#include "runtime/tasks/embedder.h"

namespace edgeattn::demo {
namespace {

// Characters of each text shown beside its row of the cosine matrix.
constexpr size_t kMatrixLabelChars = 50;
// Texts per invoke: a command line rarely has more; more run in several invokes.
constexpr size_t kMaxBatch = 32;

void print_search(const std::vector<std::string>& texts, const std::vector<float>& rows, size_t dim) {
  // Rank the texts by cosine similarity to the query (row 0), best first.
  std::vector<std::pair<double, size_t>> ranked;
  for (size_t b = 1; b < texts.size(); ++b) ranked.emplace_back(Embedder::cosine(&rows[0], &rows[b * dim], dim), b);
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (const auto& [score, b] : ranked) std::printf("%.4f  %s\n", score, texts[b].c_str());
}

// %.9g: nine significant digits give every float32 back exactly when parsed
// (FLT_DECIMAL_DIG), so printed rows can be compared bit for bit (the Python
// bindings' tests do).
void print_embeddings(const std::vector<std::string>& texts, const std::vector<float>& rows, size_t dim) {
  for (size_t b = 0; b < texts.size(); ++b) {
    for (size_t i = 0; i < dim; ++i) std::printf(i ? " %.9g" : "%.9g", static_cast<double>(rows[b * dim + i]));
    std::printf("\n");
  }
  if (texts.size() < 2) return;
  std::fprintf(stderr, "cosine similarity:\n");
  for (size_t i = 0; i < texts.size(); ++i) {
    for (size_t j = 0; j < texts.size(); ++j) {
      std::fprintf(stderr, " %7.4f", Embedder::cosine(&rows[i * dim], &rows[j * dim], dim));
    }
    std::fprintf(stderr, "   %s\n", truncate_for_display(texts[i], kMatrixLabelChars).c_str());
  }
}

// Tokens of the longest text (specials included), capped at what the model
// takes: a one-shot run sizes its arena to its input, not to 512 positions.
Result<int> longest_text_tokens(const Model& model, const std::vector<std::string>& texts) {
  const int cap = model.info().max_input_tokens();
  EncodeOptions enc;
  enc.max_tokens = cap > 0 ? static_cast<size_t>(cap) : 0;
  std::vector<int32_t> ids;
  size_t longest = 1;
  for (const std::string& t : texts) {
    EA_RETURN_IF_ERROR(model.tokenizer()->encode(t, enc, &ids));
    longest = std::max(longest, ids.size());
  }
  return static_cast<int>(longest);
}

}  // namespace

int run_embed(const Model& model, const DemoArgs& args) {
  if (model.info().task != Task::kEmbedding || model.tokenizer() == nullptr) {
    std::fprintf(stderr, "edgeattn-demo: embed needs an encoder model with a tokenizer (this one is %s)\n",
                 architecture_name(model.info().architecture));
    return kExitUsage;
  }
  std::vector<std::string> texts = args.texts;
  const bool search = !args.query.empty();
  if (search) texts.insert(texts.begin(), args.query);  // row 0 is the query
  if (texts.empty() || (search && texts.size() < 2)) {
    std::fprintf(stderr, "edgeattn-demo: embed needs at least one text%s\n", search ? " besides the query" : "");
    return kExitUsage;
  }
  Result<int> longest = longest_text_tokens(model, texts);
  if (!longest.is_ok()) return fail("encode", longest.status());
  EmbedderOptions opts;
  opts.max_batch = static_cast<int>(std::min(texts.size(), kMaxBatch));
  opts.max_tokens = *longest;
  opts.threads = args.threads;
  opts.kernels = args.kernels;
  Result<std::unique_ptr<Embedder>> created = Embedder::create(model, opts);
  if (!created.is_ok()) return fail("prepare", created.status());
  Embedder& embedder = **created;
  const std::vector<std::string_view> views(texts.begin(), texts.end());
  std::vector<float> rows(texts.size() * embedder.dimension());
  Status s = embedder.embed(Span<const std::string_view>(views.data(), views.size()), Span<float>(rows.data(), rows.size()));
  if (!s.is_ok()) return fail("embed", s);
  if (search) {
    print_search(texts, rows, embedder.dimension());
  } else {
    print_embeddings(texts, rows, embedder.dimension());
  }
  print_embed_stats(args, embedder.session(), embedder.last_stats());
  return 0;
}

}  // namespace edgeattn::demo
