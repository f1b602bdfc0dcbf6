// Finding real models for tests, in one place.
//
// Search order for a model folder or file `relative` (e.g.
// "stories260K/stories260K.bin" or "all-MiniLM-L6-v2/config.json"):
//   1. $EDGEATTN_MODELS/<relative>
//   2. <source>/../shared/models/<relative>
//   3. the pip cache that scripts/fetch-models.sh fills:
//      $XDG_CACHE_HOME/edgeattn/models/<relative> (default ~/.cache/...)
//
// A missing model is a loud skip: require_model() prints what was searched
// and exits the test binary with 77, which ctest reports as "Skipped".
//
// Example:
//   std::string bin = require_model("stories260K/stories260K.bin");
#pragma once

#include <string>
#include <vector>

namespace edgeattn::testing {

// Every candidate path for `relative`, in search order.
std::vector<std::string> model_candidates(const std::string& relative);

// The first candidate that exists, or "" if none.
std::string find_model(const std::string& relative);

// find_model(), or a loud skip (exit 77) when the model is missing.
std::string require_model(const std::string& relative);

// A fresh directory under the build tree for test outputs.
std::string temp_dir(const std::string& name);

// The shell words that run a tool built into build/bin (e.g.
// "edgeattn-convert"): its path, prefixed by the emulator in a cross build.
// EDGEATTN_TOOL_EMULATOR (set by tests/tools/CMakeLists.txt from
// CMAKE_CROSSCOMPILING_EMULATOR, already shell-quoted, e.g. "'qemu-aarch64'
// '-L' '/usr/aarch64-linux-gnu' ...") goes in front, because the tests start
// tools through the host's /bin/sh, which cannot exec an ARM binary itself.
std::string tool_path(const std::string& name);

// True when EDGEATTN_TEST_QUICK=1: the heavy real-model tests run a smaller
// sample (fewer sentences, steps and invokes) with the same assertions. Set
// by targets/cross-test.sh, where everything runs under qemu-user emulation.
bool quick_mode();

}  // namespace edgeattn::testing
