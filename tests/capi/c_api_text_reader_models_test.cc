// The C API's text reader on RapidOCR's PP-OCR models (fp32). Oracle: the
// C++ TextReader (runtime/tasks/text_reader.h) on the same file and page,
// whose lines, boxes, stats and memory the C wrapper must reproduce
// exactly; and the codes and messages of bad input and bad handles.
#include <doctest/doctest.h>

#include <cstring>
#include <memory>
#include <string>

#include "capi/edgeattn.h"
#include "runtime/model.h"
#include "runtime/tasks/text_reader.h"
#include "tests/support/image_file.h"
#include "tests/support/model_gate.h"
#include "tests/support/model_paths.h"
#include "tests/support/models.h"

EDGEATTN_TEST_MODELS(kRapidOcr);

namespace edgeattn {
namespace {

struct Both {
  std::unique_ptr<Model> cpp;
  edgeattn_model* c = nullptr;
};

const Both& ocr_models() {
  static const Both b = [] {
    Both m;
    const std::string path = testing::temp_dir("capi_text_reader") + "/ocr.eatn";
    m.cpp = testing::convert_and_load(testing::require_model("rapidocr") + "/models", "", path, "fp32");
    REQUIRE_MESSAGE(edgeattn_model_load_file(path.c_str(), &m.c) == EDGEATTN_OK, edgeattn_last_error());
    return m;
  }();
  return b;
}

testing::Rgb8Image page(const char* name) {
  testing::Rgb8Image img =
      testing::load_rgb8(std::string(EDGEATTN_SOURCE_DIR) + "/tests/fixtures/ocr/pages/" + name);
  REQUIRE_MESSAGE(img.ok(), img.error);
  return img;
}

TEST_CASE("C API text reader: the C++ TextReader's lines, boxes, stats and memory") {
  edgeattn_text_reader* r = nullptr;
  REQUIRE_MESSAGE(edgeattn_text_reader_create(ocr_models().c, nullptr, &r) == EDGEATTN_OK, edgeattn_last_error());
  CHECK(edgeattn_text_reader_line_count(r) == 0);  // before the first read
  auto cpp = TextReader::create(*ocr_models().cpp, TextReaderOptions());
  REQUIRE(cpp.is_ok());
  for (const char* name : {"line_clean.png", "invoice.png", "flipped_two.png"}) {
    CAPTURE(name);
    const testing::Rgb8Image img = page(name);
    const size_t stride = 3 * static_cast<size_t>(img.width);
    REQUIRE(edgeattn_text_reader_read(r, img.pixels.data(), img.width, img.height, stride) == EDGEATTN_OK);
    REQUIRE((*cpp)->read(ocr::ImageView{img.pixels.data(), img.width, img.height, stride}).is_ok());
    const Span<const TextLine> want = (*cpp)->lines();
    REQUIRE(edgeattn_text_reader_line_count(r) == want.size());
    CHECK(want.size() > 0);
    for (size_t i = 0; i < want.size(); ++i) {
      edgeattn_text_line line;
      REQUIRE(edgeattn_text_reader_line(r, i, &line) == EDGEATTN_OK);
      CHECK(std::string(line.text, line.text_size) == std::string(want[i].text));
      CHECK(line.confidence == want[i].confidence);
      CHECK(line.rotated == (want[i].rotated ? 1 : 0));
      for (int k = 0; k < 4; ++k) {
        CHECK(line.box[k][0] == want[i].box[k].x);
        CHECK(line.box[k][1] == want[i].box[k].y);
      }
    }
    edgeattn_text_read_stats st;
    REQUIRE(edgeattn_text_reader_last_stats(r, &st) == EDGEATTN_OK);
    CHECK(st.lines == (*cpp)->stats().lines);
    CHECK(st.boxes == (*cpp)->stats().boxes);
    CHECK(st.rotated == (*cpp)->stats().rotated);
    CHECK(st.det_height == (*cpp)->stats().det_height);
    CHECK(st.det_width == (*cpp)->stats().det_width);
    CHECK(st.total_ms > 0);
  }
  edgeattn_memory_stats det, cls, rec;
  size_t buffers = 0;
  REQUIRE(edgeattn_text_reader_memory(r, &det, &cls, &rec, &buffers) == EDGEATTN_OK);
  const TextReaderMemory m = (*cpp)->memory();
  CHECK(det.arena_bytes == m.det.arena_bytes);
  CHECK(cls.arena_bytes == m.cls.arena_bytes);
  CHECK(rec.arena_bytes == m.rec.arena_bytes);
  CHECK(buffers == m.buffer_bytes);
  edgeattn_text_reader_destroy(r);
}

TEST_CASE("C API text reader: options, bad input and bad handles") {
  edgeattn_text_reader_options o = edgeattn_text_reader_options_default();
  CHECK(o.max_side == 960);
  CHECK(o.max_lines == 64);
  CHECK(o.max_line_width == 1280);
  CHECK(o.classify_angle == 1);
  CHECK(o.text_score == doctest::Approx(0.5));
  o.max_side = 320;
  edgeattn_text_reader* r = nullptr;
  REQUIRE(edgeattn_text_reader_create(ocr_models().c, &o, &r) == EDGEATTN_OK);
  const uint8_t px[12] = {};
  CHECK(edgeattn_text_reader_read(r, nullptr, 2, 2, 6) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(std::string(edgeattn_last_error()).find("empty image") != std::string::npos);
  CHECK(edgeattn_text_reader_read(r, px, 0, 0, 0) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(edgeattn_text_reader_read(r, px, 2, 2, 3) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(std::string(edgeattn_last_error()).find("stride") != std::string::npos);
  CHECK(edgeattn_text_reader_line_count(r) == 0);  // after a failure
  edgeattn_text_line line;
  CHECK(edgeattn_text_reader_line(r, 0, &line) == EDGEATTN_OUT_OF_RANGE);
  CHECK(edgeattn_text_reader_read(r, px, 2, 2, 6) == EDGEATTN_OK);  // tiny and blank: no lines
  CHECK(edgeattn_text_reader_line_count(r) == 0);
  CHECK(edgeattn_text_reader_read(nullptr, px, 2, 2, 6) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(edgeattn_text_reader_line(r, 0, nullptr) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(edgeattn_text_reader_line_count(nullptr) == 0);
  CHECK(edgeattn_text_reader_last_stats(nullptr, nullptr) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(edgeattn_text_reader_memory(nullptr, nullptr, nullptr, nullptr, nullptr) == EDGEATTN_INVALID_ARGUMENT);
  edgeattn_text_reader_destroy(r);
  edgeattn_text_reader_destroy(nullptr);
  o.max_side = 100;  // not a multiple of 32
  CHECK(edgeattn_text_reader_create(ocr_models().c, &o, &r) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(std::string(edgeattn_last_error()).find("max_side") != std::string::npos);
  CHECK(r == nullptr);
  CHECK(edgeattn_text_reader_create(nullptr, nullptr, &r) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(edgeattn_text_reader_create(ocr_models().c, nullptr, nullptr) == EDGEATTN_INVALID_ARGUMENT);
}

}  // namespace
}  // namespace edgeattn
