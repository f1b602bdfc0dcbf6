// Bad model files: every corruption gives a Status naming the problem, never
// a crash (also under ASan+UBSan: build with -DEDGEATTN_SANITIZE=ON).
//
// Covered (issue: "Bad files"):
//   - the valid tiny models load and run (sanity for everything below);
//   - truncation at >= 20 offsets per model, from memory and from a file;
//   - wrong identifier, wrong format_major, bad buffers and paths;
//   - data segments past the end, overflowing, misaligned, overlapping the
//     header, of the wrong size;
//   - shapes that disagree with their op (FC K/N/bias, attention heads,
//     RoPE rotary_dim, norm gamma, activation dims);
//   - out-of-range tensor indices in ops and graph inputs/outputs;
//   - op order (read before write, written twice, writes a constant),
//     unknown op codes, missing/wrong options, bad arity;
//   - tokenizer tables (special ids, scores, byte pieces, WordPiece);
//   - a few thousand randomly byte-flipped copies (fixed seed): load either
//     fails with a Status or succeeds, and then a Session creates, invokes
//     and tokenizes without crashing;
//   - invoke-time caller errors (ids, seq, batch, lengths, context) and
//     create-time limit errors.
//
// EDGEATTN_FLIP_ITERATIONS=<n> changes the number of flipped copies per
// model (default 3000). EDGEATTN_WRITE_FUZZ_SEEDS=<dir> writes the tiny
// models there as seeds for fuzz/model_load_fuzzer (see fuzz/README.md).
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
namespace {

using testing::AlignedBuffer;
using testing::ModelMutator;
using testing::op_named;
using testing::tensor_index;
using testing::tiny_bert_bytes;
using testing::tiny_llama_bytes;

bool contains(const char* haystack, const char* needle) { return std::strstr(haystack, needle) != nullptr; }

// Loads `bytes` from a 64-byte aligned copy; the Status of the load.
Status load_status(const std::vector<uint8_t>& bytes) {
  AlignedBuffer buf(bytes);
  Result<std::unique_ptr<Model>> r = Model::load_buffer(buf.data(), buf.size());
  return r.is_ok() ? Status::ok() : r.status();
}

bool write_file(const std::string& path, const uint8_t* data, size_t size) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return false;
  const size_t n = size > 0 ? std::fwrite(data, 1, size, f) : 0;
  return std::fclose(f) == 0 && n == size;
}

