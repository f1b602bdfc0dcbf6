// The C API's image runner on the tiny models of tests/fixtures/vision
// (converted here). Oracles: the C++ ImageRunner on the same model and
// images, whose outputs the C wrapper must give bit for bit, and the
// reference's onnxruntime outputs and softmax; then the codes and messages
// of bad images, frame counts, handles and calls.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "capi/edgeattn.h"
#include "runtime/tasks/image_runner.h"
#include "tests/support/vision_fixtures.h"

namespace edgeattn {
namespace {

using testing::Rgb8Image;
using testing::VisionCase;

// The case's model, converted, loaded through the C API.
edgeattn_model* c_model(const VisionCase& c) {
  const std::string path = testing::vision_model_path(c);
  edgeattn_model* m = nullptr;
  REQUIRE_MESSAGE(edgeattn_model_load_file(path.c_str(), &m) == EDGEATTN_OK, edgeattn_last_error());
  return m;
}

edgeattn_image c_image(const Rgb8Image& i) {
  return edgeattn_image{i.pixels.data(), i.width, i.height, 3 * static_cast<size_t>(i.width)};
}

bool error_has(const char* text) { return std::strstr(edgeattn_last_error(), text) != nullptr; }

TEST_CASE("C API image runner: the C++ ImageRunner's outputs bit for bit, top_k, info, labels") {
  CHECK(edgeattn_c_api_version() == 7);
  const std::vector<std::string> labels = testing::vision_labels();
  for (const VisionCase& c : testing::vision_cases()) {
    CAPTURE(c.name);
    edgeattn_model* model = c_model(c);
    edgeattn_image_runner* r = nullptr;
    REQUIRE_MESSAGE(edgeattn_image_runner_create(model, nullptr, &r) == EDGEATTN_OK, edgeattn_last_error());
    CHECK(edgeattn_image_runner_output_count(r) == 0);  // before the first run
    edgeattn_image_info info;
    REQUIRE(edgeattn_image_runner_info(r, &info) == EDGEATTN_OK);
    CHECK(info.height == c.height);
    CHECK(info.width == c.width);
    CHECK(info.channels == c.channels);
    CHECK(info.frames == c.frames);
    CHECK(info.bgr == (c.bgr ? 1 : 0));
    CHECK(std::string(info.resize) == c.resize);
    CHECK(info.label_count == (c.classifier() ? labels.size() : 0));

    const std::vector<Rgb8Image> images = testing::vision_images(c);
    std::vector<edgeattn_image> frames;
    std::vector<ocr::ImageView> views;
    for (const Rgb8Image& i : images) {
      frames.push_back(c_image(i));
      views.push_back(ocr::ImageView{i.pixels.data(), i.width, i.height, 3 * static_cast<size_t>(i.width)});
    }
    auto cpp = ImageRunner::create(testing::vision_model(c), {});
    REQUIRE(cpp.is_ok());
    if (c.frames == 1) {
      REQUIRE_MESSAGE(edgeattn_image_runner_run(r, frames[0].rgb, frames[0].width, frames[0].height,
                                                frames[0].stride) == EDGEATTN_OK,
                      edgeattn_last_error());
      REQUIRE((*cpp)->run(views[0]).is_ok());
    } else {
      REQUIRE_MESSAGE(edgeattn_image_runner_run_clip(r, frames.data(), frames.size()) == EDGEATTN_OK,
                      edgeattn_last_error());
      REQUIRE((*cpp)->run_clip(Span<const ocr::ImageView>(views.data(), views.size())).is_ok());
    }
    REQUIRE(edgeattn_image_runner_output_count(r) == 1);
    edgeattn_tensor t;
    REQUIRE(edgeattn_image_runner_output(r, 0, &t) == EDGEATTN_OK);
    const TensorView& want = (*cpp)->outputs()[0];
    CHECK(t.dtype == EDGEATTN_F32);
    REQUIRE(t.rank == want.rank);
    for (int d = 0; d < t.rank; ++d) CHECK(t.shape[d] == want.shape[d]);
    CHECK(std::memcmp(t.data, want.data, static_cast<size_t>(want.element_count()) * sizeof(float)) == 0);
    const float* values = static_cast<const float*>(t.data);
    for (size_t i = 0; i < c.output.size(); ++i) CHECK(std::fabs(values[i] - c.output[i]) <= 1e-4);
    CHECK(edgeattn_image_runner_output(r, 1, &t) == EDGEATTN_OUT_OF_RANGE);
    edgeattn_image_run_stats stats;
    REQUIRE(edgeattn_image_runner_last_stats(r, &stats) == EDGEATTN_OK);
    CHECK(stats.images == c.frames);
    CHECK(stats.total_ms >= stats.invoke_ms);
    edgeattn_memory_stats mem;
    size_t buffers = 0;
    REQUIRE(edgeattn_image_runner_memory(r, &mem, &buffers) == EDGEATTN_OK);
    CHECK(mem.arena_bytes == (*cpp)->memory().session.arena_bytes);
    CHECK(buffers == (*cpp)->memory().buffer_bytes);

    edgeattn_image_class best[8];
    size_t n = 0;
    if (c.classifier()) {
      REQUIRE(edgeattn_image_runner_top_k(r, 5, 0, best, 8, &n) == EDGEATTN_OK);
      REQUIRE(n == 5);
      for (size_t k = 0; k < n; ++k) {
        CHECK(best[k].index == c.top[k]);
        CHECK(std::string(best[k].label) == labels[static_cast<size_t>(best[k].index)]);
        CHECK(std::string(edgeattn_image_runner_label(r, static_cast<size_t>(best[k].index))) == best[k].label);
        CHECK(std::fabs(best[k].probability - c.probabilities[static_cast<size_t>(best[k].index)]) <= 1e-5);
      }
      REQUIRE(edgeattn_image_runner_top_k(r, 5, 0, best, 2, &n) == EDGEATTN_OK);  // capacity bounds it
      CHECK(n == 2);
      CHECK(edgeattn_image_runner_label(r, labels.size()) == nullptr);
    } else {
      CHECK(edgeattn_image_runner_top_k(r, 5, 0, best, 8, &n) == EDGEATTN_INVALID_MODEL);
      CHECK(n == 0);
      CHECK(error_has("not class scores"));
      CHECK(edgeattn_image_runner_label(r, 0) == nullptr);
    }
    edgeattn_image_runner_destroy(r);
    edgeattn_model_destroy(model);
  }
}

TEST_CASE("C API image runner: bad images, counts, handles and calls") {
  const VisionCase& cls = testing::vision_case("stretch_imagenet");
  const VisionCase& clip = testing::vision_case("clip_gray_letterbox");
  edgeattn_model* model = c_model(cls);
  edgeattn_model* clip_model = c_model(clip);
  edgeattn_image_runner* r = nullptr;
  CHECK(edgeattn_image_runner_create(nullptr, nullptr, &r) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(r == nullptr);
  CHECK(edgeattn_image_runner_create(model, nullptr, nullptr) == EDGEATTN_INVALID_ARGUMENT);
  edgeattn_image_runner_options o = edgeattn_image_runner_options_default();
  CHECK(o.threads == 1);
  CHECK(o.max_batch == 1);
  CHECK(o.softmax == 1);
  CHECK(o.method == nullptr);
  o.max_batch = 0;
  CHECK(edgeattn_image_runner_create(model, &o, &r) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(error_has("max_batch 0"));
  CHECK(r == nullptr);
  o = edgeattn_image_runner_options_default();
  o.method = "nope";
  CHECK(edgeattn_image_runner_create(model, &o, &r) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(error_has("no method 'nope'"));
  o = edgeattn_image_runner_options_default();
  o.max_batch = 2;
  REQUIRE(edgeattn_image_runner_create(model, &o, &r) == EDGEATTN_OK);

  const Rgb8Image photo = testing::load_rgb8(testing::vision_fixture("photo.png"));
  REQUIRE(photo.ok());
  const uint8_t px[3] = {0, 0, 0};
  CHECK(edgeattn_image_runner_run(r, nullptr, 4, 4, 12) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(error_has("empty image (4 x 4)"));
  CHECK(edgeattn_image_runner_run(r, px, 0, 0, 0) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(edgeattn_image_runner_run(r, px, 20000, 1, 60000) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(error_has("20000 x 1 pixels, larger than the 16384"));
  CHECK(edgeattn_image_runner_run(r, px, 4, 1, 3) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(error_has("stride 3 below 3 x width 4"));
  CHECK(edgeattn_image_runner_output_count(r) == 0);
  edgeattn_image_class best[5];
  size_t n = 7;
  CHECK(edgeattn_image_runner_top_k(r, 5, 0, best, 5, &n) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(n == 0);
  CHECK(error_has("no successful run"));
  const edgeattn_image two[2] = {c_image(photo), c_image(photo)};
  REQUIRE(edgeattn_image_runner_run_batch(r, two, 2) == EDGEATTN_OK);
  edgeattn_tensor t;
  REQUIRE(edgeattn_image_runner_output(r, 0, &t) == EDGEATTN_OK);
  CHECK(t.shape[0] == 2);
  CHECK(edgeattn_image_runner_top_k(r, 5, 1, best, 5, &n) == EDGEATTN_OK);
  CHECK(edgeattn_image_runner_top_k(r, 5, 2, best, 5, &n) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(edgeattn_image_runner_top_k(r, 0, 0, best, 5, &n) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(edgeattn_image_runner_top_k(r, 5, 0, nullptr, 5, &n) == EDGEATTN_INVALID_ARGUMENT);
  const edgeattn_image three[3] = {c_image(photo), c_image(photo), c_image(photo)};
  CHECK(edgeattn_image_runner_run_batch(r, three, 3) == EDGEATTN_INVALID_ARGUMENT);  // over max_batch
  CHECK(error_has("3 images given, the runner takes 1 to max_batch 2"));
  CHECK(edgeattn_image_runner_run_batch(r, nullptr, 1) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(edgeattn_image_runner_run_batch(r, two, 1000) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(error_has("1000 images, at most 256"));
  CHECK(edgeattn_image_runner_output_count(r) == 0);  // the failed run left no outputs

  edgeattn_image_runner* c = nullptr;
  REQUIRE(edgeattn_image_runner_create(clip_model, nullptr, &c) == EDGEATTN_OK);
  const edgeattn_image one = c_image(photo);
  CHECK(edgeattn_image_runner_run(c, one.rgb, one.width, one.height, one.stride) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(error_has("clips of 3 frames"));
  CHECK(edgeattn_image_runner_run_clip(c, two, 2) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(error_has("2 frames given, the model takes clips of exactly 3"));
  const edgeattn_image bad[3] = {c_image(photo), edgeattn_image{px, 1, 0, 3}, c_image(photo)};
  CHECK(edgeattn_image_runner_run_clip(c, bad, 3) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(error_has("frame 1: image: empty image (1 x 0)"));

  // NULL handles.
  CHECK(edgeattn_image_runner_run(nullptr, px, 1, 1, 3) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(edgeattn_image_runner_run_clip(nullptr, two, 2) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(edgeattn_image_runner_output_count(nullptr) == 0);
  CHECK(edgeattn_image_runner_output(nullptr, 0, &t) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(edgeattn_image_runner_label(nullptr, 0) == nullptr);
  edgeattn_image_info info;
  CHECK(edgeattn_image_runner_info(nullptr, &info) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(edgeattn_image_runner_last_stats(r, nullptr) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(edgeattn_image_runner_memory(nullptr, nullptr, nullptr) == EDGEATTN_INVALID_ARGUMENT);
  edgeattn_image_runner_destroy(nullptr);
  edgeattn_image_runner_destroy(c);
  edgeattn_image_runner_destroy(r);
  edgeattn_model_destroy(clip_model);
  edgeattn_model_destroy(model);
}

}  // namespace
}  // namespace edgeattn
