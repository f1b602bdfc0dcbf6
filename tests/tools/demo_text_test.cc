// demo/text.h: edgeattn-demo shortens texts for its tables by characters,
// never cutting inside a UTF-8 sequence (2-byte "é", 3-byte CJK, 4-byte
// emoji), whatever the limit and wherever the sequences fall.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "demo/text.h"
#include "tests/tools/utf8_check.h"

namespace edgeattn {
namespace {

using demo::kEllipsis;
using demo::truncate_for_display;
using demo::utf8_prefix;
using testing::is_valid_utf8;

// Code points of a valid UTF-8 string: the bytes that are not continuations.
size_t count_chars(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// One input per sequence length, and mixes; each also shifted by 1-3 ASCII
// bytes so every sequence starts at every byte offset modulo 4, and so any
// byte-count cut lands inside each kind of sequence at each of its bytes.
std::vector<std::string> inputs() {
  const std::vector<std::string> bodies = {
      "plain ASCII text",
      "\xC3\xA9t\xC3\xA9 soir\xC3\xA9" "e \xC3\xB1 \xC3\xBC",                       // été soirée ñ ü (2 bytes)
      "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x81\xAE\xE6\x96\x87",               // 日本語の文 (3 bytes)
      "\xF0\x9F\x98\x80\xF0\x9F\x8D\x9E\xF0\x9F\x90\x88",                           // 😀🍞🐈 (4 bytes)
      "a\xC3\xA9\xE6\x97\xA5\xF0\x9F\x98\x80" "b\xF0\x9F\x98\x80\xE6\x97\xA5\xC3\xA9" "c",  // aé日😀b😀日éc
  };
  std::vector<std::string> out;
  for (const std::string& body : bodies) {
    for (size_t shift = 0; shift < 4; ++shift) out.push_back(std::string(shift, '>') + body);
  }
  return out;
}

TEST_CASE("the test's UTF-8 validator accepts valid text and rejects every kind of broken sequence") {
  CHECK(is_valid_utf8(""));
  CHECK(is_valid_utf8("ascii"));
  CHECK(is_valid_utf8("soir\xC3\xA9" "e \xE6\x97\xA5 \xF0\x9F\x98\x80"));
  CHECK_FALSE(is_valid_utf8("soir\xC3"));              // 2-byte sequence cut after its lead
  CHECK_FALSE(is_valid_utf8("\xE6\x97"));              // 3-byte sequence cut in the middle
  CHECK_FALSE(is_valid_utf8("\xF0\x9F\x98"));          // 4-byte sequence cut before its last byte
  CHECK_FALSE(is_valid_utf8("\xA9"));                  // a lone continuation byte
  CHECK_FALSE(is_valid_utf8("\xC0\xAF"));              // overlong '/'
  CHECK_FALSE(is_valid_utf8("\xED\xA0\x80"));          // a UTF-16 surrogate
  CHECK_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));      // above U+10FFFF
  CHECK_FALSE(is_valid_utf8("\xFF"));
}

TEST_CASE("cutting by bytes, as printf's %.Ns did, breaks these inputs; utf8_prefix at every limit does not") {
  for (const std::string& text : inputs()) {
    CAPTURE(text);
    REQUIRE(is_valid_utf8(text));
    const size_t total = count_chars(text);
    bool some_byte_cut_is_invalid = false;
    for (size_t bytes = 0; bytes <= text.size(); ++bytes) {
      some_byte_cut_is_invalid |= !is_valid_utf8(text.substr(0, bytes));
    }
    CHECK(some_byte_cut_is_invalid == (text.size() != total));  // only ASCII survives byte cuts
    for (size_t limit = 0; limit <= total + 2; ++limit) {
      CAPTURE(limit);
      const std::string_view kept = utf8_prefix(text, limit);
      CHECK(is_valid_utf8(kept));
      CHECK(starts_with(text, kept));
      CHECK(count_chars(kept) == std::min(limit, total));
    }
  }
}

TEST_CASE("truncate_for_display keeps short texts whole and ends long ones with one ellipsis, within the limit") {
  for (const std::string& text : inputs()) {
    CAPTURE(text);
    const size_t total = count_chars(text);
    for (size_t limit = 1; limit <= total + 2; ++limit) {
      CAPTURE(limit);
      const std::string shown = truncate_for_display(text, limit);
      CHECK(is_valid_utf8(shown));
      if (limit >= total) {
        CHECK(shown == text);
        continue;
      }
      CHECK(count_chars(shown) == limit);  // the ellipsis counts as one character
      REQUIRE(shown.size() >= kEllipsis.size());
      CHECK(shown.substr(shown.size() - kEllipsis.size()) == kEllipsis);
      const std::string kept = shown.substr(0, shown.size() - kEllipsis.size());
      CHECK(starts_with(text, kept));
      CHECK(count_chars(kept) == limit - 1);
    }
  }
  CHECK(truncate_for_display("abc", 0).empty());
  CHECK(truncate_for_display("", 0).empty());
  CHECK(truncate_for_display("", 5).empty());
  CHECK(truncate_for_display("\xE6\x97\xA5\xE6\x9C\xAC", 1) == kEllipsis);
}

TEST_CASE("malformed input: each bad byte is one character, nothing is read past the end, the output is a prefix") {
  const std::vector<std::string> malformed = {
      std::string("ab\xE6\x97", 4),                  // 3-byte sequence truncated by the end of the text
      std::string("\xA9\xA9x", 3),                   // lone continuation bytes
      std::string("\xC3(\xC3\xA9", 4),               // a lead byte followed by ASCII, then a valid é
      std::string("\xFF\xF0\x9F\x98\x80", 5),        // an impossible byte, then a valid emoji
      std::string("\xF0\x9F\x98", 3),                // 4-byte sequence missing its last byte
  };
  for (const std::string& text : malformed) {
    CAPTURE(text);
    size_t previous = 0;
    for (size_t limit = 0; limit <= text.size() + 1; ++limit) {
      const std::string_view kept = utf8_prefix(text, limit);
      CHECK(starts_with(text, kept));
      CHECK(kept.size() >= previous);  // grows with the limit
      CHECK(kept.size() <= text.size());
      previous = kept.size();
    }
    CHECK(utf8_prefix(text, text.size()) == text);  // at most one character per byte
  }
  // A valid sequence after a bad byte stays whole: "\xC3" is one character, "(" the next, "é" the third.
  CHECK(utf8_prefix(std::string("\xC3(\xC3\xA9", 4), 3) == std::string("\xC3(\xC3\xA9", 4));
  CHECK(utf8_prefix(std::string("\xC3(\xC3\xA9", 4), 2) == std::string("\xC3(", 2));
  CHECK(utf8_prefix(std::string("\xFF\xF0\x9F\x98\x80", 5), 1) == std::string("\xFF", 1));
}

}  // namespace
}  // namespace edgeattn
