// Safetensors reader: synthetic files (F32/F16/BF16, metadata), sharded HF
// folders, and corrupt inputs that must each throw a ConvertError naming the
// file.
#include "converter/source/safetensors.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "converter/source/byte_writer.h"
#include "converter/source/convert_error.h"
#include "converter/source/hf_checkpoint_writer.h"
#include "tests/converter/test_files.h"
#include "tests/support/model_paths.h"

namespace edgeattn::convert {
namespace {

using edgeattn::testing::temp_dir;
using namespace test_files;  // tests/converter/test_files.h

// A safetensors file spelled out by hand: header JSON + raw data.
std::vector<uint8_t> make_file(const std::string& json, const std::vector<uint8_t>& data) {
  ByteWriter w;
  w.u64(json.size());
  w.str(json);
  w.raw(data.data(), data.size());
  return w.bytes();
}

std::string write_bytes(const std::string& dir, const std::string& name,
                        const std::vector<uint8_t>& bytes) {
  return test_files::write_bytes(dir + "/" + name, bytes);
}

std::string open_error(const std::string& path) {
  return error_of([&] { (void)SafetensorsFile::open(path); });
}

// Three tensors, one per float dtype, at offsets 0, 16, 24 of a 28-byte area.
const char kThreeTensors[] =
    R"({"__metadata__":{"format":"pt","note":"hi"},)"
    R"("a.f32":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},)"
    R"("b.f16":{"dtype":"F16","shape":[4],"data_offsets":[16,24]},)"
    R"("c.bf16":{"dtype":"BF16","shape":[1,2],"data_offsets":[24,28]}})";

std::vector<uint8_t> three_tensor_data() {
  ByteWriter d;
  for (float f : {1.0f, -2.5f, 3.0f, 0.125f}) d.f32(f);
  for (float f : {1.0f, -2.0f, 0.5f, 65504.0f}) d.u16(float_to_half(f));
  for (float f : {1.0f, -3.0f}) d.u16(float_to_bf16(f));
  return d.bytes();
}

TEST_CASE("reads F32, F16 and BF16 tensors and metadata from a hand-built file") {
  const std::string dir = temp_dir("source_safetensors_basic");
  const std::string path = write_bytes(dir, "m.safetensors", make_file(kThreeTensors, three_tensor_data()));
  SafetensorsFile f = SafetensorsFile::open(path);
  REQUIRE(f.tensors().size() == 3);
  CHECK(f.tensors()[0].name == "a.f32");  // sorted by name
  CHECK(f.metadata().at("format") == "pt");
  CHECK(f.metadata().at("note") == "hi");

  const SourceTensor* a = f.find("a.f32");
  REQUIRE(a != nullptr);
  CHECK(a->dtype == SourceDType::kF32);
  CHECK(a->shape == std::vector<int64_t>{2, 2});
  CHECK(a->nbytes == 16);
  CHECK(a->source == path);
  CHECK(to_f32(*a) == std::vector<float>{1.0f, -2.5f, 3.0f, 0.125f});

  const SourceTensor* b = f.find("b.f16");
  REQUIRE(b != nullptr);
  CHECK(b->dtype == SourceDType::kF16);
  CHECK(to_f32(*b) == std::vector<float>{1.0f, -2.0f, 0.5f, 65504.0f});

  const SourceTensor* c = f.find("c.bf16");
  REQUIRE(c != nullptr);
  CHECK(c->dtype == SourceDType::kBF16);
  CHECK(c->shape == std::vector<int64_t>{1, 2});
  CHECK(to_f32(*c) == std::vector<float>{1.0f, -3.0f});

  CHECK(f.find("missing") == nullptr);
}

TEST_CASE("scalars, empty tensors, and files with no tensors") {
  const std::string dir = temp_dir("source_safetensors_edge");
  ByteWriter d;
  d.f32(7.0f);
  const std::string path = write_bytes(
      dir, "e.safetensors",
      make_file(R"({"s":{"dtype":"F32","shape":[],"data_offsets":[0,4]},)"
                R"("z":{"dtype":"I64","shape":[0,3],"data_offsets":[4,4]}})",
                d.bytes()));
  SafetensorsFile f = SafetensorsFile::open(path);
  CHECK(to_f32(*f.find("s")) == std::vector<float>{7.0f});
  CHECK(f.find("z")->nbytes == 0);
  CHECK(f.find("z")->dtype == SourceDType::kI64);

  const std::string empty = write_bytes(dir, "none.safetensors", make_file("{}", {}));
  CHECK(SafetensorsFile::open(empty).tensors().empty());
}

TEST_CASE("write_safetensors round-trips through the reader") {
  const std::string dir = temp_dir("source_safetensors_writer");
  const std::string path = dir + "/w.safetensors";
  write_safetensors(path, {{"x", F32Tensor{{2, 3}, {1, 2, 3, 4, 5, 6}}}, {"y", F32Tensor{{1}, {9}}}},
                    {{"format", "pt"}});
  SafetensorsFile f = SafetensorsFile::open(path);
  CHECK(to_f32(*f.find("x")) == std::vector<float>{1, 2, 3, 4, 5, 6});
  CHECK(f.find("x")->shape == std::vector<int64_t>{2, 3});
  CHECK(to_f32(*f.find("y")) == std::vector<float>{9});
  CHECK(f.metadata().at("format") == "pt");

  RawTensor h{"h", SourceDType::kF16, {2}, {}};
  for (float v : {0.5f, -1.0f}) {
    uint16_t bits = float_to_half(v);
    h.bytes.push_back(static_cast<uint8_t>(bits & 0xFF));
    h.bytes.push_back(static_cast<uint8_t>(bits >> 8));
  }
  write_safetensors(dir + "/h.safetensors", std::vector<RawTensor>{h});
  CHECK(to_f32(*SafetensorsFile::open(dir + "/h.safetensors").find("h")) ==
        std::vector<float>{0.5f, -1.0f});

  RawTensor bad{"bad", SourceDType::kF32, {3}, std::vector<uint8_t>(8)};
  CHECK(contains(error_of([&] { write_safetensors(dir + "/b.safetensors", std::vector<RawTensor>{bad}); }),
                 "tensor 'bad': 8 bytes do not match shape [3]"));
}

TEST_CASE("SafetensorsCheckpoint reads a single-file folder and a sharded index") {
  const std::string dir = temp_dir("source_safetensors_ckpt");
  // Single file.
  std::filesystem::create_directories(dir + "/single");
  write_safetensors(dir + "/single/model.safetensors", {{"w", F32Tensor{{2}, {1, 2}}}});
  SafetensorsCheckpoint single = SafetensorsCheckpoint::open(dir + "/single");
  CHECK(single.names() == std::vector<std::string>{"w"});
  CHECK(to_f32(single.tensor("w")) == std::vector<float>{1, 2});
  // Also opens the file directly.
  CHECK(SafetensorsCheckpoint::open(dir + "/single/model.safetensors").find("w") != nullptr);

  // Two shards with an index.
  std::filesystem::create_directories(dir + "/sharded");
  write_safetensors(dir + "/sharded/model-00001-of-00002.safetensors",
                    {{"a", F32Tensor{{1}, {1}}}, {"b", F32Tensor{{2}, {2, 3}}}});
  write_safetensors(dir + "/sharded/model-00002-of-00002.safetensors", {{"c", F32Tensor{{1}, {4}}}});
  const std::string index =
      R"({"metadata":{"total_size":16},"weight_map":{)"
      R"("a":"model-00001-of-00002.safetensors","b":"model-00001-of-00002.safetensors",)"
      R"("c":"model-00002-of-00002.safetensors"}})";
  write_file(dir + "/sharded/model.safetensors.index.json", index.data(), index.size());
  SafetensorsCheckpoint sharded = SafetensorsCheckpoint::open(dir + "/sharded");
  CHECK(sharded.names() == std::vector<std::string>{"a", "b", "c"});
  CHECK(sharded.shards().size() == 2);
  CHECK(to_f32(sharded.tensor("b")) == std::vector<float>{2, 3});
  CHECK(to_f32(sharded.tensor("c")) == std::vector<float>{4});
  CHECK(sharded.find("d") == nullptr);
  CHECK(contains(error_of([&] { (void)sharded.tensor("d"); }), "tensor 'd' not found"));
  // Moving the checkpoint keeps tensor pointers valid (shards are heap-held).
  SafetensorsCheckpoint moved = std::move(sharded);
  CHECK(to_f32(moved.tensor("a")) == std::vector<float>{1});
}

TEST_CASE("SafetensorsCheckpoint errors name the index or folder") {
  const std::string dir = temp_dir("source_safetensors_ckpt_bad");
  CHECK(contains(error_of([&] { (void)SafetensorsCheckpoint::open(dir); }),
                 "neither model.safetensors nor model.safetensors.index.json"));

  auto with_index = [&](const std::string& name, const std::string& json) {
    std::filesystem::create_directories(dir + "/" + name);
    write_safetensors(dir + "/" + name + "/s1.safetensors", {{"a", F32Tensor{{1}, {1}}}});
    write_file(dir + "/" + name + "/model.safetensors.index.json", json.data(), json.size());
    return error_of([&] { (void)SafetensorsCheckpoint::open(dir + "/" + name); });
  };
  std::string msg = with_index("missing_shard", R"({"weight_map":{"a":"nope.safetensors"}})");
  CHECK(contains(msg, "nope.safetensors: cannot open"));
  msg = with_index("missing_tensor", R"({"weight_map":{"zz":"s1.safetensors"}})");
  CHECK(contains(msg, "model.safetensors.index.json: tensor 'zz' is mapped to shard 's1.safetensors'"));
  msg = with_index("no_map", R"({"metadata":{}})");
  CHECK(contains(msg, "model.safetensors.index.json: missing or non-object 'weight_map'"));
  msg = with_index("bad_json", R"({"weight_map": {"a": )");
  CHECK(contains(msg, "model.safetensors.index.json: invalid JSON"));
  msg = with_index("path_escape", R"({"weight_map":{"a":"../x/s1.safetensors"}})");
  CHECK(contains(msg, "must be a plain file name"));
  msg = with_index("non_string", R"({"weight_map":{"a":3}})");
  CHECK(contains(msg, "weight_map entry for tensor 'a' is not a string"));
}

TEST_CASE("corrupt safetensors headers throw ConvertError naming the file") {
  const std::string dir = temp_dir("source_safetensors_corrupt");
  const std::vector<uint8_t> data = three_tensor_data();
  struct Case {
    std::string name;
    std::vector<uint8_t> bytes;
    const char* expected;
  };
  auto header = [&](const std::string& json) { return make_file(json, data); };
  ByteWriter huge;
  huge.u64(1ull << 40);
  huge.str("{}");
  ByteWriter past_end;
  past_end.u64(100);
  past_end.str("{}");
  const std::vector<Case> cases = {
      {"empty", {}, "too short for the 8-byte safetensors header length"},
      {"short", {1, 2, 3}, "too short"},
      {"huge_header", huge.bytes(), "exceeds the 100 MB limit"},
      {"header_past_end", past_end.bytes(), "header length 100 runs past end of file (size 10)"},
      {"bad_json", header(R"({"a": {"dtype": "F32",)"), "invalid JSON header"},
      {"not_object", header("[1,2]"), "JSON header is not an object"},
      {"unknown_dtype", header(R"({"w":{"dtype":"F17","shape":[1],"data_offsets":[0,4]}})"),
       "tensor 'w': unknown dtype 'F17'"},
      {"unsupported_dtype", header(R"({"w":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}})"),
       "tensor 'w': unsupported dtype 'U8'"},
      {"no_dtype", header(R"({"w":{"shape":[1],"data_offsets":[0,4]}})"), "tensor 'w': missing or non-string 'dtype'"},
      {"neg_dim", header(R"({"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})"),
       "tensor 'w': shape dimension must be a non-negative integer, got -1"},
      {"float_dim", header(R"({"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}})"),
       "shape dimension must be a non-negative integer"},
      {"overflow", header(R"({"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}})"),
       "overflows"},
      {"past_end", header(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[24,32]}})"),
       "tensor 'w': data range [24, 32) past end of data area (size 28"},
      {"begin_gt_end", header(R"({"w":{"dtype":"F32","shape":[0],"data_offsets":[8,4]}})"),
       "tensor 'w': data_offsets begin 8 > end 4"},
      {"size_mismatch", header(R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})"),
       "tensor 'w': shape [3] of F32 needs 12 bytes but data_offsets [0, 8) hold 8"},
      {"bad_offsets", header(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0]}})"),
       "'data_offsets' must be an array [begin, end]"},
      {"neg_offset", header(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}})"),
       "data_offsets begin must be a non-negative integer"},
      {"meta_not_string", header(R"({"__metadata__":{"n":1}})"), "metadata key 'n' is not a string"},
      {"entry_not_object", header(R"({"w":5})"), "tensor 'w': entry is not an object"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    const std::string path = write_bytes(dir, c.name + ".safetensors", c.bytes);
    const std::string msg = open_error(path);
    CAPTURE(msg);
    CHECK(msg.rfind(path + ": ", 0) == 0);  // one line starting with the file
    CHECK(contains(msg, c.expected));
    CHECK(msg.find('\n') == std::string::npos);
  }
  CHECK(contains(open_error(dir + "/does_not_exist.safetensors"),
                 "does_not_exist.safetensors: cannot open: No such file"));
  CHECK(contains(open_error(dir), "not a regular file"));
}