Status load_file_status(const std::string& path) {
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

uint64_t read_u64(const std::vector<uint8_t>& b, size_t at) {
  uint64_t v = 0;
  std::memcpy(&v, b.data() + at, 8);
  return v;
}

uint64_t header_end(const std::vector<uint8_t>& b) {
  uint32_t prefix = 0;
  std::memcpy(&prefix, b.data(), 4);
  return uint64_t{prefix} + 4;
}

// Index of a tensor in a serialized tiny model (by building its object model).
int llama_tensor(const std::string& name) {
  int index = -1;
  tiny_llama_bytes([&](fb::ModelT& m) { index = tensor_index(m, name); });
  return index;
}
int bert_tensor(const std::string& name) {
  int index = -1;
  tiny_bert_bytes([&](fb::ModelT& m) { index = tensor_index(m, name); });
  return index;
}

// ------------------------------------------------------------------ sanity

TEST_CASE("tiny llama loads, tokenizes and decodes") {
  const std::vector<uint8_t> bytes = tiny_llama_bytes();
  REQUIRE(bytes.size() % 64 == 0);
  AlignedBuffer buf(bytes);
  Result<std::unique_ptr<Model>> model = Model::load_buffer(buf.data(), buf.size());
  INFO(std::string(model.status().message()));
  REQUIRE(model.is_ok());
  const Model& m = **model;
  CHECK(m.file_size() == bytes.size());
  CHECK(m.find_tensor("token_embd.weight") >= 0);
  REQUIRE(m.tokenizer() != nullptr);
  CHECK(m.tokenizer()->vocab_size() == testing::tiny_llama_config().vocab_size);

  std::vector<int32_t> ids;
  REQUIRE(m.tokenizer()->encode("the cat", EncodeOptions(), &ids).is_ok());
  REQUIRE(ids.size() >= 2);
  CHECK(ids[0] == 1);  // BOS

  SessionOptions opts;
  opts.max_seq = 8;
  opts.max_context = 16;
  Result<std::unique_ptr<Session>> session = Session::create(m, opts);
  INFO(std::string(session.status().message()));
  REQUIRE(session.is_ok());
  Session& s = **session;
  CHECK(s.has_kv_cache());
  InvokeInput in;
  in.ids = ids.data();
  in.seq = static_cast<int>(ids.size());
  Status st = s.invoke(in);
  INFO(std::string(st.message()));
  REQUIRE(st.is_ok());
  CHECK(s.past() == static_cast<int64_t>(ids.size()));
  TensorView logits = s.output(0);
  REQUIRE(logits.rank == 3);
  CHECK(logits.dim(0) == 1);
  CHECK(logits.dim(1) == 1);
  CHECK(logits.dim(2) == testing::tiny_llama_config().vocab_size);
  for (int64_t i = 0; i < logits.element_count(); ++i) REQUIRE(std::isfinite(logits.f32()[i]));

  // One decode step.
  const int32_t next[1] = {5};
  in.ids = next;
  in.seq = 1;
  REQUIRE(s.invoke(in).is_ok());
  CHECK(s.past() == static_cast<int64_t>(ids.size()) + 1);
}

TEST_CASE("tiny bert loads and embeds a padded batch") {
  const std::vector<uint8_t> bytes = tiny_bert_bytes();
  AlignedBuffer buf(bytes);
  Result<std::unique_ptr<Model>> model = Model::load_buffer(buf.data(), buf.size());
  INFO(std::string(model.status().message()));
  REQUIRE(model.is_ok());
  const Model& m = **model;
  REQUIRE(m.tokenizer() != nullptr);
  CHECK(m.tokenizer()->kind() == TokenizerKind::kWordPiece);
  std::vector<int32_t> a, b;
  REQUIRE(m.tokenizer()->encode("The cats sat on the mat!", EncodeOptions(), &a).is_ok());
  REQUIRE(m.tokenizer()->encode("hello", EncodeOptions(), &b).is_ok());
  CHECK(a.front() == 2);
  CHECK(a.back() == 3);
  REQUIRE(a.size() > b.size());

  SessionOptions opts;
  opts.max_batch = 2;
  opts.max_seq = 16;
  Result<std::unique_ptr<Session>> session = Session::create(m, opts);
  INFO(std::string(session.status().message()));
  REQUIRE(session.is_ok());
  const int seq = static_cast<int>(a.size());
  std::vector<int32_t> ids(2 * static_cast<size_t>(seq), 0);
  std::copy(a.begin(), a.end(), ids.begin());
  std::copy(b.begin(), b.end(), ids.begin() + seq);
  const int32_t lengths[2] = {seq, static_cast<int32_t>(b.size())};
  InvokeInput in{ids.data(), 2, seq, lengths};
  Status st = (*session)->invoke(in);
  INFO(std::string(st.message()));
  REQUIRE(st.is_ok());
  TensorView emb = (*session)->output(0);
  REQUIRE(emb.rank == 2);
  CHECK(emb.dim(0) == 2);
  CHECK(emb.dim(1) == 16);
  for (int r = 0; r < 2; ++r) {
    double norm = 0;
    for (int i = 0; i < 16; ++i) norm += double{emb.f32()[r * 16 + i]} * emb.f32()[r * 16 + i];
    CHECK(std::sqrt(norm) == doctest::Approx(1.0).epsilon(1e-4));
  }
}

TEST_CASE("tiny models also load from a file; format_minor is compatible") {
  const std::string dir = testing::temp_dir("runtime_bad_model_test_valid");
  const std::vector<uint8_t> bytes = tiny_llama_bytes([](fb::ModelT& m) { m.format_minor = 99; });
  const std::string path = dir + "/tiny_llama.eatn";
  REQUIRE(write_file(path, bytes.data(), bytes.size()));
  Result<std::unique_ptr<Model>> model = Model::load_file(path.c_str());
  INFO(std::string(model.status().message()));
  REQUIRE(model.is_ok());
  CHECK((*model)->file_size() == bytes.size());
  CHECK(load_status(tiny_bert_bytes(nullptr)).is_ok());
}

// ------------------------------------------------------------------ buffers and paths

TEST_CASE("load_buffer and load_file reject bad buffers and paths") {
  CHECK_STATUS(Model::load_buffer(nullptr, 100).status(), StatusCode::kInvalidArgument, "null");
  const std::vector<uint8_t> bytes = tiny_bert_bytes();
  AlignedBuffer buf(bytes.data(), bytes.size());
  std::vector<uint8_t> shifted(bytes.size() + 8);
  AlignedBuffer unaligned(shifted.data(), shifted.size());
  std::memcpy(unaligned.data() + 4, bytes.data(), bytes.size());
  CHECK_STATUS(Model::load_buffer(unaligned.data() + 4, bytes.size()).status(), StatusCode::kInvalidArgument,
               "not 8-byte aligned");
  CHECK_STATUS(Model::load_buffer(buf.data(), 0).status(), StatusCode::kInvalidModel, "too small");

  const std::string dir = testing::temp_dir("runtime_bad_model_test_paths");
  CHECK_STATUS(load_file_status(dir + "/does_not_exist.eatn"), StatusCode::kIoError, "cannot open");
  CHECK_STATUS(load_file_status(dir), StatusCode::kIoError, "not a regular file");
  REQUIRE(write_file(dir + "/empty.eatn", nullptr, 0));
  CHECK_STATUS(load_file_status(dir + "/empty.eatn"), StatusCode::kInvalidModel, "too small");
}

// ------------------------------------------------------------------ truncation

// >= 20 truncation points spread over the file: the first bytes, the
// FlatBuffer header (size prefix, root offset, identifier, middle, end), and
// the start, middle and end of several data segments, and size - 1.
std::vector<size_t> truncation_points(const std::vector<uint8_t>& bytes, const std::vector<int>& tensors) {
  const uint64_t fb_end = header_end(bytes);
  std::set<size_t> points = {0, 1, 3, 4, 7, 8, 11, 12, 15, 16, 17, 32, 63, 64};
  for (uint64_t p : {fb_end / 4, fb_end / 2, fb_end - 8, fb_end - 1, fb_end, fb_end + 1}) points.insert(p);
  for (int t : tensors) {
    const size_t at = testing::find_data_segment(bytes, t);
    const uint64_t off = read_u64(bytes, at), size = read_u64(bytes, at + 8);
    for (uint64_t p : {off - 1, off, off + 1, off + size / 2, off + size - 1, off + size}) points.insert(p);
  }
  for (size_t p : {bytes.size() - 64, bytes.size() - 2, bytes.size() - 1}) points.insert(p);
  std::vector<size_t> out;
  for (size_t p : points) {
    if (p < bytes.size()) out.push_back(p);
  }
  return out;
}

void check_truncations(const std::vector<uint8_t>& bytes, const std::vector<int>& tensors, const char* name) {
  const std::vector<size_t> points = truncation_points(bytes, tensors);
  REQUIRE(points.size() >= 20);
  const std::string dir = testing::temp_dir(std::string("runtime_bad_model_test_truncated_") + name);
  for (size_t n : points) {
    CAPTURE(std::string(name));
    CAPTURE(n);
    std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
    const Status mem = load_status(cut);
    INFO("memory: ", std::string(mem.message()));
    CHECK_FALSE(mem.is_ok());
    CHECK(mem.code() == StatusCode::kInvalidModel);
    CHECK((contains(mem.message(), "truncated") || contains(mem.message(), "too small")));

    const std::string path = dir + "/cut_" + std::to_string(n) + ".eatn";
    REQUIRE(write_file(path, cut.data(), cut.size()));
    const Status file = load_file_status(path);
    INFO("file: ", std::string(file.message()));
    CHECK_FALSE(file.is_ok());
    CHECK(file.code() == StatusCode::kInvalidModel);
    CHECK((contains(file.message(), "truncated") || contains(file.message(), "too small")));
    CHECK(contains(file.message(), path.c_str()));  // load_file names the file
  }
}

TEST_CASE("truncated files") {
  SUBCASE("llama") {
    check_truncations(tiny_llama_bytes(),
                      {llama_tensor("token_embd.weight"), llama_tensor("blk.0.attn_q.weight"),
                       llama_tensor("blk.1.ffn_up.weight"), llama_tensor("output_norm.weight")},
                      "llama");
  }
  SUBCASE("bert") {
    check_truncations(tiny_bert_bytes(),
                      {bert_tensor("embeddings.word_embeddings.weight"),
                       bert_tensor("encoder.layer.0.attention.self.query.bias"),
                       bert_tensor("encoder.layer.1.output.LayerNorm.bias")},
                      "bert");
  }
}

// ------------------------------------------------------------------ header

TEST_CASE("wrong identifier") {
  std::vector<uint8_t> bytes = tiny_llama_bytes();
  SUBCASE("EATX") { bytes[11] = 'X'; }
  SUBCASE("zeros") { std::memset(bytes.data() + 8, 0, 4); }
  SUBCASE("not size-prefixed (identifier at offset 4)") {
    std::memmove(bytes.data(), bytes.data() + 4, bytes.size() - 4);
  }
  CHECK_LOAD_ERROR(bytes, StatusCode::kInvalidModel, "not an edgeattn model");
}

TEST_CASE("wrong format version") {
  CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                     m.format_major = kFormatMajor + 1;
                     m.format_minor = 0;
                   }),
                   StatusCode::kInvalidModel, "format version 2.0, this runtime reads 1.x");
  CHECK_LOAD_ERROR(tiny_bert_bytes([](fb::ModelT& m) {
                     m.format_major = 0;
                     m.format_minor = 0;
                   }),
                   StatusCode::kInvalidModel, "format version 0.0");
}

TEST_CASE("size prefix and FlatBuffer corruption") {
  std::vector<uint8_t> bytes = tiny_llama_bytes();
  const uint32_t prefix = static_cast<uint32_t>(header_end(bytes) - 4);
  SUBCASE("prefix past the end") {
    const uint32_t big = static_cast<uint32_t>(bytes.size());
    std::memcpy(bytes.data(), &big, 4);
    CHECK_LOAD_ERROR(bytes, StatusCode::kInvalidModel, "runs past the end of the file");
  }
  SUBCASE("prefix 0xFFFFFFFF") {
    const uint32_t big = 0xFFFFFFFFu;
    std::memcpy(bytes.data(), &big, 4);
    CHECK_LOAD_ERROR(bytes, StatusCode::kInvalidModel, "runs past the end of the file");
  }
  SUBCASE("prefix too short for the table") {
    const uint32_t small = prefix / 2;
    std::memcpy(bytes.data(), &small, 4);
    CHECK_LOAD_ERROR(bytes, StatusCode::kInvalidModel, "failed verification");
  }
  SUBCASE("root offset past the header") {
    const uint32_t root = prefix + 100;
    std::memcpy(bytes.data() + 4, &root, 4);
    CHECK_LOAD_ERROR(bytes, StatusCode::kInvalidModel, "failed verification");
  }
  SUBCASE("root offset 0") {
    std::memset(bytes.data() + 4, 0, 4);
    CHECK_LOAD_ERROR(bytes, StatusCode::kInvalidModel, "failed verification");
  }
}

