// Shared doctest main. Before any test case runs, the binary decides about
// the real models it declared (model_gate.h): run, skip (exit 77, ctest
// "Skipped") or, in CI, fail.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include "tests/support/model_gate.h"

int main(int argc, char** argv) {
  const int gate = edgeattn::testing::gate_declared_models();
  if (gate != 0) return gate;
  doctest::Context context;
  context.applyCommandLine(argc, argv);
  return context.run();
}
