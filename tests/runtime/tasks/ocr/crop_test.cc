// crop_text, recognizer_input and classifier_input (runtime/tasks/ocr/crop.h)
// against RapidOCR 1.4.4's get_rotate_crop_image (cv2 warpPerspective,
// INTER_CUBIC, BORDER_REPLICATE; np.rot90) on a rendered page, and its
// resize_norm_img width rules (crops within 1 of cv2's: see below), from tests/fixtures/ocr/postprocess_reference.json.
#include "runtime/tasks/ocr/crop.h"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "runtime/tasks/ocr/text_angle.h"
#include "tests/runtime/tasks/ocr/ocr_fixture.h"

namespace edgeattn::ocr {
namespace {

using testing::base64;
using testing::fixture;

TEST_CASE("crops equal cv2's warpPerspective crops") {
  const auto& c = fixture()["crop"];
  const int w = c["width"], h = c["height"];
  std::vector<uint8_t> page = testing::gray_to_rgb(base64(c["gray"].get<std::string>()));
  ImageView img{page.data(), w, h, 3 * static_cast<size_t>(w)};
  for (const auto& k : c["crops"]) {
    CAPTURE(k["quad"].dump());
    Point2f q[4];
    for (int i = 0; i < 4; ++i) q[i] = Point2f{k["quad"][i][0].get<float>(), k["quad"][i][1].get<float>()};
    const CropSize s = crop_size(q);
    REQUIRE(s.width == k["width"].get<int>());
    REQUIRE(s.height == k["height"].get<int>());
    std::vector<uint8_t> got(3 * static_cast<size_t>(s.width) * s.height);
    REQUIRE(crop_text(img, q, MutableImageView{got.data(), s.width, s.height, 3 * static_cast<size_t>(s.width)}).is_ok());
    std::vector<uint8_t> want = testing::gray_to_rgb(base64(k["gray"].get<std::string>()));
    int max_err = 0;
    size_t differ = 0;
    for (size_t i = 0; i < got.size(); ++i) {
      const int e = std::abs(int(got[i]) - int(want[i]));
      max_err = std::max(max_err, e);
      differ += e != 0;
    }
    std::printf("crop %3d x %-3d%s  max |diff| %d, %zu of %zu values differ\n", s.width, s.height,
                s.rotated ? " (rot90)" : "        ", max_err, differ, got.size());
    // cv2 5.1 sums the 16 bicubic taps in its own float order: a value at a
    // rounding boundary can land on the other side (measured: 3 values of
    // ~7,000 in each rotated or perspective crop, none in the others).
    CHECK(max_err <= 1);
    CHECK(differ * 1000 <= got.size());
  }
}

TEST_CASE("recognizer and classifier widths follow resize_norm_img") {
  const auto& wj = fixture()["widths"];
  for (const auto& r : wj["rec"]) {
    CAPTURE(r.dump());
    const double ratio = r["max_wh_ratio"];
    CHECK(recognizer_padded_width(ratio) == r["tensor_width"].get<int>());
    CHECK(recognizer_resized_width(r["h"], r["w"], ratio) == r["resized_width"].get<int>());
    CHECK(recognizer_tensor_width(ratio) % 8 == 0);
    CHECK(recognizer_tensor_width(ratio) - recognizer_padded_width(ratio) < 8);
  }
  for (const auto& r : wj["cls"]) {
    CAPTURE(r.dump());
    CHECK(classifier_resized_width(r["h"], r["w"]) == r["resized_width"].get<int>());
  }
  CropSize crops[2] = {{100, 20, false}, {50, 48, false}};
  CHECK(recognizer_max_ratio(crops, 2) == 320.0 / 48);  // 5 is below 320 / 48
  crops[1] = CropSize{500, 48, false};
  CHECK(recognizer_max_ratio(crops, 2) == 500.0 / 48);
}

TEST_CASE("recognizer_input: resized crop, zero padding to a multiple of 8") {
  std::vector<uint8_t> px(3 * 30 * 10, 255);
  ImageView crop{px.data(), 30, 10, 90};
  const double ratio = 50.3 / 7;  // padded width int(48 x 7.19) = 344 -> tensor 344
  const int tw = recognizer_tensor_width(ratio);
  std::vector<float> t(static_cast<size_t>(48) * tw * 3, 9.f);
  REQUIRE(recognizer_input(crop, ratio, TensorView{t.data(), 48, tw, TensorLayout::kNHWC}).is_ok());
  const int rw = recognizer_resized_width(10, 30, ratio);  // ceil(48 x 3) = 144
  CHECK(rw == 144);
  CHECK(t[0] == 1.f);
  CHECK(t[(static_cast<size_t>(47) * tw + rw - 1) * 3 + 2] == 1.f);
  CHECK(t[(static_cast<size_t>(47) * tw + rw) * 3] == 0.f);
  CHECK(recognizer_input(crop, ratio, TensorView{t.data(), 48, tw - 8, TensorLayout::kNHWC}).code() ==
        StatusCode::kInvalidArgument);
  std::vector<float> c(48 * 192 * 3, 9.f);
  REQUIRE(classifier_input(crop, TensorView{c.data(), 48, 192, TensorLayout::kNCHW}).is_ok());
  CHECK(c[143] == 1.f);
  CHECK(c[144] == 0.f);
}

TEST_CASE("crop_text_resized: the crop itself at full size, a smaller crop within max_pixels") {
  const auto& c = fixture()["crop"];
  const int w = c["width"], h = c["height"];
  std::vector<uint8_t> page = testing::gray_to_rgb(base64(c["gray"].get<std::string>()));
  ImageView img{page.data(), w, h, 3 * static_cast<size_t>(w)};
  for (const auto& k : c["crops"]) {
    Point2f q[4];
    for (int i = 0; i < 4; ++i) q[i] = Point2f{k["quad"][i][0].get<float>(), k["quad"][i][1].get<float>()};
    const CropSize s = crop_size(q);
    const CropSize same = crop_size_within(q, static_cast<size_t>(s.width) * s.height);
    CHECK(same.width == s.width);
    CHECK(same.height == s.height);
    std::vector<uint8_t> a(3 * static_cast<size_t>(s.width) * s.height), b(a.size());
    const size_t stride = 3 * static_cast<size_t>(s.width);
    REQUIRE(crop_text(img, q, MutableImageView{a.data(), s.width, s.height, stride}).is_ok());
    REQUIRE(crop_text_resized(img, q, MutableImageView{b.data(), s.width, s.height, stride}).is_ok());
    CHECK(a == b);
    const size_t quarter = static_cast<size_t>(s.width) * s.height / 4;
    const CropSize small = crop_size_within(q, quarter);
    CHECK(static_cast<size_t>(small.width) * small.height <= quarter);
    CHECK(small.rotated == s.rotated);
    CHECK(small.width <= s.width / 2 + 1);
    std::vector<uint8_t> d(3 * static_cast<size_t>(small.width) * small.height);
    REQUIRE(crop_text_resized(img, q, MutableImageView{d.data(), small.width, small.height,
                                                       3 * static_cast<size_t>(small.width)}).is_ok());
  }
}

TEST_CASE("degenerate boxes and buffers are refused") {
  std::vector<uint8_t> px(3 * 8 * 8, 0);
  ImageView img{px.data(), 8, 8, 24};
  Point2f line[4] = {{1, 1}, {6, 1}, {6, 1}, {1, 1}};  // zero height
  CHECK(crop_size(line).width == 0);
  uint8_t out[3 * 16];
  Status s = crop_text(img, line, MutableImageView{out, 4, 4, 12});
  CHECK(s.code() == StatusCode::kInvalidArgument);
  CHECK(std::string(s.message()).find("degenerate") != std::string::npos);
  Point2f sq[4] = {{0, 0}, {4, 0}, {4, 4}, {0, 4}};
  CHECK(crop_text(img, sq, MutableImageView{out, 3, 4, 12}).code() == StatusCode::kInvalidArgument);
  CHECK(crop_text(img, sq, MutableImageView{out, 4, 4, 12}).is_ok());
}

TEST_CASE("the 180-degree rule and rotation") {
  const float up[2] = {0.95f, 0.05f}, down[2] = {0.05f, 0.95f}, unsure[2] = {0.15f, 0.85f}, tie[2] = {0.5f, 0.5f};
  const float at[2] = {0.1f, 0.9f};  // float32 0.9 > double 0.9: RapidOCR rotates
  CHECK(!should_rotate_180(up));
  CHECK(should_rotate_180(down));
  CHECK(!should_rotate_180(unsure));
  CHECK(!should_rotate_180(tie));
  CHECK(should_rotate_180(at) == (static_cast<double>(0.9f) > 0.9));
  uint8_t px[3 * 3 * 3];
  for (int i = 0; i < 27; ++i) px[i] = static_cast<uint8_t>(i);
  rotate_180(MutableImageView{px, 3, 3, 9});
  for (int p = 0; p < 9; ++p) {
    for (int c = 0; c < 3; ++c) CHECK(px[3 * p + c] == 3 * (8 - p) + c);
  }
  uint8_t two[3 * 2 * 1] = {1, 2, 3, 4, 5, 6};
  rotate_180(MutableImageView{two, 2, 1, 6});
  CHECK((two[0] == 4 && two[3] == 1));
}

}  // namespace
}  // namespace edgeattn::ocr
