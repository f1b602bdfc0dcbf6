// Shared checks for the bad-model tests (bad_model_test.cc: the file and its
// tensors; bad_graph_test.cc: ops, indices, graph and tokenizer tables;
// bad_input_test.cc: caller errors, random byte flips, fuzz seeds).
// Every corruption must give a Status naming the problem, never a crash;
// CI also runs these under ASan+UBSan.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "runtime/model.h"
#include "converter/model_builder.h"
#include "runtime/session.h"
#include "tests/runtime/tiny_model.h"
#include "tests/support/model_paths.h"

namespace edgeattn {
namespace bad_model {

using testing::AlignedBuffer;
using testing::ModelMutator;
using testing::op_named;
using testing::tensor_index;
using testing::tiny_bert_bytes;
using testing::tiny_bert_packed_bytes;
using testing::tiny_llama_bytes;


inline bool contains(const char* haystack, const char* needle) { return std::strstr(haystack, needle) != nullptr; }

// Loads `bytes` from a 64-byte aligned copy; the Status of the load.
inline Status load_status(const std::vector<uint8_t>& bytes) {
  AlignedBuffer buf(bytes);
  Result<std::unique_ptr<Model>> r = Model::load_buffer(buf.data(), buf.size());
  return r.is_ok() ? Status::ok() : r.status();
}

inline bool write_file(const std::string& path, const uint8_t* data, size_t size) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return false;
  const size_t n = size > 0 ? std::fwrite(data, 1, size, f) : 0;
  return std::fclose(f) == 0 && n == size;
}

inline Status load_file_status(const std::string& path) {
  Result<std::unique_ptr<Model>> r = Model::load_file(path.c_str());
  return r.is_ok() ? Status::ok() : r.status();
}

// Checks a Status: failed, with `code`, and a message containing `substr`.
#define CHECK_STATUS(status_expr, expected_code, substr)                                              \
  do {                                                                                                \
    const ::edgeattn::Status s_ = (status_expr);                                                      \
    INFO("status: ", std::string(::edgeattn::status_code_name(s_.code())), ": \"", std::string(s_.message()), \
         "\"");                                                                                        \
    CHECK_FALSE(s_.is_ok());                                                                          \
    CHECK(std::string(::edgeattn::status_code_name(s_.code())) ==                                     \
          ::edgeattn::status_code_name(expected_code));                                               \
    CHECK(contains(s_.message(), substr));                                                            \
  } while (0)

// A corrupted model must fail to load with `code` and a message containing `substr`.
#define CHECK_LOAD_ERROR(bytes, expected_code, substr) CHECK_STATUS(load_status(bytes), expected_code, substr)

inline uint64_t read_u64(const std::vector<uint8_t>& b, size_t at) {
  uint64_t v = 0;
  std::memcpy(&v, b.data() + at, 8);
  return v;
}

inline uint64_t header_end(const std::vector<uint8_t>& b) {
  uint32_t prefix = 0;
  std::memcpy(&prefix, b.data(), 4);
  return uint64_t{prefix} + 4;
}

// Index of a tensor in a serialized tiny model (by building its object model).
inline int llama_tensor(const std::string& name) {
  int index = -1;
  tiny_llama_bytes([&](fb::ModelT& m) { index = tensor_index(m, name); });
  return index;
}
inline int bert_tensor(const std::string& name) {
  int index = -1;
  tiny_bert_bytes([&](fb::ModelT& m) { index = tensor_index(m, name); });
  return index;
}


}  // namespace bad_model
}  // namespace edgeattn
