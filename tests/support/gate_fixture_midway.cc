// A fixture for model_gate_test.cc, not a test of its own: a failing check,
// then a model path asked for part-way through the binary. Whatever the
// environment, the binary must fail (exit 1), never end in a skip that would
// hide the failed check. EDGEATTN_FIXTURE_ASK picks the path asked for.
#include <doctest/doctest.h>

#include <cstdlib>
#include <string>

#include "tests/support/model_gate.h"

EDGEATTN_TEST_MODELS(kMiniLM);

TEST_CASE("1: a check against a wrong expected text") { CHECK(1 + 1 == 3); }

TEST_CASE("2: a model path asked for after the check") {
  const char* ask = std::getenv("EDGEATTN_FIXTURE_ASK");
  const std::string path = edgeattn::testing::require_model(ask != nullptr ? ask : "all-MiniLM-L6-v2/missing.txt");
  MESSAGE("got ", path);
}