// ------------------------------------------------------------------ data segments

// Runs `fn(bytes, tensor, offset, size, header_end)` for the first and the
// last weight of the tiny Llama, on a fresh copy each time.
template <typename Fn>
void for_each_segment(Fn fn) {
  const std::vector<uint8_t> bytes = tiny_llama_bytes();
  const uint64_t fb_end = header_end(bytes);
  for (int t : {llama_tensor("token_embd.weight"), llama_tensor("output_norm.weight")}) {
    CAPTURE(t);
    const size_t at = testing::find_data_segment(bytes, t);
    const uint64_t off = read_u64(bytes, at), size = read_u64(bytes, at + 8);
    REQUIRE(off % 64 == 0);
    REQUIRE(off >= fb_end);
    std::vector<uint8_t> bad = bytes;
    fn(&bad, t, off, size, fb_end);
  }
}

TEST_CASE("corrupt data segments") {
  SUBCASE("offset past the end") {
    for_each_segment([](std::vector<uint8_t>* bad, int t, uint64_t, uint64_t size, uint64_t) {
      testing::patch_data_segment(bad, t, (bad->size() + 64) / 64 * 64, size);
      CHECK_LOAD_ERROR(*bad, StatusCode::kInvalidModel, "past the end of the file");
    });
  }
  SUBCASE("segment crosses the end") {
    for_each_segment([](std::vector<uint8_t>* bad, int t, uint64_t, uint64_t size, uint64_t) {
      testing::patch_data_segment(bad, t, bad->size() - 64, size);
      if (size > 64) CHECK_LOAD_ERROR(*bad, StatusCode::kInvalidModel, "past the end of the file");
    });
  }
  SUBCASE("offset + size overflows") {
    for_each_segment([](std::vector<uint8_t>* bad, int t, uint64_t, uint64_t size, uint64_t) {
      testing::patch_data_segment(bad, t, 0xFFFFFFFFFFFFFFC0ull, size);
      CHECK_LOAD_ERROR(*bad, StatusCode::kInvalidModel, "past the end of the file");
    });
  }
  SUBCASE("misaligned offset") {
    for_each_segment([](std::vector<uint8_t>* bad, int t, uint64_t off, uint64_t size, uint64_t) {
      testing::patch_data_segment(bad, t, off + 4, size);
      CHECK_LOAD_ERROR(*bad, StatusCode::kInvalidModel, "is not 64-byte aligned");
      testing::patch_data_segment(bad, t, off + 1, size);
      CHECK_LOAD_ERROR(*bad, StatusCode::kInvalidModel, "is not 64-byte aligned");
    });
  }
  SUBCASE("overlaps the header") {
    for_each_segment([](std::vector<uint8_t>* bad, int t, uint64_t, uint64_t size, uint64_t fb_end) {
      testing::patch_data_segment(bad, t, 0, size);
      CHECK_LOAD_ERROR(*bad, StatusCode::kInvalidModel, "overlaps the model header");
      testing::patch_data_segment(bad, t, (fb_end - 1) / 64 * 64, size);
      CHECK_LOAD_ERROR(*bad, StatusCode::kInvalidModel, "overlaps the model header");
    });
  }
  SUBCASE("size disagrees with the shape") {
    for_each_segment([](std::vector<uint8_t>* bad, int t, uint64_t off, uint64_t size, uint64_t) {
      testing::patch_data_segment(bad, t, off, size - 4);
      CHECK_LOAD_ERROR(*bad, StatusCode::kInvalidModel, "shape needs");
      testing::patch_data_segment(bad, t, off, 0xFFFFFFFFFFFFFFF0ull);
      CHECK_LOAD_ERROR(*bad, StatusCode::kInvalidModel, "shape needs");
    });
  }
}

// ------------------------------------------------------------------ tensors

TEST_CASE("bad tensor tables") {
  SUBCASE("unknown dtype") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       m.tensors[static_cast<size_t>(tensor_index(m, "blk.0.q"))]->dtype = static_cast<fb::DType>(17);
                     }),
                     StatusCode::kInvalidModel, "unknown dtype 17");
  }
  SUBCASE("constant without a shape") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       m.tensors[static_cast<size_t>(tensor_index(m, "blk.0.attn_q.weight"))]->shape.clear();
                     }),
                     StatusCode::kInvalidModel, "constant without shape");
  }
  SUBCASE("constant of rank 7") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       m.tensors[static_cast<size_t>(tensor_index(m, "blk.0.attn_q.weight"))]->shape = {16, 16, 1, 1,
                                                                                                       1, 1, 1};
                     }),
                     StatusCode::kInvalidModel, "rank 7 not in [1, 6]");
  }
  SUBCASE("constant dim 0 and negative") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       m.tensors[static_cast<size_t>(tensor_index(m, "blk.0.attn_q.weight"))]->shape = {0, 16};
                     }),
                     StatusCode::kInvalidModel, "dimension 0 out of range");
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       m.tensors[static_cast<size_t>(tensor_index(m, "blk.0.attn_q.weight"))]->shape = {-16, -16};
                     }),
                     StatusCode::kInvalidModel, "dimension -16 out of range");
  }
  SUBCASE("constant element count overflows") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       m.tensors[static_cast<size_t>(tensor_index(m, "blk.0.attn_q.weight"))]->shape = {
                           int64_t{1} << 30, int64_t{1} << 30, int64_t{1} << 30};
                     }),
                     StatusCode::kInvalidModel, "too many elements");
  }
  SUBCASE("constant shape disagrees with its data size") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       m.tensors[static_cast<size_t>(tensor_index(m, "blk.0.attn_q.weight"))]->shape = {16, 8};
                     }),
                     StatusCode::kInvalidModel, "shape needs 512");
  }
  SUBCASE("activation without dims") {
    CHECK_LOAD_ERROR(
        tiny_llama_bytes([](fb::ModelT& m) { m.tensors[static_cast<size_t>(tensor_index(m, "blk.0.q"))]->dims.clear(); }),
        StatusCode::kInvalidModel, "activation needs 1..6 dims");
  }
  SUBCASE("unknown dim kind") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       m.tensors[static_cast<size_t>(tensor_index(m, "blk.0.q"))]->dims[1] =
                           fb::Dim(static_cast<fb::DimKind>(9), 0);
                     }),
                     StatusCode::kInvalidModel, "unknown dim kind 9");
  }
  SUBCASE("fixed dim out of range") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       m.tensors[static_cast<size_t>(tensor_index(m, "blk.0.q"))]->dims[2] = convert::fixed(0);
                     }),
                     StatusCode::kInvalidModel, "fixed dim 0 out of range");
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       m.tensors[static_cast<size_t>(tensor_index(m, "blk.0.q"))]->dims[2] =
                           convert::fixed(int64_t{1} << 40);
                     }),
                     StatusCode::kInvalidModel, "out of range");
  }
  SUBCASE("bad quantization") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       auto q = std::make_unique<fb::QuantizationT>();
                       q->scale = {1.0f, 2.0f};
                       m.tensors[static_cast<size_t>(tensor_index(m, "blk.0.attn_q.weight"))]->quantization =
                           std::move(q);
                     }),
                     StatusCode::kInvalidModel, "per-tensor quantization needs 1 scale");
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       auto q = std::make_unique<fb::QuantizationT>();
                       q->scale = {1.0f, 2.0f};
                       q->axis = 5;
                       m.tensors[static_cast<size_t>(tensor_index(m, "blk.0.attn_q.weight"))]->quantization =
                           std::move(q);
                     }),
                     StatusCode::kInvalidModel, "per-channel scales disagree with axis 5");
  }
  SUBCASE("no tensors / no graphs") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) { m.graphs.clear(); }), StatusCode::kInvalidModel,
                     "no tensors or no graphs");
  }
}

