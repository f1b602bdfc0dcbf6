// edgeattn-demo ocr: text reading (RapidOCR's PP-OCR models converted to
// one .eatn), argument checks, image decoding and printing over the
// TextReader task.
//
// The image file is decoded by tools/cli/image_file.h (Debian's stb_image:
// PNG, JPEG, BMP -> 8-bit RGB, the header checked first): an unreadable,
// corrupt or absurdly large file is one line on stderr and exit 2. The lines
// go to stdout top to bottom, one per line (with --boxes, each preceded by
// its corners and confidence); one statistics line goes to stderr.
#include <cstdio>
#include <string>

#include "demo/demo_common.h"
#include "runtime/platform.h"
#include "runtime/tasks/text_reader.h"
#include "tools/cli/image_file.h"

namespace edgeattn::demo {
namespace {

int bad_image(const std::string& path, const std::string& message) {
  std::fprintf(stderr, "edgeattn-demo: ocr: %s: %s\n", path.c_str(), message.c_str());
  return kExitUsage;
}

void print_ocr_stats(const DemoArgs& args, const TextReader& r, int width, int height) {
  const TextReadStats& st = r.stats();
  const TextReaderMemory m = r.memory();
  std::fprintf(stderr,
               "stats: load %.1f ms | image %d x %d -> detector %d x %d%s | %d lines (%d boxes, %d below text score, "
               "%d turned, %d not read) | det %.1f ms, post %.1f ms, cls %.1f ms, rec %.1f ms, total %.1f ms | "
               "memory %.2f MiB (arenas det %.2f, cls %.2f, rec %.2f; buffers %.2f) | weights %.2f MiB | peak RSS "
               "%.2f MiB | threads %d\n",
               args.load_ms, width, height, st.det_width, st.det_height, st.capped ? " (capped by --max-side)" : "",
               st.lines, st.boxes, st.rejected, st.rotated, st.dropped, st.det_ms, st.post_ms, st.cls_ms, st.rec_ms,
               st.total_ms, mib(m.total_bytes()), mib(m.det.arena_bytes), mib(m.cls.arena_bytes),
               mib(m.rec.arena_bytes), mib(m.buffer_bytes), mib(m.det.weight_bytes), mib(peak_rss_bytes()),
               args.threads);
}

}  // namespace

int run_ocr(const Model& model, const DemoArgs& args) {
  if (args.texts.size() != 1) {
    std::fprintf(stderr, "edgeattn-demo: ocr takes one IMAGE (PNG, JPEG or BMP), got %zu\n", args.texts.size());
    return kExitUsage;
  }
  const std::string& path = args.texts[0];
  cli::Rgb8File image;
  std::string why;
  if (!cli::decode_rgb8(path, &image, &why)) return bad_image(path, why);
  const int width = image.width, height = image.height;
  TextReaderOptions o;
  o.threads = args.threads;
  o.kernels = args.kernels;
  if (args.max_side > 0) o.max_side = args.max_side;
  Result<std::unique_ptr<TextReader>> created = TextReader::create(model, o);
  if (!created.is_ok()) {
    if (created.status().code() == StatusCode::kInvalidArgument) {
      std::fprintf(stderr, "edgeattn-demo: ocr: %s\n", created.status().message());
      return kExitUsage;
    }
    return fail("prepare", created.status());
  }
  TextReader& r = **created;
  const Status s = r.read(ocr::ImageView{image.pixels(), width, height, 3 * static_cast<size_t>(width)});
  if (!s.is_ok()) return fail("ocr", s);
  for (const TextLine& l : r.lines()) {
    if (args.boxes) {
      for (const ocr::Point2f& p : l.box) std::printf("%.1f,%.1f ", static_cast<double>(p.x), static_cast<double>(p.y));
      std::printf("%.3f ", static_cast<double>(l.confidence));
    }
    std::printf("%.*s\n", static_cast<int>(l.text.size()), l.text.data());
  }
  std::fflush(stdout);
  print_ocr_stats(args, r, width, height);
  return 0;
}

}  // namespace edgeattn::demo
