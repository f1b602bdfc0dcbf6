// The OCR per-image functions (runtime/tasks/ocr/) allocate nothing once
// created: DbPostprocessor::run, resize_normalize, crop_text,
// recognizer_input, classifier_input, CtcDecoder::decode, rotate_180. This
// binary interposes malloc (tests/support/alloc_interposer.h).
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "runtime/tasks/ocr/crop.h"
#include "runtime/tasks/ocr/ctc_decode.h"
#include "runtime/tasks/ocr/db_postprocess.h"
#include "runtime/tasks/ocr/image.h"
#include "runtime/tasks/ocr/text_angle.h"
#include "tests/support/alloc_interposer.h"

namespace edgeattn::ocr {
namespace {

namespace ai = edgeattn::testing::alloc_interposer;

TEST_CASE("per-image OCR steps allocate nothing") {
  ai::require_active();
  // A synthetic page: three dark bars on white, one tilted.
  const int W = 200, H = 120;
  std::vector<uint8_t> page(3 * W * H, 255);
  for (int y = 0; y < H; ++y) {
    for (int x = 0; x < W; ++x) {
      const bool bar = (y > 10 && y < 25 && x > 10 && x < 150) || (y > 40 && y < 52 && x > 30 && x < 190) ||
                       (std::abs((y - 80) - (x - 100) / 5) < 6 && x > 40 && x < 170);
      if (bar) page[3 * (y * W + x)] = page[3 * (y * W + x) + 1] = page[3 * (y * W + x) + 2] = 20;
    }
  }
  ImageView img{page.data(), W, H, 3 * static_cast<size_t>(W)};
  DetectorResizeOptions ro;
  ro.planned_max_side = 256;
  const DetectorSize ds = detector_input_size(H, W, ro);
  REQUIRE(ds.width > 0);
  std::vector<float> det_in(static_cast<size_t>(ds.width) * ds.height * 3);
  // The "network": probability = darkness of the resized page.
  std::vector<float> prob(static_cast<size_t>(ds.width) * ds.height);
  DbOptions dbo;
  dbo.max_map_height = 256;
  dbo.max_map_width = 256;
  auto db = DbPostprocessor::create(dbo);
  REQUIRE(db.is_ok());
  const char* chars[] = {"a", "b", "c"};
  auto ctc = CtcDecoder::create(chars, 3, 80);
  REQUIRE(ctc.is_ok());
  std::vector<float> rec_probs(40 * 5, 0.1f);
  for (int t = 0; t < 40; ++t) rec_probs[t * 5 + (t % 5)] = 0.6f;
  std::vector<uint8_t> crop_buf(3 * 1024 * 256);
  std::vector<float> rec_in(48 * 2048 * 3), cls_in(48 * 192 * 3);
  const float cls_scores[2] = {0.02f, 0.98f};

  size_t boxes = 0, failures = 0;
  ai::start();
  for (int iter = 0; iter < 3; ++iter) {
    TensorView t{det_in.data(), ds.height, ds.width, TensorLayout::kNHWC};
    failures += !resize_normalize(img, ds.width, ds.height, kPaddleNormalization, t).is_ok();
    for (size_t i = 0; i < prob.size(); ++i) prob[i] = (1.f - det_in[3 * i]) * 0.5f;
    failures += !(*db)->run(prob.data(), ds.height, ds.width, H, W).is_ok();
    boxes = (*db)->text_boxes().size();
    for (const TextBox& b : (*db)->text_boxes()) {
      const CropSize s = crop_size(b.points);
      MutableImageView crop{crop_buf.data(), s.width, s.height, 3 * static_cast<size_t>(s.width)};
      failures += !crop_text(img, b.points, crop).is_ok();
      if (should_rotate_180(cls_scores)) rotate_180(crop);
      failures += !classifier_input(crop.view(), TensorView{cls_in.data(), 48, 192, TensorLayout::kNHWC}).is_ok();
      const double ratio = recognizer_max_ratio(&s, 1);
      TensorView rt{rec_in.data(), 48, recognizer_tensor_width(ratio), TensorLayout::kNHWC};
      failures += !recognizer_input(crop.view(), ratio, rt).is_ok();
      failures += !(*ctc)->decode(rec_probs.data(), 40, 5).is_ok();
    }
  }
  const ai::Record r = ai::stop();
  CHECK(failures == 0);
  CHECK(boxes == 3);
  CHECK(r.calls == 0);
}

}  // namespace
}  // namespace edgeattn::ocr
