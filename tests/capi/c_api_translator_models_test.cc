// The C API's translator on Bergamot en->pt (int8, as shipped). Oracle: the
// C++ Translator (runtime/tasks/translator.h) on the same file, whose text,
// stats and memory the C wrapper must reproduce exactly; and the codes and
// messages of bad input.
#include <doctest/doctest.h>

#include <cstring>
#include <memory>
#include <string>

#include "capi/edgeattn.h"
#include "runtime/model.h"
#include "runtime/tasks/translator.h"
#include "tests/support/model_gate.h"
#include "tests/support/model_paths.h"
#include "tests/support/models.h"

EDGEATTN_TEST_MODELS(kFastTranslate);

namespace edgeattn {
namespace {

struct Both {
  std::unique_ptr<Model> cpp;
  edgeattn_model* c = nullptr;
};

const Both& enpt() {
  static const Both b = [] {
    Both m;
    const std::string path = testing::temp_dir("capi_translator") + "/enpt.eatn";
    m.cpp = testing::convert_and_load(testing::bergamot_dir("enpt"), "", path, "int8");
    REQUIRE_MESSAGE(edgeattn_model_load_file(path.c_str(), &m.c) == EDGEATTN_OK, edgeattn_last_error());
    return m;
  }();
  return b;
}

std::string c_text(const edgeattn_translator* t) {
  size_t n = 0;
  const char* s = edgeattn_translator_text(t, &n);
  return std::string(s, n);
}

TEST_CASE("C API translator: the C++ Translator's text, stats and memory") {
  const char* text = "Dr. Smith arrived at 9:30. \"Why is the train late?\" asked Maria. Nobody knew.";
  edgeattn_translator* t = nullptr;
  REQUIRE_MESSAGE(edgeattn_translator_create(enpt().c, nullptr, &t) == EDGEATTN_OK, edgeattn_last_error());
  REQUIRE(edgeattn_translator_translate(t, text, std::strlen(text)) == EDGEATTN_OK);
  auto cpp = Translator::create(*enpt().cpp, TranslatorOptions());
  REQUIRE(cpp.is_ok());
  REQUIRE((*cpp)->translate(text).is_ok());
  CHECK(c_text(t) == std::string((*cpp)->text()));
  CHECK(c_text(t).find("Smith") != std::string::npos);
  edgeattn_translate_stats st;
  REQUIRE(edgeattn_translator_last_stats(t, &st) == EDGEATTN_OK);
  CHECK(st.sentences == 3);
  CHECK(st.sentences == (*cpp)->last_stats().sentences);
  CHECK(st.source_tokens == (*cpp)->last_stats().source_tokens);
  CHECK(st.output_tokens == (*cpp)->last_stats().output_tokens);
  CHECK(st.selected_words == (*cpp)->last_stats().selected_words);
  edgeattn_memory_stats enc, dec;
  REQUIRE(edgeattn_translator_memory(t, &enc, &dec) == EDGEATTN_OK);
  CHECK(enc.arena_bytes == (*cpp)->encoder_memory().arena_bytes);
  CHECK(dec.arena_bytes == (*cpp)->decoder_memory().arena_bytes);
  CHECK(dec.sequence_bytes == (*cpp)->decoder_memory().sequence_bytes);
  edgeattn_translator_destroy(t);
}

TEST_CASE("C API translator: options, bad input and bad handles") {
  edgeattn_translator_options o = edgeattn_translator_options_default();
  CHECK(o.max_source_tokens == 256);
  CHECK(o.max_text_bytes == 16384);
  CHECK(o.shortlist == 1);
  CHECK(o.split_sentences == 1);
  o.split_sentences = 0;
  o.max_text_bytes = 128;
  o.max_source_tokens = 16;
  edgeattn_translator* t = nullptr;
  REQUIRE(edgeattn_translator_create(enpt().c, &o, &t) == EDGEATTN_OK);
  CHECK(edgeattn_translator_translate(t, "", 0) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(std::string(edgeattn_last_error()).find("nothing to translate") != std::string::npos);
  CHECK(c_text(t).empty());  // after a failure
  const std::string long_text(129, 'a');
  CHECK(edgeattn_translator_translate(t, long_text.data(), long_text.size()) == EDGEATTN_INVALID_ARGUMENT);
  const char* many = "one two three four five six seven eight nine ten eleven twelve thirteen";
  CHECK(edgeattn_translator_translate(t, many, std::strlen(many)) == EDGEATTN_OUT_OF_RANGE);
  CHECK(std::string(edgeattn_last_error()).find("at most 16") != std::string::npos);
  CHECK(edgeattn_translator_translate(t, "Hello.", 6) == EDGEATTN_OK);
  CHECK(!c_text(t).empty());
  CHECK(edgeattn_translator_translate(nullptr, "Hello.", 6) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(edgeattn_translator_translate(t, nullptr, 3) == EDGEATTN_INVALID_ARGUMENT);
  edgeattn_translator_destroy(t);
  edgeattn_translator_destroy(nullptr);
  o.max_source_tokens = 1;
  CHECK(edgeattn_translator_create(enpt().c, &o, &t) == EDGEATTN_INVALID_ARGUMENT);
  CHECK(t == nullptr);
}

}  // namespace
}  // namespace edgeattn