TEST_CASE("a safetensors file truncated at any offset throws ConvertError") {
  const std::string dir = temp_dir("source_safetensors_truncated");
  const std::vector<uint8_t> full = make_file(kThreeTensors, three_tensor_data());
  const std::string path = dir + "/t.safetensors";
  for (size_t n = 0; n < full.size(); ++n) {
    rewrite_file(path, full.data(), n);
    CAPTURE(n);
    const std::string msg = open_error(path);
    CHECK(msg.rfind(path + ": ", 0) == 0);
  }
  rewrite_file(path, full.data(), full.size());
  CHECK(SafetensorsFile::open(path).tensors().size() == 3);
}

TEST_CASE("random byte corruption never crashes the safetensors reader") {
  const std::string dir = temp_dir("source_safetensors_fuzz");
  const std::vector<uint8_t> full = make_file(kThreeTensors, three_tensor_data());
  const std::string path = dir + "/f.safetensors";
  Lcg rng{12345};
  for (int iter = 0; iter < 400; ++iter) {
    std::vector<uint8_t> b = full;
    const int flips = 1 + static_cast<int>(rng.next() % 4);
    for (int k = 0; k < flips; ++k) b[rng.next() % b.size()] = static_cast<uint8_t>(rng.next());
    rewrite_file(path, b.data(), b.size());
    try {
      SafetensorsFile f = SafetensorsFile::open(path);
      for (const SourceTensor& t : f.tensors()) {
        try {
          (void)to_f32(t);
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
