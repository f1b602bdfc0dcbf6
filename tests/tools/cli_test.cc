// The shipped binaries, run as a user runs them: edgeattn-convert (convert,
// inspect, error messages) and edgeattn-demo (generate, embed).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/model_gate.h"
#include "tests/support/model_paths.h"
#include "tests/support/process.h"

EDGEATTN_TEST_MODELS(kStories260K, kStories260KGguf, kMiniLM);

namespace edgeattn {
namespace {

using testing::require_model;
using testing::temp_dir;
using testing::tool_path;

using testing::q;
using testing::read_file;
using testing::run;
using testing::Run;

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
  // The reference table (bit-identical across architectures) by name.
  Run r = run(tool_path("edgeattn-demo") + " " + dir + "/a.eatn generate --max-tokens 256 --kernels reference");
  CHECK_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.out == expected);
  CHECK(r.err.find("kernels reference") != std::string::npos);
  CHECK(r.err.find("XNNPACK packed 0.00 MiB") != std::string::npos);
  Run i = run(tool_path("edgeattn-convert") + " inspect " + dir + "/a.eatn --max-seq 256");
  CHECK_MESSAGE(i.exit_code == 0, i.err);
  CHECK(i.out.find("LlamaDecoder") != std::string::npos);
  CHECK(i.out.find("blk.4.ffn_down.weight") != std::string::npos);
  CHECK(i.out.find("arena of 'forward' for max_batch 1, max_seq 256") != std::string::npos);
  // Sampling with a seed is deterministic and produces text.
  const std::string sampled = tool_path("edgeattn-demo") + " " + dir +
                             "/a.eatn generate --max-tokens 40 --seed 42 --temperature 0.8 --top-p 0.9 --prompt 'Once upon a time'";
  Run s1 = run(sampled);
  Run s2 = run(sampled);
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
    std::ofstream(dir + "/config.json") << R"({"architectures": ["T5ForConditionalGeneration"], "model_type": "t5"})";
    Run r = run(tool_path("edgeattn-convert") + " " + dir + " -o " + dir + "/x.eatn");
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("config.json") != std::string::npos);
    CHECK(r.err.find("unknown architecture 'T5ForConditionalGeneration'") != std::string::npos);
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
    CHECK(r.exit_code == 2);  // not a model: a usage error
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

std::string stories_model() {
  static std::string path = [] {
    const std::string dir = temp_dir("cli_stories_model");
    Run c = run(tool_path("edgeattn-convert") + " " + q(require_model("stories260K/stories260K.bin")) +
                " --tokenizer " + q(require_model("stories260K/tok512.bin")) + " -o " + dir + "/s.eatn --quiet");
    REQUIRE_MESSAGE(c.exit_code == 0, c.err);
    return dir + "/s.eatn";
  }();
  return path;
}

size_t count_lines(const std::string& s) { return static_cast<size_t>(std::count(s.begin(), s.end(), '\n')); }