// Regression (found by fuzz/model_load_fuzzer): the element count was
// multiplied before it was bounded, so {2^40, 2^40} overflowed int64 and
// {2^40, 2^24} wrapped to 0, letting a 0-byte data segment pass.
TEST_CASE("constant element count overflow is caught before it happens") {
  CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                     m.tensors[static_cast<size_t>(tensor_index(m, "blk.0.attn_q.weight"))]->shape = {
                         int64_t{1} << 40, int64_t{1} << 40};
                   }),
                   StatusCode::kInvalidModel, "too many elements");
  CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                     m.tensors[static_cast<size_t>(tensor_index(m, "blk.0.attn_q.weight"))]->shape = {
                         int64_t{1} << 40, int64_t{1} << 24};
                   }),
                   StatusCode::kInvalidModel, "too many elements");
}

// ------------------------------------------------------------------ shapes vs ops

void set_input(fb::ModelT& m, const char* op, size_t i, const char* tensor) {
  op_named(m, op).inputs[i] = tensor_index(m, tensor);
}

TEST_CASE("a shape that disagrees with its op") {
  SUBCASE("FullyConnected weight with the wrong K") {
    // blk.0.ffn_down.weight is [16, 32]: K 32, but attn_norm.out is [.., 16].
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) { set_input(m, "blk.0.attn_q", 1, "blk.0.ffn_down.weight"); }),
                     StatusCode::kInvalidModel, "'blk.0.attn_norm.out' last dim is 16, expects 32");
  }
  SUBCASE("FullyConnected weight with the wrong N") {
    // attn_k.weight is [8, 16]: output q is [.., 16].
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) { set_input(m, "blk.0.attn_q", 1, "blk.0.attn_k.weight"); }),
                     StatusCode::kInvalidModel, "'blk.0.q' last dim is 16, expects 8");
  }
  SUBCASE("FullyConnected bias of the wrong length") {
    CHECK_LOAD_ERROR(tiny_bert_bytes([](fb::ModelT& m) {
                       set_input(m, "encoder.layer.0.attention.self.query", 2, "encoder.layer.0.intermediate.dense.bias");
                     }),
                     StatusCode::kInvalidModel, "dim 0 is 32, expects 16");
  }
  SUBCASE("FullyConnected weight is an activation") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) { set_input(m, "blk.0.attn_q", 1, "embeddings"); }),
                     StatusCode::kInvalidModel, "must be a constant");
  }
  SUBCASE("FullyConnected output with other leading dims") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       m.tensors[static_cast<size_t>(tensor_index(m, "blk.0.q"))]->dims[1] = convert::fixed(3);
                     }),
                     StatusCode::kInvalidModel, "leading dims must match");
  }
  SUBCASE("attention head count not dividing") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       op_named(m, "blk.0.attention").options.AsAttentionOptions()->n_kv_heads = 3;
                     }),
                     StatusCode::kInvalidModel, "n_heads 4 must be a positive multiple of n_kv_heads 3");
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       op_named(m, "blk.1.attention").options.AsAttentionOptions()->n_kv_heads = 0;
                     }),
                     StatusCode::kInvalidModel, "n_kv_heads 0");
  }
  SUBCASE("attention heads disagree with q width") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       op_named(m, "blk.0.attention").options.AsAttentionOptions()->head_dim = 8;
                     }),
                     StatusCode::kInvalidModel, "last dim is 16, expects 32");
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       op_named(m, "blk.0.attention").options.AsAttentionOptions()->head_dim = 100000;
                     }),
                     StatusCode::kUnsupported, "head_dim 100000 not in");
  }
  SUBCASE("attention with a KV cache but no causal mask") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       op_named(m, "blk.0.attention").options.AsAttentionOptions()->mask = fb::AttentionMask::Padding;
                     }),
                     StatusCode::kInvalidModel, "a KV cache needs the causal mask");
  }
  SUBCASE("attention bad scale / mask / cross") {
    CHECK_LOAD_ERROR(tiny_bert_bytes([](fb::ModelT& m) {
                       op_named(m, "encoder.layer.0.attention").options.AsAttentionOptions()->scale = -1.0f;
                     }),
                     StatusCode::kInvalidModel, "bad scale");
    CHECK_LOAD_ERROR(tiny_bert_bytes([](fb::ModelT& m) {
                       op_named(m, "encoder.layer.0.attention").options.AsAttentionOptions()->scale = NAN;
                     }),
                     StatusCode::kInvalidModel, "bad scale");
    CHECK_LOAD_ERROR(tiny_bert_bytes([](fb::ModelT& m) {
                       op_named(m, "encoder.layer.0.attention").options.AsAttentionOptions()->mask =
                           static_cast<fb::AttentionMask>(7);
                     }),
                     StatusCode::kInvalidModel, "unknown mask kind 7");
    CHECK_LOAD_ERROR(tiny_bert_bytes([](fb::ModelT& m) {
                       op_named(m, "encoder.layer.0.attention").options.AsAttentionOptions()->cross = true;
                     }),
                     StatusCode::kUnsupported, "cross-attention");
  }
  SUBCASE("RoPE rotary_dim odd or too large") {
    CHECK_LOAD_ERROR(
        tiny_llama_bytes([](fb::ModelT& m) { op_named(m, "blk.0.rope_q").options.AsRopeOptions()->rotary_dim = 3; }),
        StatusCode::kInvalidModel, "rotary_dim 3 must be even");
    CHECK_LOAD_ERROR(
        tiny_llama_bytes([](fb::ModelT& m) { op_named(m, "blk.1.rope_k").options.AsRopeOptions()->rotary_dim = 8; }),
        StatusCode::kInvalidModel, "rotary_dim 8 must be even and in (0, head_dim 4]");
    CHECK_LOAD_ERROR(
        tiny_llama_bytes([](fb::ModelT& m) { op_named(m, "blk.1.rope_k").options.AsRopeOptions()->rotary_dim = -2; }),
        StatusCode::kInvalidModel, "rotary_dim -2");
  }
  SUBCASE("RoPE heads disagree with the input, bad theta, style") {
    CHECK_LOAD_ERROR(
        tiny_llama_bytes([](fb::ModelT& m) { op_named(m, "blk.0.rope_q").options.AsRopeOptions()->n_heads = 2; }),
        StatusCode::kInvalidModel, "last dim is 16, expects 8");
    CHECK_LOAD_ERROR(
        tiny_llama_bytes([](fb::ModelT& m) { op_named(m, "blk.0.rope_q").options.AsRopeOptions()->theta = 0.0f; }),
        StatusCode::kInvalidModel, "theta must be positive");
    CHECK_LOAD_ERROR(
        tiny_llama_bytes([](fb::ModelT& m) { op_named(m, "blk.0.rope_q").options.AsRopeOptions()->theta = NAN; }),
        StatusCode::kInvalidModel, "theta must be positive");
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       op_named(m, "blk.0.rope_q").options.AsRopeOptions()->style = static_cast<fb::RopeStyle>(5);
                     }),
                     StatusCode::kInvalidModel, "unknown RoPE style 5");
  }
  SUBCASE("norm gamma of the wrong length or rank") {
    CHECK_LOAD_ERROR(tiny_bert_bytes([](fb::ModelT& m) {
                       set_input(m, "encoder.layer.0.output.LayerNorm", 1, "encoder.layer.0.intermediate.dense.bias");
                     }),
                     StatusCode::kInvalidModel, "dim 0 is 32, expects 16");
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) { set_input(m, "blk.0.attn_norm", 1, "blk.0.attn_q.weight"); }),
                     StatusCode::kInvalidModel, "has rank 2, expects 1");
  }
  SUBCASE("norm output shaped unlike its input") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       m.tensors[static_cast<size_t>(tensor_index(m, "blk.0.attn_norm.out"))]->dims[2] =
                           convert::fixed(8);
                     }),
                     StatusCode::kInvalidModel, "must have the same shape");
  }
  SUBCASE("Add of different shapes") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) { set_input(m, "blk.0.ffn_residual", 1, "blk.0.k"); }),
                     StatusCode::kInvalidModel, "must have the same shape");
  }
  SUBCASE("embedding table width disagrees with the output") {
    // ffn_down.weight is [16, 32]: rows of width 32 for a [.., 16] output.
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) { set_input(m, "embedding", 1, "blk.0.ffn_down.weight"); }),
                     StatusCode::kInvalidModel, "last dim is 16, expects 32");
    // A position table [16, 32] next to a token table of width 16.
    CHECK_LOAD_ERROR(tiny_bert_bytes([](fb::ModelT& m) {
                       set_input(m, "embeddings", 2, "encoder.layer.0.output.dense.weight");
                     }),
                     StatusCode::kInvalidModel, "has 32 columns, expects 16");
  }
  SUBCASE("embedding ids are not i32 [batch, seq]") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) { set_input(m, "embedding", 0, "embeddings"); }),
                     StatusCode::kInvalidModel, "before any op writes it");
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       m.tensors[static_cast<size_t>(tensor_index(m, "token_ids"))]->dims = {convert::batch(),
                                                                                              convert::fixed(4)};
                     }),
                     StatusCode::kInvalidModel, "dim 1 has the wrong kind");
  }
  SUBCASE("pooling on a tensor without a seq dim") {
    CHECK_LOAD_ERROR(tiny_bert_bytes([](fb::ModelT& m) {
                       m.tensors[static_cast<size_t>(tensor_index(m, "pooled"))]->dims = {convert::batch(),
                                                                                           convert::fixed(8)};
                     }),
                     StatusCode::kInvalidModel, "last dim is 8, expects 16");
  }
}

