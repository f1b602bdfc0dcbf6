// TextReader (runtime/tasks/text_reader.h) on RapidOCR's PP-OCR models
// converted to one .eatn (fp32), end to end on the ten rendered pages of
// tests/fixtures/ocr/pages/pages.json (tests/reference/make_ocr_pages.py):
// each page's character error rate next to RapidOCR 1.4.4's own reading of
// the same page (the peer), computed as the JSON's "cer" field defines it
// (Levenshtein over code points, whitespace removed, / truth length).
// Bars: overall CER <= the peer's + 0.01; line_clean reads exactly
// "Hello, World 2026!" modulo whitespace; the fp16 and int8 conversions
// (edgeattn-convert --dtype fp16 / int8) within fp32's CER + 0.01. Also:
// boxes, stats, memory, options and bad input.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "runtime/tasks/text_reader.h"
#include "tests/support/image_file.h"
#include "tests/support/model_gate.h"
#include "tests/support/model_paths.h"
#include "tests/support/models.h"

EDGEATTN_TEST_MODELS(kRapidOcr);

namespace edgeattn {
namespace {

const std::string kPages = std::string(EDGEATTN_SOURCE_DIR) + "/tests/fixtures/ocr/pages/";

const nlohmann::json& pages() {
  static const nlohmann::json j = [] {
    std::ifstream in(kPages + "pages.json");
    REQUIRE(in);
    return nlohmann::json::parse(in);
  }();
  return j;
}

// UTF-8 -> code points, whitespace (ASCII and U+3000) removed, as Python's
// "".join(s.split()) for the texts of these pages.
std::vector<char32_t> code_points_without_space(const std::string& s) {
  std::vector<char32_t> out;
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
    char32_t cp = len == 1 ? c : len == 2 ? (c & 0x1Fu) : len == 3 ? (c & 0x0Fu) : (c & 0x07u);
    for (size_t k = 1; k < len && i + k < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3Fu);
    i += len;
    const bool space = cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\v' || cp == '\f' ||
                       cp == 0x1C || cp == 0x1D || cp == 0x1E || cp == 0x1F || cp == 0x85 || cp == 0xA0 ||
                       cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 ||
                       cp == 0x202F || cp == 0x205F || cp == 0x3000;
    if (!space) out.push_back(cp);
  }
  return out;
}

// The edit distance and the truth's length (whitespace removed).
std::pair<size_t, size_t> edits(const std::string& text, const std::string& truth) {
  const std::vector<char32_t> a = code_points_without_space(text), b = code_points_without_space(truth);
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1] ? 1 : 0)});
    }
    std::swap(prev, cur);
  }
  return {prev[b.size()], b.size()};
}

double cer(const std::string& text, const std::string& truth) {
  const auto e = edits(text, truth);
  return static_cast<double>(e.first) / static_cast<double>(std::max<size_t>(1, e.second));
}

std::string join(const std::vector<std::string>& lines) {
  std::string s;
  for (size_t i = 0; i < lines.size(); ++i) s += (i ? "\n" : "") + lines[i];
  return s;
}

std::string page_text(const TextReader& r) {
  std::string s;
  for (const TextLine& l : r.lines()) s += (s.empty() ? "" : "\n") + std::string(l.text);
  return s;
}

testing::Rgb8Image load_page(const std::string& file) {
  testing::Rgb8Image img = testing::load_rgb8(kPages + file);
  REQUIRE_MESSAGE(img.ok(), img.error);
  return img;
}

ocr::ImageView view_of(const testing::Rgb8Image& img) {
  return ocr::ImageView{img.pixels.data(), img.width, img.height, 3 * static_cast<size_t>(img.width)};
}

std::unique_ptr<TextReader> make_reader(const TextReaderOptions& o = TextReaderOptions()) {
  auto r = TextReader::create(testing::rapidocr("fp32"), o);
  REQUIRE_MESSAGE(r.is_ok(), r.status().message());
  return std::move(r).value();
}

// The overall CER of `model` on the ten pages (errors over truth length).
double overall_cer(const Model& model) {
  auto reader = TextReader::create(model, TextReaderOptions());
  REQUIRE_MESSAGE(reader.is_ok(), reader.status().message());
  double err = 0, len = 0;
  for (const nlohmann::json& page : pages()["pages"]) {
    const testing::Rgb8Image img = load_page(page["image"]);
    const Status s = (*reader)->read(view_of(img));
    REQUIRE_MESSAGE(s.is_ok(), s.message());
    const auto e = edits(page_text(**reader), join(page["lines"].get<std::vector<std::string>>()));
    err += static_cast<double>(e.first);
    len += static_cast<double>(e.second);
  }
  return err / len;
}