TEST_CASE("edgeattn-demo help, bad flags and wrong models: one clear line, exit code 2") {
  const std::string demo = tool_path("edgeattn-demo");
  Run help = run(demo + " --help");
  CHECK(help.exit_code == 0);
  for (const char* verb : {"generate", "chat", "embed"}) CHECK(help.out.find(verb) != std::string::npos);
  for (const char* verb : {"generate", "chat", "embed"}) {
    CAPTURE(verb);
    Run h = run(demo + " " + verb + " --help");
    CHECK(h.exit_code == 0);
    CHECK(h.out.find(std::string("usage: edgeattn-demo MODEL ") + verb) != std::string::npos);
  }
  Run gen_help = run(demo + " generate --help");
  for (const char* flag :
       {"--prompt", "--max-tokens", "--temperature", "--top-k", "--top-p", "--seed", "--threads", "--kernels"}) {
    CHECK(gen_help.out.find(flag) != std::string::npos);
  }
  const std::string model = stories_model();
  Run bad_flag = run(demo + " " + model + " generate --bogus");
  CHECK(bad_flag.exit_code == 2);
  CHECK(bad_flag.err.find("unknown option '--bogus'") != std::string::npos);
  Run bad_table = run(demo + " " + model + " generate --kernels no-such-table");
  CHECK(bad_table.exit_code == 2);
  CHECK(bad_table.err.find("kernels 'no-such-table': no such kernel table") != std::string::npos);
  CHECK(bad_table.err.find("available: reference") != std::string::npos);
  Run bad_value = run(demo + " " + model + " generate --top-p 7");
  CHECK(bad_value.exit_code == 2);
  CHECK(bad_value.err.find("--top-p") != std::string::npos);
  Run missing = run(demo + " /nonexistent/model.eatn generate");
  CHECK(missing.exit_code == 2);
  CHECK(count_lines(missing.err) == 1);
  CHECK(missing.err.find("/nonexistent/model.eatn") != std::string::npos);
  Run wrong_kind = run(demo + " " + model + " embed 'hello'");
  CHECK(wrong_kind.exit_code == 2);
  CHECK(wrong_kind.err.find("encoder") != std::string::npos);
  Run bad_verb = run(demo + " " + model + " dance");
  CHECK(bad_verb.exit_code == 2);
}

TEST_CASE("edgeattn-demo generate: prompt from --prompt or stdin, one statistics line") {
  const std::string demo = tool_path("edgeattn-demo");
  const std::string model = stories_model();
  Run a = run(demo + " " + model + " generate --prompt 'Once upon a time, a cat' --max-tokens 30");
  CHECK(a.exit_code == 0);
  CHECK(a.out.rfind("Once upon a time, a cat", 0) == 0);
  CHECK(a.out.size() > std::string("Once upon a time, a cat").size() + 20);
  Run b = run("printf 'Once upon a time, a cat' | " + demo + " " + model + " generate --max-tokens 30");
  CHECK(b.out == a.out);
  for (const char* field : {"load", "prefill", "decode", "tok/s", "weights", "arena", "KV", "peak RSS"}) {
    CHECK(a.err.find(field) != std::string::npos);
  }
  Run k = run(demo + " " + model + " generate --max-tokens 30 --temperature 1 --top-k 1");
  Run greedy = run(demo + " " + model + " generate --max-tokens 30");
  CHECK(k.out == greedy.out);  // top-k 1 is greedy at any temperature
}

TEST_CASE("edgeattn-demo chat keeps the context across turns") {
  const std::string demo = tool_path("edgeattn-demo");
  const std::string model = stories_model();
  Run chat = run("printf 'Once upon a time, there was a dog\\nThe dog was happy\\n' | " + demo + " " + model +
                 " chat --max-tokens 20");
  CHECK_MESSAGE(chat.exit_code == 0, chat.err);
  CHECK(count_lines(chat.out) == 2);  // one reply per turn
  // Turn 1: BOS + 9 prompt tokens + 20 generated; turn 2 adds its 5 tokens
  // and 20 more on top: the context only grows if it was kept.
  const size_t t1 = chat.err.find("[turn 1: 20 tokens");
  const size_t t2 = chat.err.find("[turn 2: 20 tokens");
  REQUIRE(t1 != std::string::npos);
  REQUIRE(t2 != std::string::npos);
  auto context_of = [&](size_t at) {
    const size_t c = chat.err.find("context ", at);
    return std::stoul(chat.err.substr(c + 8));
  };
  CHECK(context_of(t2) > context_of(t1) + 20);
  // A fresh chat given only the second turn replies differently.
  Run fresh = run("printf 'The dog was happy\\n' | " + demo + " " + model + " chat --max-tokens 20");
  std::istringstream lines(chat.out);
  std::string first, second;
  std::getline(lines, first);
  std::getline(lines, second);
  CHECK(fresh.out != second + "\n");
  // stories260K has no chat template: --system is said to be unused, the
  // chat runs as without it.
  Run system = run("printf 'Once upon a time, there was a dog\\n' | " + demo + " " + model +
                   " chat --max-tokens 20 --system 'Be brief.'");
  CHECK_MESSAGE(system.exit_code == 0, system.err);
  CHECK(system.err.find("no chat template: --system is not used") != std::string::npos);
  CHECK(system.out == first + "\n");
  CHECK(run(demo + " " + model + " chat --system").exit_code == 2);
}

