// edgeattn-demo ocr: text reading (RapidOCR's PP-OCR models converted to
// one .eatn), argument checks, image decoding and printing over the
// TextReader task.
//
// The image file is decoded here, not in the runtime, with Debian's
// stb_image (PNG, JPEG, BMP; 8 or 16 bits; gray, gray + alpha, RGB, RGBA ->
// 8-bit RGB). Its header is checked first (stbi_info): an unreadable,
// empty, truncated or corrupt file, or one claiming 0 pixels, more than
// 20,000 pixels a side or more than 100 million pixels, is one line on
// stderr and exit 2, before anything is decoded. The lines go to stdout
// top to bottom, one per line (with --boxes, each preceded by its corners
// and confidence); one statistics line goes to stderr.
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "demo/demo_common.h"
#include "runtime/platform.h"
#include "runtime/tasks/text_reader.h"

#if EDGEATTN_DEMO_HAS_STB
#include <stb_image.h>
#endif

namespace edgeattn::demo {
namespace {

constexpr long long kMaxImageSide = 20000;
constexpr long long kMaxImagePixels = 100LL * 1000 * 1000;

int bad_image(const std::string& path, const char* message) {
  std::fprintf(stderr, "edgeattn-demo: ocr: %s: %s\n", path.c_str(), message);
  return kExitUsage;
}

struct FreeStb {
  void operator()(unsigned char* p) const {
#if EDGEATTN_DEMO_HAS_STB
    stbi_image_free(p);
#else
    (void)p;
#endif
  }
};

// Decodes `path` to 8-bit RGB; kExitUsage (and one line) when it cannot.
int decode_image(const std::string& path, std::unique_ptr<unsigned char, FreeStb>* pixels, int* width, int* height) {
#if EDGEATTN_DEMO_HAS_STB
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return bad_image(path, "cannot open the file");
  int w = 0, h = 0, channels = 0;
  const int known = stbi_info_from_file(f, &w, &h, &channels);
  if (!known) {
    std::fclose(f);
    const char* why = stbi_failure_reason();
    const std::string m = std::string("not an image this demo reads (PNG, JPEG, BMP): ") + (why ? why : "unknown");
    return bad_image(path, m.c_str());
  }
  if (w <= 0 || h <= 0 || w > kMaxImageSide || h > kMaxImageSide ||
      static_cast<long long>(w) * h > kMaxImagePixels) {
    std::fclose(f);
    const std::string m = "a " + std::to_string(w) + " x " + std::to_string(h) +
                          " image: this demo takes 1 to 20000 pixels a side and at most 100 million pixels";
    return bad_image(path, m.c_str());
  }
  unsigned char* data = stbi_load_from_file(f, width, height, &channels, 3);  // 16-bit files become 8-bit
  std::fclose(f);
  if (data == nullptr) {
    const char* why = stbi_failure_reason();
    const std::string m = std::string("cannot decode the image (truncated or corrupt): ") + (why ? why : "unknown");
    return bad_image(path, m.c_str());
  }
  pixels->reset(data);
  return 0;
#else
  (void)pixels;
  (void)width;
  (void)height;
  return bad_image(path, "this edgeattn-demo was built without stb_image (libstb-dev): it cannot decode images");
#endif
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
  std::unique_ptr<unsigned char, FreeStb> pixels;
  int width = 0, height = 0;
  if (const int bad = decode_image(path, &pixels, &width, &height)) return bad;
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
  const Status s = r.read(ocr::ImageView{pixels.get(), width, height, 3 * static_cast<size_t>(width)});
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
