// CtcDecoder (runtime/tasks/ocr/ctc_decode.h) against RapidOCR 1.4.4's
// CTCLabelDecode on seeded frame probabilities (mostly-blank frames,
// repeated classes, multi-byte UTF-8 characters), from
// tests/fixtures/ocr/postprocess_reference.json.
#include "runtime/tasks/ocr/ctc_decode.h"

#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "tests/runtime/tasks/ocr/ocr_fixture.h"

namespace edgeattn::ocr {
namespace {

using testing::fixture;

std::unique_ptr<CtcDecoder> make(const std::vector<std::string>& chars, int max_frames) {
  std::vector<const char*> p;
  for (const auto& c : chars) p.push_back(c.c_str());
  auto d = CtcDecoder::create(p.data(), p.size(), max_frames);
  REQUIRE_MESSAGE(d.is_ok(), d.status().message());
  return std::move(*d);
}

TEST_CASE("text and confidence equal CTCLabelDecode's") {
  const auto& fx = fixture()["ctc"];
  auto d = make(fx["dictionary"].get<std::vector<std::string>>(), 64);
  int n = 0;
  for (const auto& c : fx["cases"]) {
    std::vector<uint8_t> bytes = testing::base64(c["probs"].get<std::string>());
    std::vector<float> probs(bytes.size() / 4);
    std::memcpy(probs.data(), bytes.data(), bytes.size());
    const int frames = c["frames"], classes = c["classes"];
    REQUIRE(probs.size() == static_cast<size_t>(frames) * classes);
    REQUIRE(d->decode(probs.data(), frames, classes).is_ok());
    CHECK(std::string(d->text()) == c["text"].get<std::string>());
    CHECK(d->score() == doctest::Approx(c["score"].get<double>()).epsilon(1e-12));
    ++n;
  }
  CHECK(n == 12);
}

TEST_CASE("repeats collapse, blanks separate, nothing kept scores 0") {
  auto d = make({"a", "b"}, 8);  // classes: blank, a, b, space
  auto onehot = [](std::initializer_list<int> ids) {
    std::vector<float> p;
    for (int id : ids) {
      for (int c = 0; c < 4; ++c) p.push_back(c == id ? 0.8f : 0.05f);
    }
    return p;
  };
  std::vector<float> p = onehot({1, 1, 0, 1, 2, 2, 3, 0});
  REQUIRE(d->decode(p.data(), 8, 4).is_ok());
  CHECK(std::string(d->text()) == "aab ");
  CHECK(d->score() == doctest::Approx(0.8));
  p = onehot({0, 0});
  REQUIRE(d->decode(p.data(), 2, 4).is_ok());
  CHECK(d->text().empty());
  CHECK(d->score() == 0.0);
  REQUIRE(d->decode(nullptr, 0, 4).is_ok());
  CHECK(d->text().empty());
  Status s = d->decode(p.data(), 2, 5);
  CHECK(s.code() == StatusCode::kInvalidArgument);
  CHECK(std::string(s.message()).find("5 classes") != std::string::npos);
  std::vector<float> long_p(9 * 4, 0.f);
  CHECK(d->decode(long_p.data(), 9, 4).code() == StatusCode::kOutOfRange);
}

}  // namespace
}  // namespace edgeattn::ocr
