// The installed package, used as a user would: `cmake --install` of this
// build into a fresh prefix, then tiny consumer projects (c_consumer/ in C,
// cxx_consumer/ in C++) configured with find_package(edgeattn) and compiled
// with `pkg-config --cflags --libs edgeattn`, each run on stories260K: greedy
// generation from BOS with the text generator task must print llama2.c's
// published text exactly. Given MiniLM too, each ranks sentences with the
// embedder task; the C++ one also prints the models' ModelInfo. The
// installed include tree must hold only the public API: no flatc-generated
// schema and no kernels/ header, in the tree or included by a header in it.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tests/support/model_gate.h"
#include "tests/support/model_paths.h"
#include "tests/support/process.h"

EDGEATTN_TEST_MODELS(kStories260K, kMiniLM);

namespace edgeattn {
namespace {

namespace fs = std::filesystem;
using testing::q;
using testing::read_file;
using testing::require_model;
using testing::run;
using testing::Run;

constexpr int kTokens = 256;  // the published text is 256 greedy steps

struct Installed {
  std::string dir;       // scratch folder of this test
  std::string prefix;    // the install prefix
  std::string pc_dir;    // folder holding edgeattn.pc
  std::string model;     // stories260K converted to .eatn
  std::string expected;  // the published greedy text (with its newline)
};

std::string build_dir() {
  const char* b = std::getenv("EDGEATTN_BUILD_DIR");
  REQUIRE_MESSAGE(b != nullptr, "EDGEATTN_BUILD_DIR is not set (run through ctest)");
  return b;
}

// Converts the model and installs the build, once per process.
const Installed& installed() {
  static const Installed inst = [] {
    Installed i;
    const std::string bin = require_model("stories260K/stories260K.bin");
    const std::string tok = require_model("stories260K/tok512.bin");
    i.expected = read_file(require_model("stories260K/greedy_t0_256steps.txt"));
    i.dir = testing::temp_dir("install");
    i.prefix = i.dir + "/prefix";
    i.model = i.dir + "/stories260K.eatn";
    Run c = run(testing::tool_path("edgeattn-convert") + " " + q(bin) + " --tokenizer " + q(tok) + " -o " +
                q(i.model) + " --quiet");
    REQUIRE_MESSAGE(c.exit_code == 0, c.err);
    Run in = run(q(EDGEATTN_CMAKE_COMMAND) + " --install " + q(build_dir()) + " --prefix " + q(i.prefix));
    REQUIRE_MESSAGE(in.exit_code == 0, (in.out + in.err));
    for (const fs::directory_entry& e : fs::recursive_directory_iterator(i.prefix)) {
      if (e.path().filename() == "edgeattn.pc") i.pc_dir = e.path().parent_path().string();
    }
    return i;
  }();
  return inst;
}

// all-MiniLM-L6-v2 converted with the installed build's edgeattn-convert,
// once per process (only the embedding checks need it).
const std::string& encoder_model() {
  static const std::string path = [] {
    const std::string p = installed().dir + "/minilm.eatn";
    Run c = run(testing::tool_path("edgeattn-convert") + " " + q(require_model("all-MiniLM-L6-v2")) + " -o " + q(p) +
                " --quiet");
    REQUIRE_MESSAGE(c.exit_code == 0, c.err);
    return p;
  }();
  return path;
}

// Configures and builds consumer project `name` with CMake; returns its binary.
std::string cmake_build(const std::string& name) {
  const Installed& i = installed();
  const std::string src = std::string(EDGEATTN_SOURCE_DIR) + "/tests/install/" + name;
  const std::string build = i.dir + "/" + name + "-build";
  Run conf = run(q(EDGEATTN_CMAKE_COMMAND) + " -S " + q(src) + " -B " + q(build) + " -G " +
                 q(EDGEATTN_CMAKE_GENERATOR) + " -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH=" + q(i.prefix) +
                 " -DCMAKE_C_COMPILER=" + q(EDGEATTN_C_COMPILER) + " -DCMAKE_CXX_COMPILER=" +
                 q(EDGEATTN_CXX_COMPILER));
  REQUIRE_MESSAGE(conf.exit_code == 0, (conf.out + conf.err));
  Run b = run(q(EDGEATTN_CMAKE_COMMAND) + " --build " + q(build));
  REQUIRE_MESSAGE(b.exit_code == 0, (b.out + b.err));
  return build + "/" + name;
}

// Compiles consumer `name` with one compiler command and pkg-config.
std::string pkg_config_build(const std::string& name, const std::string& compiler, const std::string& source,
                             const std::string& std_flag) {
  const Installed& i = installed();
  REQUIRE_MESSAGE(std::string(EDGEATTN_PKG_CONFIG) != "", "pkg-config not found at configure time");
  REQUIRE_MESSAGE(!i.pc_dir.empty(), "edgeattn.pc was not installed");
  const std::string out = i.dir + "/" + name + "-pc";
  const std::string pc = "PKG_CONFIG_PATH=" + q(i.pc_dir) + " " + q(EDGEATTN_PKG_CONFIG);
  Run b = run(q(compiler) + " " + std_flag + " -O2 -Wall -Wextra -Wpedantic -Werror " +
              q(std::string(EDGEATTN_SOURCE_DIR) + "/tests/install/" + name + "/" + source) + " $(" + pc +
              " --cflags --libs edgeattn) -o " + q(out));
  REQUIRE_MESSAGE(b.exit_code == 0, (b.out + b.err));
  return out;
}

void check_generates(const std::string& binary) {
  const Installed& i = installed();
  Run r = run(q(binary) + " " + q(i.model) + " " + std::to_string(kTokens));
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.out == i.expected);
}

// Runs a consumer with the embedding model too: the same text on stdout,
// and the bread sentence ranked first for the bread query on stderr.
Run check_tasks(const std::string& binary) {
  const Installed& i = installed();
  Run r = run(q(binary) + " " + q(i.model) + " " + std::to_string(kTokens) + " " + q(encoder_model()));
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.out == i.expected);
  const size_t first = r.err.find("rank 1: ");
  REQUIRE_MESSAGE(first != std::string::npos, r.err);
  const std::string best = r.err.substr(first, r.err.find('\n', first) - first);  // "rank 1: 0.6321 Knead the..."
  CHECK_MESSAGE(best.find("Knead the dough") != std::string::npos, best);
  CHECK(r.err.find("rank 3: ") != std::string::npos);
  return r;
}

