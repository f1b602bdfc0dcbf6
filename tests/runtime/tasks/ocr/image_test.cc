// runtime/tasks/ocr/image.h against cv2.resize (INTER_LINEAR, 8-bit, as
// RapidOCR resizes) and RapidOCR's detector resize rule, from
// tests/fixtures/ocr/postprocess_reference.json.
#include "runtime/tasks/ocr/image.h"

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "tests/runtime/tasks/ocr/ocr_fixture.h"

namespace edgeattn::ocr {
namespace {

using testing::base64;
using testing::fixture;

TEST_CASE("resize_rgb equals cv2.resize INTER_LINEAR bit for bit") {
  for (const auto& c : fixture()["resize"]) {
    std::vector<uint8_t> src = base64(c["src"].get<std::string>());
    const int sw = c["src_width"], sh = c["src_height"];
    ImageView in{src.data(), sw, sh, 3 * static_cast<size_t>(sw)};
    for (const auto& o : c["outputs"]) {
      const int w = o["width"], h = o["height"];
      std::vector<uint8_t> want = base64(o["pixels"].get<std::string>());
      std::vector<uint8_t> got(want.size());
      CAPTURE(w);
      CAPTURE(h);
      REQUIRE(resize_rgb(in, MutableImageView{got.data(), w, h, 3 * static_cast<size_t>(w)}).is_ok());
      size_t differ = 0;
      for (size_t i = 0; i < got.size(); ++i) differ += got[i] != want[i];
      CHECK(differ == 0);

      // resize_normalize: the same pixels, normalized, in both layouts, padded with 0.
      for (TensorLayout layout : {TensorLayout::kNHWC, TensorLayout::kNCHW}) {
        std::vector<float> t(static_cast<size_t>(h + 1) * (w + 3) * 3, 7.f);
        TensorView tv{t.data(), h + 1, w + 3, layout};
        REQUIRE(resize_normalize(in, w, h, kPaddleNormalization, tv).is_ok());
        double max_err = 0;
        for (int y = 0; y < h + 1; ++y) {
          for (int x = 0; x < w + 3; ++x) {
            for (int ch = 0; ch < 3; ++ch) {
              const float expect = (y < h && x < w)
                                       ? (want[(static_cast<size_t>(y) * w + x) * 3 + ch] / 255.f - 0.5f) / 0.5f
                                       : 0.f;
              max_err = std::max(max_err, static_cast<double>(std::fabs(tv.at(y, x, ch) - expect)));
            }
          }
        }
        CHECK(max_err < 1e-6);  // one float ulp of RapidOCR's float32 expression
      }
    }
  }
}

TEST_CASE("detector_input_size follows RapidOCR's resize rules") {
  for (const auto& c : fixture()["det_shapes"]) {
    CAPTURE(c.dump());
    const DetectorSize s = detector_input_size(c["h"], c["w"], DetectorResizeOptions());
    CHECK(s.height == c["out_h"].get<int>());
    CHECK(s.width == c["out_w"].get<int>());
    CHECK(!s.capped);
  }
  DetectorResizeOptions o;
  o.planned_max_side = 1024;
  DetectorSize s = detector_input_size(48, 320, o);  // RapidOCR: 736 x 4896
  CHECK(s.capped);
  CHECK(s.width == 1024);
  CHECK(s.height == 128);  // 736 x 1024 / 4896 = 153.9 -> 128
  CHECK(s.height % 32 == 0);
  s = detector_input_size(0, 10, DetectorResizeOptions());
  CHECK((s.height == 0 && s.width == 0));
}

TEST_CASE("bad images are refused with a message") {
  std::vector<uint8_t> px(12, 0);
  std::vector<float> t(12, 0.f);
  TensorView tv{t.data(), 2, 2, TensorLayout::kNHWC};
  Status s = resize_normalize(ImageView{nullptr, 2, 2, 6}, 2, 2, kPaddleNormalization, tv);
  CHECK(s.code() == StatusCode::kInvalidArgument);
  s = resize_normalize(ImageView{px.data(), 2, 2, 5}, 2, 2, kPaddleNormalization, tv);
  CHECK(s.code() == StatusCode::kInvalidArgument);
  CHECK(std::string(s.message()).find("stride") != std::string::npos);
  s = resize_normalize(ImageView{px.data(), 2, 2, 6}, 3, 2, kPaddleNormalization, tv);
  CHECK(s.code() == StatusCode::kInvalidArgument);
  CHECK(resize_normalize(ImageView{px.data(), 2, 2, 6}, 2, 2, kPaddleNormalization, tv).is_ok());
}

}  // namespace
}  // namespace edgeattn::ocr
