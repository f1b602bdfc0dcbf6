// GGUF reader: files built byte by byte in the test (every metadata type,
// string / float / int / nested arrays, F32 / F16 / quantised tensors,
// custom alignment) and corrupt variants that must each throw a
// ConvertError naming the file.
#include "converter/source/gguf.h"

#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "converter/source/byte_writer.h"
#include "converter/source/convert_error.h"
#include "tests/converter/test_files.h"
#include "tests/support/model_paths.h"

namespace edgeattn::convert {
namespace {

using edgeattn::testing::temp_dir;
using namespace test_files;  // tests/converter/test_files.h

struct TensorSpec {
  std::string name;
  std::vector<uint64_t> dims;  // fastest-first, as stored
  uint32_t type;
  std::vector<uint8_t> bytes;
};

// Builds a GGUF file field by field, independently of the reader.
struct GgufBuilder {
  uint32_t version = 3;
  uint32_t alignment = 32;  // used for layout; write general.alignment separately
  ByteWriter kv;
  uint64_t n_kv = 0;
  std::vector<TensorSpec> tensors;

  void gstr(ByteWriter& w, const std::string& s) {
    w.u64(s.size());
    w.str(s);
  }
  void key(const std::string& k, GgufType t) {
    gstr(kv, k);
    kv.u32(static_cast<uint32_t>(t));
    ++n_kv;
  }
  void u8(const std::string& k, uint8_t v) { key(k, GgufType::kUint8), kv.u8(v); }
  void i8(const std::string& k, int8_t v) { key(k, GgufType::kInt8), kv.put(v); }
  void u16(const std::string& k, uint16_t v) { key(k, GgufType::kUint16), kv.u16(v); }
  void i16(const std::string& k, int16_t v) { key(k, GgufType::kInt16), kv.put(v); }
  void u32(const std::string& k, uint32_t v) { key(k, GgufType::kUint32), kv.u32(v); }
  void i32(const std::string& k, int32_t v) { key(k, GgufType::kInt32), kv.i32(v); }
  void u64(const std::string& k, uint64_t v) { key(k, GgufType::kUint64), kv.u64(v); }
  void i64(const std::string& k, int64_t v) { key(k, GgufType::kInt64), kv.i64(v); }
  void f32(const std::string& k, float v) { key(k, GgufType::kFloat32), kv.f32(v); }
  void f64(const std::string& k, double v) { key(k, GgufType::kFloat64), kv.f64(v); }
  void boolean(const std::string& k, bool v) { key(k, GgufType::kBool), kv.u8(v ? 1 : 0); }
  void str(const std::string& k, const std::string& v) { key(k, GgufType::kString), gstr(kv, v); }
  void str_array(const std::string& k, const std::vector<std::string>& v) {
    key(k, GgufType::kArray);
    kv.u32(static_cast<uint32_t>(GgufType::kString));
    kv.u64(v.size());
    for (const std::string& s : v) gstr(kv, s);
  }
  void f32_array(const std::string& k, const std::vector<float>& v) {
    key(k, GgufType::kArray);
    kv.u32(static_cast<uint32_t>(GgufType::kFloat32));
    kv.u64(v.size());
    for (float f : v) kv.f32(f);
  }
  void i32_array(const std::string& k, const std::vector<int32_t>& v) {
    key(k, GgufType::kArray);
    kv.u32(static_cast<uint32_t>(GgufType::kInt32));
    kv.u64(v.size());
    for (int32_t i : v) kv.i32(i);
  }
  void tensor(const std::string& name, std::vector<uint64_t> dims, uint32_t type,
              std::vector<uint8_t> bytes) {
    tensors.push_back({name, std::move(dims), type, std::move(bytes)});
  }

  // Offsets of tensor data inside the data section, each aligned.
  std::vector<uint64_t> offsets() const {
    std::vector<uint64_t> out;
    uint64_t at = 0;
    for (const TensorSpec& t : tensors) {
      out.push_back(at);
      at += t.bytes.size();
      at = (at + alignment - 1) / alignment * alignment;
    }
    return out;
  }

