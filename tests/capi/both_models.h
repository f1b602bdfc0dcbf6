// A real model converted once to a file and loaded through both APIs: the
// C++ Model (the oracle's tasks run on it) and the C edgeattn_model (the
// wrappers under test). The same bytes, so the same kernels give the same
// bits on both sides.
//
// Example:
//   static const BothModels m = load_both(require_model("all-MiniLM-L6-v2"), "", "capi_minilm");
//   edgeattn_embedder_create(m.c, nullptr, &e);    // vs Embedder::create(*m.cpp, ...)
#pragma once

#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "capi/edgeattn.h"
#include "runtime/model.h"
#include "tests/support/model_paths.h"
#include "tests/support/models.h"

namespace edgeattn::testing {

struct BothModels {
  std::unique_ptr<Model> cpp;
  edgeattn_model* c = nullptr;  // kept for the process's life, like the converted files
};

// Converts `input` (with `tokenizer`, or "") into temp_dir(name)/model.eatn
// and loads it both ways; REQUIREs success.
inline BothModels load_both(const std::string& input, const std::string& tokenizer, const std::string& name) {
  BothModels m;
  const std::string path = temp_dir(name) + "/model.eatn";
  m.cpp = convert_and_load(input, tokenizer, path);
  REQUIRE_MESSAGE(edgeattn_model_load_file(path.c_str(), &m.c) == EDGEATTN_OK, edgeattn_last_error());
  return m;
}

}  // namespace edgeattn::testing
