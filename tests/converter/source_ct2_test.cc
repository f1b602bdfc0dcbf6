// CTranslate2 model.bin reader (converter/source/ctranslate2.h).
//
// One file, two binaries (tests/converter/CMakeLists.txt):
//   converter_source_ct2_test (always runs): files built byte by byte by
//     Ct2Builder below, independently of the reader: a round trip of every
//     dtype, aliases, integer scalars, and corrupt files that must each be
//     refused with one line naming the offset and the variable at fault.
//   converter_source_ct2_model_test (EDGEATTN_CT2_REAL_MODEL, LABELS models):
//     the real Whisper tiny.en model.bin against the fixture written by the
//     independent Python parser tests/reference/make_ct2_fixture.py.
#include "converter/source/ctranslate2.h"

#include <doctest/doctest.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "converter/source/byte_writer.h"
#include "converter/source/convert_error.h"
#include "tests/converter/test_files.h"
#include "tests/support/model_gate.h"
#include "tests/support/model_paths.h"

#ifdef EDGEATTN_CT2_REAL_MODEL
EDGEATTN_TEST_MODELS(kWhisperTinyEnCt2);
#endif

namespace edgeattn::convert {
namespace {

using edgeattn::testing::temp_dir;
using namespace test_files;  // tests/converter/test_files.h

#ifndef EDGEATTN_CT2_REAL_MODEL

struct VarSpec {
  std::string name;
  std::vector<uint32_t> dims;
  uint8_t dtype;
  std::vector<uint8_t> bytes;
};

// Writes a model.bin field by field as model_spec.py's _serialize does.
struct Ct2Builder {
  uint32_t version = 6;
  std::string spec = "TestSpec";
  uint32_t revision = 3;
  std::vector<VarSpec> vars;
  std::vector<std::pair<std::string, std::string>> aliases;