// An op output declared u8/f16 where the op writes f32 is rejected at the
// op that writes it, naming the tensor and its dtype.
TEST_CASE("a non-f32 intermediate activation is rejected at its producer") {
  for (const char* name : {"blk.0.attn_residual", "blk.0.ffn_swiglu", "blk.0.attn_norm.out", "blk.0.q_rope",
                           "blk.0.attn", "selected"}) {
    CAPTURE(std::string(name));
    CHECK_LOAD_ERROR(tiny_llama_bytes([&](fb::ModelT& m) {
                       m.tensors[static_cast<size_t>(tensor_index(m, name))]->dtype = fb::DType::U8;
                     }),
                     StatusCode::kInvalidModel, "is u8, ops write f32");
  }
  for (const char* name : {"encoder.layer.0.gelu", "pooled", "encoder.layer.1.out"}) {
    CAPTURE(std::string(name));
    CHECK_LOAD_ERROR(tiny_bert_bytes([&](fb::ModelT& m) {
                       m.tensors[static_cast<size_t>(tensor_index(m, name))]->dtype = fb::DType::F16;
                     }),
                     StatusCode::kInvalidModel, "f32");
  }
}

// Regression: a graph output has no consumer whose checks would catch a
// non-f32 dtype, so such a file used to load and the f32 kernel then wrote
// 4 bytes per element into a buffer planned for 1 or 2. The verifier now
// requires every op output to be f32.
TEST_CASE("a non-f32 graph output is rejected") {
  // L2Normalize -> "embeddings" [B, 16], the graph output.
  CHECK_LOAD_ERROR(tiny_bert_bytes([](fb::ModelT& m) {
                     m.tensors[static_cast<size_t>(tensor_index(m, "embeddings"))]->dtype = fb::DType::F16;
                   }),
                   StatusCode::kInvalidModel, "f32");
  // LayerNorm -> last hidden state [B, S, 16], the graph output (no pooling).
  convert::BertConfig c = testing::tiny_bert_config();
  c.pooling = "";
  CHECK_LOAD_ERROR(tiny_bert_bytes(c,
                                   [](fb::ModelT& m) {
                                     m.tensors[static_cast<size_t>(m.graphs[0]->outputs[0])]->dtype = fb::DType::U8;
                                   }),
                   StatusCode::kInvalidModel, "f32");
}

// The minimal reproducer of that overflow: ids -> Embedding -> x -> Gelu ->
// y declared u8 as the graph output. It must not load.
TEST_CASE("a non-f32 op output is rejected at load (overflow reproducer)") {
  using convert::batch;
  using convert::fixed;
  using convert::seq;
  convert::ModelBuilder mb;
  const int ids = mb.add_activation("token_ids", {batch(), seq()}, fb::DType::I32);
  const int table = mb.add_constant_f32("table", {32, 256}, testing::tiny_weight("table", {32, 256}));
  const int x = mb.add_activation("x", {batch(), seq(), fixed(256)});
  mb.add_op(fb::OpCode::Embedding, {ids, table, -1, -1}, {x}, "embedding");
  const int y = mb.add_activation("y", {batch(), seq(), fixed(256)}, fb::DType::U8);
  mb.add_op(fb::OpCode::Gelu, {x}, {y}, "gelu");
  mb.set_graph_io({ids}, {y});
  CHECK_LOAD_ERROR(mb.serialize(), StatusCode::kInvalidModel, "f32");
}

// Inputs the fuzzer found (fuzz/regressions/): each must fail to load with
// a Status, never reach undefined behaviour.
TEST_CASE("fuzzer regressions fail to load cleanly") {
  for (const char* name : {"element_count_overflow.eatn", "misaligned_dim_vector.eatn"}) {
    CAPTURE(name);
    const std::string path = std::string(EDGEATTN_SOURCE_DIR) + "/fuzz/regressions/" + name;
    Result<std::unique_ptr<Model>> m = Model::load_file(path.c_str());
    REQUIRE_FALSE(m.is_ok());
    CHECK(m.status().code() == StatusCode::kInvalidModel);
  }
}

// ------------------------------------------------------------------ indices

