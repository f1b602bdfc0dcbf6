// ImageRunner::run(), run_clip(), run_batch() and top_k() allocate nothing
// after create(): every case of tests/fixtures/vision (stretch, letterbox,
// center crop, gray frames), images of several sizes, failed runs, one and
// two threads. Counted with the malloc interposer (all threads).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "runtime/tasks/image_runner.h"
#include "tests/support/alloc_interposer.h"
#include "tests/support/vision_fixtures.h"

namespace edgeattn {
namespace {

namespace ai = testing::alloc_interposer;

ocr::ImageView view(const testing::Rgb8Image& img) {
  return ocr::ImageView{img.pixels.data(), img.width, img.height, 3 * static_cast<size_t>(img.width)};
}

TEST_CASE("image runner: run, run_clip, run_batch and top_k allocate nothing after create") {
  ai::require_active();
  std::vector<testing::Rgb8Image> images;
  for (const char* f : {"photo.png", "wide.png", "exact.png", "frame0.png", "frame2.png"}) {
    images.push_back(testing::load_rgb8(testing::vision_fixture(f)));
    REQUIRE_MESSAGE(images.back().ok(), images.back().error);
  }
  std::vector<ocr::ImageView> views;
  for (const testing::Rgb8Image& i : images) views.push_back(view(i));
  for (const testing::VisionCase& c : testing::vision_cases()) {
    for (int threads : {1, 2}) {
      CAPTURE(c.name);
      CAPTURE(threads);
      ImageRunnerOptions o;
      o.threads = threads;
      o.max_batch = c.frames == 1 ? 3 : 1;
      auto r = ImageRunner::create(testing::vision_model(c), o);
      REQUIRE_MESSAGE(r.is_ok(), r.status().message());
      ImageRunner& runner = **r;
      for (size_t i = 0; i + 2 < views.size(); ++i) {
        const Span<const ocr::ImageView> three(views.data() + i, 3);
        ai::start();  // no warm-up: create() allocated everything
        Status s;
        if (c.frames == 1) {
          s = runner.run(views[i]);
          if (s.is_ok()) s = runner.top_k(3).status();
          if (s.is_ok()) s = runner.run_batch(three);
          if (s.is_ok()) s = runner.top_k(5, 2).status();
        } else {
          s = runner.run_clip(three);
        }
        const Status bad = runner.run(ocr::ImageView{nullptr, 0, 0, 0});  // a failed run: its message, no heap
        const ai::Record rec = ai::stop();
        REQUIRE_MESSAGE(s.is_ok(), s.message());
        CHECK(!bad.is_ok());
        CHECK(rec.calls == 0);
      }
    }
  }
}

}  // namespace
}  // namespace edgeattn
