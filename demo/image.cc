// edgeattn-demo image / clip: image models (classifiers, maps, clips of
// frames) through the ImageRunner task: argument checks, image decoding,
// printing, and the --npy / --png files.
//
// Images are decoded by tools/cli/image_file.h (stb_image: PNG, JPEG, BMP ->
// 8-bit RGB); an unreadable file, the wrong number of images or a model
// without image preprocessing is one line on stderr and exit 2. stdout gets
// one line per output tensor ("output 0 'logits' [1, 5]") and, for a
// classifier, its top classes ("0.766090  crème brûlée", probability by
// softmax, best first); one statistics line goes to stderr.
#include <cstdio>
#include <string>
#include <vector>

#include "demo/demo_common.h"
#include "demo/npy.h"
#include "demo/overlay.h"
#include "runtime/platform.h"
#include "runtime/tasks/image_runner.h"
#include "tools/cli/image_file.h"

namespace edgeattn::demo {
namespace {

int usage_error(const char* verb, const std::string& message) {
  std::fprintf(stderr, "edgeattn-demo: %s: %s\n", verb, message.c_str());
  return kExitUsage;
}

std::string shape_text(const TensorView& t) {
  std::string s = "[";
  for (int i = 0; i < t.rank; ++i) s += (i ? ", " : "") + std::to_string(t.shape[i]);
  return s + "]";
}

void print_outputs(const Model& model, ImageRunner& r, const DemoArgs& args) {
  const MethodInfo& m = *model.info().find_method(r.session().method());
  for (size_t i = 0; i < r.outputs().size(); ++i) {
    const char* name = i < m.outputs.size() ? m.outputs[i].name : "";
    std::printf("output %zu '%s' %s\n", i, name, shape_text(r.outputs()[i]).c_str());
  }
  Result<Span<const ImageClass>> top = r.top_k(args.top);
  if (!top.is_ok()) return;  // not a classifier: the shapes are all there is to print
  for (const ImageClass& c : *top) {
    if (!c.label.empty()) {
      std::printf("%.6f  %.*s\n", static_cast<double>(c.probability), static_cast<int>(c.label.size()), c.label.data());
    } else {
      std::printf("%.6f  class %d\n", static_cast<double>(c.probability), c.index);
    }
  }
}

// --npy and --png. The overlay is drawn on `base` (the image, or a clip's last frame).
int write_files(const DemoArgs& args, const char* verb, ImageRunner& r, const cli::Rgb8File& base) {
  const TensorView& first = r.outputs()[0];
  std::string why;
  if (!args.npy.empty() && !write_npy_f32(args.npy, first.shape, first.rank, first.f32(), &why)) {
    return usage_error(verb, args.npy + ": " + why);
  }
  if (args.png.empty()) return 0;
  MapView map;
  if (!map_of(first, &map)) {
    return usage_error(verb, "--png draws a map output [1, h, w, 1] or [1, 1, h, w]; the first output is " +
                                 shape_text(first));
  }
  const Overlay o = heat_overlay(base.pixels(), base.width, base.height, map, r.image_info());
  if (!cli::write_png_rgb8(args.png, base.width, base.height, o.rgb.data(), &why)) {
    return usage_error(verb, args.png + ": " + why);
  }
  std::fprintf(stderr, "overlay: %s, map %d x %d in [%g, %g]%s\n", args.png.c_str(), map.height, map.width,
               static_cast<double>(o.min), static_cast<double>(o.max),
               o.sigmoid ? ", outside [0, 1]: sigmoid applied" : ", used as is");
  return 0;
}

void print_image_stats(const DemoArgs& args, const ImageRunner& r, const cli::Rgb8File& first) {
  const ImageRunStats& st = r.stats();
  const ImageRunnerMemory m = r.memory();
  const ImageInfo& im = r.image_info();
  std::fprintf(stderr,
               "stats: load %.1f ms | %d image%s (first %d x %d) -> %d x %d x %d (%s) | preprocess %.2f ms, invoke "
               "%.2f ms | arena %.2f MiB, buffers %.2f MiB | weights %.2f MiB | peak RSS %.2f MiB | kernels %s x%d\n",
               args.load_ms, st.images, st.images == 1 ? "" : "s", first.width, first.height, im.height, im.width,
               im.channels * im.frames, image_resize_name(im.resize), st.preprocess_ms, st.invoke_ms,
               mib(m.session.arena_bytes), mib(m.buffer_bytes), mib(m.session.weight_bytes), mib(peak_rss_bytes()),
               r.session().kernel_name(), args.threads);
}

// Both verbs: `images` is what the verb expects the model to take per run.
int run_images(const Model& model, const DemoArgs& args, const char* verb) {
  ImageRunnerOptions o;
  o.threads = args.threads;
  o.kernels = args.kernels;
  Result<std::unique_ptr<ImageRunner>> created = ImageRunner::create(model, o);
  if (!created.is_ok()) {
    if (created.status().code() == StatusCode::kInvalidArgument) return usage_error(verb, created.status().message());
    return fail("prepare", created.status());
  }
  ImageRunner& r = **created;
  const int frames = r.image_info().frames;
  const bool clip = std::string(verb) == "clip";
  if (!clip && frames != 1) {
    return usage_error(verb, "the model takes clips of " + std::to_string(frames) +
                                 " frames: use 'clip IMAGE1 .. IMAGE" + std::to_string(frames) + "'");
  }
  const size_t want = clip ? static_cast<size_t>(frames) : 1;
  if (args.texts.size() != want) {
    return usage_error(verb, std::string(clip ? "the model takes clips of " + std::to_string(frames) + " frames"
                                              : "image takes one IMAGE") +
                                 " (PNG, JPEG or BMP), got " + std::to_string(args.texts.size()) + " image" +
                                 (args.texts.size() == 1 ? "" : "s"));
  }
  std::vector<cli::Rgb8File> files(want);
  std::vector<ocr::ImageView> views;
  for (size_t i = 0; i < want; ++i) {
    std::string why;
    if (!cli::decode_rgb8(args.texts[i], &files[i], &why)) return usage_error(verb, args.texts[i] + ": " + why);
    views.push_back(ocr::ImageView{files[i].pixels(), files[i].width, files[i].height,
                                   3 * static_cast<size_t>(files[i].width)});
  }
  const Status s = clip ? r.run_clip(Span<const ocr::ImageView>(views.data(), views.size())) : r.run(views[0]);
  if (!s.is_ok()) {
    if (s.code() == StatusCode::kInvalidArgument) return usage_error(verb, s.message());
    return fail(verb, s);
  }
  print_outputs(model, r, args);
  std::fflush(stdout);
  const int written = write_files(args, verb, r, files.back());
  if (written != 0) return written;
  print_image_stats(args, r, files[0]);
  return 0;
}

}  // namespace

int run_image(const Model& model, const DemoArgs& args) { return run_images(model, args, "image"); }
int run_clip(const Model& model, const DemoArgs& args) { return run_images(model, args, "clip"); }

}  // namespace edgeattn::demo