TEST_CASE("install: the prefix holds the C header, the C++ headers, the archives, the package and the .pc") {
  const Installed& i = installed();
  const fs::path inc = fs::path(i.prefix) / "include" / "edgeattn";
  CHECK(fs::exists(inc / "edgeattn.h"));
  for (const char* h : {"runtime/model.h", "runtime/model_info.h", "runtime/session.h", "runtime/generator.h",
                        "runtime/sampler.h", "runtime/tensor.h", "runtime/core/status.h", "runtime/core/span.h",
                        "runtime/tokenizer/tokenizer.h", "runtime/tasks/embedder.h",
                        "runtime/tasks/text_generator.h"}) {
    CAPTURE(h);
    CHECK(fs::exists(inc / h));
  }
  // Installed headers only include headers that are installed too.
  for (const fs::directory_entry& e : fs::recursive_directory_iterator(inc)) {
    if (e.path().extension() != ".h") continue;
    const std::string text = read_file(e.path().string());
    for (size_t at = text.find("#include \""); at != std::string::npos; at = text.find("#include \"", at + 1)) {
      const size_t start = at + 10;
      const std::string included = text.substr(start, text.find('"', start) - start);
      CAPTURE(e.path().string());
      CHECK_MESSAGE(fs::exists(inc / included), included);
    }
  }
  REQUIRE(!i.pc_dir.empty());
  const fs::path libdir = fs::path(i.pc_dir).parent_path();
  for (const char* lib : {"edgeattn_c", "edgeattn_runtime", "edgeattn_audio", "edgeattn_tokenizer",
                          "edgeattn_kernels", "edgeattn_core"}) {
    CAPTURE(lib);
    CHECK(fs::exists(libdir / ("lib" + std::string(lib) + ".a")));
  }
  CHECK(fs::exists(libdir / "cmake" / "edgeattn" / "edgeattnConfig.cmake"));
  CHECK(fs::exists(libdir / "cmake" / "edgeattn" / "edgeattnConfigVersion.cmake"));
}

// The path of an `#include "path"` or `#include <path>` line (spaces
// allowed around '#' and 'include'); false for any other line.
bool included_path(const std::string& line, std::string* path) {
  size_t i = line.find_first_not_of(" \t");
  if (i == std::string::npos || line[i] != '#') return false;
  i = line.find_first_not_of(" \t", i + 1);
  if (i == std::string::npos || line.compare(i, 7, "include") != 0) return false;
  i = line.find_first_not_of(" \t", i + 7);
  if (i == std::string::npos || (line[i] != '"' && line[i] != '<')) return false;
  const size_t end = line.find(line[i] == '"' ? '"' : '>', i + 1);
  if (end == std::string::npos) return false;
  *path = line.substr(i + 1, end - i - 1);
  return true;
}

