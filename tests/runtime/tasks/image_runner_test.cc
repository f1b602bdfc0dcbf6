// ImageRunner (runtime/tasks/image_runner.h) on the tiny ONNX models of
// tests/fixtures/vision, converted here with the converter library:
//   - preprocess_frame() against numpy's tensor from the definition
//     (tests/reference/make_vision_fixtures.py): stretch, letterbox with
//     BGR, center crop, an image of the frame's size, three gray frames;
//   - the runner's outputs against onnxruntime's on that tensor, top_k
//     against the softmax numpy computed, at 1 and 2 threads;
//   - run_batch rows equal single runs; ModelInfo of a converted model;
//   - every bad input and option: a Status naming the problem.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "runtime/tasks/image/preprocess.h"
#include "runtime/tasks/image_runner.h"
#include "tests/support/model_paths.h"
#include "tests/support/vision_fixtures.h"

namespace edgeattn {
namespace {

using testing::Rgb8Image;
using testing::VisionCase;

ocr::ImageView view(const Rgb8Image& img) {
  return ocr::ImageView{img.pixels.data(), img.width, img.height, 3 * static_cast<size_t>(img.width)};
}

std::vector<ocr::ImageView> views(const std::vector<Rgb8Image>& images) {
  std::vector<ocr::ImageView> out;
  for (const Rgb8Image& i : images) out.push_back(view(i));
  return out;
}

bool contains(const Status& s, const char* text) { return std::string(s.message()).find(text) != std::string::npos; }

std::unique_ptr<ImageRunner> runner(const VisionCase& c, const ImageRunnerOptions& o = {}) {
  auto r = ImageRunner::create(testing::vision_model(c), o);
  REQUIRE_MESSAGE(r.is_ok(), std::string(r.status().message()));
  return std::move(r).value();
}

Status run_case(ImageRunner& r, const VisionCase& c, const std::vector<Rgb8Image>& images) {
  const std::vector<ocr::ImageView> v = views(images);
  if (c.frames == 1) return r.run(v[0]);
  return r.run_clip(Span<const ocr::ImageView>(v.data(), v.size()));
}

TEST_CASE("preprocess_frame: every case's tensor equals numpy's from the definition") {
  for (const VisionCase& c : testing::vision_cases()) {
    CAPTURE(c.name);
    const ImageInfo& info = testing::vision_model(c).info().image;
    const image::PreprocessSpec spec = image::spec_of(info);
    const size_t pixel = static_cast<size_t>(c.frames * c.channels);
    std::vector<float> tensor(static_cast<size_t>(c.height * c.width) * pixel, -99.f);
    std::vector<image::ColumnTap> taps(static_cast<size_t>(c.width));
    const std::vector<Rgb8Image> images = testing::vision_images(c);
    for (size_t t = 0; t < images.size(); ++t) {
      const Status s = image::preprocess_frame(view(images[t]), spec, Span<image::ColumnTap>(taps.data(), taps.size()),
                                               tensor.data() + t * static_cast<size_t>(c.channels), pixel);
      REQUIRE_MESSAGE(s.is_ok(), s.message());
    }
    REQUIRE(tensor.size() == c.input.size());
    double worst = 0;
    for (size_t i = 0; i < tensor.size(); ++i) worst = std::max(worst, std::fabs(tensor[i] - c.input[i]));
    MESSAGE(c.name << ": max |preprocess - numpy| = " << worst);
    CHECK(worst <= 1e-5);
    if (c.name == "exact_size") {
      // The frame's own size (letterbox scale 1, mean 0, std 1): p / 255 exactly.
      const Rgb8Image& img = images[0];
      for (size_t i = 0; i < tensor.size(); ++i) REQUIRE(tensor[i] == static_cast<float>(img.pixels[i]) / 255.f);
    }
  }
}

TEST_CASE("ImageRunner: outputs equal onnxruntime's, top_k equals numpy's softmax, at 1 and 2 threads") {
  const std::vector<std::string> labels = testing::vision_labels();
  for (const VisionCase& c : testing::vision_cases()) {
    for (int threads : {1, 2}) {
      CAPTURE(c.name);
      CAPTURE(threads);
      ImageRunnerOptions o;
      o.threads = threads;
      std::unique_ptr<ImageRunner> r = runner(c, o);
      const std::vector<Rgb8Image> images = testing::vision_images(c);
      const Status s = run_case(*r, c, images);
      REQUIRE_MESSAGE(s.is_ok(), s.message());
      REQUIRE(r->outputs().size() == 1);
      const TensorView& out = r->outputs()[0];
      if (c.classifier()) {
        REQUIRE(out.rank == 2);
        CHECK(out.dim(0) == 1);
        CHECK(out.dim(1) == c.output_shape[1]);
      } else {  // ONNX's [1, 1, h, w] map is NHWC [1, h, w, 1] here: the same elements
        REQUIRE(out.rank == 4);
        CHECK(out.dim(1) == c.output_shape[2]);
        CHECK(out.dim(2) == c.output_shape[3]);
        CHECK(out.dim(3) == 1);
      }
      REQUIRE(static_cast<size_t>(out.element_count()) == c.output.size());
      double worst = 0;
      for (size_t i = 0; i < c.output.size(); ++i) worst = std::max(worst, std::fabs(out.f32()[i] - c.output[i]));
      MESSAGE(c.name << " x" << threads << ": max |output - onnxruntime| = " << worst);
      CHECK(worst <= 1e-4);
      CHECK(r->stats().images == c.frames);
      if (!c.classifier()) continue;
      Result<Span<const ImageClass>> top = r->top_k(5);
      REQUIRE_MESSAGE(top.is_ok(), top.status().message());
      REQUIRE(top->size() == 5);
      for (size_t k = 0; k < 5; ++k) {
        const ImageClass& ic = (*top)[k];
        CHECK(ic.index == c.top[k]);
        CHECK(std::fabs(ic.probability - c.probabilities[static_cast<size_t>(ic.index)]) <= 1e-5);
        CHECK(ic.label == labels[static_cast<size_t>(ic.index)]);
        CHECK(std::fabs(ic.score - c.output[static_cast<size_t>(ic.index)]) <= 1e-4);
      }
      Result<Span<const ImageClass>> two = r->top_k(2);
      REQUIRE(two.is_ok());
      REQUIRE(two->size() == 2);
      CHECK((*two)[0].index == c.top[0]);
      CHECK((*two)[1].index == c.top[1]);
      Result<Span<const ImageClass>> many = r->top_k(100);
      REQUIRE(many.is_ok());
      CHECK(many->size() == 5);
    }
  }
}

TEST_CASE("ImageRunner: softmax = false returns the scores themselves as probabilities") {
  const VisionCase& c = testing::vision_case("stretch_imagenet");
  ImageRunnerOptions o;
  o.softmax = false;
  std::unique_ptr<ImageRunner> r = runner(c, o);
  REQUIRE(run_case(*r, c, testing::vision_images(c)).is_ok());
  Result<Span<const ImageClass>> top = r->top_k(5);
  REQUIRE(top.is_ok());
  for (const ImageClass& ic : *top) CHECK(ic.probability == ic.score);
  // The order of the scores is the order of the probabilities.
  for (size_t k = 0; k < 5; ++k) CHECK((*top)[k].index == c.top[k]);
}

TEST_CASE("ImageRunner: run_batch rows equal single runs") {
  const VisionCase& c = testing::vision_case("center_crop");
  ImageRunnerOptions o;
  o.max_batch = 3;
  std::unique_ptr<ImageRunner> batched = runner(c, o);
  std::unique_ptr<ImageRunner> single = runner(c);
  const std::vector<Rgb8Image> images = {testing::load_rgb8(testing::vision_fixture("photo.png")),
                                         testing::load_rgb8(testing::vision_fixture("wide.png")),
                                         testing::load_rgb8(testing::vision_fixture("frame2.png"))};
  const std::vector<ocr::ImageView> v = views(images);
  const Status s = batched->run_batch(Span<const ocr::ImageView>(v.data(), v.size()));
  REQUIRE_MESSAGE(s.is_ok(), s.message());
  const TensorView rows = batched->outputs()[0];
  REQUIRE(rows.dim(0) == 3);
  for (int b = 0; b < 3; ++b) {
    CAPTURE(b);
    REQUIRE(single->run(v[static_cast<size_t>(b)]).is_ok());
    const TensorView one = single->outputs()[0];
    for (int64_t i = 0; i < one.dim(1); ++i) CHECK(std::fabs(rows.f32()[b * one.dim(1) + i] - one.f32()[i]) <= 1e-5);
    Result<Span<const ImageClass>> a = batched->top_k(1, b);
    Result<Span<const ImageClass>> e = single->top_k(1);
    REQUIRE(a.is_ok());
    REQUIRE(e.is_ok());
    CHECK((*a)[0].index == (*e)[0].index);
  }
  CHECK(batched->top_k(1, 3).status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("ImageRunner: ModelInfo of a converted image model") {
  const VisionCase& c = testing::vision_case("letterbox_bgr");
  const ModelInfo& info = testing::vision_model(c).info();
  CHECK(info.architecture == Architecture::kImportedGraph);
  CHECK(std::string(architecture_name(info.architecture)) == "ImportedGraph");
  CHECK(info.task == Task::kImage);
  CHECK(std::string(task_name(info.task)) == "image");
  const ImageInfo& im = info.image;
  CHECK(im.present);
  CHECK(im.height == 16);
  CHECK(im.width == 20);
  CHECK(im.channels == 3);
  CHECK(im.frames == 1);
  CHECK(im.bgr);
  CHECK(im.resize == ImageResize::kLetterbox);
  REQUIRE(im.mean.size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    CHECK(im.mean[i] == c.mean[i]);
    CHECK(im.std[i] == c.std[i]);
  }
  const std::vector<std::string> labels = testing::vision_labels();
  REQUIRE(im.labels.size() == labels.size());
  for (size_t i = 0; i < labels.size(); ++i) CHECK(im.labels[i] == labels[i]);
  const ImageInfo& clip = testing::vision_model(testing::vision_case("clip_gray_letterbox")).info().image;
  CHECK(clip.channels == 1);
  CHECK(clip.frames == 3);
  CHECK(clip.labels.empty());
}

TEST_CASE("ImageRunner: bad images, frame counts and calls give a Status naming the problem") {
  const VisionCase& cls = testing::vision_case("stretch_imagenet");
  const VisionCase& clip = testing::vision_case("clip_gray_letterbox");
  std::unique_ptr<ImageRunner> r = runner(cls);
  const Rgb8Image photo = testing::load_rgb8(testing::vision_fixture("photo.png"));
  // Before any run.
  CHECK(r->outputs().empty());
  CHECK(r->top_k(5).status().code() == StatusCode::kInvalidArgument);
  CHECK(contains(r->top_k(5).status(), "no successful run"));

  const uint8_t px[3] = {1, 2, 3};
  struct Case {
    ocr::ImageView image;
    const char* message;
  } cases[] = {
      {ocr::ImageView{nullptr, 4, 4, 12}, "empty image (4 x 4)"},
      {ocr::ImageView{px, 0, 0, 0}, "empty image (0 x 0)"},
      {ocr::ImageView{px, 1, 0, 3}, "empty image (1 x 0)"},
      {ocr::ImageView{px, 16385, 1, 3 * 16385}, "16385 x 1 pixels, larger than the 16384"},
      {ocr::ImageView{px, 1, 20000, 3}, "1 x 20000 pixels"},
      {ocr::ImageView{px, 4, 1, 11}, "stride 11 below 3 x width 4"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.message);
    const Status s = r->run(c.image);
    CHECK(s.code() == StatusCode::kInvalidArgument);
    CHECK_MESSAGE(contains(s, c.message), s.message());
    CHECK(r->outputs().empty());
  }
  REQUIRE(r->run(view(photo)).is_ok());
  CHECK(r->outputs().size() == 1);
  CHECK(r->top_k(0).status().code() == StatusCode::kInvalidArgument);
  CHECK(r->top_k(1, -1).status().code() == StatusCode::kInvalidArgument);
  // A failed run leaves no outputs behind.
  CHECK(!r->run(ocr::ImageView{nullptr, 1, 1, 3}).is_ok());
  CHECK(r->outputs().empty());
  CHECK(r->top_k(1).status().code() == StatusCode::kInvalidArgument);
  // One frame given to a one-frame model through run_clip is fine; two are not.
  const ocr::ImageView two[2] = {view(photo), view(photo)};
  CHECK(r->run_clip(Span<const ocr::ImageView>(two, 1)).is_ok());
  const Status s2 = r->run_clip(Span<const ocr::ImageView>(two, 2));
  CHECK(s2.code() == StatusCode::kInvalidArgument);
  CHECK_MESSAGE(contains(s2, "2 frames given, the model takes clips of exactly 1"), s2.message());
  const Status b2 = r->run_batch(Span<const ocr::ImageView>(two, 2));
  CHECK_MESSAGE(contains(b2, "2 images given, the runner takes 1 to max_batch 1"), b2.message());

  std::unique_ptr<ImageRunner> c = runner(clip);
  const Status one = c->run(view(photo));
  CHECK(one.code() == StatusCode::kInvalidArgument);
  CHECK_MESSAGE(contains(one, "clips of 3 frames: use run_clip"), one.message());
  const Status wrong = c->run_clip(Span<const ocr::ImageView>(two, 2));
  CHECK_MESSAGE(contains(wrong, "2 frames given, the model takes clips of exactly 3"), wrong.message());
  const ocr::ImageView bad_frame[3] = {view(photo), ocr::ImageView{px, 0, 5, 0}, view(photo)};
  const Status bf = c->run_clip(Span<const ocr::ImageView>(bad_frame, 3));
  CHECK_MESSAGE(contains(bf, "frame 1: image: empty image (0 x 5)"), bf.message());
  const ocr::ImageView frames[3] = {view(photo), view(photo), view(photo)};
  REQUIRE(c->run_clip(Span<const ocr::ImageView>(frames, 3)).is_ok());
  const Status map = c->top_k(3).status();
  CHECK(map.code() == StatusCode::kInvalidModel);
  CHECK_MESSAGE(contains(map, "the first output is [1, 12, 14, 1], not class scores"), map.message());
}

TEST_CASE("ImageRunner::create: models without image metadata, unknown methods, bad options") {
  const VisionCase& c = testing::vision_case("stretch_imagenet");
  // The classifier converted with only --image-height / --image-width: no Model.image.
  convert::ConvertOptions plain;
  plain.input = testing::vision_fixture(c.model);
  plain.output = testing::temp_dir("image_runner_plain") + "/plain.eatn";
  plain.onnx.all.height = 16;
  plain.onnx.all.width = 20;
  const convert::ConvertStatus st = convert::convert(plain, nullptr);
  REQUIRE_MESSAGE(st.ok(), st.message);
  auto model = Model::load_file(plain.output.c_str());
  REQUIRE(model.is_ok());
  CHECK(!(*model)->info().image.present);
  CHECK((*model)->info().task == Task::kUnknown);
  auto none = ImageRunner::create(**model, {});
  CHECK(none.status().code() == StatusCode::kInvalidArgument);
  CHECK(contains(none.status(), "not an image model"));

  ImageRunnerOptions o;
  o.method = "decode";
  auto missing = ImageRunner::create(testing::vision_model(c), o);
  CHECK(missing.status().code() == StatusCode::kInvalidArgument);
  CHECK(contains(missing.status(), "no method 'decode'"));
  o = ImageRunnerOptions();
  o.max_batch = 0;
  CHECK(contains(ImageRunner::create(testing::vision_model(c), o).status(), "max_batch 0 not in [1, 256]"));
  o = ImageRunnerOptions();
  o.kernels = "no-such-table";
  CHECK(ImageRunner::create(testing::vision_model(c), o).status().code() == StatusCode::kInvalidArgument);
  o = ImageRunnerOptions();
  o.method = "forward";
  std::unique_ptr<ImageRunner> r = runner(c, o);
  CHECK(r->memory().buffer_bytes >= static_cast<size_t>(16 * 20 * 3) * sizeof(float));
  CHECK(r->memory().session.arena_bytes > 0);
  CHECK(std::string(r->session().method()) == "forward");
}

}  // namespace
}  // namespace edgeattn
