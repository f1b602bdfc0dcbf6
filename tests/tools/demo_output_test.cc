// What edgeattn-convert and edgeattn-demo write to stderr when it is a file
// (a log, CI) rather than a terminal: no '\r' progress line from the
// converter; valid UTF-8 however long and non-ASCII the embedded texts are;
// an encoder statistics line with encoder fields (texts, tokens, ms, tok/s),
// not the decoder's prefill/decode.
//
// run() (tests/support/process.h) redirects stdout and stderr to files, so
// every tool started here sees a non-terminal stderr.
#include <doctest/doctest.h>

#include <fstream>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/model_gate.h"
#include "tests/support/model_paths.h"
#include "tests/support/process.h"
#include "tests/tools/utf8_check.h"

EDGEATTN_TEST_MODELS(kStories260K, kMiniLM);

namespace edgeattn {
namespace {

using testing::is_valid_utf8;
using testing::q;
using testing::require_model;
using testing::run;
using testing::Run;
using testing::temp_dir;
using testing::tool_path;

// all-MiniLM-L6-v2 converted once for this binary.
std::string minilm_model() {
  static const std::string path = testing::convert_with_tool(q(require_model("all-MiniLM-L6-v2")), "demo_output_minilm");
  return path;
}

// The stderr lines that start with "stats:".
std::vector<std::string> stats_lines(const std::string& err) {
  std::vector<std::string> found;
  std::istringstream lines(err);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("stats:", 0) == 0) found.push_back(line);
  }
  return found;
}

TEST_CASE("edgeattn-convert with stderr in a file writes no '\\r' progress line, one summary line instead") {
  const std::string bin = require_model("stories260K/stories260K.bin");
  const std::string tok = require_model("stories260K/tok512.bin");
  const std::string dir = temp_dir("demo_output_convert");
  // Explicitly `2> file`, the way a CI log captures it (in a subshell: run()
  // appends its own redirections, which would otherwise win).
  Run c = run("( " + tool_path("edgeattn-convert") + " " + q(bin) + " --tokenizer " + q(tok) + " -o " + dir +
              "/s.eatn 2> " + dir + "/convert.log )");
  REQUIRE(c.exit_code == 0);
  const std::string log = testing::read_file(dir + "/convert.log");
  CAPTURE(log);
  CHECK(log.find('\r') == std::string::npos);
  unsigned imported = 0;
  const size_t at = log.find("imported ");
  REQUIRE(at != std::string::npos);
  CHECK((at == 0 || log[at - 1] == '\n'));
  CHECK(std::sscanf(log.c_str() + at, "imported %u tensors\n", &imported) == 1);
  CHECK(imported > 0);
  CHECK(log.find("wrote ") != std::string::npos);
  CHECK(log.find("\n\n") == std::string::npos);  // no blank line left by a progress line that was not drawn
  // --quiet: nothing at all on success.
  Run quiet = run(tool_path("edgeattn-convert") + " " + q(bin) + " --tokenizer " + q(tok) + " -o " + dir +
                  "/q.eatn --quiet");
  CHECK(quiet.exit_code == 0);
  CHECK(quiet.err.empty());
  // An error is one line, without the blank line that used to end a progress line.
  Run bad = run(tool_path("edgeattn-convert") + " " + dir + "/missing.bin -o " + dir + "/x.eatn");
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.rfind("edgeattn-convert: ", 0) == 0);
  CHECK(bad.err.find('\r') == std::string::npos);
}

TEST_CASE("edgeattn-convert on a terminal still draws its progress line in place") {
  const std::string bin = require_model("stories260K/stories260K.bin");
  const std::string tok = require_model("stories260K/tok512.bin");
  if (run("script -qec true /dev/null < /dev/null").exit_code != 0) {
    MESSAGE("no util-linux 'script' or no pseudo-terminal here: the terminal case is not checked");
    return;
  }
  const std::string dir = temp_dir("demo_output_convert_tty");
  // script(1) runs the command on a pseudo-terminal and copies what it wrote.
  // The command goes in a file: its quoted paths cannot nest inside q().
  std::ofstream(dir + "/convert.sh") << tool_path("edgeattn-convert") << " " << q(bin) << " --tokenizer " << q(tok)
                                     << " -o " << q(dir + "/s.eatn") << "\n";
  Run t = run("script -qec " + q("sh " + dir + "/convert.sh") + " /dev/null < /dev/null");
  REQUIRE_MESSAGE(t.exit_code == 0, (t.out + t.err));
  CHECK(t.out.find("\r[  1/") != std::string::npos);
  CHECK(t.out.find("imported ") == std::string::npos);
}

