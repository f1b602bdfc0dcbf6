// The test support's own behaviour (model_gate.h): a missing model is decided
// before the first check, is a skip outside CI and a failure in CI, and can
// never turn a failed check into a passing ctest run. The fixtures
// (gate_fixture_*.cc) run as child processes with a model root made here
// (EDGEATTN_MODELS) and HOME / XDG_CACHE_HOME pointing at empty folders, then
// once more under ctest itself.
#include <doctest/doctest.h>

#include <fstream>
#include <string>

#include "tests/support/model_paths.h"
#include "tests/support/process.h"

namespace edgeattn::testing {
namespace {

// A shell prefix: no CI variables from the environment this test runs in
// (CI itself sets CI=true), models only under `models`.
std::string env_prefix(const std::string& models, const std::string& empty, const std::string& extra) {
  return "env -u CI -u EDGEATTN_REQUIRE_MODELS EDGEATTN_MODELS=" + q(models) + " HOME=" + q(empty) +
         " XDG_CACHE_HOME=" + q(empty) + " " + extra + " ";
}

std::string fixture(const std::string& name) {
  const char* build = std::getenv("EDGEATTN_BUILD_DIR");
  return std::string(build ? build : ".") + "/tests/" + name;
}

// A folder that has every file model_gate.cc checks for MiniLM (empty files).
std::string fake_minilm_root(const std::string& dir) {
  const std::string m = dir + "/all-MiniLM-L6-v2";
  run("mkdir -p " + q(m));
  for (const char* f : {"config.json", "model.safetensors", "tokenizer.json", "vocab.txt"}) {
    std::ofstream(m + "/" + f) << "";
  }
  return dir;
}

bool contains(const std::string& s, const std::string& what) { return s.find(what) != std::string::npos; }

TEST_CASE("a declared model that is missing: skip before the first check outside CI, failure in CI") {
  const std::string dir = temp_dir("gate_declared");
  const std::string empty = dir + "/empty";
  run("mkdir -p " + q(empty));
  const std::string bin = fixture("gate_fixture_declared");

  Run skip = run(env_prefix(empty, empty, "") + q(bin));
  CHECK(skip.exit_code == 77);
  CHECK(contains(skip.err, "SKIPPED"));
  CHECK(contains(skip.err, "'all-MiniLM-L6-v2' not found"));
  CHECK(contains(skip.err, empty + "/all-MiniLM-L6-v2"));  // where it looked
  CHECK_FALSE(contains(skip.out + skip.err, "the real output"));      // no check ran

  for (const char* ci : {"CI=true", "CI=1", "EDGEATTN_REQUIRE_MODELS=1"}) {
    INFO(ci);
    Run fail = run(env_prefix(empty, empty, ci) + q(bin));
    CHECK(fail.exit_code == 1);
    CHECK(contains(fail.err, "FAILED"));
    CHECK(contains(fail.err, empty + "/all-MiniLM-L6-v2"));
  }
  Run not_ci = run(env_prefix(empty, empty, "CI=false") + q(bin));
  CHECK(not_ci.exit_code == 77);

  // With the model present the fixture's wrong expectation is checked, and fails.
  const std::string models = fake_minilm_root(dir + "/models");
  Run present = run(env_prefix(models, empty, "") + q(bin));
  CHECK(present.exit_code == 1);
  CHECK(contains(present.out, "the real output"));

  // A model folder missing one of its files: that file is named, and the
  // binary skips (or fails in CI) before its first check as well.
  run("rm " + q(models + "/all-MiniLM-L6-v2/vocab.txt"));
  Run partial = run(env_prefix(models, empty, "") + q(bin));
  CHECK(partial.exit_code == 77);
  CHECK(contains(partial.err, "'all-MiniLM-L6-v2/vocab.txt' not found"));
  CHECK_FALSE(contains(partial.err, "'all-MiniLM-L6-v2/config.json' not found"));
}

TEST_CASE("a model asked for part-way through a binary fails it, whatever the environment") {
  const std::string dir = temp_dir("gate_midway");
  const std::string empty = dir + "/empty";
  run("mkdir -p " + q(empty));
  const std::string models = fake_minilm_root(dir + "/models");
  const std::string bin = fixture("gate_fixture_midway");
  // A file missing from a declared model, and a model the binary did not declare.
  for (const char* ask : {"all-MiniLM-L6-v2/missing.txt", "stories260K/tok512.bin"}) {
    for (const char* ci : {"", "CI=true"}) {
      INFO(ask, " ", ci);
      Run r = run(env_prefix(models, empty, std::string(ci) + " EDGEATTN_FIXTURE_ASK=" + ask) + q(bin));
      CHECK(r.exit_code == 1);
      CHECK(contains(r.out, "1 + 1 == 3"));  // the failed check was reported first
      CHECK(contains(r.err, "FAILED: model path '" + std::string(ask) + "'"));
    }
  }
}

// ctest itself, on a test file naming both fixtures with the SKIP_RETURN_CODE
// every edgeattn test has: what a user of the suite reads.
TEST_CASE("ctest reports the fixture with a failed check and a missing model as failed") {
  const std::string dir = temp_dir("gate_ctest");
  const std::string empty = dir + "/empty";
  run("mkdir -p " + q(empty));
  // "midway" finds its declared model (so its checks run), "declared" does not.
  const std::string models = fake_minilm_root(dir + "/models");
  std::ofstream(dir + "/CTestTestfile.cmake")
      << "add_test(declared \"" << fixture("gate_fixture_declared") << "\")\n"
      << "set_tests_properties(declared PROPERTIES SKIP_RETURN_CODE 77)\n"
      << "add_test(midway \"" << fixture("gate_fixture_midway") << "\")\n"
      << "set_tests_properties(midway PROPERTIES SKIP_RETURN_CODE 77 ENVIRONMENT \"EDGEATTN_MODELS=" << models
      << "\")\n";
  const std::string ctest = std::string(EDGEATTN_CTEST_COMMAND) + " --test-dir " + q(dir);
  Run local = run(env_prefix(empty, empty, "") + ctest);
  CHECK(local.exit_code != 0);
  CHECK(contains(local.out, "tests failed out of 2"));
  CHECK(contains(local.out, "declared (Skipped)"));
  CHECK(contains(local.out, "midway (Failed)"));

  Run ci = run(env_prefix(empty, empty, "CI=true") + ctest);
  CHECK(ci.exit_code != 0);
  CHECK(contains(ci.out, "0% tests passed, 2 tests failed out of 2"));
}

}  // namespace
}  // namespace edgeattn::testing