  static void str(ByteWriter& w, const std::string& s) {
    w.u16(static_cast<uint16_t>(s.size() + 1));
    w.str(s);
    w.u8(0);
  }
  std::vector<uint8_t> build() const {
    ByteWriter w;
    w.u32(version);
    str(w, spec);
    w.u32(revision);
    w.u32(static_cast<uint32_t>(vars.size()));
    for (const VarSpec& v : vars) {
      str(w, v.name);
      w.u8(static_cast<uint8_t>(v.dims.size()));
      for (uint32_t d : v.dims) w.u32(d);
      w.u8(v.dtype);
      w.u32(static_cast<uint32_t>(v.bytes.size()));
      w.raw(v.bytes.data(), v.bytes.size());
    }
    w.u32(static_cast<uint32_t>(aliases.size()));
    for (const auto& [alias, target] : aliases) {
      str(w, alias);
      str(w, target);
    }
    return w.bytes();
  }
};

// Every dtype, a scalar, and the LM-head alias, like a small WhisperSpec.
Ct2Builder small_model() {
  Ct2Builder b;
  b.vars.push_back({"encoder/conv1/weight", {4, 2, 3}, kCt2Float32, f32_bytes(std::vector<float>(24, 0.5f))});
  b.vars.push_back({"decoder/embeddings/weight", {5, 4}, kCt2Float16, f16_bytes(std::vector<float>(20, -2.0f))});
  b.vars.push_back({"bf16", {3}, kCt2BFloat16, {0x80, 0x3f, 0x00, 0x40, 0x80, 0xbf}});  // 1, 2, -1
  b.vars.push_back({"i8", {2, 2}, kCt2Int8, {1, 0xff, 3, 4}});
  b.vars.push_back({"i32", {2}, kCt2Int32, {7, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff}});
  b.vars.push_back({"encoder/num_heads", {}, kCt2Int16, {6, 0}});
  b.vars.push_back({"decoder/scale_embeddings", {}, kCt2Int8, {1}});
  b.vars.push_back({"empty", {0, 3}, kCt2Float32, {}});
  b.aliases.push_back({"decoder/projection/weight", "decoder/embeddings/weight"});
  return b;
}

std::string write_model(const std::string& name, const std::vector<uint8_t>& bytes) {
  return write_bytes(temp_dir("source_ct2_test") + "/" + name, bytes);
}

std::string open_error(const std::vector<uint8_t>& bytes) {
  const std::string path = write_model("bad.bin", bytes);
  return error_of([&] { (void)Ct2File::open(path); });
}

TEST_CASE("ct2: round trip of every dtype, scalars and an alias") {
  const Ct2Builder b = small_model();
  const Ct2File m = Ct2File::open(write_model("small.bin", b.build()));
  CHECK(m.binary_version() == 6);
  CHECK(m.spec_name() == "TestSpec");
  CHECK(m.spec_revision() == 3);
  REQUIRE(m.variables().size() == b.vars.size());
  for (size_t i = 0; i < b.vars.size(); ++i) {
    const Ct2Variable& v = m.variables()[i];
    CAPTURE(v.name);
    CHECK(v.name == b.vars[i].name);
    CHECK(v.dims == b.vars[i].dims);
    CHECK(v.dtype == b.vars[i].dtype);
    CHECK(v.nbytes == b.vars[i].bytes.size());
    CHECK((v.nbytes == 0 || std::memcmp(v.data, b.vars[i].bytes.data(), v.nbytes) == 0));
    CHECK(v.supported == (v.dtype != kCt2Int16));
    CHECK(m.has(v.name));
  }
  CHECK(m.tensor("encoder/conv1/weight").dtype == SourceDType::kF32);
  CHECK(m.tensor("encoder/conv1/weight").shape == std::vector<int64_t>{4, 2, 3});
  CHECK(to_f32(m.tensor("encoder/conv1/weight"))[23] == 0.5f);
  CHECK(to_f32(m.tensor("decoder/embeddings/weight"))[19] == -2.0f);
  CHECK(to_f32(m.tensor("bf16")) == std::vector<float>{1.0f, 2.0f, -1.0f});
  CHECK(m.tensor("i8").dtype == SourceDType::kI8);
  CHECK(m.tensor("i32").dtype == SourceDType::kI32);
  CHECK(m.tensor("decoder/scale_embeddings").shape.empty());
  CHECK(m.tensor("empty").nbytes == 0);
  CHECK(m.get_int("encoder/num_heads") == 6);
  CHECK(m.get_int("decoder/scale_embeddings") == 1);
  // int16 has no SourceDType: listed, refused as a tensor, readable by get_int.
  CHECK(contains(error_of([&] { (void)m.tensor("encoder/num_heads"); }), "int16"));
  CHECK(contains(error_of([&] { (void)m.get_int("i32"); }), "expected one"));
  CHECK(contains(error_of([&] { (void)m.tensor("nope"); }), "'nope' not found"));
  CHECK(m.find("nope") == nullptr);
  // The alias resolves to its target's bytes.
  REQUIRE(m.aliases().size() == 1);
  CHECK(m.aliases()[0].alias == "decoder/projection/weight");
  CHECK(m.aliases()[0].variable == "decoder/embeddings/weight");
  CHECK(m.has("decoder/projection/weight"));
  CHECK(&m.tensor("decoder/projection/weight") == &m.tensor("decoder/embeddings/weight"));
  CHECK(m.find_variable("decoder/projection/weight")->name == "decoder/embeddings/weight");
}

TEST_CASE("ct2: a file truncated at any byte is refused with its offset") {
  const std::vector<uint8_t> full = small_model().build();
  const std::string path = temp_dir("source_ct2_test") + "/trunc.bin";
  for (size_t n = 0; n < full.size(); ++n) {
    rewrite_file(path, full.data(), n);
    const std::string e = error_of([&] { (void)Ct2File::open(path); });
    CAPTURE(n);
    CAPTURE(e);
    CHECK(contains(e, path + ": "));
    CHECK(contains(e, "offset"));
  }
  // A cut inside a variable's data names that variable (one variable, so
  // the count check, which needs 9 bytes per variable, passes first).
  Ct2Builder one = small_model();
  one.vars.resize(1);
  one.aliases.clear();
  const std::vector<uint8_t> bytes = one.build();
  const std::string e = open_error(std::vector<uint8_t>(bytes.begin(), bytes.begin() + 80));
  CHECK(contains(e, "truncated at offset 64 reading variable 'encoder/conv1/weight' data"));
}

TEST_CASE("ct2: malformed headers are refused naming offset and variable") {
  Ct2Builder b = small_model();
  b.version = 5;
  CHECK(contains(open_error(b.build()), "offset 0: unsupported CTranslate2 binary version 5"));

  b = small_model();
  b.vars[0].dims = {1, 1, 1, 1, 1, 1, 1, 1, 24};  // rank 9
  CHECK(contains(open_error(b.build()), "variable 'encoder/conv1/weight': rank 9 > 8"));

  b = small_model();
  b.vars[1].bytes.pop_back();
  b.vars[1].bytes.pop_back();
  CHECK(contains(open_error(b.build()), "variable 'decoder/embeddings/weight': num_bytes 38 != [5, 4]"));

  b = small_model();
  b.vars[0] = {"huge", {0xffffffffu, 0xffffffffu, 0xffffffffu}, kCt2Float32, {}};
  CHECK(contains(open_error(b.build()),
                 "variable 'huge': dims [4294967295, 4294967295, 4294967295] x float32 overflows"));

  b = small_model();
  b.vars[0].dtype = 9;
  CHECK(contains(open_error(b.build()), "variable 'encoder/conv1/weight': unknown dtype id 9"));

  b = small_model();
  b.vars[3].name = "bf16";
  CHECK(contains(open_error(b.build()), "variable 'bf16': duplicate name"));

  b = small_model();
  b.aliases.push_back({"i8", "i32"});
  CHECK(contains(open_error(b.build()), "alias 'i8': duplicate name"));

  b = small_model();
  b.aliases[0].second = "missing";
  CHECK(contains(open_error(b.build()), "alias 'decoder/projection/weight': target 'missing' is not a variable"));

  b = small_model();
  b.aliases.push_back({"head2", "decoder/projection/weight"});  // alias of an alias
  CHECK(contains(open_error(b.build()), "alias 'head2': target 'decoder/projection/weight' is not a variable"));

  std::vector<uint8_t> bytes = small_model().build();
  bytes.push_back(0);
  CHECK(contains(open_error(bytes), "1 trailing bytes after the alias table"));

  // n_variables far larger than the file can hold.
  bytes = small_model().build();
  const size_t n_vars_at = 4 + 2 + 9 + 4;
  bytes[n_vars_at + 3] = 0x10;
  CHECK(contains(open_error(bytes), "offset 19: variable count"));
}

TEST_CASE("ct2: bad strings are refused") {
  std::vector<uint8_t> good = small_model().build();
  // Spec name "TestSpec" (length 9 at offset 4): clobber its NUL.
  std::vector<uint8_t> bytes = good;
  bytes[4 + 2 + 8] = 'x';
  CHECK(contains(open_error(bytes), "offset 4: spec name: string of length 9 not NUL-terminated"));
  // Length past the end of the file.
  bytes = good;
  bytes[4] = 0xff;
  bytes[5] = 0xff;
  CHECK(contains(open_error(bytes), "truncated at offset 6 reading spec name"));
  // Length 0: not even a NUL.
  bytes = good;
  bytes[4] = 0;
  bytes[5] = 0;
  CHECK(contains(open_error(bytes), "offset 4: spec name: string length 0"));
  // Interior NUL and empty names in a variable.
  Ct2Builder b = small_model();
  b.vars[2].name = std::string("bf\0x", 4);
  CHECK(contains(open_error(b.build()), "variable 2 name: interior NUL"));
  b.vars[2].name = "";
  CHECK(contains(open_error(b.build()), "variable 2 name: empty name"));
  // A variable name without its NUL: the record is then misread, but refused.
  b = small_model();
  bytes = b.build();
  const size_t name_at = 4 + 2 + 9 + 4 + 4;  // first variable's string
  bytes[name_at + 2 + b.vars[0].name.size()] = 'z';
  CHECK(contains(open_error(bytes), "offset 23: variable 0 name: string of length 21 not NUL-terminated"));
}

#else  // EDGEATTN_CT2_REAL_MODEL

// FIPS 180-4 SHA-256, small and slow: enough to fingerprint 75 MB once.
struct Sha256 {
  static std::string hex(const uint8_t* p, size_t n) {
    static const uint32_t k[64] = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
    uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                     0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    auto rotr = [](uint32_t x, int r) { return (x >> r) | (x << (32 - r)); };
    // Padding: the message, 0x80, zeros, then the bit length (big-endian).
    std::vector<uint8_t> tail(p + (n / 64) * 64, p + n);
    tail.push_back(0x80);
    while (tail.size() % 64 != 56) tail.push_back(0);
    for (int i = 7; i >= 0; --i) tail.push_back(static_cast<uint8_t>((uint64_t{n} * 8) >> (8 * i)));
    auto block = [&](const uint8_t* b) {
      uint32_t w[64];
      for (int i = 0; i < 16; ++i) {
        w[i] = uint32_t{b[4 * i]} << 24 | uint32_t{b[4 * i + 1]} << 16 | uint32_t{b[4 * i + 2]} << 8 | b[4 * i + 3];
      }
      for (int i = 16; i < 64; ++i) {
        const uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
        const uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
      }
      uint32_t a[8];
      std::memcpy(a, h, sizeof(a));
      for (int i = 0; i < 64; ++i) {
        const uint32_t t1 = a[7] + (rotr(a[4], 6) ^ rotr(a[4], 11) ^ rotr(a[4], 25)) +
                            ((a[4] & a[5]) ^ (~a[4] & a[6])) + k[i] + w[i];
        const uint32_t t2 = (rotr(a[0], 2) ^ rotr(a[0], 13) ^ rotr(a[0], 22)) +
                            ((a[0] & a[1]) ^ (a[0] & a[2]) ^ (a[1] & a[2]));
        std::memmove(a + 1, a, 7 * sizeof(uint32_t));
        a[4] += t1;
        a[0] = t1 + t2;
      }
      for (int i = 0; i < 8; ++i) h[i] += a[i];
    };
    for (size_t i = 0; i + 64 <= n; i += 64) block(p + i);
    for (size_t i = 0; i < tail.size(); i += 64) block(tail.data() + i);
    char out[65];
    for (int i = 0; i < 8; ++i) std::snprintf(out + 8 * i, 9, "%08x", h[i]);
    return std::string(out, 64);
  }
};

TEST_CASE("sha256 of known strings") {
  CHECK(Sha256::hex(reinterpret_cast<const uint8_t*>(""), 0) ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(Sha256::hex(reinterpret_cast<const uint8_t*>("abc"), 3) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const char* two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";  // 56 bytes
  CHECK(Sha256::hex(reinterpret_cast<const uint8_t*>(two_blocks), 56) ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST_CASE("whisper tiny.en model.bin equals the Python parser's fixture") {
  const std::string path = edgeattn::testing::require_model("whisper-tiny.en-ct2/model.bin");
  std::ifstream in(std::string(EDGEATTN_SOURCE_DIR) + "/tests/fixtures/whisper_tiny_en_ct2_variables.json");
  REQUIRE(in.good());
  const nlohmann::json fx = nlohmann::json::parse(in);
  const Ct2File m = Ct2File::open(path);
  CHECK(m.binary_version() == fx["binary_version"].get<uint32_t>());
  CHECK(m.spec_name() == fx["spec_name"].get<std::string>());
  CHECK(m.spec_name() == "WhisperSpec");
  CHECK(m.spec_revision() == fx["spec_revision"].get<uint32_t>());
  const auto& vars = fx["variables"];
  REQUIRE(m.variables().size() == vars.size());
  for (size_t i = 0; i < vars.size(); ++i) {
    const Ct2Variable& v = m.variables()[i];
    CAPTURE(i);
    CHECK(v.name == vars[i]["name"].get<std::string>());
    CHECK(v.dims == vars[i]["dims"].get<std::vector<uint32_t>>());
    CHECK(ct2_dtype_name(v.dtype) == vars[i]["dtype"].get<std::string>());
    CHECK(Sha256::hex(v.data, static_cast<size_t>(v.nbytes)) == vars[i]["sha256"].get<std::string>());
  }
  const auto& aliases = fx["aliases"];
  REQUIRE(m.aliases().size() == aliases.size());
  for (size_t i = 0; i < aliases.size(); ++i) {
    CHECK(m.aliases()[i].alias == aliases[i]["alias"].get<std::string>());
    CHECK(m.aliases()[i].variable == aliases[i]["variable"].get<std::string>());
  }
  // The numbers issue #14 names. "148 fp16 variables": 148 variables, of
  // which the 9 rank-0 flags are int8 / int16, not fp16.
  size_t f16 = 0;
  for (const Ct2Variable& v : m.variables()) f16 += v.dtype == kCt2Float16;
  std::printf("whisper tiny.en model.bin: %s rev %u, binary v%u, %zu variables (%zu float16), %zu alias(es)\n",
              m.spec_name().c_str(), m.spec_revision(), m.binary_version(), m.variables().size(), f16,
              m.aliases().size());
  CHECK(m.variables().size() == 148);
  CHECK(m.tensor("encoder/conv1/weight").shape == std::vector<int64_t>{384, 80, 3});
  CHECK(m.tensor("encoder/conv1/weight").dtype == SourceDType::kF16);
  CHECK(m.tensor("encoder/conv2/weight").shape == std::vector<int64_t>{384, 384, 3});
  CHECK(m.tensor("encoder/position_encodings/encodings").shape == std::vector<int64_t>{1500, 384});
  CHECK(m.tensor("decoder/embeddings/weight").shape == std::vector<int64_t>{51864, 384});
  CHECK(&m.tensor("decoder/projection/weight") == &m.tensor("decoder/embeddings/weight"));
  CHECK(m.get_int("encoder/num_heads") == 6);
  CHECK(m.get_int("decoder/num_heads") == 6);
  for (const char* name : {"encoder/num_heads", "decoder/num_heads", "decoder/alignment_heads",
                           "decoder/alignment_layer", "decoder/scale_embeddings"}) {
    if (m.has(name)) std::printf("  %s = %lld\n", name, static_cast<long long>(m.get_int(name)));
  }
}

#endif  // EDGEATTN_CT2_REAL_MODEL

}  // namespace
}  // namespace edgeattn::convert
