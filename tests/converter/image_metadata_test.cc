// The image model options of the converter (converter/image_metadata.h,
// convert()'s ConvertOptions::image): the labels file's rules, the option
// checks made before anything is read, the checks against the imported
// graph (kInvalidOptions: edgeattn-convert exits 2), and what a converted
// tiny ONNX model of tests/fixtures/vision stores, read back by the runtime.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "converter/convert.h"
#include "converter/image_metadata.h"
#include "runtime/model.h"
#include "tests/support/model_paths.h"

namespace edgeattn {
namespace {

using convert::ConvertCode;
using convert::ConvertOptions;
using convert::ConvertStatus;

const std::string kVision = std::string(EDGEATTN_SOURCE_DIR) + "/tests/fixtures/vision/";

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string write_file(const std::string& name, const std::string& bytes) {
  const std::string path = testing::temp_dir("image_metadata_" + name) + "/" + name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

// The tiny classifier (RGB, symbolic size, 5 classes) with valid image options.
ConvertOptions classifier(const std::string& dir) {
  ConvertOptions o;
  o.input = kVision + "tiny_classifier.onnx";
  o.output = testing::temp_dir(dir) + "/model.eatn";
  o.image.requested = true;
  o.image.height = 16;
  o.image.width = 20;
  o.image.labels_file = kVision + "labels.txt";
  return o;
}

// The tiny clip model: [1, 3, 12, 14] fixed, a map output.
ConvertOptions clip(const std::string& dir) {
  ConvertOptions o;
  o.input = kVision + "tiny_clip.onnx";
  o.output = testing::temp_dir(dir) + "/model.eatn";
  o.image.requested = true;
  o.image.frames = 3;
  return o;
}

std::unique_ptr<Model> load(const std::string& path) {
  Result<std::unique_ptr<Model>> m = Model::load_file(path.c_str());
  REQUIRE_MESSAGE(m.is_ok(), m.status().message());
  return std::move(m).value();
}

TEST_CASE("labels: one per line, UTF-8, BOM and CRLF accepted, every fault named with its line") {
  std::vector<std::string> labels;
  CHECK(convert::parse_labels("cat\ndog\n", &labels).empty());
  CHECK(labels == std::vector<std::string>{"cat", "dog"});
  CHECK(convert::parse_labels("\xEF\xBB\xBF" "caf\xC3\xA9\r\nfire truck", &labels).empty());
  CHECK(labels == std::vector<std::string>{"caf\xC3\xA9", "fire truck"});
  struct Case {
    std::string bytes;
    const char* message;
  } bad[] = {
      {"", "the file has no labels"},
      {"\n", "line 1 is empty"},
      {"cat\n\ndog\n", "line 2 is empty"},
      {"cat\r\n\r\n", "line 2 is empty"},
      {"a\n\xC0\x80\n", "line 2 is not valid UTF-8"},          // overlong
      {"\xED\xA0\x80\n", "line 1 is not valid UTF-8"},         // a surrogate
      {"ok\n\xE2\x82\n", "line 2 is not valid UTF-8"},         // truncated
      {"\xF4\x90\x80\x80", "line 1 is not valid UTF-8"},       // above U+10FFFF
      {std::string("a\0b", 3), "line 1 is not valid UTF-8"},   // a NUL
      {"x\n" + std::string(1025, 'y') + "\n", "line 2 has 1025 bytes, at most 1024"},
  };
  for (const Case& c : bad) {
    CAPTURE(c.message);
    const std::string e = convert::parse_labels(c.bytes, &labels);
    CHECK_MESSAGE(has(e, c.message), e);
    CHECK(e.find('\n') == std::string::npos);
  }
  std::string many;
  for (size_t i = 0; i <= convert::kMaxLabels; ++i) many += "l\n";
  CHECK(has(convert::parse_labels(many, &labels), "more than 100000 labels"));
  CHECK(convert::parse_labels(std::string(1024, 'z'), &labels).empty());
}

TEST_CASE("image options: values are checked before anything is read") {
  convert::ImageMetadata meta;
  convert::ImageMetadataOptions ok;
  ok.requested = true;
  CHECK(convert::prepare_image_metadata(ok, &meta).empty());
  struct Case {
    const char* what;
    void (*mutate)(convert::ImageMetadataOptions&);
    const char* message;
  } cases[] = {
      {"size 0", [](convert::ImageMetadataOptions& o) { o.height = 0; o.width = 5; }, "--image-size 0x5"},
      {"size 9000", [](convert::ImageMetadataOptions& o) { o.height = o.width = 9000; }, "in [1, 8192]"},
      {"channels 2", [](convert::ImageMetadataOptions& o) { o.channels = 2; }, "--image-channels must be 1 or 3"},
      {"frames 0", [](convert::ImageMetadataOptions& o) { o.frames = 0; }, "--image-frames must be in [1, 64]"},
      {"frames 65", [](convert::ImageMetadataOptions& o) { o.frames = 65; }, "got 65"},
      {"gray bgr", [](convert::ImageMetadataOptions& o) { o.channels = 1; o.bgr = true; }, "--image-bgr needs 3"},
      {"resize", [](convert::ImageMetadataOptions& o) { o.resize = "crop"; }, "stretch, letterbox or center-crop"},
      {"4 means", [](convert::ImageMetadataOptions& o) { o.mean = {1, 2, 3, 4}; }, "--image-mean takes one value"},
      {"std 0", [](convert::ImageMetadataOptions& o) { o.std = {0.5f, 0.f, 0.5f}; },
       "--image-std values must be nonzero"},
      {"NaN mean", [](convert::ImageMetadataOptions& o) { o.mean = {std::nanf("")}; }, "must be finite"},
      {"no labels file", [](convert::ImageMetadataOptions& o) { o.labels_file = "/no/such/labels.txt"; },
       "--labels: /no/such/labels.txt: cannot open"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    convert::ImageMetadataOptions o = ok;
    c.mutate(o);
    const std::string e = convert::prepare_image_metadata(o, &meta);
    CHECK_MESSAGE(has(e, c.message), e);
    // Through convert(): kInvalidOptions, nothing written.
    ConvertOptions co = classifier("prepare");
    co.image = o;
    const ConvertStatus st = convert::convert(co, nullptr);
    CHECK(st.code == ConvertCode::kInvalidOptions);
    CHECK_MESSAGE(has(st.message, c.message), st.message);
  }
  fb::ImageResize r;
  CHECK(convert::parse_image_resize("center-crop", &r));
  CHECK(r == fb::ImageResize::CenterCrop);
  CHECK(!convert::parse_image_resize("Letterbox", &r));
}

TEST_CASE("image options: a classifier and a clip model store what was asked, defaults from the graph") {
  ConvertOptions o = classifier("stored_classifier");
  o.image.mean = {0.5f};  // one value: every channel
  o.image.resize = "letterbox";
  o.image.bgr = true;
  ConvertStatus st = convert::convert(o, nullptr);
  REQUIRE_MESSAGE(st.ok(), st.message);
  std::unique_ptr<Model> m = load(o.output);
  const ImageInfo& im = m->info().image;
  CHECK(m->info().task == Task::kImage);
  CHECK(im.height == 16);
  CHECK(im.width == 20);
  CHECK(im.channels == 3);  // the ONNX input's
  CHECK(im.frames == 1);
  REQUIRE(im.mean.size() == 3);
  REQUIRE(im.std.size() == 3);
  for (size_t c = 0; c < 3; ++c) {
    CHECK(im.mean[c] == 0.5f);
    CHECK(im.std[c] == 1.0f);  // not given: 1
  }
  CHECK(im.bgr);
  CHECK(im.resize == ImageResize::kLetterbox);
  REQUIRE(im.labels.size() == 5);
  CHECK(im.labels[2] == "cr\xC3\xA8me br\xC3\xBBl\xC3\xA9" "e");
  // --image-size fixed the ONNX input, as --image-height / --image-width do.
  const TensorInfo& in = m->info().methods[0].inputs[0];
  CHECK(in.dims[1].kind == DimKind::kFixed);
  CHECK(in.dims[1].value == 16);
  CHECK(in.dims[2].value == 20);

  ConvertOptions c = clip("stored_clip");
  c.image.mean = {0.25f};
  c.image.std = {0.5f};
  st = convert::convert(c, nullptr);
  REQUIRE_MESSAGE(st.ok(), st.message);
  std::unique_ptr<Model> cm = load(c.output);
  const ImageInfo& ci = cm->info().image;
  CHECK(ci.height == 12);  // the file's fixed size
  CHECK(ci.width == 14);
  CHECK(ci.channels == 1);  // 3 input channels / 3 frames
  CHECK(ci.frames == 3);
  REQUIRE(ci.mean.size() == 1);
  CHECK(ci.mean[0] == 0.25f);
  CHECK(ci.std[0] == 0.5f);
  CHECK(ci.resize == ImageResize::kStretch);
  CHECK(ci.labels.empty());

  // Without any image option there is no Model.image.
  ConvertOptions plain = classifier("stored_plain");
  plain.image = convert::ImageMetadataOptions();
  plain.onnx.all.height = 16;
  plain.onnx.all.width = 16;
  REQUIRE(convert::convert(plain, nullptr).ok());
  CHECK(!load(plain.output)->info().image.present);
}

TEST_CASE("image options that do not fit the imported graph: kInvalidOptions naming the option") {
  const std::string four = write_file("four.txt", "a\nb\nc\nd\n");
  struct Case {
    const char* what;
    ConvertOptions options;
    const char* message;
  };
  std::vector<Case> cases;
  ConvertOptions o = classifier("fit_labels");
  o.image.labels_file = four;
  cases.push_back({"4 labels, 5 classes", o, "--labels gives 4 labels, the first output of method 'forward' has 5"});
  o = clip("fit_map_labels");
  o.image.labels_file = four;
  cases.push_back({"labels on a map", o, "is not class scores [batch, n]"});
  o = classifier("fit_channels");
  o.image.channels = 1;
  cases.push_back({"gray on RGB", o, "input has 3 channels, --image-channels 1 x --image-frames 1 is 1"});
  o = classifier("fit_frames");
  o.image.frames = 2;
  cases.push_back({"2 frames of 3 channels", o, "2 frame(s) of 1 or 3 channels do not make it"});
  o = classifier("fit_size");
  o.image.height = o.image.width = 0;
  cases.push_back({"symbolic size", o, "the model input's height is not fixed: give --image-size HxW"});
  o = classifier("fit_disagree");
  o.onnx.all.height = 32;
  cases.push_back({"size vs --image-height", o, "--image-size 16x20 disagrees with --image-height"});
  o = clip("fit_means");
  o.image.mean = {0.1f, 0.2f, 0.3f};
  cases.push_back({"3 means, 1 channel", o, "--image-mean gives 3 values, the model has 1 channel per frame"});
  o = clip("fit_bgr");
  o.image.bgr = true;
  cases.push_back({"bgr on gray", o, "--image-bgr needs 3 channels per frame"});
  for (const Case& c : cases) {
    CAPTURE(c.what);
    const ConvertStatus st = convert::convert(c.options, nullptr);
    CHECK(st.code == ConvertCode::kInvalidOptions);
    CHECK_MESSAGE(has(st.message, c.message), st.message);
    CHECK(st.message.find('\n') == std::string::npos);
  }
  // A model that is not an imported image graph.
  convert::ModelBuilder mb;
  convert::ImageMetadata meta;
  meta.options.requested = true;
  CHECK(has(convert::apply_image_metadata(meta, mb), "describe an image model's input (an ONNX file)"));
}

}  // namespace
}  // namespace edgeattn
