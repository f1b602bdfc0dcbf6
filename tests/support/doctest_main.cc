// Shared doctest main. A test that needs a real model calls
// require_model(...) (model_paths.h), which ends the binary with exit code 77
// (ctest "Skipped") and a loud message when the model is missing.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

int main(int argc, char** argv) {
  doctest::Context context;
  context.applyCommandLine(argc, argv);
  return context.run();
}
