// edgeattn-demo translate: translation models (Marian / Bergamot), argument
// checks and printing over the Translator task.
//
// Texts come from the command line or, without any, one per stdin line
// (blank lines stay blank); each translation is one line on stdout, in
// order; one statistics line goes to stderr. Input is untrusted: a text that is not valid UTF-8, empty,
// longer than the translator takes, or with a sentence longer than its
// planned tokens is one line on stderr naming the text, and exit 2 (the
// usage-error code); exit 1 is left for failures of the runtime itself.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "demo/demo_common.h"
#include "runtime/platform.h"
#include "runtime/tasks/translator.h"

namespace edgeattn::demo {
namespace {

constexpr size_t kMaxLineBytes = size_t{1} << 20;  // longest text the demo takes

// Offset of the first byte that does not start or continue a valid UTF-8
// sequence (no overlongs, surrogates or code points past U+10FFFF), or
// text.size() when all of it is valid.
size_t first_invalid_utf8(const std::string& text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  for (size_t i = 0; i < n;) {
    const unsigned char c = s[i];
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > n || (len == 2 && c < 0xC2)) return i;
    for (size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return i;
    }
    if (len == 3) {
      const unsigned cp = ((c & 0x0Fu) << 12) | ((s[i + 1] & 0x3Fu) << 6) | (s[i + 2] & 0x3Fu);
      if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    } else if (len == 4) {
      const unsigned cp = ((c & 0x07u) << 18) | ((s[i + 1] & 0x3Fu) << 12) | ((s[i + 2] & 0x3Fu) << 6) | (s[i + 3] & 0x3Fu);
      if (cp < 0x10000 || cp > 0x10FFFF) return i;
    }
    i += len;
  }
  return n;
}

// All of stdin, one text per line (a trailing '\r' dropped).
bool read_lines(std::vector<std::string>* lines) {
  std::string line;
  int c;
  bool any = false;
  while ((c = std::getchar()) != EOF) {
    any = true;
    if (c == '\n') {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      lines->push_back(line);
      line.clear();
    } else if (line.size() <= kMaxLineBytes) {
      line.push_back(static_cast<char>(c));
    }
  }
  if (!line.empty()) lines->push_back(line);
  return any;
}

void print_translate_stats(const DemoArgs& args, const Translator& t, const TranslateStats& st, double ms) {
  const MemoryStats& enc = t.encoder_memory();
  const MemoryStats& dec = t.decoder_memory();
  std::fprintf(stderr,
               "stats: load %.1f ms | %d sentences, %d source tok, %d output tok in %.1f ms (tokenize %.1f, encoder "
               "%.1f, decoder %.1f; %.1f output tok/s) | shortlist %.0f words/sentence | weights %.2f MiB | arena "
               "%.2f MiB (encoder %.2f, decoder %.2f) | peak RSS %.2f MiB | threads %d\n",
               args.load_ms, st.sentences, st.source_tokens, st.output_tokens, ms, st.tokenize_ms, st.encoder_ms,
               st.decoder_ms, st.decoder_ms > 0 ? 1000.0 * st.output_tokens / st.decoder_ms : 0.0,
               st.sentences > 0 ? static_cast<double>(st.selected_words) / st.sentences : 0.0, mib(enc.weight_bytes),
               mib(enc.arena_bytes + dec.arena_bytes), mib(enc.arena_bytes), mib(dec.arena_bytes),
               mib(peak_rss_bytes()), args.threads);
}

int bad_text(size_t index, const char* message) {
  std::fprintf(stderr, "edgeattn-demo: translate: text %zu: %s\n", index + 1, message);
  return kExitUsage;
}

}  // namespace

int run_translate(const Model& model, const DemoArgs& args) {
  const ModelInfo& info = model.info();
  if (info.task != Task::kTranslation) {
    std::fprintf(stderr, "edgeattn-demo: translate needs a translation model (this one is %s, task %s)\n",
                 architecture_name(info.architecture), task_name(info.task));
    return kExitUsage;
  }
  std::vector<std::string> texts = args.texts;
  const bool from_stdin = texts.empty();
  if (from_stdin) {
    if (isatty(STDIN_FILENO)) {
      std::fprintf(stderr, "edgeattn-demo: translate: give texts as arguments or one per stdin line\n");
      return kExitUsage;
    }
    read_lines(&texts);
  }
  size_t longest = 1;
  for (size_t i = 0; i < texts.size(); ++i) {
    if (texts[i].size() > kMaxLineBytes) return bad_text(i, "longer than 1 MiB");
    const size_t bad = first_invalid_utf8(texts[i]);
    if (bad != texts[i].size()) {
      const std::string m = "not valid UTF-8 at byte " + std::to_string(bad);
      return bad_text(i, m.c_str());
    }
    longest = std::max(longest, texts[i].size());
  }
  TranslatorOptions o;
  o.threads = args.threads;
  o.kernels = args.kernels;
  o.kv_dtype = args.kv_dtype;
  o.shortlist = !args.no_shortlist;
  o.split_sentences = !args.no_split;
  o.max_text_bytes = longest;
  Result<std::unique_ptr<Translator>> created = Translator::create(model, o);
  if (!created.is_ok()) return fail("prepare", created.status());
  Translator& t = **created;
  TranslateStats total;
  const auto start = Clock::now();
  for (size_t i = 0; i < texts.size(); ++i) {
    // A blank stdin line stays a blank output line (a file keeps its
    // paragraphs); a blank argument is nothing to translate.
    if (from_stdin && texts[i].find_first_not_of(" \t\r\f\v") == std::string::npos) {
      std::printf("\n");
      continue;
    }
    const Status s = t.translate(texts[i]);
    if (s.code() == StatusCode::kInvalidArgument || s.code() == StatusCode::kOutOfRange) return bad_text(i, s.message());
    if (!s.is_ok()) return fail("translate", s);
    std::printf("%.*s\n", static_cast<int>(t.text().size()), t.text().data());
    const TranslateStats& st = t.last_stats();
    total.sentences += st.sentences;
    total.source_tokens += st.source_tokens;
    total.output_tokens += st.output_tokens;
    total.selected_words += st.selected_words;
    total.tokenize_ms += st.tokenize_ms;
    total.encoder_ms += st.encoder_ms;
    total.decoder_ms += st.decoder_ms;
  }
  std::fflush(stdout);
  print_translate_stats(args, t, total, ms_since(start));
  return 0;
}

}  // namespace edgeattn::demo
