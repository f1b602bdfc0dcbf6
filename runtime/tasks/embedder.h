// Embedder: texts -> one vector per text, for BERT-style encoders.
//
// The task every front-end (demo, C API, eval, bench) uses to run an
// embedding model: it tokenizes each text (truncated to the model's
// max_input_tokens()), right-pads the texts of a batch, invokes the encoder,
// and returns one [dimension] row per text — pooled (mean over the valid
// tokens, or the CLS token) and L2-normalized as the model's ModelInfo says,
// whether the graph does it or not. More texts than max_batch run in
// several invokes. The session is sized once, at create(), from the options
// and the ModelInfo.
//
// Memory: create() plans and allocates everything. embed_tokens() never
// allocates. embed() allocates only inside the tokenizer (its working
// buffers; runtime/tokenizer/tokenizer.h); ids, lengths and the padded batch
// live in buffers made at create().
//
// Example:
//   EmbedderOptions o; o.max_batch = 8;
//   EA_ASSIGN_OR_RETURN(std::unique_ptr<Embedder> e, Embedder::create(*model, o));
//   std::string_view texts[2] = {"How do I bake bread?", "Knead the dough."};
//   std::vector<float> rows(2 * e->dimension());
//   EA_RETURN_IF_ERROR(e->embed(Span<const std::string_view>(texts, 2), Span<float>(rows.data(), rows.size())));
//   float similarity = Embedder::cosine(&rows[0], &rows[e->dimension()], e->dimension());
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "runtime/core/fallible_vector.h"
#include "runtime/core/span.h"
#include "runtime/core/status.h"
#include "runtime/model.h"
#include "runtime/session.h"

namespace edgeattn {

struct EmbedderOptions {
  int max_batch = 8;   // texts per invoke
  int max_tokens = 0;  // tokens per text, specials included; 0: ModelInfo::max_input_tokens()
  int threads = 1;
  const char* kernels = nullptr;  // as SessionOptions::kernels
  Span<uint8_t> arena;            // as SessionOptions::arena (must outlive the Embedder)
};

// What the last embed() / embed_tokens() call did.
struct EmbedStats {
  size_t texts = 0;
  size_t tokens = 0;         // without padding
  size_t padded_tokens = 0;  // what the invokes processed
  size_t truncated = 0;      // texts cut at max_tokens
  size_t invokes = 0;
  double invoke_ms = 0;      // wall time inside Session::invoke
};

class Embedder {
 public:
  // Fails with kInvalidArgument for a model whose task is not kEmbedding or
  // that has no tokenizer (embed_tokens() needs none, but a model without
  // one is not what this task is for), and for options out of range.
  static Result<std::unique_ptr<Embedder>> create(const Model& model, const EmbedderOptions& options);
  // The session create() would make, without making it: arena bytes for a
  // caller arena (EmbedderOptions::arena), KV 0, weights. Same checks.
  static Result<MemoryStats> plan(const Model& model, const EmbedderOptions& options);

  ~Embedder();
  Embedder(const Embedder&) = delete;
  Embedder& operator=(const Embedder&) = delete;

  // Embeds `texts` into `out`, row i = text i: out.size() must be at least
  // texts.size() * dimension().
  Status embed(Span<const std::string_view> texts, Span<float> out);

  // The same for texts already tokenized (special tokens included): row i
  // holds rows[i], at most max_tokens() ids. No allocation.
  Status embed_tokens(Span<const Span<const int32_t>> rows, Span<float> out);

  // Floats per embedding (the model's hidden size after pooling).
  size_t dimension() const { return dimension_; }
  int max_tokens() const { return max_tokens_; }
  int max_batch() const { return max_batch_; }
  const EmbedStats& last_stats() const { return stats_; }
  // Memory and kernels of the encoder session (for statistics lines).
  const Session& session() const { return *session_; }

  // Cosine similarity of two [n] vectors (in double; 0 for a zero vector).
  static double cosine(const float* a, const float* b, size_t n);

 private:
  Embedder() = default;
  static Status session_options_for(const Model& model, const EmbedderOptions& options, SessionOptions* so);
  // Pads rows [0, count) of batch_ids_/batch_lengths_ (already filled),
  // invokes, and writes `count` embeddings to out.
  Status run_batch(int count, float* out);
  // Tokenizes text into row `row` of batch_ids_.
  Status tokenize_into(std::string_view text, int row);

  const Model* model_ = nullptr;  // must outlive the Embedder
  std::unique_ptr<Session> session_;
  int max_batch_ = 0;
  int max_tokens_ = 0;
  size_t dimension_ = 0;
  Pooling pooling_ = Pooling::kNone;  // what embed_ still has to do after the graph
  bool normalize_ = false;
  int32_t pad_id_ = 0;
  Vector<int32_t> batch_ids_;      // [max_batch, max_tokens] right-padded ids
  Vector<int32_t> batch_lengths_;  // [max_batch]
  std::vector<int32_t> text_ids_;  // embed(): one text's ids (the tokenizer's output type)
  EmbedStats stats_;
};

}  // namespace edgeattn
