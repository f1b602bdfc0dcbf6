// A C++ program built against an installed edgeattn (tests/install).
//
//   cxx_consumer MODEL.eatn MAX_TOKENS [EMBEDDING_MODEL.eatn]
//
// Uses only the installed public headers: ModelInfo (what each model is:
// architecture, task, dtype, methods with their inputs and outputs, on
// stderr), the TextGenerator task (greedy generation from an empty prompt:
// the text on stdout, one newline at the end) and, given a second model, the
// Embedder task (a query against three sentences: the ranking by cosine on
// stderr, best first). The Transcriber task is asked for the first model and
// must refuse it (not a speech model): that links the audio frontend and
// kissfft from the install.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/model.h"
#include "runtime/model_info.h"
#include "runtime/tasks/embedder.h"
#include "runtime/tasks/text_generator.h"
#include "runtime/tasks/transcriber.h"

namespace {

using namespace edgeattn;

int fail(const char* what, const Status& s) {
  std::fprintf(stderr, "cxx_consumer: %s: %s: %s\n", what, status_code_name(s.code()), s.message());
  return 1;
}

// "[batch, seq] i32" from a TensorInfo's symbolic dims.
void print_tensor(const char* role, const TensorInfo& t) {
  static const char* const kDimNames[] = {"", "batch", "seq", "out_seq"};
  std::fprintf(stderr, "    %s %s [", role, t.name);
  for (int i = 0; i < t.rank; ++i) {
    const DimSpec& d = t.dims[i];
    if (d.kind == DimKind::kFixed) {
      std::fprintf(stderr, "%s%lld", i > 0 ? ", " : "", static_cast<long long>(d.value));
    } else {
      std::fprintf(stderr, "%s%s", i > 0 ? ", " : "", kDimNames[static_cast<int>(d.kind)]);
    }
  }
  std::fprintf(stderr, "] %s\n", dtype_name(t.dtype));
}

void print_info(const ModelInfo& info) {
  std::fprintf(stderr, "model: %s, task %s, dtype %s, vocab %d, max_positions %d, tokenizer %s, %zu weight bytes\n",
               architecture_name(info.architecture), task_name(info.task), info.dtype, info.vocab_size,
               info.max_positions, info.has_tokenizer ? "yes" : "no", info.weight_bytes);
  for (const MethodInfo& m : info.methods) {
    std::fprintf(stderr, "  method %s: %zu ops\n", m.name, m.op_count);
    for (const TensorInfo& t : m.inputs) print_tensor("input", t);
    for (const TensorInfo& t : m.outputs) print_tensor("output", t);
  }
}

bool print_piece(void*, std::string_view piece) {
  std::fwrite(piece.data(), 1, piece.size(), stdout);
  return true;
}

int generate(const Model& model, int max_tokens) {
  TextGeneratorOptions o;                // greedy
  o.max_context = max_tokens + 1;        // BOS + every generated token
  o.prefill_chunk = 16;
  Result<std::unique_ptr<TextGenerator>> gen = TextGenerator::create(model, o);
  if (!gen.is_ok()) return fail("text generator", gen.status());
  GenerationRequest r;
  r.max_tokens = max_tokens;
  r.on_text = print_piece;
  const Status s = (*gen)->generate("", r);  // just BOS
  if (!s.is_ok()) return fail("generate", s);
  std::fputc('\n', stdout);
  const GenerationStats& st = (*gen)->last_stats();
  std::fprintf(stderr, "%d tokens, stop %s; arena %zu bytes\n", st.generated, stop_reason_name(st.stop_reason),
               (*gen)->session().memory().arena_bytes);
  return 0;
}

int rank_sentences(const Model& model) {
  const std::string_view texts[4] = {"How do I bake bread?", "The stock market fell today.",
                                     "Knead the dough and let it rise before baking.", "My cat sleeps all day."};
  Result<std::unique_ptr<Embedder>> e = Embedder::create(model, EmbedderOptions());
  if (!e.is_ok()) return fail("embedder", e.status());
  const size_t d = (*e)->dimension();
  std::vector<float> rows(4 * d);
  const Status s = (*e)->embed(Span<const std::string_view>(texts, 4), Span<float>(rows.data(), rows.size()));
  if (!s.is_ok()) return fail("embed", s);
  std::vector<std::pair<double, int>> ranked;
  for (int i = 1; i < 4; ++i) ranked.emplace_back(Embedder::cosine(&rows[0], &rows[i * d], d), i);
  std::sort(ranked.rbegin(), ranked.rend());
  std::fprintf(stderr, "query: %.*s (dimension %zu)\n", static_cast<int>(texts[0].size()), texts[0].data(), d);
  for (size_t i = 0; i < ranked.size(); ++i) {
    const std::string_view t = texts[ranked[i].second];
    std::fprintf(stderr, "rank %zu: %.4f %.*s\n", i + 1, ranked[i].first, static_cast<int>(t.size()), t.data());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3 && argc != 4) {
    std::fprintf(stderr, "usage: cxx_consumer MODEL.eatn MAX_TOKENS [EMBEDDING_MODEL.eatn]\n");
    return 2;
  }
  Result<std::unique_ptr<Model>> model = Model::load_file(argv[1]);
  if (!model.is_ok()) return fail("load", model.status());
  print_info((*model)->info());
  if (const int rc = generate(**model, std::atoi(argv[2]))) return rc;
  Result<std::unique_ptr<Transcriber>> t = Transcriber::create(**model, TranscriberOptions());
  if (t.is_ok()) return fail("transcriber", Status::error(StatusCode::kInternal, "accepted a text model"));
  std::fprintf(stderr, "transcriber refused: %s\n", t.status().message());
  if (argc == 4) {
    Result<std::unique_ptr<Model>> encoder = Model::load_file(argv[3]);
    if (!encoder.is_ok()) return fail("load", encoder.status());
    print_info((*encoder)->info());
    if (const int rc = rank_sentences(**encoder)) return rc;
  }
  return 0;
}
