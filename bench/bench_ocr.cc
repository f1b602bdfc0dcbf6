#include "bench/bench_ocr.h"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "bench/bench_report.h"
#include "runtime/platform.h"
#include "runtime/tasks/text_reader.h"
#include "tools/cli/cli.h"
#include "tools/cli/image_file.h"

namespace edgeattn {
namespace bench {
namespace {

constexpr int kWarmups = 1;

int fail(const char* what, const Status& s) { return cli::fail("edgeattn-bench", what, s, 1); }

// The lines read, joined by " | " (for the report).
std::string joined_text(const TextReader& r) {
  std::string text;
  for (const TextLine& l : r.lines()) {
    if (!text.empty()) text += " | ";
    text.append(l.text.data(), l.text.size());
  }
  return text;
}

// --profile: per method, ms per read in each op kind and in its slowest ops.
void print_ocr_profile(const TextReader& r, int runs) {
  for (const char* method : {"det", "cls", "rec"}) {
    if (const Session* s = r.session(method)) print_op_profile(*s, method, runs);
  }
}

}  // namespace

int run_ocr(const Model& model, const OcrBenchOptions& o, double load_ms) {
  cli::Rgb8File image;
  std::string why;
  if (o.image_file == nullptr || !cli::decode_rgb8(o.image_file, &image, &why)) {
    std::fprintf(stderr, "edgeattn-bench: --image %s: %s\n", o.image_file ? o.image_file : "(none)", why.c_str());
    return 2;
  }
  TextReaderOptions to;
  to.threads = o.threads;
  to.kernels = o.kernels;
  to.profile = o.profile;
  if (o.max_side > 0) to.max_side = o.max_side;
  Result<std::unique_ptr<TextReader>> created = TextReader::create(model, to);
  if (!created.is_ok()) {
    if (created.status().code() != StatusCode::kInvalidArgument) return fail("prepare", created.status());
    std::fprintf(stderr, "edgeattn-bench: --image: %s\n", created.status().message());
    return 2;
  }
  TextReader& r = **created;
  const ocr::ImageView view{image.pixels(), image.width, image.height, 3 * static_cast<size_t>(image.width)};
  std::vector<double> total, det, post, cls, rec;
  for (int i = 0; i < kWarmups + o.runs; ++i) {
    const Status s = r.read(view);
    if (!s.is_ok()) return fail("read", s);
    if (i < kWarmups) {
      r.reset_profile();
      continue;
    }
    const TextReadStats& st = r.stats();
    total.push_back(st.total_ms);
    det.push_back(st.det_ms);
    post.push_back(st.post_ms);
    cls.push_back(st.cls_ms);
    rec.push_back(st.rec_ms);
  }
  if (o.profile) print_ocr_profile(r, o.runs);
  const TextReadStats& st = r.stats();
  const TextReaderMemory m = r.memory();
  if (o.json) {
    std::printf("{\n  \"mode\": \"ocr\",\n  \"threads\": %d,\n  \"runs\": %d,\n  \"load_ms\": %.2f,\n", o.threads,
                o.runs, load_ms);
    std::printf("  \"image\": [%d, %d],\n  \"detector\": [%d, %d],\n  \"lines\": %d,\n  \"weight_bytes\": %zu,\n"
                "  \"memory_bytes\": %zu,\n  \"peak_rss_bytes\": %zu,\n  \"text\": %s,\n",
                image.width, image.height, st.det_width, st.det_height, st.lines, m.det.weight_bytes, m.total_bytes(),
                peak_rss_bytes(), json_quoted(joined_text(r)).c_str());
  } else {
    std::printf("ocr: image %d x %d -> detector %d x %d%s, %d lines, %d runs, %d thread%s\n", image.width,
                image.height, st.det_width, st.det_height, st.capped ? " (capped by --max-side)" : "", st.lines,
                o.runs, o.threads, o.threads == 1 ? "" : "s");
  }
  print_latency("total", summarize(total), o.json);
  print_latency("det", summarize(det), o.json);
  print_latency("post", summarize(post), o.json);
  print_latency("cls", summarize(cls), o.json);
  print_latency("rec", summarize(rec), o.json, /*last=*/true);
  if (o.json) {
    std::printf("}\n");
  } else {
    std::printf("  weights %.2f MiB | memory %.2f MiB (arenas + buffers) | peak RSS %.2f MiB | load %.1f ms\n",
                m.det.weight_bytes / 1048576.0, m.total_bytes() / 1048576.0, peak_rss_bytes() / 1048576.0, load_ms);
    std::printf("  text: %s\n", joined_text(r).c_str());
  }
  return std::fflush(stdout) == 0 ? 0 : 1;
}

}  // namespace bench
}  // namespace edgeattn
