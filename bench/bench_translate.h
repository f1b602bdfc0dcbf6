// edgeattn-bench's translate mode, for translation models (ModelInfo::task
// kTranslation, e.g. Bergamot converted by edgeattn-convert):
//
//   edgeattn-bench MODEL.eatn --text FILE [--no-shortlist] [--threads N] [--runs N] [--kv-dtype D] [--json]
//
// The file's text is one input (e.g. a 20-sentence paragraph; sentence
// splitting on). One Translator (runtime/tasks/translator.h) translates it
// 1 warm-up + --runs times (default 10). Reported from TranslateStats: the
// total latency per text and its parts (tokenize, encoder, decoder) as
// median, p90 and minimum; sentences, source and output tokens, output
// tokens/s, shortlisted words per sentence, memory; the translation.
#pragma once

#include "runtime/model.h"
#include "runtime/session.h"

namespace edgeattn {
namespace bench {

struct TranslateBenchOptions {
  const char* text_file = nullptr;
  bool shortlist = true;
  int threads = 1;
  int runs = 10;
  const char* kernels = nullptr;
  KvCacheDType kv_dtype = KvCacheDType::kF32;
  bool json = false;
};

// Prints the results to stdout (text or one JSON object); returns 0, or 1
// after printing a failure, 2 for a model that is not a translation model.
int run_translate(const Model& model, const TranslateBenchOptions& options, double load_ms);

}  // namespace bench
}  // namespace edgeattn