TEST_CASE("edgeattn-demo embed --query ranks texts by similarity") {
  const std::string src = require_model("all-MiniLM-L6-v2");
  const std::string dir = temp_dir("cli_query");
  Run c = run(tool_path("edgeattn-convert") + " " + q(src) + " -o " + dir + "/m.eatn --quiet");
  REQUIRE(c.exit_code == 0);
  Run r = run(tool_path("edgeattn-demo") + " " + dir +
              "/m.eatn embed --query 'How do I bake bread?' 'The stock market fell today.' "
              "'Knead the dough and let it rise before baking.' 'My cat sleeps all day.'");
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(count_lines(r.out) == 3);
  CHECK(r.out.find("Knead the dough") < r.out.find("stock market"));
  CHECK(r.out.find("Knead the dough") < r.out.find("My cat"));
}

double worst_of(const std::string& report_text) {
  // The last "worst X" figure printed (after any auto-fallback rounds).
  const size_t at = report_text.rfind("worst ");
  REQUIRE(at != std::string::npos);
  return std::stod(report_text.substr(at + 6));
}

TEST_CASE("edgeattn-convert --dtype int8 --report prints the per-block table; --auto-fallback raises the worst case") {
  const std::string src = require_model("all-MiniLM-L6-v2");
  const std::string dir = temp_dir("cli_report");
  Run r = run(tool_path("edgeattn-convert") + " " + q(src) + " -o " + dir + "/q.eatn --dtype int8 --report --quiet");
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  for (int layer = 0; layer < 6; ++layer) {
    CHECK(r.err.find("encoder.layer." + std::to_string(layer) + ".out") != std::string::npos);
  }
  CHECK(r.err.find("embedding cosine vs fp32") != std::string::npos);
  Run f = run(tool_path("edgeattn-convert") + " " + q(src) + " -o " + dir + "/f.eatn --dtype int8 --auto-fallback 0.04 --quiet");
  REQUIRE_MESSAGE(f.exit_code == 0, f.err);
  CHECK(f.err.find("auto-fallback: encoder.layer.") != std::string::npos);
  CHECK(f.err.find("(fp32)") != std::string::npos);
  CHECK(worst_of(f.err) > worst_of(r.err));
  Run bad = run(tool_path("edgeattn-convert") + " " + q(src) + " -o " + dir + "/x.eatn --dtype int3");
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("int3") != std::string::npos);
}

TEST_CASE("edgeattn-convert --f32-layout panels packs the FullyConnected weights; a bad layout exits 2") {
  const std::string src = require_model("all-MiniLM-L6-v2");
  const std::string dir = temp_dir("cli_panels");
  Run r = run(tool_path("edgeattn-convert") + " " + q(src) + " -o " + dir + "/p.eatn --f32-layout panels");
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.err.find("f32 layout panels: 36 FullyConnected weights packed") != std::string::npos);
  Run inspect = run(tool_path("edgeattn-convert") + " inspect " + dir + "/p.eatn");
  REQUIRE_MESSAGE(inspect.exit_code == 0, inspect.err);
  const size_t query = inspect.out.find("encoder.layer.0.attention.self.query.weight");
  REQUIRE(query != std::string::npos);
  CHECK(inspect.out.substr(query, inspect.out.find('\n', query) - query).find("  panels") != std::string::npos);
  const size_t table = inspect.out.find("embeddings.word_embeddings.weight");  // the Embedding's table: row-major
  REQUIRE(table != std::string::npos);
  CHECK(inspect.out.substr(table, inspect.out.find('\n', table) - table).find("panels") == std::string::npos);
  Run bad = run(tool_path("edgeattn-convert") + " " + q(src) + " -o " + dir + "/x.eatn --f32-layout columns");
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("--f32-layout expects row-major or panels, got 'columns'") != std::string::npos);
}

}  // namespace
}  // namespace edgeattn
