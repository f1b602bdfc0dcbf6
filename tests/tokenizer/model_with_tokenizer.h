// A tokenizer table carried by a real model file: a tiny Llama graph (any
// graph will do) with `tok`, serialized and loaded back through
// Model::load_buffer, so tokenizer tests cover the file's tokenizer table and
// the loader's TokenizerSpec, not just the importer.
//
// Example:
//   auto loaded = load_with_tokenizer(convert::import_hf_tokenizer(dir, 512));
//   const Tokenizer& tok = *loaded->model->tokenizer();
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "runtime/model.h"
#include "schema/edgeattn_generated.h"

namespace edgeattn::testing {

// The serialized bytes, their 64-byte-aligned copy and the Model viewing it
// (the Model must not outlive `aligned`: it is destroyed first).
struct LoadedModel {
  std::vector<uint8_t> bytes;
  void* aligned = nullptr;
  std::unique_ptr<Model> model;
  ~LoadedModel();
};

// REQUIREs that the file loads and has a tokenizer. `max_positions`: the
// tiny Llama's context (chat tests need room for a system message).
std::unique_ptr<LoadedModel> load_with_tokenizer(std::unique_ptr<fb::TokenizerT> tok, int max_positions = 16);

// What Model::load_buffer says about such a file (for tables it must refuse).
Status load_status_with_tokenizer(std::unique_ptr<fb::TokenizerT> tok);

}  // namespace edgeattn::testing