TEST_CASE("out-of-range tensor indices") {
  SUBCASE("op input") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       op_named(m, "blk.0.attn_q").inputs[0] = static_cast<int32_t>(m.tensors.size());
                     }),
                     StatusCode::kInvalidModel, "input tensor index");
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) { op_named(m, "blk.0.attn_q").inputs[1] = 0x7FFFFFFF; }),
                     StatusCode::kInvalidModel, "input tensor index 2147483647 out of range");
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) { op_named(m, "blk.0.attn_q").inputs[1] = -2; }),
                     StatusCode::kInvalidModel, "input tensor index -2 out of range");
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) { op_named(m, "lm_head").inputs[0] = INT32_MIN; }),
                     StatusCode::kInvalidModel, "out of range");
  }
  SUBCASE("op output") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       op_named(m, "blk.1.ffn_down").outputs[0] = static_cast<int32_t>(m.tensors.size()) + 3;
                     }),
                     StatusCode::kInvalidModel, "output tensor index");
    CHECK_LOAD_ERROR(tiny_bert_bytes([](fb::ModelT& m) { op_named(m, "mean_pool").outputs[0] = -1; }),
                     StatusCode::kInvalidModel, "output tensor index -1 out of range");
  }
  SUBCASE("graph input") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       m.graphs[0]->inputs[0] = static_cast<int32_t>(m.tensors.size());
                     }),
                     StatusCode::kInvalidModel, "graph 'main': input tensor index");
    CHECK_LOAD_ERROR(tiny_bert_bytes([](fb::ModelT& m) { m.graphs[0]->inputs[0] = -1; }), StatusCode::kInvalidModel,
                     "input tensor index -1 out of range");
  }
  SUBCASE("graph output") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       m.graphs[0]->outputs[0] = static_cast<int32_t>(m.tensors.size()) + 100;
                     }),
                     StatusCode::kInvalidModel, "out of range or never written");
    CHECK_LOAD_ERROR(tiny_bert_bytes([](fb::ModelT& m) { m.graphs[0]->outputs.push_back(-7); }),
                     StatusCode::kInvalidModel, "output tensor index -7");
  }
}

// ------------------------------------------------------------------ graph structure

TEST_CASE("op order, op codes, options and arity") {
  SUBCASE("an op reads a tensor before it is written") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) { set_input(m, "blk.0.attn_norm", 0, "blk.0.q"); }),
                     StatusCode::kInvalidModel, "reads tensor");
    // Swapping two ops: the consumer now runs first.
    CHECK_LOAD_ERROR(tiny_bert_bytes([](fb::ModelT& m) {
                       auto& ops = m.graphs[0]->ops;
                       std::swap(ops[ops.size() - 1], ops[ops.size() - 2]);
                     }),
                     StatusCode::kInvalidModel, "before any op writes it");
  }
  SUBCASE("a tensor written twice, a constant written, a constant graph input") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       op_named(m, "blk.0.attn_k").outputs[0] = tensor_index(m, "blk.0.q");
                     }),
                     StatusCode::kInvalidModel, "is a constant or written twice");
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       op_named(m, "blk.0.attn_k").outputs[0] = tensor_index(m, "blk.0.attn_k.weight");
                     }),
                     StatusCode::kInvalidModel, "is a constant or written twice");
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) { m.graphs[0]->inputs[0] = tensor_index(m, "token_embd.weight"); }),
                     StatusCode::kInvalidModel, "is a constant");
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) { m.graphs[0]->inputs[0] = tensor_index(m, "embeddings"); }),
                     StatusCode::kInvalidModel, "must be i32 token ids");
  }
  SUBCASE("a graph output that is never written") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) { m.graphs[0]->ops.pop_back(); }), StatusCode::kInvalidModel,
                     "never written");
  }
  SUBCASE("unknown op code") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) { op_named(m, "blk.0.attn_q").code = static_cast<fb::OpCode>(999); }),
                     StatusCode::kUnsupported, "unknown op code 999");
    CHECK_LOAD_ERROR(tiny_bert_bytes([](fb::ModelT& m) {
                       op_named(m, "normalize").code = static_cast<fb::OpCode>(static_cast<int>(fb::OpCode::MAX) + 1);
                     }),
                     StatusCode::kUnsupported, "unknown op code 12");
  }
  SUBCASE("an op of the wrong kind for its tensors") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) { op_named(m, "blk.0.attn_norm").code = fb::OpCode::LayerNorm; }),
                     StatusCode::kInvalidModel, "has 2 inputs, expects 3..3");
  }
  SUBCASE("missing required options") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) { op_named(m, "blk.0.attention").options.Reset(); }),
                     StatusCode::kInvalidModel, "options of type 0, expects 6");
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) { op_named(m, "blk.1.rope_q").options.Reset(); }),
                     StatusCode::kInvalidModel, "options of type 0, expects 5");
  }
  SUBCASE("options of the wrong type") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       op_named(m, "blk.0.attention").options.Set(fb::NormOptionsT());
                     }),
                     StatusCode::kInvalidModel, "options of type 2, expects 6");
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       op_named(m, "blk.0.attn_norm").options.Set(fb::RopeOptionsT());
                     }),
                     StatusCode::kInvalidModel, "options of type 5, expects 2");
  }
  SUBCASE("unsupported fused activations") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       fb::GatedUnitOptionsT o;
                       o.activation = fb::Activation::Gelu;
                       op_named(m, "blk.0.ffn_swiglu").options.Set(o);
                     }),
                     StatusCode::kUnsupported, "gate activation 2");
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       fb::FullyConnectedOptionsT o;
                       o.activation = fb::Activation::Silu;
                       op_named(m, "blk.0.attn_q").options.Set(o);
                     }),
                     StatusCode::kUnsupported, "fused activation 1");
  }
  SUBCASE("arity") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       auto& in = op_named(m, "blk.0.attn_q").inputs;
                       in.push_back(-1);  // input multiplier (absent)
                       in.push_back(-1);  // one too many
                     }),
                     StatusCode::kInvalidModel, "has 5 inputs, expects 2..4");
    // An input multiplier whose length is not K.
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       op_named(m, "blk.0.attn_q").inputs.push_back(tensor_index(m, "blk.0.attn_k.weight"));
                     }),
                     StatusCode::kInvalidModel, "has rank 2, expects 1");
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) { op_named(m, "blk.0.attn_q").inputs[1] = -1; }),
                     StatusCode::kInvalidModel, "required input 1 is missing");
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) { op_named(m, "blk.0.attn_q").inputs.clear(); }),
                     StatusCode::kInvalidModel, "missing inputs or outputs");
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) { op_named(m, "blk.0.attn_q").outputs.clear(); }),
                     StatusCode::kInvalidModel, "missing inputs or outputs");
    CHECK_LOAD_ERROR(tiny_bert_bytes([](fb::ModelT& m) {
                       auto& op = op_named(m, "encoder.layer.0.gelu");
                       op.outputs.push_back(tensor_index(m, "pooled"));
                     }),
                     StatusCode::kInvalidModel, "has 2 outputs, expects 1");
  }
  SUBCASE("a graph without ops") {
    CHECK_LOAD_ERROR(tiny_bert_bytes([](fb::ModelT& m) { m.graphs[0]->ops.clear(); }), StatusCode::kInvalidModel,
                     "needs inputs, outputs and ops");
  }
  SUBCASE("the error names the op") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) { set_input(m, "blk.1.attn_v", 1, "blk.1.ffn_down.weight"); }),
                     StatusCode::kInvalidModel, "(FullyConnected 'blk.1.attn_v')");
  }
}

// ------------------------------------------------------------------ tokenizer

