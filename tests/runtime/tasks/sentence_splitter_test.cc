// split_sentences (runtime/tasks/sentence_splitter.h): where a text is cut
// for translation, written out by hand for English and Portuguese prose.
#include "runtime/tasks/sentence_splitter.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace edgeattn {
namespace {

std::vector<std::string> split(const std::string& text) {
  TextSpan spans[32];
  const size_t n = split_sentences(text, spans, 32);
  std::vector<std::string> out;
  for (size_t i = 0; i < n && i < 32; ++i) out.push_back(text.substr(spans[i].offset, spans[i].size));
  return out;
}

using V = std::vector<std::string>;

TEST_CASE("split_sentences: terminal punctuation followed by a sentence start") {
  CHECK(split("The cat sat. It was tired.") == V{"The cat sat.", "It was tired."});
  CHECK(split("Really? Yes! Fine…  Done.") == V{"Really?", "Yes!", "Fine…", "Done."});
  CHECK(split("He said \"stop.\" Then he left.") == V{"He said \"stop.\"", "Then he left."});
  CHECK(split("Ele saiu. Ébano chegou. ¿Qué? ¡Sí!") == V{"Ele saiu.", "Ébano chegou.", "¿Qué?", "¡Sí!"});
  CHECK(split("It cost 3.5 euros. 42 people came.") == V{"It cost 3.5 euros.", "42 people came."});
  CHECK(split("(See above.) Next one.") == V{"(See above.)", "Next one."});
}

TEST_CASE("split_sentences: abbreviations, initials, lowercase continuations and decimals do not cut") {
  CHECK(split("Dr. Smith met Mr. Jones and Sra. Silva.") == V{"Dr. Smith met Mr. Jones and Sra. Silva."});
  CHECK(split("Apples, pears, etc. Are all fruit.") == V{"Apples, pears, etc. Are all fruit."});
  CHECK(split("J. R. R. Tolkien wrote it. It is long.") == V{"J. R. R. Tolkien wrote it.", "It is long."});
  CHECK(split("The U.S. Army arrived.") == V{"The U.S. Army arrived."});
  CHECK(split("e.g. this one. and that") == V{"e.g. this one. and that"});
  CHECK(split("Version 2.0 is out.") == V{"Version 2.0 is out."});
}

TEST_CASE("split_sentences: blank lines cut, single newlines and extra whitespace do not") {
  CHECK(split("Line one\nline two") == V{"Line one\nline two"});
  CHECK(split("Title\n\nFirst paragraph. Second.\n  \nLast") == V{"Title", "First paragraph.", "Second.", "Last"});
  CHECK(split("  padded.   Text.  ") == V{"padded.", "Text."});
  CHECK(split("").empty());
  CHECK(split(" \n\t ").empty());
  CHECK(split("no punctuation at all") == V{"no punctuation at all"});
}

TEST_CASE("split_sentences: counts beyond max_out, spans point into the text") {
  const std::string text = "One. Two. Six. Ten.";
  TextSpan spans[2];
  CHECK(split_sentences(text, spans, 2) == 4);
  CHECK(spans[1].offset == 5);
  CHECK(spans[1].size == 4);
  CHECK(split_sentences(text, nullptr, 0) == 4);
}

TEST_CASE("trim_whitespace: spans without leading and trailing whitespace") {
  const TextSpan t = trim_whitespace(" \t\nOne two.\r\n ");
  CHECK(t.offset == 3);
  CHECK(t.size == 8);
  CHECK(trim_whitespace(" \n\t ").size == 0);
  CHECK(trim_whitespace("").size == 0);
  const std::string with_nul("\0x", 2);  // NUL is text, not whitespace
  CHECK(trim_whitespace(with_nul).size == 2);
}

}  // namespace
}  // namespace edgeattn
