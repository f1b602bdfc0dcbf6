// edgeattn-demo translate, driven as a user would: Bergamot en->pt converted
// by edgeattn-convert (int8, as shipped), texts as arguments and from stdin,
// and every kind of bad input of issue #15 (empty text, 10,000 words in one
// sentence, invalid UTF-8, a hostile model file: one line on stderr, exit 2,
// never a crash).
#include <doctest/doctest.h>

#include <fstream>
#include <string>

#include "tests/support/model_gate.h"
#include "tests/support/model_paths.h"
#include "tests/support/models.h"
#include "tests/support/process.h"

EDGEATTN_TEST_MODELS(kFastTranslate);

namespace edgeattn {
namespace {

using testing::q;
using testing::run;
using testing::Run;
using testing::temp_dir;
using testing::tool_path;

std::string model() {
  static const std::string path = testing::convert_with_tool(q(testing::bergamot_dir("enpt")), "demo_translate_enpt");
  return path;
}

std::string translate(const std::string& args) {
  return tool_path("edgeattn-demo") + " " + q(model()) + " translate " + args;
}

size_t line_count(const std::string& text) {
  size_t n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

TEST_CASE("translate: one line per text, from arguments and stdin; the stats go to stderr") {
  Run r = run(translate("'Hello world.' 'The cat sat on the mat. It was very tired.'"));
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.out == "Olá, mundo.\nO gato sentou-se no tapete. Ela estava muito cansada.\n");
  CHECK(line_count(r.err) == 1);
  CHECK(r.err.find("3 sentences") != std::string::npos);
  CHECK(r.err.find("peak RSS") != std::string::npos);
  const std::string lines = temp_dir("demo_translate") + "/lines.txt";
  // Blank stdin lines stay blank; CRLF line ends are read as LF.
  std::ofstream(lines) << "Hello world.\r\n\nThank you very much!\n";
  Run t = run(translate("< " + q(lines)));
  REQUIRE_MESSAGE(t.exit_code == 0, t.err);
  CHECK(line_count(t.out) == 3);
  CHECK(t.out.rfind("Olá, mundo.\n\n", 0) == 0);
}

TEST_CASE("translate: bad input is one line on stderr and exit 2") {
  std::string words;
  for (int i = 0; i < 10000; ++i) words += "word ";
  const std::string dir = temp_dir("demo_translate_bad");  // (temp_dir empties the directory)
  const std::string long_file = dir + "/long.txt";
  std::ofstream(long_file) << words << "\n";
  const std::string garbage = dir + "/garbage.eatn";
  std::ofstream(garbage) << "EATN but not a model at all";
  struct Case {
    std::string command;
    std::string message;
  } cases[] = {
      {translate("''"), "text 1: nothing to translate"},
      {translate("'   '"), "nothing to translate"},
      {translate("< " + q(long_file)), "at most 256"},
      {translate("\"$(printf 'caf\\303 ok')\""), "text 1: not valid UTF-8 at byte 3"},
      {translate("ok \"$(printf '\\377')\""), "text 2: not valid UTF-8 at byte 0"},
      {tool_path("edgeattn-demo") + " " + q(garbage) + " translate 'Hello.'", "garbage.eatn"},
      {translate("--no-such-flag 'Hello.'"), "unknown option"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.command.substr(0, 200));
    Run r = run(c.command);
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK(line_count(r.err) >= 1);
    CHECK(r.err.find(c.message) != std::string::npos);
  }
}

}  // namespace
}  // namespace edgeattn
