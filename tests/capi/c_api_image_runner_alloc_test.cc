// The C image runner's run, run_clip, run_batch, output and top_k allocate
// nothing after create (the C++ task's promise, kept through the C layer's
// conversions: the image arrays are converted on the stack). Counted with
// the malloc interposer (all threads).
#include <doctest/doctest.h>

#include <vector>

#include "capi/edgeattn.h"
#include "tests/support/alloc_interposer.h"
#include "tests/support/vision_fixtures.h"

namespace edgeattn {
namespace {

namespace ai = testing::alloc_interposer;

TEST_CASE("C API image runner: run calls allocate nothing after create") {
  ai::require_active();
  for (const testing::VisionCase& c : testing::vision_cases()) {
    CAPTURE(c.name);
    edgeattn_model* model = nullptr;
    REQUIRE(edgeattn_model_load_file(testing::vision_model_path(c).c_str(), &model) == EDGEATTN_OK);
    edgeattn_image_runner_options o = edgeattn_image_runner_options_default();
    o.threads = 2;
    o.max_batch = 2;
    edgeattn_image_runner* r = nullptr;
    REQUIRE_MESSAGE(edgeattn_image_runner_create(model, &o, &r) == EDGEATTN_OK, edgeattn_last_error());
    const std::vector<testing::Rgb8Image> images = testing::vision_images(c);
    std::vector<edgeattn_image> frames;
    for (const testing::Rgb8Image& i : images) {
      frames.push_back(edgeattn_image{i.pixels.data(), i.width, i.height, 3 * static_cast<size_t>(i.width)});
    }
    edgeattn_image_class best[5];
    size_t n = 0;
    edgeattn_tensor t;
    ai::start();
    edgeattn_status s = EDGEATTN_OK;
    if (c.frames == 1) {
      const edgeattn_image two[2] = {frames[0], frames[0]};
      s = edgeattn_image_runner_run(r, frames[0].rgb, frames[0].width, frames[0].height, frames[0].stride);
      if (s == EDGEATTN_OK) s = edgeattn_image_runner_top_k(r, 5, 0, best, 5, &n);
      if (s == EDGEATTN_OK) s = edgeattn_image_runner_run_batch(r, two, 2);
      if (s == EDGEATTN_OK) s = edgeattn_image_runner_top_k(r, 3, 1, best, 5, &n);
    } else {
      s = edgeattn_image_runner_run_clip(r, frames.data(), frames.size());
    }
    if (s == EDGEATTN_OK) s = edgeattn_image_runner_output(r, 0, &t);
    const edgeattn_status bad = edgeattn_image_runner_run(r, nullptr, 0, 0, 0);
    const ai::Record rec = ai::stop();
    CHECK_MESSAGE(s == EDGEATTN_OK, edgeattn_last_error());
    CHECK(bad == EDGEATTN_INVALID_ARGUMENT);
    CHECK(rec.calls == 0);
    edgeattn_image_runner_destroy(r);
    edgeattn_model_destroy(model);
  }
}

}  // namespace
}  // namespace edgeattn
