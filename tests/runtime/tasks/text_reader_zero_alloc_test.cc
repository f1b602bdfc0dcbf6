// TextReader::read() allocates nothing after create(): three pages of
// different sizes (tests/fixtures/ocr/pages), letterbox and the capped
// detector included, one and two threads. Counted with the malloc
// interposer (all threads).
#include <doctest/doctest.h>

#include <string>

#include "runtime/tasks/text_reader.h"
#include "tests/support/alloc_interposer.h"
#include "tests/support/image_file.h"
#include "tests/support/model_gate.h"
#include "tests/support/models.h"

EDGEATTN_TEST_MODELS(kRapidOcr);

namespace edgeattn {
namespace {

namespace ai = testing::alloc_interposer;

TEST_CASE("text reader: read allocates nothing after create") {
  ai::require_active();
  const std::string dir = std::string(EDGEATTN_SOURCE_DIR) + "/tests/fixtures/ocr/pages/";
  const testing::Rgb8Image pages[] = {testing::load_rgb8(dir + "line_clean.png"),
                                      testing::load_rgb8(dir + "invoice.png"),
                                      testing::load_rgb8(dir + "flipped_two.png")};
  for (const testing::Rgb8Image& p : pages) REQUIRE_MESSAGE(p.ok(), p.error);
  for (int threads : {1, 2}) {
    for (int max_side : {960, 320}) {  // 320: every page's detector size is capped
      CAPTURE(threads);
      CAPTURE(max_side);
      TextReaderOptions o;
      o.threads = threads;
      o.max_side = max_side;
      auto r = TextReader::create(testing::rapidocr("fp32"), o);
      REQUIRE_MESSAGE(r.is_ok(), r.status().message());
      for (const testing::Rgb8Image& p : pages) {
        const ocr::ImageView v{p.pixels.data(), p.width, p.height, 3 * static_cast<size_t>(p.width)};
        ai::start();  // no warm-up: create() allocated everything
        const Status s = (*r)->read(v);
        const ai::Record rec = ai::stop();
        REQUIRE_MESSAGE(s.is_ok(), s.message());
        CHECK(!(*r)->lines().empty());
        CHECK(rec.calls == 0);
      }
      // A strip 20 pixels high: the letterbox path.
      const testing::Rgb8Image& line = pages[0];
      const ocr::ImageView strip{line.pixels.data() + 3 * static_cast<size_t>(line.width) * 26, line.width, 20,
                                 3 * static_cast<size_t>(line.width)};
      ai::start();
      const Status s = (*r)->read(strip);
      const ai::Record rec = ai::stop();
      REQUIRE_MESSAGE(s.is_ok(), s.message());
      CHECK((*r)->stats().letterboxed);
      CHECK(rec.calls == 0);
    }
  }
}

}  // namespace
}  // namespace edgeattn
