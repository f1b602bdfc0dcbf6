// edgeattn-bench's command line, driven as a user would: --wav FILE followed
// by other flags (the flag lost its `continue` in 77e3846, so every later
// flag was read as --wav's number and the Whisper comparison could not run),
// and --threads 0 meaning every online CPU.
#include <doctest/doctest.h>

#include <unistd.h>

#include <string>

#include "tests/support/model_gate.h"
#include "tests/support/model_paths.h"
#include "tests/support/process.h"

EDGEATTN_TEST_MODELS(kWhisperTinyEnCt2, kWhisperAudio);

namespace edgeattn {
namespace {

using testing::q;
using testing::require_model;
using testing::run;
using testing::Run;
using testing::tool_path;

TEST_CASE("edgeattn-bench --wav FILE --threads 0 --repeat 1 times the Transcriber on every online CPU") {
  const std::string model = testing::convert_with_tool(q(require_model("whisper-tiny.en-ct2")), "bench_cli_whisper");
  const std::string wav = require_model("whisper/beckett.wav");
  Run r = run(tool_path("edgeattn-bench") + " " + q(model) + " --wav " + q(wav) +
              " --threads 0 --repeat 1 --runs 1 --json");
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  CHECK(r.out.find("\"threads\": " + std::to_string(cpus < 1 ? 1 : cpus > 256 ? 256 : cpus) + ",") !=
        std::string::npos);
  CHECK(r.out.find("\"repeat\": 1,") != std::string::npos);
  // The transcript of beckett.wav (tests/runtime/tasks/transcriber_test.cc
  // holds it exactly against CTranslate2; here: the bench ran the task).
  CHECK(r.out.find("Ever tried, ever failed. No matter, try again. Fail again. Fail better.") != std::string::npos);
  Run bad = run(tool_path("edgeattn-bench") + " " + q(model) + " --wav " + q(wav) + " --threads -1");
  CHECK(bad.exit_code != 0);
  CHECK(bad.err.find("--threads") != std::string::npos);
}

}  // namespace
}  // namespace edgeattn