TEST_CASE("bad tokenizer tables") {
  SUBCASE("special id out of range") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) { m.tokenizer->bos_id = 100000; }), StatusCode::kInvalidModel,
                     "bos_id 100000 out of range");
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       m.tokenizer->eos_id = static_cast<int32_t>(m.tokenizer->pieces.size());
                     }),
                     StatusCode::kInvalidModel, "eos_id 272 out of range [-1, 272)");
    CHECK_LOAD_ERROR(tiny_bert_bytes([](fb::ModelT& m) { m.tokenizer->mask_id = -5; }), StatusCode::kInvalidModel,
                     "mask_id -5 out of range");
    CHECK_LOAD_ERROR(tiny_bert_bytes([](fb::ModelT& m) { m.tokenizer->cls_id = INT32_MAX; }),
                     StatusCode::kInvalidModel, "cls_id");
  }
  SUBCASE("the error says it is the tokenizer") {
    CHECK_LOAD_ERROR(tiny_bert_bytes([](fb::ModelT& m) { m.tokenizer->sep_id = 32; }), StatusCode::kInvalidModel,
                     "tokenizer");
  }
  SUBCASE("scores sized unlike pieces") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) { m.tokenizer->scores.pop_back(); }),
                     StatusCode::kInvalidModel, "271 scores for 272 pieces");
    CHECK_LOAD_ERROR(tiny_bert_bytes([](fb::ModelT& m) { m.tokenizer->scores = {1.0f}; }), StatusCode::kInvalidModel,
                     "1 scores for 32 pieces");
  }
  SUBCASE("byte_fallback without all byte pieces") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) { m.tokenizer->pieces[3 + 0x41] = "zz"; }),
                     StatusCode::kInvalidModel, "byte_fallback needs piece <0x41>");
  }
  SUBCASE("empty vocabulary, unknown kind") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       m.tokenizer->pieces.clear();
                       m.tokenizer->scores.clear();
                       m.tokenizer->unk_id = m.tokenizer->bos_id = m.tokenizer->eos_id = -1;
                     }),
                     StatusCode::kInvalidModel, "empty vocabulary");
    CHECK_LOAD_ERROR(tiny_bert_bytes([](fb::ModelT& m) { m.tokenizer->kind = static_cast<fb::TokenizerKind>(9); }),
                     StatusCode::kInvalidModel, "unknown kind 9");
  }
  SUBCASE("WordPiece without unk or with an empty piece") {
    CHECK_LOAD_ERROR(tiny_bert_bytes([](fb::ModelT& m) { m.tokenizer->unk_id = -1; }), StatusCode::kInvalidModel,
                     "unk_id is required");
    CHECK_LOAD_ERROR(tiny_bert_bytes([](fb::ModelT& m) { m.tokenizer->pieces[7] = ""; }), StatusCode::kInvalidModel,
                     "piece 7 is empty");
  }
}

// ------------------------------------------------------------------ caller errors

TEST_CASE("invoke-time caller errors give Statuses") {
  const std::vector<uint8_t> bytes = tiny_llama_bytes();
  AlignedBuffer buf(bytes);
  Result<std::unique_ptr<Model>> model = Model::load_buffer(buf.data(), buf.size());
  REQUIRE(model.is_ok());
  SessionOptions opts;
  opts.max_batch = 1;
  opts.max_seq = 4;
  opts.max_context = 6;
  Result<std::unique_ptr<Session>> session = Session::create(**model, opts);
  REQUIRE(session.is_ok());
  Session& s = **session;
  const int32_t vocab = testing::tiny_llama_config().vocab_size;
  int32_t ids[8] = {1, 5, 6, 7, 8, 9, 10, 11};
  InvokeInput in;
  in.ids = ids;
  in.seq = 2;

  SUBCASE("token id out of range") {
    ids[1] = vocab;
    CHECK_STATUS(s.invoke(in), StatusCode::kInvalidArgument, "token id 272 at [0, 1] out of range [0, 272)");
    ids[1] = -1;
    CHECK_STATUS(s.invoke(in), StatusCode::kInvalidArgument, "token id -1");
    CHECK(s.past() == 0);  // a failed invoke does not advance the cache
  }
  SUBCASE("ids null") {
    in.ids = nullptr;
    CHECK_STATUS(s.invoke(in), StatusCode::kInvalidArgument, "ids is null");
  }
  SUBCASE("seq 0, negative, > max_seq") {
    in.seq = 0;
    CHECK_STATUS(s.invoke(in), StatusCode::kOutOfRange, "seq 0 not in [1, max_seq 4]");
    in.seq = -3;
    CHECK_STATUS(s.invoke(in), StatusCode::kOutOfRange, "seq -3");
    in.seq = 5;
    CHECK_STATUS(s.invoke(in), StatusCode::kOutOfRange, "seq 5 not in [1, max_seq 4]");
  }
  SUBCASE("batch 0, > max_batch") {
    in.batch = 2;
    CHECK_STATUS(s.invoke(in), StatusCode::kOutOfRange, "batch 2 not in [1, max_batch 1]");
    in.batch = 0;
    CHECK_STATUS(s.invoke(in), StatusCode::kOutOfRange, "batch 0");
  }
  SUBCASE("lengths out of range or padded with a KV cache") {
    int32_t lengths[1] = {0};
    in.lengths = lengths;
    CHECK_STATUS(s.invoke(in), StatusCode::kInvalidArgument, "length 0 of row 0 not in [1, seq 2]");
    lengths[0] = 3;
    CHECK_STATUS(s.invoke(in), StatusCode::kInvalidArgument, "length 3 of row 0");
    lengths[0] = 1;
    CHECK_STATUS(s.invoke(in), StatusCode::kInvalidArgument, "padded rows are not supported with a KV cache");
  }
  SUBCASE("context overflow") {
    in.seq = 4;
    REQUIRE(s.invoke(in).is_ok());
    in.seq = 3;
    CHECK_STATUS(s.invoke(in), StatusCode::kOutOfRange, "context full: 4 cached + 3 new tokens > max_context 6");
    CHECK(s.past() == 4);
    in.seq = 2;
    REQUIRE(s.invoke(in).is_ok());  // exactly full
    in.seq = 1;
    CHECK_STATUS(s.invoke(in), StatusCode::kOutOfRange, "context full");
    s.reset();
    CHECK(s.invoke(in).is_ok());
  }
}

TEST_CASE("encoder caller errors") {
  const std::vector<uint8_t> bytes = tiny_bert_bytes();
  AlignedBuffer buf(bytes);
  Result<std::unique_ptr<Model>> model = Model::load_buffer(buf.data(), buf.size());
  REQUIRE(model.is_ok());
  SessionOptions opts;
  opts.max_batch = 2;
  opts.max_seq = 8;
  Result<std::unique_ptr<Session>> session = Session::create(**model, opts);
  REQUIRE(session.is_ok());
  int32_t ids[16] = {2, 9, 10, 3, 0, 0, 0, 0, 2, 14, 3, 0, 0, 0, 0, 0};
  int32_t lengths[2] = {4, 3};
  InvokeInput in{ids, 2, 8, lengths};
  REQUIRE((*session)->invoke(in).is_ok());
  CHECK_FALSE((*session)->has_kv_cache());
  lengths[1] = 9;
  CHECK_STATUS((*session)->invoke(in), StatusCode::kInvalidArgument, "length 9 of row 1 not in [1, seq 8]");
  lengths[1] = 3;
  ids[15] = 32;  // padding ids are still checked
  CHECK_STATUS((*session)->invoke(in), StatusCode::kInvalidArgument, "token id 32 at [1, 7]");
  in.batch = 3;
  CHECK_STATUS((*session)->invoke(in), StatusCode::kOutOfRange, "batch 3 not in [1, max_batch 2]");
}