// Native builds only: its bound is over all ten pages (a four-page subset
// moves by more than 0.01 per misread character), and 30 page reads took
// 100 s of the ASan stage. Under the sanitizers the fp16 / int8 convolution
// paths run in runtime_image_ops_test.
TEST_CASE("text reader: fp16 and int8 weights read within fp32's CER + 0.01") {
  if (testing::subset_mode()) {
    MESSAGE("fp16 / int8 CER: checked in native builds (sanitizer or qemu build: subset mode)");
    return;
  }
  const Model& fp32 = testing::rapidocr("fp32");
  const double base = overall_cer(fp32);
  std::printf("%-6s %10s %8s\n", "dtype", "bytes", "CER");
  std::printf("%-6s %10zu %8.4f\n", "fp32", fp32.file_size(), base);
  for (const char* dtype : {"fp16", "int8"}) {
    CAPTURE(dtype);
    const Model& m = testing::rapidocr(dtype);
    const double c = overall_cer(m);
    std::printf("%-6s %10zu %8.4f\n", dtype, m.file_size(), c);
    CHECK(c <= base + 0.01);
    CHECK(m.file_size() < fp32.file_size());
  }
}

TEST_CASE("text reader: the ten pages, CER side by side with RapidOCR's") {
  auto reader = make_reader();
  double err = 0, len = 0;
  std::printf("%-12s %8s %8s  text\n", "page", "CER", "peer");
  for (const nlohmann::json& page : pages()["pages"]) {
    const std::string name = page["name"];
    CAPTURE(name);
    const testing::Rgb8Image img = load_page(page["image"]);
    const Status s = reader->read(view_of(img));
    REQUIRE_MESSAGE(s.is_ok(), s.message());
    const std::string truth = join(page["lines"].get<std::vector<std::string>>());
    const std::string text = page_text(*reader);
    const auto e = edits(text, truth);
    err += static_cast<double>(e.first);
    len += static_cast<double>(e.second);
    std::string shown = text;
    std::replace(shown.begin(), shown.end(), '\n', '|');
    std::printf("%-12s %8.4f %8.4f  %s\n", name.c_str(), cer(text, truth), page["peer_cer"].get<double>(),
                shown.c_str());
    // Every line's box lies inside the image, its confidence at least text_score.
    for (const TextLine& l : reader->lines()) {
      CHECK(l.confidence >= 0.5f);
      for (const ocr::Point2f& p : l.box) {
        CHECK(p.x >= 0.f);
        CHECK(p.x <= static_cast<float>(img.width));
        CHECK(p.y >= 0.f);
        CHECK(p.y <= static_cast<float>(img.height));
      }
    }
    const TextReadStats& st = reader->stats();
    CHECK(st.lines == static_cast<int>(reader->lines().size()));
    CHECK(st.boxes == st.lines + st.rejected + st.dropped);
    CHECK(st.det_height % 32 == 0);
    CHECK(st.det_width % 32 == 0);
    CHECK(std::max(st.det_height, st.det_width) <= 960);
  }
  const double overall = err / len, peer = pages()["peer_cer"].get<double>();
  std::printf("%-12s %8.4f %8.4f\n", "all pages", overall, peer);
  CHECK(overall <= peer + 0.01);
}

// The box must enclose the line's ink (the page's dark pixels) with a margin
// of at most 12 px: RapidOCR's own boxes for this page (pages.json) are per
// word, from a detector input of 3680 x 736 (its min side 736 rule) where
// ours is capped at 960 x 192, so its corners are not ours to match.
TEST_CASE("text reader: line_clean reads exactly, its box around the ink") {
  auto reader = make_reader();
  const testing::Rgb8Image img = load_page("line_clean.png");
  REQUIRE(reader->read(view_of(img)).is_ok());
  const std::string text = page_text(*reader);
  CHECK(edits(text, "Hello, World 2026!").first == 0);
  REQUIRE(reader->lines().size() == 1);
  int ink_x0 = img.width, ink_y0 = img.height, ink_x1 = -1, ink_y1 = -1;  // inclusive
  for (int y = 0; y < img.height; ++y) {
    for (int x = 0; x < img.width; ++x) {
      if (img.pixels[(static_cast<size_t>(y) * img.width + x) * 3] >= 128) continue;
      ink_x0 = std::min(ink_x0, x), ink_x1 = std::max(ink_x1, x);
      ink_y0 = std::min(ink_y0, y), ink_y1 = std::max(ink_y1, y);
    }
  }
  REQUIRE(ink_x1 >= 0);
  const TextLine& line = reader->lines()[0];
  float x0 = 1e9f, y0 = 1e9f, x1 = -1e9f, y1 = -1e9f;
  for (const ocr::Point2f& p : line.box) {
    x0 = std::min(x0, p.x), x1 = std::max(x1, p.x), y0 = std::min(y0, p.y), y1 = std::max(y1, p.y);
  }
  MESSAGE("ink [" << ink_x0 << ", " << ink_y0 << "] - [" << ink_x1 << ", " << ink_y1 << "], box [" << x0 << ", " << y0
                  << "] - [" << x1 << ", " << y1 << "]");
  CHECK(x0 <= ink_x0 + 3);
  CHECK(y0 <= ink_y0 + 3);
  CHECK(x1 >= ink_x1 - 3);
  CHECK(y1 >= ink_y1 - 3);
  CHECK(x0 >= ink_x0 - 12);
  CHECK(y0 >= ink_y0 - 12);
  CHECK(x1 <= ink_x1 + 12);
  CHECK(y1 <= ink_y1 + 12);
  CHECK(!line.rotated);
}

