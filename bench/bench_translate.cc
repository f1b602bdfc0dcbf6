#include "bench/bench_translate.h"

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "bench/bench_report.h"
#include "runtime/model_info.h"
#include "runtime/platform.h"
#include "runtime/tasks/translator.h"
#include "tools/cli/cli.h"

namespace edgeattn {
namespace bench {
namespace {

constexpr int kWarmups = 1;

int fail(const char* what, const Status& s) { return cli::fail("edgeattn-bench", what, s, 1); }

bool read_text(const char* path, std::string* text) {
  std::FILE* f = std::fopen(path, "rb");
  if (f == nullptr) return false;
  char buf[1 << 14];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) text->append(buf, n);
  const bool ok = std::ferror(f) == 0;
  std::fclose(f);
  while (!text->empty() && (text->back() == '\n' || text->back() == '\r')) text->pop_back();
  return ok;
}

}  // namespace

int run_translate(const Model& model, const TranslateBenchOptions& o, double load_ms) {
  if (model.info().task != Task::kTranslation) {
    std::fprintf(stderr, "edgeattn-bench: --text needs a translation model\n");
    return 2;
  }
  std::string text;
  if (o.text_file == nullptr || !read_text(o.text_file, &text) || text.empty()) {
    std::fprintf(stderr, "edgeattn-bench: cannot read a text from '%s'\n", o.text_file ? o.text_file : "(none)");
    return 2;
  }
  TranslatorOptions to;
  to.threads = o.threads;
  to.kernels = o.kernels;
  to.kv_dtype = o.kv_dtype;
  to.shortlist = o.shortlist;
  to.max_text_bytes = text.size();
  Result<std::unique_ptr<Translator>> created = Translator::create(model, to);
  if (!created.is_ok()) return fail("prepare", created.status());
  Translator& t = **created;
  std::vector<double> total, tokenize, encoder, decoder;
  for (int i = 0; i < kWarmups + o.runs; ++i) {
    const Status s = t.translate(text);
    if (!s.is_ok()) return fail("translate", s);
    if (i < kWarmups) continue;
    const TranslateStats& st = t.last_stats();
    total.push_back(st.total_ms);
    tokenize.push_back(st.tokenize_ms);
    encoder.push_back(st.encoder_ms);
    decoder.push_back(st.decoder_ms);
  }
  const TranslateStats& st = t.last_stats();
  const LatencyStats tot = summarize(total), dec = summarize(decoder);
  const double tok_s = dec.median_ms > 0 ? 1000.0 * st.output_tokens / dec.median_ms : 0.0;
  const double words = st.sentences > 0 ? static_cast<double>(st.selected_words) / st.sentences : 0.0;
  const MemoryStats& em = t.encoder_memory();
  const MemoryStats& dm = t.decoder_memory();
  if (o.json) {
    std::printf("{\n  \"mode\": \"translate\",\n  \"dtype\": %s,\n  \"threads\": %d,\n  \"shortlist\": %s,\n",
                json_quoted(model.info().dtype).c_str(), o.threads, o.shortlist ? "true" : "false");
    std::printf("  \"load_ms\": %.2f,\n  \"runs\": %d,\n  \"sentences\": %d,\n  \"source_tokens\": %d,\n"
                "  \"output_tokens\": %d,\n  \"decoder_tokens_per_s\": %.1f,\n  \"shortlist_words_per_sentence\": %.1f,\n"
                "  \"weight_bytes\": %zu,\n  \"arena_bytes\": %zu,\n  \"peak_rss_bytes\": %zu,\n  \"text\": %s,\n",
                load_ms, o.runs, st.sentences, st.source_tokens, st.output_tokens, tok_s, words, em.weight_bytes,
                em.arena_bytes + dm.arena_bytes, peak_rss_bytes(), json_quoted(std::string(t.text())).c_str());
  } else {
    std::printf("translate: %d sentences, %d source tok -> %d output tok, %d runs, %d thread%s, shortlist %s "
                "(%.0f words/sentence)\n",
                st.sentences, st.source_tokens, st.output_tokens, o.runs, o.threads, o.threads == 1 ? "" : "s",
                o.shortlist ? "on" : "off", words);
  }
  print_latency("total", tot, o.json);
  print_latency("tokenize", summarize(tokenize), o.json);
  print_latency("encoder", summarize(encoder), o.json);
  print_latency("decoder", dec, o.json, /*last=*/true);
  if (o.json) {
    std::printf("}\n");
  } else {
    std::printf("  decoder %.1f output tok/s | weights %.2f MiB | arena %.2f MiB | peak RSS %.2f MiB | load %.1f ms\n",
                tok_s, em.weight_bytes / 1048576.0, (em.arena_bytes + dm.arena_bytes) / 1048576.0,
                peak_rss_bytes() / 1048576.0, load_ms);
    std::printf("  text: %.*s\n", static_cast<int>(t.text().size()), t.text().data());
  }
  return std::fflush(stdout) == 0 ? 0 : 1;
}

}  // namespace bench
}  // namespace edgeattn