TEST_CASE("create-time limit errors give Statuses") {
  const std::vector<uint8_t> bytes = tiny_bert_bytes();
  AlignedBuffer buf(bytes);
  Result<std::unique_ptr<Model>> model = Model::load_buffer(buf.data(), buf.size());
  REQUIRE(model.is_ok());
  const Model& m = **model;
  SessionOptions opts;
  opts.max_seq = 8;
  SUBCASE("limits") {
    opts.max_seq = 0;
    CHECK_STATUS(Session::create(m, opts).status(), StatusCode::kInvalidArgument, "max_seq 0");
    opts.max_seq = 8;
    opts.max_batch = 0;
    CHECK_STATUS(Session::create(m, opts).status(), StatusCode::kInvalidArgument, "max_batch 0");
    opts.max_batch = 1;
    opts.threads = 0;
    CHECK_STATUS(Session::create(m, opts).status(), StatusCode::kInvalidArgument, "threads 0");
    opts.threads = 1;
    opts.max_context = 4;
    CHECK_STATUS(Session::create(m, opts).status(), StatusCode::kInvalidArgument, "max_context 4 must be in");
  }
  SUBCASE("position table too short") {
    opts.max_seq = 64;  // the tiny BERT has 32 positions
    CHECK_STATUS(Session::create(m, opts).status(), StatusCode::kOutOfRange, "exceeds the position table");
  }
  SUBCASE("no such graph") {
    opts.graph = "decoder";
    CHECK_STATUS(Session::create(m, opts).status(), StatusCode::kInvalidArgument, "no graph 'decoder'");
  }
  SUBCASE("caller arena too small or misaligned") {
    Result<MemoryStats> plan = Session::plan(m, opts);
    REQUIRE(plan.is_ok());
    std::vector<uint8_t> zeros(plan->arena_bytes + 128, 0);
    AlignedBuffer big(zeros);
    opts.arena = Span<uint8_t>(big.data(), plan->arena_bytes - 64);
    CHECK_STATUS(Session::create(m, opts).status(), StatusCode::kResourceExhausted, "is too small");
    opts.arena = Span<uint8_t>(big.data() + 8, plan->arena_bytes);
    CHECK_STATUS(Session::create(m, opts).status(), StatusCode::kInvalidArgument, "64-byte aligned");
    opts.arena = Span<uint8_t>(big.data(), plan->arena_bytes);
    CHECK(Session::create(m, opts).is_ok());
  }
}

// ------------------------------------------------------------------ random byte flips

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::atoi(v) : fallback;
}

struct FlipStats {
  int loaded = 0, rejected = 0, sessions = 0, invoked = 0;
};

// Loads one mutated copy; must never crash. Returns through `stats`.
void exercise(const std::vector<uint8_t>& bytes, FlipStats* stats) {
  AlignedBuffer buf(bytes);
  Result<std::unique_ptr<Model>> model = Model::load_buffer(buf.data(), buf.size());
  if (!model.is_ok()) {
    ++stats->rejected;
    const Status& s = model.status();
    INFO(std::string(s.message()));
    REQUIRE((s.code() == StatusCode::kInvalidModel || s.code() == StatusCode::kUnsupported));
    REQUIRE(std::strlen(s.message()) > 0);
    return;
  }
  ++stats->loaded;
  const Model& m = **model;
  if (const Tokenizer* tok = m.tokenizer()) {
    std::vector<int32_t> ids;
    if (tok->encode("Hello, the cat sat! \xc3\xa9\xff", EncodeOptions(), &ids).is_ok()) {
      std::string text;
      (void)tok->decode(Span<const int32_t>(ids.data(), ids.size()), &text);
    }
  }
  SessionOptions opts;
  opts.max_batch = 1;
  opts.max_seq = 4;
  opts.max_context = 8;
  Result<std::unique_ptr<Session>> session = Session::create(m, opts);
  if (!session.is_ok()) return;
  ++stats->sessions;
  const int32_t ids[4] = {0, 0, 0, 0};
  InvokeInput in{ids, 1, 4, nullptr};
  if ((*session)->invoke(in).is_ok()) ++stats->invoked;
  in.seq = 1;
  (void)(*session)->invoke(in);
}

void random_flips(const std::vector<uint8_t>& valid, uint64_t seed, int iterations, const char* name) {
  std::mt19937_64 rng(seed);
  const size_t fb_end = static_cast<size_t>(header_end(valid));
  FlipStats stats;
  for (int it = 0; it < iterations; ++it) {
    std::vector<uint8_t> bytes = valid;
    const int n_flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < n_flips; ++f) {
      // Mostly the FlatBuffer header: that is where structure lives.
      const size_t limit = rng() % 8 == 0 ? bytes.size() : fb_end;
      const size_t at = static_cast<size_t>(rng() % limit);
      switch (rng() % 4) {
        case 0: bytes[at] ^= static_cast<uint8_t>(1u << (rng() % 8)); break;
        case 1: bytes[at] = static_cast<uint8_t>(rng()); break;
        case 2: bytes[at] = 0xFF; break;
        default: bytes[at] = 0x00; break;
      }
    }
    CAPTURE(it);
    exercise(bytes, &stats);
  }
  MESSAGE(std::string(name), ": ", iterations, " flipped copies: ", stats.rejected, " rejected with a Status, ", stats.loaded,
          " loaded, ", stats.sessions, " sessions created, ", stats.invoked, " invoked");
  CHECK(stats.rejected > 0);
  CHECK(stats.loaded + stats.rejected == iterations);
}

TEST_CASE("random byte flips never crash") {
  const int iterations = env_int("EDGEATTN_FLIP_ITERATIONS", 3000);
  SUBCASE("llama") { random_flips(tiny_llama_bytes(), 0xEA7001, iterations, "llama"); }
  SUBCASE("bert") { random_flips(tiny_bert_bytes(), 0xEA7002, iterations, "bert"); }
}

// ------------------------------------------------------------------ fuzz seeds

TEST_CASE("write fuzz seeds when asked") {
  const char* dir = std::getenv("EDGEATTN_WRITE_FUZZ_SEEDS");
  if (dir == nullptr || *dir == '\0') return;
  const std::vector<std::pair<std::string, std::vector<uint8_t>>> seeds = {
      {"tiny_llama.eatn", tiny_llama_bytes()},
      {"tiny_bert.eatn", tiny_bert_bytes()},
      {"tiny_llama_no_tokenizer.eatn", tiny_llama_bytes(testing::tiny_llama_config(), nullptr, false)},
      {"tiny_llama_1layer_vocab32.eatn",
       [] {
         convert::LlamaConfig c = testing::tiny_llama_config();
         c.n_layers = 1;
         c.vocab_size = 32;
         return tiny_llama_bytes(c, nullptr, false);
       }()},
      {"tiny_bert_no_pooling.eatn",
       [] {
         convert::BertConfig c = testing::tiny_bert_config();
         c.pooling = "";
         c.n_layers = 1;
         return tiny_bert_bytes(c, nullptr, false);
       }()},
  };
  for (const auto& [name, bytes] : seeds) {
    const std::string path = std::string(dir) + "/" + name;
    CHECK(write_file(path, bytes.data(), bytes.size()));
    MESSAGE("wrote ", path, " (", bytes.size(), " bytes)");
  }
}

}  // namespace
}  // namespace edgeattn
