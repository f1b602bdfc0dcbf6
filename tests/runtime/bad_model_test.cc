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
#include "tests/runtime/bad_model_checks.h"

namespace edgeattn {
namespace bad_model {
namespace {

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
// Weights packed at convert time (TensorLayout F32Panels16): the tiny BERT
// packed gives the row-major file's bits on every table (the packed tables
// read it in place, the others unpack it), and every inconsistency is a
// kInvalidModel naming the tensor.
TEST_CASE("FullyConnected weights in layout F32Panels16") {
  const std::vector<uint8_t> rows_bytes = tiny_bert_bytes(), panel_bytes = tiny_bert_packed_bytes();
  AlignedBuffer rows_buf(rows_bytes), panel_buf(panel_bytes);
  Result<std::unique_ptr<Model>> rows = Model::load_buffer(rows_buf.data(), rows_buf.size());
  Result<std::unique_ptr<Model>> panels = Model::load_buffer(panel_buf.data(), panel_buf.size());
  REQUIRE(rows.is_ok());
  REQUIRE_MESSAGE(panels.is_ok(), panels.status().message());
  const std::vector<int32_t> ids = {2, 5, 9, 11, 17, 3};
  const char* tables[16];
  const size_t n_tables = available_kernel_names(tables, 16);
  for (size_t t = 0; t < n_tables; ++t) {
    CAPTURE(tables[t]);
    SessionOptions opts;
    opts.max_seq = 8;
    opts.kernels = tables[t];
    auto a = Session::create(**rows, opts);
    auto b = Session::create(**panels, opts);
    REQUIRE(a.is_ok());
    REQUIRE_MESSAGE(b.is_ok(), b.status().message());
    InvokeInput in{ids.data(), 1, static_cast<int>(ids.size()), nullptr};
    REQUIRE((*a)->invoke(in).is_ok());
    REQUIRE((*b)->invoke(in).is_ok());
    CHECK(std::memcmp((*a)->output(0).f32(), (*b)->output(0).f32(), 16 * sizeof(float)) == 0);
  }
  const std::string q = "encoder.layer.0.attention.self.query";
  SUBCASE("the layout on a row-major sized weight") {
    CHECK_LOAD_ERROR(tiny_bert_bytes([&](fb::ModelT& m) {
                       m.tensors[static_cast<size_t>(tensor_index(m, q + ".weight"))]->layout =
                           fb::TensorLayout::F32Panels16;
                     }),
                     StatusCode::kInvalidModel, "data segment of 1024 bytes, shape needs 1088");
  }
  SUBCASE("an unknown layout") {
    CHECK_LOAD_ERROR(tiny_bert_packed_bytes([&](fb::ModelT& m) {
                       m.tensors[static_cast<size_t>(tensor_index(m, q + ".weight"))]->layout =
                           static_cast<fb::TensorLayout>(9);
                     }),
                     StatusCode::kInvalidModel, "unknown layout 9");
  }
  SUBCASE("a packed weight read by another op") {
    CHECK_LOAD_ERROR(tiny_bert_packed_bytes([&](fb::ModelT& m) {
                       op_named(m, "encoder.layer.0.attention.output.LayerNorm").inputs[1] =
                           tensor_index(m, q + ".weight");
                     }),
                     StatusCode::kInvalidModel, "is packed (F32Panels16): FullyConnected weights only");
  }
  SUBCASE("a panel bias that is not the op's bias") {
    CHECK_LOAD_ERROR(tiny_bert_packed_bytes([&](fb::ModelT& m) {
                       op_named(m, q).inputs[2] = tensor_index(m, "encoder.layer.0.attention.self.key.bias");
                     }),
                     StatusCode::kInvalidModel, "panel bias 0 of 'encoder.layer.0.attention.self.query.weight' is");
  }
}

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


}  // namespace
}  // namespace bad_model
}  // namespace edgeattn