  std::vector<uint8_t> build() {
    ByteWriter w;
    w.str("GGUF");
    w.u32(version);
    w.u64(tensors.size());
    w.u64(n_kv);
    w.raw(kv.bytes().data(), kv.size());
    const std::vector<uint64_t> offs = offsets();
    for (size_t i = 0; i < tensors.size(); ++i) {
      gstr(w, tensors[i].name);
      w.u32(static_cast<uint32_t>(tensors[i].dims.size()));
      for (uint64_t d : tensors[i].dims) w.u64(d);
      w.u32(tensors[i].type);
      w.u64(offs[i]);
    }
    w.pad_to(alignment);
    const size_t data_start = w.size();
    for (size_t i = 0; i < tensors.size(); ++i) {
      while (w.size() < data_start + offs[i]) w.u8(0);
      w.raw(tensors[i].bytes.data(), tensors[i].bytes.size());
    }
    return w.bytes();
  }
};

// A small llama-like file exercising every feature.
GgufBuilder full_builder() {
  GgufBuilder b;
  b.str("general.architecture", "llama");
  b.u32("llama.block_count", 2);
  b.u8("t.u8", 200);
  b.i8("t.i8", -5);
  b.u16("t.u16", 60000);
  b.i16("t.i16", -300);
  b.i32("t.i32", 123456);
  b.i32("t.neg", -1);
  b.u64("t.u64", 5000000000ull);
  b.i64("t.i64", -7);
  b.f32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
  b.f64("t.f64", 0.25);
  b.boolean("t.bool", true);
  b.str_array("tokenizer.ggml.tokens", {"<unk>", "<s>", "</s>", "a\xC3\xA9", ""});
  b.f32_array("tokenizer.ggml.scores", {0.0f, -1.5f, 2.0f, 3.25f, -0.0f});
  b.i32_array("tokenizer.ggml.token_type", {2, 3, 3, 1, 1});
  // A nested array (array of arrays of u8), validated and skipped.
  b.key("t.nested", GgufType::kArray);
  b.kv.u32(static_cast<uint32_t>(GgufType::kArray));
  b.kv.u64(2);
  for (int i = 0; i < 2; ++i) {
    b.kv.u32(static_cast<uint32_t>(GgufType::kUint8));
    b.kv.u64(3);
    b.kv.u8(1), b.kv.u8(2), b.kv.u8(3);
  }
  // token_embd: 3 columns fastest, 2 rows -> row-major [2, 3].
  b.tensor("token_embd.weight", {3, 2}, kGgmlF32, f32_bytes({1, 2, 3, 4, 5, 6}));
  b.tensor("norm.f16", {4}, kGgmlF16, f16_bytes({0.5f, -1.0f, 2.0f, 1e-7f}));
  // Q2_K (not read): one super-block of 256 elements = 84 bytes.
  b.tensor("blk.0.q2k", {256}, 10, std::vector<uint8_t>(84, 0x11));
  b.tensor("cube", {2, 1, 3}, kGgmlF32, f32_bytes({0, 1, 2, 3, 4, 5}));
  return b;
}

TEST_CASE("GGUF metadata accessors on a hand-built file") {
  const std::string dir = temp_dir("source_gguf_basic");
  GgufBuilder b = full_builder();
  const std::string path = write_bytes(dir + "/m.gguf", b.build());
  GgufFile g = GgufFile::open(path);
  CHECK(g.version() == 3);
  CHECK(g.alignment() == 32);
  CHECK(g.data_offset() % 32 == 0);
  CHECK(g.keys().size() == b.n_kv);
  CHECK(g.keys()[0] == "general.architecture");
  CHECK(g.has("llama.block_count"));
  CHECK_FALSE(g.has("nope"));
  CHECK(g.get_string("general.architecture") == "llama");
  CHECK(g.get_u32("llama.block_count") == 2);
  CHECK(g.get_u32("t.u8") == 200);
  CHECK(g.get_u32("t.u16") == 60000);
  CHECK(g.get_u32("t.i32") == 123456);
  CHECK(g.get_i64("t.i8") == -5);
  CHECK(g.get_i64("t.i16") == -300);
  CHECK(g.get_i64("t.i64") == -7);
  CHECK(g.get_i64("t.u64") == 5000000000ll);
  CHECK(g.get_f32("llama.attention.layer_norm_rms_epsilon") == 1e-5f);
  CHECK(g.get_f32("t.f64") == 0.25f);
  CHECK(g.get_bool("t.bool"));
  CHECK(g.get_string_array("tokenizer.ggml.tokens") ==
        std::vector<std::string>{"<unk>", "<s>", "</s>", "a\xC3\xA9", ""});
  CHECK(g.get_f32_array("tokenizer.ggml.scores") ==
        std::vector<float>{0.0f, -1.5f, 2.0f, 3.25f, -0.0f});
  CHECK(g.get_i32_array("tokenizer.ggml.token_type") == std::vector<int32_t>{2, 3, 3, 1, 1});
  const GgufValue* nested = g.find_value("t.nested");
  REQUIRE(nested != nullptr);
  CHECK(nested->type == GgufType::kArray);
  CHECK(nested->elem_type == GgufType::kArray);
  CHECK(nested->count == 2);

  // Type errors name the file, key, its type and offset.
  std::string msg = error_of([&] { (void)g.get_string("llama.block_count"); });
  CHECK(msg.rfind(path + ": key 'llama.block_count' (UINT32, at offset ", 0) == 0);
  CHECK(contains(msg, "expected STRING"));
  CHECK(contains(error_of([&] { (void)g.get_u32("t.neg"); }), "negative value -1 does not fit in uint32"));
  CHECK(contains(error_of([&] { (void)g.get_u32("t.u64"); }), "value 5000000000 does not fit in uint32"));
  CHECK(contains(error_of([&] { (void)g.get_u32("missing.key"); }), path + ": missing metadata key 'missing.key'"));
  CHECK(contains(error_of([&] { (void)g.get_f32("t.i32"); }), "expected FLOAT32"));
  CHECK(contains(error_of([&] { (void)g.get_string_array("tokenizer.ggml.scores"); }),
                 "(ARRAY of FLOAT32, at offset"));
  CHECK(contains(error_of([&] { (void)g.get_i32_array("tokenizer.ggml.tokens"); }),
                 "expected ARRAY of an integer type"));
}

TEST_CASE("GGUF tensors: reversed shapes, data, unsupported types") {
  const std::string dir = temp_dir("source_gguf_tensors");
  const std::string path = write_bytes(dir + "/m.gguf", full_builder().build());
  GgufFile g = GgufFile::open(path);
  REQUIRE(g.tensor_infos().size() == 4);
  CHECK(g.tensor_infos()[0].dims == std::vector<uint64_t>{3, 2});
  CHECK(g.tensor_infos()[0].supported);
  CHECK_FALSE(g.tensor_infos()[2].supported);
  CHECK(g.tensor_infos()[2].ggml_type == 10);

  const SourceTensor& emb = g.tensor("token_embd.weight");
  CHECK(emb.shape == std::vector<int64_t>{2, 3});
  CHECK(emb.dtype == SourceDType::kF32);
  CHECK(emb.source == path);
  CHECK(to_f32(emb) == std::vector<float>{1, 2, 3, 4, 5, 6});
  CHECK(reinterpret_cast<uintptr_t>(emb.data) % 32 == 0);  // mmap base + aligned offset

  const SourceTensor& h = g.tensor("norm.f16");
  CHECK(h.dtype == SourceDType::kF16);
  CHECK(h.shape == std::vector<int64_t>{4});
  CHECK(to_f32(h) == std::vector<float>{0.5f, -1.0f, 2.0f, half_to_float(float_to_half(1e-7f))});

  CHECK(g.tensor("cube").shape == std::vector<int64_t>{3, 1, 2});
  CHECK(g.find("nope") == nullptr);

  std::string msg = error_of([&] { (void)g.find("blk.0.q2k"); });
  CHECK(msg.rfind(path + ": tensor 'blk.0.q2k' has ggml type Q2_K (10), which is not supported", 0) == 0);
  CHECK(contains(error_of([&] { (void)g.tensors(); }), "Q2_K"));
  CHECK(contains(error_of([&] { (void)g.tensor("nope"); }), path + ": tensor 'nope' not found"));
}

TEST_CASE("GGUF honours general.alignment and version 2") {
  const std::string dir = temp_dir("source_gguf_align");
  GgufBuilder b;
  b.version = 2;
  b.alignment = 64;
  b.u32("general.alignment", 64);
  b.tensor("a", {3}, kGgmlF32, f32_bytes({1, 2, 3}));
  b.tensor("b", {2}, kGgmlF32, f32_bytes({4, 5}));
  const std::string path = write_bytes(dir + "/a.gguf", b.build());
  GgufFile g = GgufFile::open(path);
  CHECK(g.version() == 2);
  CHECK(g.alignment() == 64);
  CHECK(g.data_offset() % 64 == 0);
  CHECK(g.tensor_infos()[1].offset == 64);
  CHECK(to_f32(g.tensor("b")) == std::vector<float>{4, 5});

  GgufBuilder empty;
  CHECK(GgufFile::open(write_bytes(dir + "/e.gguf", empty.build())).tensor_infos().empty());
}

// Replaces the bytes at `at` with `v`'s bytes.
template <typename T>
std::vector<uint8_t> patched(std::vector<uint8_t> b, size_t at, T v) {
  std::memcpy(b.data() + at, &v, sizeof(T));
  return b;
}

TEST_CASE("corrupt GGUF headers throw ConvertError naming the file") {
  const std::string dir = temp_dir("source_gguf_corrupt");
  const std::vector<uint8_t> good = full_builder().build();
  struct Case {
    std::string name;
    std::vector<uint8_t> bytes;
    std::string expected;
  };
  std::vector<Case> cases;
  cases.push_back({"empty", {}, "truncated at offset 0 reading magic"});
  cases.push_back({"magic", patched(good, 0, uint8_t{'X'}), "bad magic (expected \"GGUF\")"});
  cases.push_back({"v1", patched(good, 4, uint32_t{1}), "unsupported GGUF version 1"});
  cases.push_back({"v99", patched(good, 4, uint32_t{99}), "unsupported GGUF version 99"});
  cases.push_back({"big_endian", patched(good, 4, uint32_t{0x03000000}), "big-endian GGUF"});
  cases.push_back({"huge_tensor_count", patched(good, 8, uint64_t{1} << 60),
                   "tensors, more than the"});
  cases.push_back({"huge_kv_count", patched(good, 16, ~uint64_t{0}), "metadata entries"});

  {  // Unknown value type on the second key.
    GgufBuilder b;
    b.u32("ok", 1);
    const size_t at = 24 + b.kv.size();
    b.key("bad.type", static_cast<GgufType>(13));
    b.kv.u32(0);
    cases.push_back({"unknown_type", b.build(),
                     "key 'bad.type' at offset " + std::to_string(at) + ": unknown value type 13"});
  }
  {
    GgufBuilder b;
    b.key("bad.elem", GgufType::kArray);
    b.kv.u32(77);
    b.kv.u64(1);
    cases.push_back({"unknown_elem", b.build(), "key 'bad.elem' at offset 24: array at offset"});
  }
  {
    GgufBuilder b;
    b.key("big.array", GgufType::kArray);
    b.kv.u32(static_cast<uint32_t>(GgufType::kFloat32));
    b.kv.u64(uint64_t{1} << 61);
    cases.push_back({"huge_array", b.build(), "key 'big.array' at offset 24: array length 2305843009213693952 of FLOAT32 exceeds"});
  }
  {
    GgufBuilder b;
    b.key("strs", GgufType::kArray);
    b.kv.u32(static_cast<uint32_t>(GgufType::kString));
    b.kv.u64(uint64_t{1} << 62);
    cases.push_back({"huge_string_array", b.build(), "array length 4611686018427387904 of STRING exceeds"});
  }
  {
    GgufBuilder b;
    b.key("s", GgufType::kString);
    b.kv.u64(~uint64_t{0} - 3);
    cases.push_back({"huge_string", b.build(),
                     "key 's' at offset 24: truncated at offset 45 reading string value (need "
                     "18446744073709551612 bytes"});
  }
  {
    GgufBuilder b;
    b.kv.u64(uint64_t{1} << 50);  // key length
    b.kv.raw(std::vector<uint8_t>(20).data(), 20);  // enough bytes to pass the count bound
    ++b.n_kv;
    cases.push_back({"huge_key", b.build(), "truncated at offset 32 reading metadata key"});
  }
  {
    GgufBuilder b;
    b.u32("dup", 1);
    b.u32("dup", 2);
    cases.push_back({"dup_key", b.build(), "key 'dup' at offset 43: duplicate key"});
  }
  {
    GgufBuilder b;
    b.key("deep", GgufType::kArray);
    for (int i = 0; i < 6; ++i) {
      b.kv.u32(static_cast<uint32_t>(GgufType::kArray));
      b.kv.u64(1);
    }
    b.kv.u32(0);
    b.kv.u64(0);
    cases.push_back({"deep_nesting", b.build(), "arrays nested deeper than"});
  }
  {
    GgufBuilder b;
    b.u32("general.alignment", 48);
    cases.push_back({"bad_alignment", b.build(), "alignment 48 is not a power of two"});
  }
  {
    GgufBuilder b;
    b.str("general.alignment", "x");
    cases.push_back({"alignment_type", b.build(), "key 'general.alignment' (STRING"});
  }
  {
    GgufBuilder b;
    b.tensor("w", {4}, kGgmlF32, f32_bytes({1, 2, 3, 4}));
    std::vector<uint8_t> bytes = b.build();
    // Tensor info: name (8 + 1), n_dims (4), dim (8), type (4), offset (8).
    const size_t offset_at = 24 + 9 + 4 + 8 + 4;
    cases.push_back({"misaligned", patched(bytes, offset_at, uint64_t{4}),
                     "tensor 'w': data offset 4 is not a multiple of the alignment 32"});
    cases.push_back({"offset_past_end", patched(bytes, offset_at, uint64_t{1} << 40),
                     "tensor 'w': data offset 1099511627776 past end of data section (size 16)"});
    cases.push_back({"data_past_end", patched(bytes, 24 + 9 + 4, uint64_t{5}),
                     "tensor 'w': F32 shape [5] data range [0, 20) past end of data section (size 16"});
    cases.push_back({"too_many_dims", patched(bytes, 24 + 9, uint32_t{100}), "tensor 'w' (info at offset 24): 100 dims"});
    cases.push_back({"dim_overflow", patched(bytes, 24 + 9 + 4, ~uint64_t{0}), "too large"});
    cases.push_back({"truncated_data", std::vector<uint8_t>(bytes.begin(), bytes.end() - 1),
                     "past end of data section (size 15"});
  }
  {
    GgufBuilder b;
    b.tensor("q", {33}, 2, std::vector<uint8_t>(36, 0));  // 33 not a multiple of 32
    cases.push_back({"bad_block", b.build(), "first dim 33 is not a multiple of the Q4_0 block size 32"});
  }
  {
    GgufBuilder b;
    b.tensor("t", {1}, kGgmlF32, f32_bytes({1}));
    b.tensor("t", {1}, kGgmlF32, f32_bytes({2}));
    cases.push_back({"dup_tensor", b.build(), "duplicate tensor name"});
  }

  for (const Case& c : cases) {
    CAPTURE(c.name);
    const std::string path = write_bytes(dir + "/" + c.name + ".gguf", c.bytes);
    const std::string msg = error_of([&] { (void)GgufFile::open(path); });
    CAPTURE(msg);
    CHECK(msg.rfind(path + ": ", 0) == 0);
    CHECK(contains(msg, c.expected));
    CHECK(msg.find('\n') == std::string::npos);
  }
}

TEST_CASE("a GGUF file truncated at any offset throws ConvertError") {
  const std::string dir = temp_dir("source_gguf_truncated");
  const std::vector<uint8_t> full = full_builder().build();
  const std::string path = dir + "/t.gguf";
  for (size_t n = 0; n < full.size(); ++n) {
    rewrite_file(path, full.data(), n);
    CAPTURE(n);
    const std::string msg = error_of([&] { (void)GgufFile::open(path); });
    CHECK(msg.rfind(path + ": ", 0) == 0);
  }
  rewrite_file(path, full.data(), full.size());
  CHECK(GgufFile::open(path).tensor_infos().size() == 4);
}

TEST_CASE("random byte corruption never crashes the GGUF reader") {
  const std::string dir = temp_dir("source_gguf_fuzz");
  const std::vector<uint8_t> full = full_builder().build();
  const std::string path = dir + "/f.gguf";
  Lcg rng{777};
  for (int iter = 0; iter < 1500; ++iter) {
    std::vector<uint8_t> b = full;
    const int flips = 1 + static_cast<int>(rng.next() % 3);
    // Bias towards the header, where structure lives.
    for (int k = 0; k < flips; ++k) b[rng.next() % (iter % 2 ? b.size() : 400)] = static_cast<uint8_t>(rng.next());
    rewrite_file(path, b.data(), b.size());
    try {
      GgufFile g = GgufFile::open(path);
      for (const std::string& k : g.keys()) {
        try {
          (void)g.get_i32_array(k);
        } catch (const ConvertError&) {
        }
        try {
          (void)g.get_string_array(k);
        } catch (const ConvertError&) {
        }
      }
      for (const GgufTensorInfo& info : g.tensor_infos()) {
        try {
          (void)to_f32(g.tensor(info.name));
        } catch (const ConvertError&) {
        }
      }
    } catch (const ConvertError& e) {
      CHECK(std::string(e.what()).rfind(path, 0) == 0);
    }
  }
}

}  // namespace
}  // namespace edgeattn::convert
