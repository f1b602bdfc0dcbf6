// The five vision-attention models trained on Fashion-MNIST by
// tests/reference/vision/train_fashion.py (a DeiT-style ViT, CBAM, SKNet, a
// temporal-attention clip model, an Attention U-Net), converted from their
// ONNX exports and run on the test split, against torch's own outputs on
// the same images (tests/fixtures/vision/NAME.logits.f32 and friends,
// written by the training script): issue #17 item 2.
//
// Images: the first 500 of the split natively (CI time: ~4 s for 5 models
// x 3 dtypes), the first 100 under the sanitizers, 24 in fp32 only under
// qemu (quick mode);
// EDGEATTN_VISION_IMAGES=N runs the first N (10000: the whole split, for the
// closing notes: about 2 minutes). Bounds (the issue's):
//   fp32: max |logit diff| <= 1e-4; argmax agrees with torch on >= 99.9 %;
//         accuracy equal to torch's on the same images within 0.05 %.
//   fp16 / int8: accuracy within 0.5 % of fp32's on the whole split (1 % +
//   one image on the CI subsets: allowed_flips()).
//   U-Net: mean IoU (pred > 0 vs pixel >= 32) equal to torch's within 0.1 %.
// Every number is printed. fp32 agreement is expected near 1e-6: these are
// small networks (<= 12 layers of <= 128 channels) whose float sums differ
// from torch's only in order.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "runtime/model.h"
#include "runtime/session.h"
#include "tests/support/fashion_mnist.h"
#include "tests/support/model_gate.h"
#include "tests/support/model_paths.h"
#include "tests/support/models.h"