TEST_CASE("edgeattn-demo embed writes valid UTF-8 beside the cosine matrix, cutting long texts between characters") {
  const std::string model = minilm_model();
  // Byte 50 of each of these falls inside a multi-byte sequence: printf's
  // "%.50s" wrote half an "é", CJK character or emoji.
  const std::string french = "Alors nous avons dansé toute la soirée, et l’été dernier près de la rivière.";
  const std::string japanese = "今日は一日中雨が降っていたので、家で本を読んだりお茶を飲んだりしてゆっくり過ごしました。";
  const std::string emoji = "Fresh bread every morning at the bakery 🍞🥖🥐 around the corner";
  Run e = run(tool_path("edgeattn-demo") + " " + model + " embed " + q(french) + " " + q(japanese) + " " + q(emoji));
  REQUIRE_MESSAGE(e.exit_code == 0, e.err);
  CAPTURE(e.err);
  CHECK(is_valid_utf8(e.err));
  CHECK(is_valid_utf8(e.out));
  // 50 characters at most: 49 and an ellipsis; a text that fits is shown whole.
  CHECK(e.err.find("   Alors nous avons dansé toute la soirée, et l’été …\n") != std::string::npos);
  CHECK(e.err.find("   " + japanese + "\n") != std::string::npos);  // 44 characters (132 bytes)
  CHECK(e.err.find("   Fresh bread every morning at the bakery 🍞🥖🥐 aroun…\n") != std::string::npos);
}

TEST_CASE("edgeattn-demo embed's statistics line counts texts, tokens, ms and tok/s, and says nothing of decoding") {
  const std::string model = minilm_model();
  Run e = run(tool_path("edgeattn-demo") + " " + model +
              " embed 'A man is eating food.' 'A man is eating a piece of bread.' 'The girl is carrying a baby.'");
  REQUIRE_MESSAGE(e.exit_code == 0, e.err);
  const std::vector<std::string> stats = stats_lines(e.err);
  REQUIRE(stats.size() == 1);
  const std::string& line = stats[0];
  CAPTURE(line);
  CHECK(line.find("decode") == std::string::npos);
  CHECK(line.find("prefill") == std::string::npos);
  CHECK(line.find("KV") == std::string::npos);  // an encoder keeps no KV cache
  // [CLS] + WordPiece tokens + [SEP]: 8 + 11 + 9 = 28, right-padded to 3 x 11 = 33.
  // (std::regex is avoided: GCC 12's -Wmaybe-uninitialized misfires on it
  // in the sanitizer build.)
  const std::string field = "| embed 3 texts, 28 tok (33 padded) in ";
  const size_t at = line.find(field);
  REQUIRE(at != std::string::npos);
  double ms = 0, tokens_per_s = 0;
  char bar = 0;
  REQUIRE(std::sscanf(line.c_str() + at + field.size(), "%lf ms, %lf tok/s %c", &ms, &tokens_per_s, &bar) == 3);
  CHECK(bar == '|');
  CHECK(ms > 0);
  CHECK(tokens_per_s == doctest::Approx(28 * 1000.0 / ms).epsilon(0.05));  // both rounded when printed
  for (const char* field : {"load ", " ms", "weights ", "arena ", "XNNPACK packed ", "peak RSS ", "kernels "}) {
    CHECK(line.find(field) != std::string::npos);
  }
  // With --query the query is one of the texts embedded.
  Run s = run(tool_path("edgeattn-demo") + " " + model +
              " embed --query 'How do I bake bread?' 'Knead the dough.' 'My cat sleeps all day.'");
  REQUIRE_MESSAGE(s.exit_code == 0, s.err);
  const std::vector<std::string> search_stats = stats_lines(s.err);
  REQUIRE(search_stats.size() == 1);
  CHECK(search_stats[0].find("| embed 3 texts, ") != std::string::npos);
  CHECK(search_stats[0].find("decode") == std::string::npos);
}

}  // namespace
}  // namespace edgeattn
