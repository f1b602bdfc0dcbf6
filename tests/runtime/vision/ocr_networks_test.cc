// RapidOCR's three PP-OCR networks (ONNX) converted by edgeattn-convert's
// library and run by the runtime, against onnxruntime's outputs on the same
// input tensors (tests/fixtures/ocr/onnx_reference.json, written by
// tests/reference/make_ocr_fixtures.py): issue #16 item 1.
//
// Tolerance: max |diff| <= 1e-4 on every stored value (the bound).
// The outputs are probabilities in [0, 1] (softmax / sigmoid), and fp32
// networks of this depth (~60 convolutions, two transformer blocks) differ
// from another fp32 implementation by ~1e-6 in summation order, far below it.
// The recognizer's per-frame argmax must agree on every frame (the decoded
// text then equals onnxruntime's), except where onnxruntime's own top-2
// margin is under 1e-4 (none in the fixture).
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "runtime/model.h"
#include "runtime/session.h"
#include "tests/support/image_file.h"
#include "tests/support/model_gate.h"
#include "tests/support/models.h"

namespace edgeattn {
namespace {

using testing::load_rgb8;
using testing::ocr_input;

EDGEATTN_TEST_MODELS(kRapidOcr);

const std::string kFixtureDir = std::string(EDGEATTN_SOURCE_DIR) + "/tests/fixtures/ocr/";

const nlohmann::json& fixture() {
  static const nlohmann::json j = [] {
    std::ifstream in(kFixtureDir + "onnx_reference.json");
    REQUIRE_MESSAGE(in, "cannot open " << kFixtureDir << "onnx_reference.json");
    return nlohmann::json::parse(in);
  }();
  return j;
}

testing::Rgb8Image image_of(const nlohmann::json& c) {
  testing::Rgb8Image img = load_rgb8(kFixtureDir + c["image"].get<std::string>());
  REQUIRE_MESSAGE(img.ok(), img.error);
  return img;
}

std::unique_ptr<Session> open(const Model& model, const char* method, int max_h, int max_w, int threads = 1) {
  SessionOptions o;
  o.method = method;
  o.max_image_height = max_h;
  o.max_image_width = max_w;
  o.threads = threads;
  Result<std::unique_ptr<Session>> s = Session::create(model, o);
  REQUIRE_MESSAGE(s.is_ok(), s.status().message());
  return std::move(*s);
}

TensorView run(Session& s, const std::vector<float>& x, int height, int width) {
  const float* inputs[] = {x.data()};
  InvokeInput in;
  in.float_inputs = Span<const float* const>(inputs, 1);
  in.image_height = height;
  in.image_width = width;
  Status st = s.invoke(in);
  REQUIRE_MESSAGE(st.is_ok(), st.message());
  return s.output(0);
}

TEST_CASE("recognizer (PP-OCRv4 rec, SVTR) equals onnxruntime at several widths") {
  const Model& model = testing::rapidocr("fp32");
  std::unique_ptr<Session> s = open(model, "rec", 48, 480);
  for (const nlohmann::json& c : fixture()["rec"]) {
    CAPTURE(c["name"].get<std::string>());
    const testing::Rgb8Image img = image_of(c);
    REQUIRE(img.height == 48);
    const TensorView y = run(*s, ocr_input(img), img.height, img.width);  // [1, W/8, 6625]
    const int frames = c["shape"][0], classes = c["shape"][1];
    REQUIRE(y.rank == 3);
    REQUIRE(y.dim(1) == frames);
    REQUIRE(y.dim(2) == classes);
    const float* p = y.f32();
    double max_diff = 0.0;
    const auto& pos = c["positions"];
    for (size_t i = 0; i < pos.size(); ++i) {
      const double v = p[pos[i][0].get<int>() * classes + pos[i][1].get<int>()];
      max_diff = std::max(max_diff, std::fabs(v - c["values"][i].get<double>()));
    }
    for (int f = 0; f < frames; ++f) {
      const float* row = p + f * classes;
      const int best = static_cast<int>(std::max_element(row, row + classes) - row);
      CHECK_MESSAGE(best == c["argmax"][f].get<int>(), "frame " << f);
      max_diff = std::max(max_diff, std::fabs(row[best] - c["max"][f].get<double>()));
    }
    double sum = 0.0;
    for (int64_t i = 0; i < y.element_count(); ++i) sum += p[i];
    MESSAGE(c["name"].get<std::string>() << ": max |diff| " << max_diff << " over " << pos.size() + frames
                                         << " values; sum " << sum << " (onnxruntime " << c["sum"].get<double>() << ")");
    CHECK(max_diff <= 1e-4);
    CHECK(std::fabs(sum - c["sum"].get<double>()) <= 1e-3);
  }
}

TEST_CASE("angle classifier (PP-OCR v2.0 cls) equals onnxruntime") {
  const Model& model = testing::rapidocr("fp32");
  std::unique_ptr<Session> s = open(model, "cls", 48, 192);
  for (const nlohmann::json& c : fixture()["cls"]) {
    CAPTURE(c["name"].get<std::string>());
    const testing::Rgb8Image img = image_of(c);
    const TensorView y = run(*s, ocr_input(img), img.height, img.width);  // [1, 2]
    REQUIRE(y.element_count() == 2);
    for (int i = 0; i < 2; ++i) CHECK(std::fabs(y.f32()[i] - c["values"][i].get<double>()) <= 1e-4);
    CHECK((y.f32()[1] > 0.9f) == c["flipped"].get<bool>());
  }
}

// One session planned for the largest page runs every smaller size.
TEST_CASE("detector (PP-OCRv4 det, DB) equals onnxruntime at several sizes, one session") {
  const Model& model = testing::rapidocr("fp32");
  for (int threads : {1, 2}) {
    CAPTURE(threads);
    std::unique_ptr<Session> s = open(model, "det", 224, 320, threads);
    for (const nlohmann::json& c : fixture()["det"]) {
      CAPTURE(c["name"].get<std::string>());
      const testing::Rgb8Image img = image_of(c);
      const TensorView y = run(*s, ocr_input(img), img.height, img.width);  // [1, H, W, 1]
      REQUIRE(y.element_count() == static_cast<int64_t>(img.height) * img.width);
      const float* p = y.f32();
      double max_diff = 0.0;
      const auto& pos = c["positions"];
      for (size_t i = 0; i < pos.size(); ++i) {
        const double v = p[pos[i][0].get<int>() * img.width + pos[i][1].get<int>()];
        max_diff = std::max(max_diff, std::fabs(v - c["values"][i].get<double>()));
      }
      double sum = 0.0;
      int64_t above = 0;
      for (int64_t i = 0; i < y.element_count(); ++i) {
        sum += p[i];
        above += p[i] > 0.3f;
      }
      MESSAGE(c["name"].get<std::string>() << ": max |diff| " << max_diff << " over " << pos.size()
                                           << " values; sum " << sum << " (onnxruntime " << c["sum"].get<double>()
                                           << "); > 0.3: " << above << " (" << c["above_0_3"].get<int64_t>() << ")");
      CHECK(max_diff <= 1e-4);
      CHECK(std::fabs(sum - c["sum"].get<double>()) <= 1e-2);
      CHECK(std::llabs(above - c["above_0_3"].get<int64_t>()) <= 2);
    }
  }
}

}  // namespace
}  // namespace edgeattn