namespace edgeattn {
namespace {

EDGEATTN_TEST_MODELS(kFashionMnist);

using testing::FashionMnist;

const std::string kDir = std::string(EDGEATTN_SOURCE_DIR) + "/tests/fixtures/vision/";
constexpr int kClasses = 10;
constexpr int kBatch = 50;
constexpr int kFrames = 4;

size_t images_to_run(size_t available) {
  const char* env = std::getenv("EDGEATTN_VISION_IMAGES");
  const long n = env != nullptr ? std::strtol(env, nullptr, 10) : 0;
  const size_t want = n > 0 ? static_cast<size_t>(n) : testing::quick_mode() ? 24 : testing::subset_mode() ? 100 : 500;
  return std::min(available, want);
}

// The fp16 / int8 models too, except in quick mode (qemu) without an
// explicit EDGEATTN_VISION_IMAGES: ~90 ms per image there, fp32 alone keeps
// the CI stage under a minute; they run natively and under the sanitizers.
bool quantized_too() { return !testing::quick_mode() || std::getenv("EDGEATTN_VISION_IMAGES") != nullptr; }

template <typename T>
std::vector<T> read_array(const std::string& path, size_t count) {
  const std::vector<uint8_t> bytes = testing::read_bytes(path);
  REQUIRE_MESSAGE(bytes.size() == count * sizeof(T), path << ": " << bytes.size() << " bytes, want " << count * sizeof(T));
  std::vector<T> v(count);
  std::memcpy(v.data(), bytes.data(), bytes.size());
  return v;
}

nlohmann::json meta(const std::string& name) {
  std::ifstream in(kDir + name + ".json");
  REQUIRE_MESSAGE(in, "cannot open " << kDir << name << ".json");
  return nlohmann::json::parse(in);
}

std::unique_ptr<Session> open(const Model& model, int max_batch) {
  SessionOptions o;
  o.max_batch = max_batch;
  Result<std::unique_ptr<Session>> s = Session::create(model, o);
  REQUIRE_MESSAGE(s.is_ok(), std::string(s.status().message()));
  return std::move(*s);
}

// Runs `x` (batch rows of the model's input) and copies output 0.
std::vector<float> invoke(Session& s, const std::vector<float>& x, int batch) {
  const float* inputs[] = {x.data()};
  InvokeInput in;
  in.batch = batch;
  in.float_inputs = Span<const float* const>(inputs, 1);
  const Status st = s.invoke(in);
  REQUIRE_MESSAGE(st.is_ok(), std::string(st.message()));
  const TensorView y = s.output(0);
  return std::vector<float>(y.f32(), y.f32() + y.element_count());
}

// The 0.5 % on the whole split; on the CI subsets 1 % + 1 image, as
// a few images flipping either way move a small sample's accuracy by more
// than they move the split's (cbam_cnn int8: +3 images on the first 500,
// -4 on all 10,000 = 0.04 %).
double allowed_flips(size_t n) {
  const double frac = n == testing::fashion_mnist_test().count ? 0.005 : 0.01;
  return frac * static_cast<double>(n) + (frac > 0.005 ? 1.0 : 0.0) + 1e-6;
}

int argmax(const float* v) { return static_cast<int>(std::max_element(v, v + kClasses) - v); }

// The model's logits [n, 10] on the first n test images (classifiers) or clips.
std::vector<float> logits_of(const Model& model, bool clip, size_t n) {
  const FashionMnist& data = testing::fashion_mnist_test();
  std::vector<float> out;
  out.reserve(n * kClasses);
  if (!clip) {
    std::unique_ptr<Session> s = open(model, kBatch);
    for (size_t first = 0; first < n; first += kBatch) {
      const int b = static_cast<int>(std::min<size_t>(kBatch, n - first));
      const std::vector<float> y = invoke(*s, testing::fashion_input(data, first, static_cast<size_t>(b)), b);
      out.insert(out.end(), y.begin(), y.end());
    }
    return out;
  }
  // A clip [1, T, 28, 28] is the edgeattn input [1, 28, 28, T]: frame t is channel t.
  const std::vector<int32_t> clips = read_array<int32_t>(kDir + "temporal_clips_test.i32", data.count * (kFrames + 1));
  std::unique_ptr<Session> s = open(model, 1);
  std::vector<float> x(FashionMnist::kPixels * kFrames);
  for (size_t c = 0; c < n; ++c) {
    for (int t = 0; t < kFrames; ++t) {
      const std::vector<float> frame = testing::fashion_input(data, static_cast<size_t>(clips[c * (kFrames + 1) + t]), 1);
      for (int p = 0; p < FashionMnist::kPixels; ++p) x[static_cast<size_t>(p * kFrames + t)] = frame[static_cast<size_t>(p)];
    }
    const std::vector<float> y = invoke(*s, x, 1);
    out.insert(out.end(), y.begin(), y.end());
  }
  return out;
}

std::vector<int> labels_of(bool clip, size_t n) {
  const FashionMnist& data = testing::fashion_mnist_test();
  std::vector<int> labels(n);
  if (!clip) {
    for (size_t i = 0; i < n; ++i) labels[i] = data.labels[i];
    return labels;
  }
  const std::vector<int32_t> clips = read_array<int32_t>(kDir + "temporal_clips_test.i32", data.count * (kFrames + 1));
  for (size_t i = 0; i < n; ++i) labels[i] = clips[i * (kFrames + 1) + kFrames];
  return labels;
}

double accuracy(const std::vector<float>& logits, const std::vector<int>& labels) {
  size_t right = 0;
  for (size_t i = 0; i < labels.size(); ++i) right += argmax(&logits[i * kClasses]) == labels[i];
  return static_cast<double>(right) / static_cast<double>(labels.size());
}

void check_classifier(const std::string& name, bool clip) {
  const size_t n = images_to_run(testing::fashion_mnist_test().count);
  const std::vector<float> torch = read_array<float>(kDir + name + ".logits.f32", testing::fashion_mnist_test().count * kClasses);
  const std::vector<int> labels = labels_of(clip, n);
  const std::vector<float> fp32 = logits_of(testing::fashion_model(name, "fp32"), clip, n);
  double max_diff = 0;
  size_t agree = 0;
  for (size_t i = 0; i < n; ++i) {
    for (int k = 0; k < kClasses; ++k) {
      max_diff = std::max(max_diff, std::fabs(double(fp32[i * kClasses + k]) - torch[i * kClasses + k]));
    }
    agree += argmax(&fp32[i * kClasses]) == argmax(&torch[i * kClasses]);
  }
  const std::vector<float> torch_n(torch.begin(), torch.begin() + static_cast<long>(n * kClasses));
  const double acc = accuracy(fp32, labels), acc_torch = accuracy(torch_n, labels);
  MESSAGE(name << " on " << n << " " << std::string(clip ? "clips" : "images") << ": fp32 accuracy " << acc << " (torch "
               << acc_torch << "), max |logit diff| " << max_diff << ", argmax agreement " << double(agree) / n);
  CHECK(max_diff <= 1e-4);
  CHECK(double(agree) / n >= 0.999);
  CHECK(std::fabs(acc - acc_torch) <= 0.0005);
  // The fixture agrees with itself: torch's stored accuracy over the whole split.
  if (n == testing::fashion_mnist_test().count) CHECK(std::fabs(acc_torch - meta(name)["test_accuracy"].get<double>()) < 1e-9);
  for (const char* dtype : {"fp16", "int8"}) {
    if (!quantized_too()) break;
    const double q = accuracy(logits_of(testing::fashion_model(name, dtype), clip, n), labels);
    MESSAGE(name << " " << std::string(dtype) << " accuracy " << q << " (fp32 " << acc << ", diff " << q - acc << ")");
    CHECK(std::fabs(q - acc) * n <= allowed_flips(n));
  }
}

TEST_CASE("DeiT-style tiny ViT (patches, CLS token, 4 blocks) equals torch on Fashion-MNIST") {
  check_classifier("vit_tiny", false);
}

TEST_CASE("CBAM CNN (channel + spatial attention) equals torch on Fashion-MNIST") { check_classifier("cbam_cnn", false); }

TEST_CASE("SKNet CNN (branch attention) equals torch on Fashion-MNIST") { check_classifier("sk_cnn", false); }

TEST_CASE("Temporal attention over 4-frame clips equals torch on Fashion-MNIST clips") {
  check_classifier("temporal_clip", true);
}

// Mean IoU of masks (logit > 0) against the target (pixel >= 32), per image,
// 1 when both are empty.
double mean_iou(const std::vector<uint8_t>& pred, size_t n) {
  const FashionMnist& data = testing::fashion_mnist_test();
  double sum = 0;
  for (size_t i = 0; i < n; ++i) {
    size_t inter = 0, uni = 0;
    for (int p = 0; p < FashionMnist::kPixels; ++p) {
      const bool t = data.image(i)[p] >= 32, m = pred[i * FashionMnist::kPixels + static_cast<size_t>(p)] != 0;
      inter += t && m;
      uni += t || m;
    }
    sum += uni == 0 ? 1.0 : double(inter) / double(uni);
  }
  return sum / static_cast<double>(n);
}

std::vector<uint8_t> unet_masks(const Model& model, size_t n, std::vector<float>* first_logits) {
  const FashionMnist& data = testing::fashion_mnist_test();
  std::unique_ptr<Session> s = open(model, kBatch);
  std::vector<uint8_t> masks(n * FashionMnist::kPixels);
  for (size_t first = 0; first < n; first += kBatch) {
    const int b = static_cast<int>(std::min<size_t>(kBatch, n - first));
    const std::vector<float> y = invoke(*s, testing::fashion_input(data, first, static_cast<size_t>(b)), b);
    for (size_t i = 0; i < y.size(); ++i) masks[first * FashionMnist::kPixels + i] = y[i] > 0.0f;
    if (first_logits != nullptr && first == 0) first_logits->assign(y.begin(), y.end());
  }
  return masks;
}

TEST_CASE("Attention U-Net (attention gates on the skips) segments like torch on Fashion-MNIST") {
  const FashionMnist& data = testing::fashion_mnist_test();
  const size_t n = images_to_run(data.count);
  const std::vector<uint8_t> bits = testing::read_bytes(kDir + "attention_unet.mask.bits");
  REQUIRE(bits.size() == data.count * FashionMnist::kPixels / 8);
  std::vector<uint8_t> torch(n * FashionMnist::kPixels);
  for (size_t i = 0; i < torch.size(); ++i) torch[i] = (bits[i / 8] >> (7 - i % 8)) & 1;
  const std::vector<float> torch_logits = read_array<float>(kDir + "attention_unet.logits_first64.f32", 64 * FashionMnist::kPixels);
  std::vector<float> logits;
  const std::vector<uint8_t> fp32 = unet_masks(testing::fashion_model("attention_unet", "fp32"), n, &logits);
  double max_diff = 0;
  for (size_t i = 0; i < std::min(logits.size(), torch_logits.size()); ++i) {
    max_diff = std::max(max_diff, std::fabs(double(logits[i]) - torch_logits[i]));
  }
  size_t same = 0;
  for (size_t i = 0; i < fp32.size(); ++i) same += fp32[i] == torch[i];
  const double iou = mean_iou(fp32, n), iou_torch = mean_iou(torch, n);
  MESSAGE("attention_unet on " << n << " images: fp32 mean IoU " << iou << " (torch " << iou_torch
                               << "), max |logit diff| (first batch) " << max_diff << ", pixels agreeing "
                               << double(same) / fp32.size());
  CHECK(max_diff <= 1e-4);
  CHECK(std::fabs(iou - iou_torch) <= 0.001);
  for (const char* dtype : {"fp16", "int8"}) {
    if (!quantized_too()) break;
    const double q = mean_iou(unet_masks(testing::fashion_model("attention_unet", dtype), n, nullptr), n);
    MESSAGE("attention_unet " << std::string(dtype) << " mean IoU " << q << " (fp32 " << iou << ")");
    CHECK(std::fabs(q - iou) <= 0.005);
  }
}

}  // namespace
}  // namespace edgeattn
