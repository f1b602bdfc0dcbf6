// Finding real models for tests, in one place.
//
// Search order for a model folder or file `relative` (e.g.
// "stories260K/stories260K.bin" or "all-MiniLM-L6-v2/config.json"):
//   1. $EDGEATTN_MODELS/<relative>
//   2. <source>/../shared/models/<relative>
//   3. the pip cache that scripts/fetch-models.sh fills:
//      $XDG_CACHE_HOME/edgeattn/models/<relative> (default ~/.cache/...)
//
// Test binaries do not call find_model() for their models: they declare
// them (model_gate.h), which decides skip, run or fail before the first
// check, and then ask require_model(). The fuzzers and scripts use this file
// alone.
//
// Example:
//   std::string tok = find_model("stories260K/tok512.bin");  // "" if absent
#pragma once

#include <string>
#include <vector>

namespace edgeattn::testing {

// Every candidate path for `relative`, in search order.
std::vector<std::string> model_candidates(const std::string& relative);

// The first candidate that exists, or "" if none.
std::string find_model(const std::string& relative);

// True when a missing model must fail rather than skip: CI=true (any value
// but "", "0" or "false") or EDGEATTN_REQUIRE_MODELS=1.
bool models_required();

// RapidOCR's models folder (the three .onnx files): "rapidocr/models" found in the
// order above, i.e. also ${XDG_CACHE_HOME:-~/.cache}/edgeattn/models/rapidocr/models;
// "" if absent. Tests declare it with EDGEATTN_TEST_MODELS(kRapidOcr).
std::string rapidocr_models_dir();

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
// True under quick_mode() and in sanitizer builds (ASan/UBSan, TSan), where
// every op runs several times slower: tests of big real models (Whisper)
// run a representative subset there and everything natively.
bool subset_mode();

}  // namespace edgeattn::testing
