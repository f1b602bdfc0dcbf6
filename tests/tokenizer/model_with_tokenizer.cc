#include "tests/tokenizer/model_with_tokenizer.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <cstring>

#include "converter/graphs.h"
#include "converter/model_builder.h"

namespace edgeattn::testing {

LoadedModel::~LoadedModel() {
  model.reset();
  std::free(aligned);
}

namespace {

// The serialized tiny Llama with `tok`, copied to 64-byte-aligned memory.
std::unique_ptr<LoadedModel> serialize_with_tokenizer(std::unique_ptr<fb::TokenizerT> tok, int max_positions) {
  convert::LlamaConfig c;
  c.dim = 8;
  c.hidden_dim = 16;
  c.n_layers = 1;
  c.n_heads = 2;
  c.n_kv_heads = 2;
  c.vocab_size = static_cast<int>(tok->pieces.size());
  c.max_positions = max_positions;
  convert::ModelBuilder mb;
  convert::build_llama(
      mb, c,
      [](const std::string&, const std::vector<int64_t>& shape) {
        size_t n = 1;
        for (int64_t d : shape) n *= static_cast<size_t>(d);
        return std::vector<float>(n, 0.01f);
      },
      [](const std::string&) { return false; });
  mb.model().tokenizer = std::move(tok);
  auto out = std::make_unique<LoadedModel>();
  out->bytes = mb.serialize();
  const size_t size = (out->bytes.size() + 63) / 64 * 64;
  out->aligned = std::aligned_alloc(64, size);
  REQUIRE(out->aligned != nullptr);
  std::memcpy(out->aligned, out->bytes.data(), out->bytes.size());
  return out;
}

}  // namespace

std::unique_ptr<LoadedModel> load_with_tokenizer(std::unique_ptr<fb::TokenizerT> tok, int max_positions) {
  std::unique_ptr<LoadedModel> out = serialize_with_tokenizer(std::move(tok), max_positions);
  Result<std::unique_ptr<Model>> m = Model::load_buffer(out->aligned, out->bytes.size());
  REQUIRE_MESSAGE(m.is_ok(), m.status().message());
  out->model = std::move(m).value();
  REQUIRE(out->model->tokenizer() != nullptr);
  return out;
}

Status load_status_with_tokenizer(std::unique_ptr<fb::TokenizerT> tok) {
  std::unique_ptr<LoadedModel> out = serialize_with_tokenizer(std::move(tok), 16);
  Result<std::unique_ptr<Model>> m = Model::load_buffer(out->aligned, out->bytes.size());
  return m.is_ok() ? Status::ok() : m.status();
}

}  // namespace edgeattn::testing