TEST_CASE("install: the include tree holds no schema, no generated header and no kernels header, nor includes one") {
  const Installed& i = installed();
  const fs::path inc = fs::path(i.prefix) / "include";
  REQUIRE(fs::is_directory(inc));
  size_t headers = 0;
  // Any #include, quoted or angled, whose path names the schema, a
  // flatc-generated header or the kernels (parsed by hand: std::regex trips
  // GCC 12's -Wmaybe-uninitialized in the sanitizer build).
  for (const fs::directory_entry& e : fs::recursive_directory_iterator(inc)) {
    const fs::path rel = fs::relative(e.path(), inc);
    CAPTURE(rel.string());
    for (const fs::path& part : rel) {
      CHECK(part != "schema");
      CHECK(part != "kernels");
    }
    const std::string name = e.path().filename().string();
    CHECK(name.find("_generated.h") == std::string::npos);
    CHECK(name.find("flatbuffers") == std::string::npos);
    if (!e.is_regular_file()) continue;
    ++headers;
    std::ifstream in(e.path());
    std::string line;
    while (std::getline(in, line)) {
      std::string included;
      if (!included_path(line, &included)) continue;
      CAPTURE(included);
      CHECK(included.rfind("schema/", 0) != 0);
      CHECK(included.rfind("kernels/", 0) != 0);
      CHECK(included.find("_generated.h") == std::string::npos);
      CHECK(included.find("flatbuffers/") == std::string::npos);
    }
  }
  CHECK(headers >= 12);
}

TEST_CASE("install: a C project with find_package(edgeattn) builds and generates the published text") {
  check_generates(cmake_build("c_consumer"));
}

TEST_CASE("install: a C++ project with find_package(edgeattn) builds and generates the published text") {
  check_generates(cmake_build("cxx_consumer"));
}

TEST_CASE("install: C and C++ programs compiled with pkg-config generate the published text") {
  check_generates(pkg_config_build("c_consumer", EDGEATTN_C_COMPILER, "main.c", "-std=c99"));
  check_generates(pkg_config_build("cxx_consumer", EDGEATTN_CXX_COMPILER, "main.cc", "-std=c++17"));
}

TEST_CASE("install: the C consumer's embedder and the C++ consumer's Embedder rank the bread sentence first") {
  const Run c = check_tasks(cmake_build("c_consumer"));
  CHECK(c.err.find("low-level generator: same text") != std::string::npos);
  const Run cxx = check_tasks(cmake_build("cxx_consumer"));
  // ModelInfo of both models, as the C++ consumer prints it.
  CHECK(cxx.err.find("model: LlamaDecoder, task text-generation, dtype fp32, vocab 512") != std::string::npos);
  CHECK(cxx.err.find("model: BertEncoder, task embedding, dtype fp32") != std::string::npos);
  CHECK(cxx.err.find("method forward: ") != std::string::npos);
  CHECK(cxx.err.find("[batch, seq] i32") != std::string::npos);    // token ids
  CHECK(cxx.err.find(", 512] f32") != std::string::npos);          // stories260K logits
  CHECK(cxx.err.find("[batch, 384] f32") != std::string::npos);    // MiniLM embeddings
  CHECK(cxx.err.find("256 tokens, stop max-tokens") != std::string::npos);
  CHECK(cxx.err.find("transcriber refused: not a speech model") != std::string::npos);  // audio + kissfft linked
}

TEST_CASE("install: the C consumer reports the model through the C API") {
  const Installed& i = installed();
  Run r = run(q(cmake_build("c_consumer")) + " " + q(i.model) + " 8");
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.err.find("LlamaDecoder, vocab 512") != std::string::npos);
  CHECK(r.err.find("8 tokens;") != std::string::npos);
  CHECK(i.expected.rfind(r.out.substr(0, r.out.size() - 1), 0) == 0);  // 8 tokens: a prefix of the text
  Run bad = run(q(cmake_build("c_consumer")) + " " + q(i.dir + "/missing.eatn") + " 8");
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("io_error") != std::string::npos);
}

}  // namespace
}  // namespace edgeattn
