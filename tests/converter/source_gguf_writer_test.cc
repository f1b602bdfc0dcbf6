// GgufWriter: files it writes read back through GgufFile (every metadata
// kind, F32/F16/raw tensors, shapes reversed to fastest-first on disk,
// aligned offsets), one file compared byte for byte with a layout spelled
// out by hand, lossless copies, F16 conversions, and rejected input.
#include "converter/source/gguf_writer.h"

#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "converter/source/byte_writer.h"
#include "converter/source/gguf.h"
#include "converter/source/mapped_file.h"
#include "tests/converter/test_files.h"
#include "tests/support/model_paths.h"

namespace edgeattn::convert {
namespace {

using edgeattn::testing::temp_dir;
using namespace test_files;  // tests/converter/test_files.h

std::vector<uint16_t> half_bits(const SourceTensor& t) {
  REQUIRE(t.dtype == SourceDType::kF16);
  std::vector<uint16_t> bits(t.nbytes / 2);
  std::memcpy(bits.data(), t.data, t.nbytes);
  return bits;
}

std::vector<uint8_t> file_bytes(const std::string& path) {
  MappedFile f = MappedFile::open(path);
  return std::vector<uint8_t>(f.data(), f.data() + f.size());
}

// Values that exercise F16 rounding: ties to even (1 + 2^-11 -> 1,
// 1 + 3 * 2^-11 -> 1 + 2^-9), a subnormal, overflow to inf, and signed zero.
const std::vector<float> kTricky = {1.0f + 0x1p-11f, 1.0f + 0x3p-11f, 0x1p-20f, 70000.0f,
                                    -0.0f,           0.1f};

TEST_CASE("GgufWriter: metadata of every kind reads back in order") {
  GgufWriter w;
  w.add_string("general.architecture", "llama");
  w.add_u32("llama.block_count", 4000000000u);
  w.add_i32("t.i32", -123456);
  w.add_f32("t.eps", 1e-5f);
  w.add_bool("t.yes", true);
  w.add_bool("t.no", false);
  w.add_string_array("tokenizer.ggml.tokens", {"<unk>", "a\xC3\xA9", ""});
  w.add_f32_array("tokenizer.ggml.scores", {0.0f, -1.5f, 3.25f});
  w.add_i32_array("tokenizer.ggml.token_type", {2, -3, 1});
  w.add_string("t.empty", "");
  w.add_f32_array("t.no_floats", {});
  const std::string path = temp_dir("gguf_writer_meta") + "/m.gguf";
  w.write(path);

  GgufFile g = GgufFile::open(path);
  CHECK(g.version() == 3);
  CHECK(g.alignment() == 32);
  CHECK(g.tensor_infos().empty());
  CHECK(g.keys() == std::vector<std::string>{"general.architecture", "llama.block_count", "t.i32",
                                             "t.eps", "t.yes", "t.no", "tokenizer.ggml.tokens",
                                             "tokenizer.ggml.scores", "tokenizer.ggml.token_type",
                                             "t.empty", "t.no_floats"});
  CHECK(g.get_string("general.architecture") == "llama");
  CHECK(g.find_value("llama.block_count")->type == GgufType::kUint32);
  CHECK(g.get_u32("llama.block_count") == 4000000000u);
  CHECK(g.find_value("t.i32")->type == GgufType::kInt32);
  CHECK(g.get_i64("t.i32") == -123456);
  CHECK(g.get_f32("t.eps") == 1e-5f);
  CHECK(g.get_bool("t.yes"));
  CHECK(!g.get_bool("t.no"));
  CHECK(g.get_string_array("tokenizer.ggml.tokens") ==
        std::vector<std::string>{"<unk>", "a\xC3\xA9", ""});
  CHECK(g.get_f32_array("tokenizer.ggml.scores") == std::vector<float>{0.0f, -1.5f, 3.25f});
  CHECK(g.find_value("tokenizer.ggml.token_type")->elem_type == GgufType::kInt32);
  CHECK(g.get_i32_array("tokenizer.ggml.token_type") == std::vector<int32_t>{2, -3, 1});
  CHECK(g.get_string("t.empty").empty());
  CHECK(g.get_f32_array("t.no_floats").empty());
}

TEST_CASE("GgufWriter: tensors keep row-major shapes, data and F16 bits") {
  GgufWriter w;
  w.add_tensor_f32("token_embd.weight", {2, 3}, {1, 2, 3, 4, 5, 6});
  w.add_tensor_f16("tricky.f16", {2, 3}, kTricky);
  w.add_tensor_f32("cube", {2, 1, 3}, {0, 1, 2, 3, 4, 5});
  w.add_tensor_f32("norm", {5}, {1, 1, 1, 1, 1});
  const std::vector<int32_t> ints = {7, -8};
  w.add_tensor("ints", SourceDType::kI32, {2}, ints.data(), 8);
  const uint16_t bf16[] = {float_to_bf16(1.5f), float_to_bf16(-2.0f)};
  w.add_tensor("bf", SourceDType::kBF16, {1, 2}, bf16, sizeof bf16);
  const std::string path = temp_dir("gguf_writer_tensors") + "/t.gguf";
  w.write(path);

  GgufFile g = GgufFile::open(path);
  REQUIRE(g.tensor_infos().size() == 6);
  // On disk dims are fastest-first: the row-major shape reversed.
  CHECK(g.tensor_infos()[0].dims == std::vector<uint64_t>{3, 2});
  CHECK(g.tensor_infos()[0].ggml_type == kGgmlF32);
  CHECK(g.tensor_infos()[1].ggml_type == kGgmlF16);
  CHECK(g.tensor_infos()[2].dims == std::vector<uint64_t>{3, 1, 2});
  CHECK(g.tensor_infos()[4].ggml_type == kGgmlI32);
  CHECK(g.tensor_infos()[5].ggml_type == kGgmlBF16);

  CHECK(g.tensor("token_embd.weight").shape == std::vector<int64_t>{2, 3});
  CHECK(to_f32(g.tensor("token_embd.weight")) == std::vector<float>{1, 2, 3, 4, 5, 6});
  const SourceTensor& h = g.tensor("tricky.f16");
  CHECK(h.shape == std::vector<int64_t>{2, 3});
  std::vector<uint16_t> expected;
  for (float f : kTricky) expected.push_back(float_to_half(f));
  CHECK(half_bits(h) == expected);
  CHECK(expected[0] == 0x3C00);  // tie rounds down to even
  CHECK(expected[1] == 0x3C02);  // tie rounds up to even
  CHECK(expected[3] == 0x7C00);  // overflow -> inf
  CHECK(expected[4] == 0x8000);  // -0 kept
  CHECK(g.tensor("cube").shape == std::vector<int64_t>{2, 1, 3});
  CHECK(to_f32(g.tensor("cube")) == std::vector<float>{0, 1, 2, 3, 4, 5});
  CHECK(g.tensor("norm").shape == std::vector<int64_t>{5});
  const SourceTensor& it = g.tensor("ints");
  REQUIRE(it.nbytes == 8);
  CHECK(std::memcmp(it.data, ints.data(), 8) == 0);
  CHECK(to_f32(g.tensor("bf")) == std::vector<float>{1.5f, -2.0f});
}

TEST_CASE("GgufWriter: data section and every tensor offset are aligned") {
  for (uint32_t align : {0u, 1u, 8u, 64u, 256u}) {
    CAPTURE(align);
    GgufWriter w;
    w.add_string("general.architecture", "llama");
    if (align) w.add_u32("general.alignment", align);
    // Odd byte sizes (6, 2, 12, 10) so that padding is needed between tensors.
    w.add_tensor_f16("a", {3}, {1, 2, 3});
    w.add_tensor_f16("b", {1}, {4});
    w.add_tensor_f32("c", {3}, {5, 6, 7});
    w.add_tensor_f16("d", {5}, {8, 9, 10, 11, 12});
    const uint64_t expect = align ? align : 32;
    CHECK(w.alignment() == expect);
    const std::string path = temp_dir("gguf_writer_align") + "/a" + std::to_string(align) + ".gguf";
    w.write(path);
    GgufFile g = GgufFile::open(path);
    CHECK(g.alignment() == expect);
    CHECK(g.data_offset() % expect == 0);
    uint64_t prev_end = 0;
    for (const GgufTensorInfo& info : g.tensor_infos()) {
      CAPTURE(info.name);
      CHECK(info.offset % expect == 0);
      CHECK(info.offset >= prev_end);  // no overlap
      CHECK(info.offset - prev_end < expect);  // and no gap beyond padding
      prev_end = info.offset + g.tensor(info.name).nbytes;
    }
    // Padded after the last tensor too, as llama.cpp writes.
    CHECK(file_bytes(path).size() % expect == 0);
    CHECK(to_f32(g.tensor("d")) == std::vector<float>{8, 9, 10, 11, 12});
    CHECK(to_f32(g.tensor("c")) == std::vector<float>{5, 6, 7});
  }
}

TEST_CASE("GgufWriter: bytes match a layout spelled out by hand") {
  GgufWriter w;
  w.add_u32("n", 7);
  w.add_tensor_f16("w", {2, 1}, {1.0f, -2.0f});

  ByteWriter e;
  e.raw("GGUF", 4);
  e.u32(3);  // version
  e.u64(1);  // tensors
  e.u64(1);  // kv
  e.u64(1), e.str("n"), e.u32(static_cast<uint32_t>(GgufType::kUint32)), e.u32(7);
  e.u64(1), e.str("w"), e.u32(2), e.u64(1), e.u64(2), e.u32(kGgmlF16), e.u64(0);
  e.pad_to(32);
  e.u16(0x3C00), e.u16(0xC000);
  e.pad_to(32);
  CHECK(w.bytes() == e.bytes());
}

TEST_CASE("gguf_writer_from: a lossless copy, and the two F16 conversions") {
  const std::string dir = temp_dir("gguf_writer_copy");
  GgufWriter w;
  w.add_string("general.architecture", "llama");
  w.add_u32("general.alignment", 64);
  w.add_string_array("tokenizer.ggml.tokens", {"a", "b"});
  w.add_tensor_f32("m", {2, 3}, kTricky);
  w.add_tensor_f32("norm", {3}, {0.1f, 0.2f, 0.3f});
  w.add_tensor_f16("already", {2}, {0.5f, 0.25f});
  const std::string src_path = dir + "/src.gguf";
  w.write(src_path);
  GgufFile src = GgufFile::open(src_path);

  // kKeep reproduces the file exactly (same metadata order, same layout).
  const std::string keep = dir + "/keep.gguf";
  write_gguf_copy(src, keep);
  CHECK(file_bytes(keep) == file_bytes(src_path));

  std::vector<uint16_t> m_half;
  std::vector<float> m_rounded;
  for (float f : kTricky) {
    m_half.push_back(float_to_half(f));
    m_rounded.push_back(half_to_float(float_to_half(f)));
  }

  for (bool keep_1d : {true, false}) {
    CAPTURE(keep_1d);
    const std::string f16 = dir + "/f16.gguf", f32 = dir + "/f16values.gguf";
    write_gguf_copy(src, f16, {GgufFloatMode::kF16, keep_1d});
    write_gguf_copy(src, f32, {GgufFloatMode::kF16Values, keep_1d});
    GgufFile a = GgufFile::open(f16);
    GgufFile b = GgufFile::open(f32);
    for (const GgufFile* g : {&a, &b}) {
      CHECK(g->keys() == src.keys());
      CHECK(g->alignment() == 64);
      CHECK(g->get_string_array("tokenizer.ggml.tokens") == std::vector<std::string>{"a", "b"});
      CHECK(half_bits(g->tensor("already")) == half_bits(src.tensor("already")));
    }
    CHECK(half_bits(a.tensor("m")) == m_half);
    CHECK(a.tensor("m").shape == std::vector<int64_t>{2, 3});
    CHECK(b.tensor("m").dtype == SourceDType::kF32);
    CHECK(to_f32(b.tensor("m")) == m_rounded);
    // Exact widening: the F16 file and the F16-valued F32 file agree bit for bit.
    const std::vector<float> widened = to_f32(a.tensor("m"));
    CHECK(std::memcmp(widened.data(), m_rounded.data(), widened.size() * 4) == 0);
    if (keep_1d) {
      CHECK(a.tensor("norm").dtype == SourceDType::kF32);
      CHECK(same_bytes(a.tensor("norm"), src.tensor("norm")));
      CHECK(same_bytes(b.tensor("norm"), src.tensor("norm")));
    } else {
      CHECK(half_bits(a.tensor("norm")) ==
            std::vector<uint16_t>{float_to_half(0.1f), float_to_half(0.2f), float_to_half(0.3f)});
      CHECK(to_f32(b.tensor("norm")) == to_f32(a.tensor("norm")));
    }
  }
}

TEST_CASE("gguf_writer_from copies scalar and array types the writer has no adder for") {
  // Hand-built: u8, i16, u64, f64 scalars and an ARRAY of u16, no tensors.
  ByteWriter e;
  e.raw("GGUF", 4);
  e.u32(3);
  e.u64(0);
  e.u64(5);
  e.u64(2), e.str("u8"), e.u32(static_cast<uint32_t>(GgufType::kUint8)), e.u8(200);
  e.u64(3), e.str("i16"), e.u32(static_cast<uint32_t>(GgufType::kInt16)), e.u16(0xFED4);
  e.u64(3), e.str("u64"), e.u32(static_cast<uint32_t>(GgufType::kUint64)), e.u64(5000000000ull);
  e.u64(3), e.str("f64"), e.u32(static_cast<uint32_t>(GgufType::kFloat64)), e.f64(0.25);
  e.u64(3), e.str("arr"), e.u32(static_cast<uint32_t>(GgufType::kArray));
  e.u32(static_cast<uint32_t>(GgufType::kUint16)), e.u64(2), e.u16(1), e.u16(65535);
  e.pad_to(32);
  const std::string dir = temp_dir("gguf_writer_types");
  GgufFile src = GgufFile::open(write_bytes(dir + "/src.gguf", e.bytes()));
  CHECK(gguf_writer_from(src).bytes() == e.bytes());
}

TEST_CASE("GgufWriter rejects bad input with a ConvertError") {
  const auto msg = [](auto&& f) { return error_of(f); };
  CHECK(contains(msg([] {
                   GgufWriter w;
                   w.add_u32("k", 1);
                   w.add_string("k", "again");
                 }),
                 "key 'k' added twice"));
  CHECK(contains(msg([] {
                   GgufWriter w;
                   w.add_tensor_f32("t", {1}, {1});
                   w.add_tensor_f16("t", {1}, {1});
                 }),
                 "tensor 't' added twice"));
  CHECK(contains(msg([] { GgufWriter().add_tensor_f32("t", {2, 2}, {1, 2, 3}); }),
                 "tensor 't': 12 bytes do not match shape [2, 2] of F32"));
  CHECK(contains(msg([] { GgufWriter().add_tensor_f32("t", {1, 1, 1, 1, 1}, {1}); }),
                 "5 dims (max 4)"));
  CHECK(contains(msg([] {
                   GgufWriter w;
                   w.add_u32("general.alignment", 48);
                   (void)w.bytes();
                 }),
                 "general.alignment 48 is not a power of two"));
  CHECK(contains(msg([] {
                   GgufWriter w;
                   w.add_i32("general.alignment", -32);
                   (void)w.bytes();
                 }),
                 "not a power of two"));
  CHECK(contains(msg([] {
                   GgufWriter w;
                   w.add_string("general.alignment", "32");
                   (void)w.alignment();
                 }),
                 "has type STRING, expected an integer"));
  const std::string dir = temp_dir("gguf_writer_errors");
  CHECK(contains(msg([&] { GgufWriter().write(dir + "/no/such/dir/x.gguf"); }), "cannot create"));
  // A tensor of a quantized type the reader does not take (Q2_K) cannot be
  // copied (its bytes are not exposed); Q4_0 ... Q6_K can
  // (source_ggml_blocks_test.cc).
  GgufWriter q;
  q.add_tensor_f32("ok", {1}, {1});
  std::vector<uint8_t> bytes = q.bytes();
  // Patch the tensor type (after name, n_dims, one dim) to Q2_K with a 256-wide row.
  const size_t info = 4 + 4 + 8 + 8 + 8 + 2;
  const uint64_t dim256 = 256;
  const uint32_t q2_k = 10;
  std::memcpy(bytes.data() + info + 4, &dim256, 8);
  std::memcpy(bytes.data() + info + 12, &q2_k, 4);
  bytes.resize(bytes.size() + 96);  // room for the 84-byte block
  GgufFile quant = GgufFile::open(write_bytes(dir + "/q.gguf", bytes));
  CHECK(!quant.tensor_infos()[0].supported);
  CHECK(contains(msg([&] { (void)gguf_writer_from(quant); }), "Q2_K"));
}

}  // namespace
}  // namespace edgeattn::convert