TEST_CASE("text reader: upside-down lines are turned by the classifier") {
  auto reader = make_reader();
  for (const char* file : {"flipped_one.png", "flipped_two.png"}) {
    CAPTURE(file);
    const testing::Rgb8Image img = load_page(file);
    REQUIRE(reader->read(view_of(img)).is_ok());
    CHECK(reader->stats().rotated >= 1);
  }
  TextReaderOptions o;
  o.classify_angle = false;
  auto plain = make_reader(o);
  const testing::Rgb8Image img = load_page("flipped_two.png");
  REQUIRE(plain->read(view_of(img)).is_ok());
  CHECK(plain->stats().rotated == 0);
}

TEST_CASE("text reader: large, tiny and very wide images are scaled or letterboxed, never rejected") {
  TextReaderOptions o;
  o.max_side = 320;
  auto reader = make_reader(o);
  const testing::Rgb8Image page = load_page("memo.png");
  // The page scaled up 3x (nearest): the detector is capped at 320.
  testing::Rgb8Image big;
  big.width = page.width * 3;
  big.height = page.height * 3;
  big.pixels.resize(static_cast<size_t>(big.width) * big.height * 3);
  for (int y = 0; y < big.height; ++y) {
    for (int x = 0; x < big.width; ++x) {
      for (int c = 0; c < 3; ++c) {
        big.pixels[(static_cast<size_t>(y) * big.width + x) * 3 + c] =
            page.pixels[(static_cast<size_t>(y / 3) * page.width + x / 3) * 3 + c];
      }
    }
  }
  REQUIRE(reader->read(view_of(big)).is_ok());
  CHECK(reader->stats().capped);
  CHECK(std::max(reader->stats().det_height, reader->stats().det_width) <= 320);
  for (const TextLine& l : reader->lines()) {
    for (const ocr::Point2f& p : l.box) CHECK(p.x <= static_cast<float>(big.width));
  }
  // A strip 20 pixels high (the top of line_clean): letterboxed.
  const testing::Rgb8Image line = load_page("line_clean.png");
  const ocr::ImageView strip{line.pixels.data() + 3 * static_cast<size_t>(line.width) * 26, line.width, 20,
                             3 * static_cast<size_t>(line.width)};
  REQUIRE(reader->read(strip).is_ok());
  CHECK(reader->stats().letterboxed);
  // A 1 x 1 image: nothing to read.
  const uint8_t white[3] = {255, 255, 255};
  REQUIRE(reader->read(ocr::ImageView{white, 1, 1, 3}).is_ok());
  CHECK(reader->lines().empty());
}

TEST_CASE("text reader: memory, bad images and bad options") {
  auto reader = make_reader();
  const TextReaderMemory m = reader->memory();
  CHECK(m.det.arena_bytes > 0);
  CHECK(m.cls.arena_bytes > 0);
  CHECK(m.rec.arena_bytes > 0);
  CHECK(m.buffer_bytes >= size_t{960} * 960 * 3 * sizeof(float));
  CHECK(m.total_bytes() == m.arena_bytes() + m.buffer_bytes);
  const uint8_t px[12] = {};
  const Status null_image = reader->read(ocr::ImageView{nullptr, 2, 2, 6});
  CHECK(null_image.code() == StatusCode::kInvalidArgument);
  CHECK(reader->read(ocr::ImageView{px, 0, 0, 0}).code() == StatusCode::kInvalidArgument);
  CHECK(reader->read(ocr::ImageView{px, 2, 2, 3}).code() == StatusCode::kInvalidArgument);  // stride < 3 x width
  CHECK(reader->lines().empty());
  for (int bad : {0, 100, 8192}) {
    TextReaderOptions o;
    o.max_side = bad;
    auto r = TextReader::create(testing::rapidocr("fp32"), o);
    CHECK(r.status().code() == StatusCode::kInvalidArgument);
    CHECK(std::string(r.status().message()).find("max_side") != std::string::npos);
  }
  TextReaderOptions o;
  o.max_line_width = 100;
  CHECK(TextReader::create(testing::rapidocr("fp32"), o).status().code() == StatusCode::kInvalidArgument);
  o = TextReaderOptions();
  o.max_lines = 0;
  CHECK(TextReader::create(testing::rapidocr("fp32"), o).status().code() == StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace edgeattn
