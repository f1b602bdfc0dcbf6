// The shipped binaries, run as a user runs them: edgeattn-convert (convert,
// inspect, error messages) and edgeattn-demo (generate, embed).
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/model_paths.h"

namespace edgeattn {
namespace {

using testing::require_model;
using testing::temp_dir;
using testing::tool_path;

struct Run {
  int exit_code;
  std::string out;
  std::string err;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs a shell command line with stdout and stderr captured to files.
Run run(const std::string& command) {
  static int counter = 0;
  const std::string dir = temp_dir("cli_run_" + std::to_string(counter++));
  const std::string full = command + " >" + dir + "/out 2>" + dir + "/err";
  const int status = std::system(full.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_file(dir + "/out"), read_file(dir + "/err")};
}

std::string q(const std::string& s) { return "'" + s + "'"; }

TEST_CASE("edgeattn-convert + edgeattn-demo generate print the published stories260K text exactly") {
  const std::string bin = require_model("stories260K/stories260K.bin");
  const std::string tok = require_model("stories260K/tok512.bin");
  const std::string gguf = require_model("stories260K-gguf/stories260K.gguf");
  const std::string expected = read_file(require_model("stories260K/greedy_t0_256steps.txt"));
  const std::string dir = temp_dir("cli_stories");
  Run c1 = run(tool_path("edgeattn-convert") + " " + q(bin) + " --tokenizer " + q(tok) + " -o " + dir + "/a.eatn");
  REQUIRE_MESSAGE(c1.exit_code == 0, c1.err);
  Run c2 = run(tool_path("edgeattn-convert") + " " + q(gguf) + " -o " + dir + "/b.eatn");
  REQUIRE_MESSAGE(c2.exit_code == 0, c2.err);
  for (const char* model : {"/a.eatn", "/b.eatn"}) {
    CAPTURE(model);
    Run g = run(tool_path("edgeattn-demo") + " " + dir + model + " generate --max-tokens 256 --temperature 0");
    CHECK_MESSAGE(g.exit_code == 0, g.err);
    CHECK(g.out == expected);
    CHECK(g.err.find("tok/s") != std::string::npos);
    CHECK(g.err.find("peak RSS") != std::string::npos);
  }
  Run i = run(tool_path("edgeattn-convert") + " inspect " + dir + "/a.eatn --max-seq 256");
  CHECK_MESSAGE(i.exit_code == 0, i.err);
  CHECK(i.out.find("LlamaDecoder") != std::string::npos);
  CHECK(i.out.find("blk.4.ffn_down.weight") != std::string::npos);
  CHECK(i.out.find("arena for max_batch 1, max_seq 256") != std::string::npos);
  // Sampling with a seed is deterministic and produces text.
  Run s1 = run(tool_path("edgeattn-demo") + " " + dir + "/a.eatn generate --max-tokens 40 --temperature 0.8 --seed 7 --prompt 'Once upon a time'");
  Run s2 = run(tool_path("edgeattn-demo") + " " + dir + "/a.eatn generate --max-tokens 40 --temperature 0.8 --seed 7 --prompt 'Once upon a time'");
  CHECK(s1.exit_code == 0);
  CHECK(s1.out == s2.out);
  CHECK(s1.out.rfind("Once upon a time", 0) == 0);
  CHECK(s1.out.size() > 40);
}

TEST_CASE("edgeattn-demo embed prints one embedding per text and a cosine matrix") {
  const std::string model_dir = require_model("all-MiniLM-L6-v2");
  const std::string dir = temp_dir("cli_minilm");
  Run c = run(tool_path("edgeattn-convert") + " " + q(model_dir) + " -o " + dir + "/m.eatn --quiet");
  REQUIRE_MESSAGE(c.exit_code == 0, c.err);
  Run e = run(tool_path("edgeattn-demo") + " " + dir +
              "/m.eatn embed 'A man is eating food.' 'A man is eating a piece of bread.' 'The girl is carrying a baby.'");
  REQUIRE_MESSAGE(e.exit_code == 0, e.err);
  std::istringstream lines(e.out);
  std::string line;
  int n_lines = 0;
  while (std::getline(lines, line)) {
    std::istringstream values(line);
    double v, norm = 0;
    int n = 0;
    while (values >> v) {
      norm += v * v;
      ++n;
    }
    CHECK(n == 384);
    CHECK(norm == doctest::Approx(1.0).epsilon(1e-4));
    ++n_lines;
  }
  CHECK(n_lines == 3);
  CHECK(e.err.find("cosine similarity") != std::string::npos);
  CHECK(e.err.find("0.7553") != std::string::npos);  // food vs bread (reference 0.755337)
}

TEST_CASE("edgeattn-convert errors are one clear line naming the file") {
  const std::string dir = temp_dir("cli_errors");
  {
    std::ofstream(dir + "/config.json") << R"({"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2"})";
    Run r = run(tool_path("edgeattn-convert") + " " + dir + " -o " + dir + "/x.eatn");
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("config.json") != std::string::npos);
    CHECK(r.err.find("unknown architecture 'GPT2LMHeadModel'") != std::string::npos);
  }
  {
    std::ofstream(dir + "/bad.gguf", std::ios::binary) << "GGUF\x03\0\0\0garbage";
    Run r = run(tool_path("edgeattn-convert") + " " + dir + "/bad.gguf -o " + dir + "/x.eatn");
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("bad.gguf") != std::string::npos);
  }
  {
    Run r = run(tool_path("edgeattn-convert") + " " + dir + "/missing.bin -o " + dir + "/x.eatn");
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("missing.bin") != std::string::npos);
  }
  {
    Run r = run(tool_path("edgeattn-demo") + " " + dir + "/config.json generate");
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("config.json") != std::string::npos);
  }
}

TEST_CASE("a BERT folder with a missing tensor names the tensor") {
  const std::string src = require_model("all-MiniLM-L6-v2");
  const std::string dir = temp_dir("cli_missing_tensor");
  // config.json claims 7 layers; the checkpoint has 6.
  std::string config = read_file(src + "/config.json");
  const size_t at = config.find("\"num_hidden_layers\": 6");
  REQUIRE(at != std::string::npos);
  config.replace(at, 22, "\"num_hidden_layers\": 7");
  std::ofstream(dir + "/config.json") << config;
  REQUIRE(std::system(("ln -sf " + q(src + "/model.safetensors") + " " + dir + "/model.safetensors").c_str()) == 0);
  REQUIRE(std::system(("ln -sf " + q(src + "/vocab.txt") + " " + dir + "/vocab.txt").c_str()) == 0);
  Run r = run(tool_path("edgeattn-convert") + " " + dir + " -o " + dir + "/x.eatn --quiet");
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("encoder.layer.6.") != std::string::npos);
}

}  // namespace
}  // namespace edgeattn
