// DbPostprocessor (runtime/tasks/ocr/db_postprocess.h) against RapidOCR
// 1.4.4's DBPostProcess + filter_tag_det_res + sorted_boxes on the maps of
// tests/fixtures/ocr/postprocess_reference.json: synthetic rotated
// rectangles (noisy levels, some below box_thresh, one touching the border,
// more blobs than max_candidates) and the PP-OCRv4 detector's map of a
// rendered page, plus empty, all-ones and 1x1 maps.
#include "runtime/tasks/ocr/db_postprocess.h"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <vector>

#include "tests/runtime/tasks/ocr/ocr_fixture.h"

namespace edgeattn::ocr {
namespace {

using testing::fixture;

std::unique_ptr<DbPostprocessor> make(int max_candidates = 1000, int max_h = 256, int max_w = 384) {
  DbOptions o;
  o.max_candidates = max_candidates;
  o.max_map_height = max_h;
  o.max_map_width = max_w;
  auto d = DbPostprocessor::create(o);
  REQUIRE_MESSAGE(d.is_ok(), d.status().message());
  return std::move(*d);
}

// Largest |corner difference| between our boxes and the peer's (same order).
double max_corner_error(Span<const TextBox> got, const nlohmann::json& want) {
  double e = 0;
  for (size_t i = 0; i < got.size() && i < want.size(); ++i) {
    for (int k = 0; k < 4; ++k) {
      e = std::max(e, std::fabs(got[i].points[k].x - want[i][k][0].get<double>()));
      e = std::max(e, std::fabs(got[i].points[k].y - want[i][k][1].get<double>()));
    }
  }
  return e;
}

TEST_CASE("boxes, scores and reading order equal RapidOCR's on every fixture map") {
  for (const auto& c : fixture()["db"]) {
    const std::string name = c["name"];
    CAPTURE(name);
    std::vector<float> prob = testing::probabilities(testing::map_bytes(c["map"]));
    const int h = c["height"], w = c["width"];
    REQUIRE(prob.size() == static_cast<size_t>(h) * w);
    auto db = make(c["max_candidates"]);
    REQUIRE(db->run(prob.data(), h, w, c["dest_height"], c["dest_width"]).is_ok());
    REQUIRE(db->boxes().size() == c["boxes"].size());
    const double corner = max_corner_error(db->boxes(), c["boxes"]);
    double score_err = 0;
    for (size_t i = 0; i < db->boxes().size(); ++i) {
      score_err = std::max(score_err, std::fabs(db->boxes()[i].score - c["scores"][i].get<double>()));
    }
    REQUIRE(db->text_boxes().size() == c["final"].size());
    const double final_corner = max_corner_error(db->text_boxes(), c["final"]);
    std::printf("db %-18s boxes %zu  max corner error %.0f px (final %.0f)  max score error %.2g\n", name.c_str(),
                db->boxes().size(), corner, final_corner, score_err);
    CHECK(corner == 0);
    CHECK(final_corner == 0);
    CHECK(score_err < 1e-9);
  }
}

TEST_CASE("degenerate maps give no boxes and no failure") {
  auto db = make(1000, 64, 64);
  std::vector<float> zeros(64 * 64, 0.f), nan(64 * 64, std::nanf(""));
  REQUIRE(db->run(zeros.data(), 64, 64, 64, 64).is_ok());
  CHECK(db->boxes().size() == 0);
  REQUIRE(db->run(nan.data(), 64, 64, 64, 64).is_ok());
  CHECK(db->boxes().size() == 0);
  float one = 1.f;
  REQUIRE(db->run(&one, 1, 1, 1, 1).is_ok());
  CHECK(db->boxes().size() == 0);
  std::vector<float> stripe(64 * 64, 0.f);  // a 1-pixel line: hull of 2 points, min side 0
  for (int x = 5; x < 60; ++x) stripe[10 * 64 + x] = 0.9f;
  REQUIRE(db->run(stripe.data(), 64, 64, 64, 64).is_ok());
  CHECK(db->boxes().size() == 0);
}

TEST_CASE("bad calls are refused with a message") {
  auto db = make(10, 32, 32);
  std::vector<float> p(33 * 33, 0.f);
  Status s = db->run(p.data(), 33, 32, 33, 32);
  CHECK(s.code() == StatusCode::kOutOfRange);
  CHECK(std::string(s.message()).find("33 x 32") != std::string::npos);
  CHECK(db->run(nullptr, 4, 4, 4, 4).code() == StatusCode::kInvalidArgument);
  CHECK(db->run(p.data(), 0, 4, 4, 4).code() == StatusCode::kInvalidArgument);
  CHECK(db->run(p.data(), 4, 4, 0, 4).code() == StatusCode::kInvalidArgument);
  DbOptions o;
  o.max_candidates = 0;
  CHECK(DbPostprocessor::create(o).status().code() == StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace edgeattn::ocr
