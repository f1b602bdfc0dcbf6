// A fixture for model_gate_test.cc, not a test of its own: it declares
// MiniLM and has a check that fails ("a wrong expected text"). With MiniLM
// missing it must skip before that check (outside CI) or fail (in CI); with
// MiniLM present the failing check makes it fail.
#include <doctest/doctest.h>

#include <string>

#include "tests/support/model_gate.h"

EDGEATTN_TEST_MODELS(kMiniLM);

TEST_CASE("a check against a wrong expected text") {
  const std::string expected = "a wrong expected text";
  CHECK(std::string("the real output") == expected);
}
