// edgeattn-demo ocr, driven as a user would: RapidOCR's models folder
// converted by edgeattn-convert, a rendered page read to stdout (with and
// without --boxes), and every kind of bad image (a truncated PNG, a
// zero-byte file, a BMP header claiming 100000 x 100000 pixels, a text
// file, a missing file) and bad flag: one line on stderr, exit 2, never a
// crash.
#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tests/support/model_gate.h"
#include "tests/support/model_paths.h"
#include "tests/support/models.h"
#include "tests/support/process.h"

EDGEATTN_TEST_MODELS(kRapidOcr);

namespace edgeattn {
namespace {

using testing::q;
using testing::run;
using testing::Run;
using testing::temp_dir;
using testing::tool_path;

const std::string kPages = std::string(EDGEATTN_SOURCE_DIR) + "/tests/fixtures/ocr/pages/";

std::string model() {
  static const std::string path =
      testing::convert_with_tool(q(testing::require_model("rapidocr") + "/models"), "demo_ocr");
  return path;
}

std::string ocr(const std::string& args) { return tool_path("edgeattn-demo") + " " + q(model()) + " ocr " + args; }

size_t line_count(const std::string& text) {
  size_t n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

std::string without_spaces(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c != ' ' && c != '\n') out += c;
  }
  return out;
}

TEST_CASE("ocr: a page's lines on stdout top to bottom; --boxes; the stats go to stderr") {
  Run r = run(ocr(q(kPages + "line_clean.png")));
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(without_spaces(r.out) == "Hello,World2026!");
  CHECK(line_count(r.err) == 1);
  CHECK(r.err.find("lines") != std::string::npos);
  CHECK(r.err.find("det ") != std::string::npos);
  CHECK(r.err.find("memory") != std::string::npos);
  Run m = run(ocr(q(kPages + "memo.png") + " --threads 2"));
  REQUIRE_MESSAGE(m.exit_code == 0, m.err);
  CHECK(line_count(m.out) >= 4);
  CHECK(m.out.find("Meeting") < m.out.find("Room"));  // top to bottom
  Run b = run(ocr(q(kPages + "line_clean.png") + " --boxes --max-side 320"));
  REQUIRE_MESSAGE(b.exit_code == 0, b.err);
  // "x0,y0 x1,y1 x2,y2 x3,y3 confidence text" per line.
  const std::string first = b.out.substr(0, b.out.find('\n'));
  size_t commas = 0, spaces = 0;
  for (char c : first) {
    commas += c == ',';
    spaces += c == ' ';
  }
  CHECK(commas >= 4);
  CHECK(spaces >= 5);
  CHECK(b.out.find("0.") != std::string::npos);
}

TEST_CASE("ocr: bad images and flags are one line on stderr and exit 2") {
  const std::string dir = temp_dir("demo_ocr_bad");
  std::ifstream png_in(kPages + "line_clean.png", std::ios::binary);
  const std::vector<char> png((std::istreambuf_iterator<char>(png_in)), std::istreambuf_iterator<char>());
  REQUIRE(png.size() > 200);
  const std::string truncated = dir + "/truncated.png";
  std::ofstream(truncated, std::ios::binary).write(png.data(), static_cast<std::streamsize>(png.size() / 2));
  const std::string empty = dir + "/empty.png";
  std::ofstream(empty, std::ios::binary).flush();
  // A BMP header (14 + 40 bytes) claiming 100000 x 100000 pixels of 24 bits, no pixels.
  auto le32 = [](std::string* s, uint32_t v) {
    for (int i = 0; i < 4; ++i) s->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  };
  std::string bmp = "BM";
  le32(&bmp, 54);
  le32(&bmp, 0);
  le32(&bmp, 54);
  le32(&bmp, 40);
  le32(&bmp, 100000);
  le32(&bmp, 100000);
  bmp += std::string("\x01\x00\x18\x00", 4);  // planes 1, 24 bits per pixel
  for (int i = 0; i < 6; ++i) le32(&bmp, 0);  // no compression, sizes, resolution, palette
  const std::string huge = dir + "/huge.bmp";
  std::ofstream(huge, std::ios::binary) << bmp;
  const std::string text = dir + "/notes.png";
  std::ofstream(text) << "This is a text file, not an image.\n";
  struct Case {
    std::string command;
    std::string message;
  } cases[] = {
      {ocr(q(truncated)), "truncated.png"},
      {ocr(q(empty)), "empty.png"},
      {ocr(q(huge)), "100000 x 100000"},
      {ocr(q(text)), "notes.png"},
      {ocr(q(dir + "/missing.png")), "cannot open"},
      {ocr(""), "one IMAGE"},
      {ocr(q(kPages + "memo.png") + " --max-side 100"), "multiple of 32"},
      {ocr(q(kPages + "memo.png") + " --no-such-flag"), "unknown option"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.command);
    Run r = run(c.command);
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK(r.err.find(c.message) != std::string::npos);
    // One line, plus the "see --help" hint after a usage error in the flags.
    CHECK(line_count(r.err) <= 2);
  }
}

}  // namespace
}  // namespace edgeattn
