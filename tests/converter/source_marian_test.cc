// Marian readers (converter/source/marian_model.h, marian_shortlist.h,
// yaml_lite.h) on files built byte by byte here, independently of the
// readers: round trips, and corrupt files that must each be refused with
// one line naming what is wrong. The real Bergamot files are read by
// tests/runtime/tasks/translator_test.cc through the whole converter.
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "converter/source/byte_writer.h"
#include "converter/source/convert_error.h"
#include "converter/source/marian_model.h"
#include "converter/source/marian_shortlist.h"
#include "converter/source/yaml_lite.h"
#include "tests/converter/test_files.h"
#include "tests/support/model_paths.h"

namespace edgeattn::convert {
namespace {

using edgeattn::testing::temp_dir;
using namespace test_files;

struct Item {
  std::string name;
  uint64_t type;
  std::vector<int32_t> shape;
  std::vector<uint8_t> bytes;
};

// Writes a Marian binary as marian-dev's io::binary::saveItems does.
std::vector<uint8_t> marian_file(const std::vector<Item>& items) {
  ByteWriter w;
  w.u64(1);
  w.u64(items.size());
  for (const Item& it : items) {
    w.u64(it.name.size() + 1);
    w.u64(it.type);
    w.u64(it.shape.size());
    w.u64(it.bytes.size());
  }
  for (const Item& it : items) {
    w.str(it.name);
    w.u8(0);
  }
  for (const Item& it : items) {
    for (int32_t d : it.shape) w.i32(d);
  }
  const uint64_t pad = (256 - (w.size() + 8) % 256) % 256;
  w.u64(pad);
  for (uint64_t i = 0; i < pad; ++i) w.u8(0);
  for (const Item& it : items) w.raw(it.bytes.data(), it.bytes.size());
  return w.bytes();
}

// An intgemm8 [rows, cols] item: values then the float multiplier.
Item intgemm8(const std::string& name, int32_t rows, int32_t cols, float mult) {
  Item it{name, kMarianIntgemm8, {rows, cols}, {}};
  for (int32_t i = 0; i < rows * cols; ++i) it.bytes.push_back(static_cast<uint8_t>(static_cast<int8_t>(i % 255 - 127)));
  uint8_t m[4];
  std::memcpy(m, &mult, 4);
  it.bytes.insert(it.bytes.end(), m, m + 4);
  return it;
}

Item float32(const std::string& name, std::vector<float> v) {
  return Item{name, kMarianFloat32, {1, static_cast<int32_t>(v.size())}, f32_bytes(v)};
}

Item text(const std::string& name, const std::string& s) {
  Item it{name, kMarianInt8, {static_cast<int32_t>(s.size() + 1)}, {}};
  it.bytes.assign(s.begin(), s.end());
  it.bytes.push_back(0);
  return it;
}

TEST_CASE("MarianFile: items, intgemm8 multipliers, scalars and text round trip") {
  const std::string dir = temp_dir("marian_reader");
  // Bergamot stores Wemb_QuantMultA as a 1x1 intgemm8 item holding 127.
  Item alpha = intgemm8("Wemb_QuantMultA", 1, 1, 127.0f / 8.0f);
  alpha.bytes[0] = 127;
  const std::vector<Item> items = {intgemm8("W", 3, 5, 10.0f), float32("W_QuantMultA", {12.5f}), alpha,
                                   float32("b", {1, 2, 3}), text("special:model.yml", "dim-emb: 8\n")};
  const MarianFile m = MarianFile::open(write_bytes(dir + "/m.bin", marian_file(items)));
  REQUIRE(m.items().size() == 5);
  const MarianItem& w = m.item("W");
  CHECK(w.shape == std::vector<int64_t>{3, 5});
  CHECK(m.quant_mult(w) == 10.0f);
  CHECK(static_cast<int8_t>(w.data[4]) == -123);
  CHECK(m.scalar("W_QuantMultA") == 12.5f);
  // Dequantized as Marian does: 127 * (1 / (127 / 8)).
  CHECK(m.scalar("Wemb_QuantMultA") == doctest::Approx(8.0f).epsilon(1e-6));
  CHECK(m.floats(m.item("b")) == std::vector<float>{1, 2, 3});
  CHECK(m.text("special:model.yml") == "dim-emb: 8\n");
  CHECK(contains(error_of([&] { (void)m.item("nope"); }), "no item 'nope'"));
}

TEST_CASE("MarianFile: corrupt files are refused with one line") {
  const std::string dir = temp_dir("marian_corrupt");
  const std::vector<Item> good = {intgemm8("W", 2, 2, 1.0f), float32("b", {1, 2})};
  std::vector<uint8_t> bytes = marian_file(good);
  struct Case {
    const char* what;
    std::vector<uint8_t> bytes;
    const char* message;
  };
  std::vector<Case> cases;
  cases.push_back({"truncated", std::vector<uint8_t>(bytes.begin(), bytes.end() - 3), "truncated"});
  std::vector<uint8_t> version = bytes;
  version[0] = 2;
  cases.push_back({"version", version, "binary file version 2"});
  std::vector<Item> short_data = good;
  short_data[0].bytes.resize(4);  // no room for the multiplier
  cases.push_back({"short intgemm8", marian_file(short_data), "item 'W': 4 data bytes, its shape needs 8"});
  std::vector<Item> bad_type = good;
  bad_type[1].type = 0x0408;  // float64
  cases.push_back({"type", marian_file(bad_type), "type 0x408 is not read"});
  std::vector<Item> twice = good;
  twice[1].name = "W";
  cases.push_back({"duplicate", marian_file(twice), "item 'W' appears twice"});
  std::vector<Item> zero_dim = good;
  zero_dim[1].shape = {1, 0};
  cases.push_back({"zero dim", marian_file(zero_dim), "item 'b': dim 0"});
  for (const Case& c : cases) {
    CAPTURE(c.what);
    const std::string path = write_bytes(dir + "/bad.bin", c.bytes);
    CHECK(contains(error_of([&] { (void)MarianFile::open(path); }), c.message));
  }
  // Every truncation and single-byte corruption: refused or read, never a crash.
  Lcg rng{7};
  for (int i = 0; i < 200; ++i) {
    std::vector<uint8_t> b = bytes;
    b[rng.next() % b.size()] = static_cast<uint8_t>(rng.next());
    b.resize(b.size() - rng.next() % 8);
    const std::string path = write_bytes(dir + "/fuzz.bin", b);
    (void)error_of([&] { (void)MarianFile::open(path); });
  }
}

// Marian's hashMem<uint64_t, uint64_t>, written out for the test.
uint64_t hash_words(const std::vector<uint8_t>& b, size_t from) {
  uint64_t seed = 0;
  for (size_t i = from; i + 8 <= b.size(); i += 8) {
    uint64_t v;
    std::memcpy(&v, b.data() + i, 8);
    seed ^= v + 0x9e3779b9u + (seed << 6) + (seed >> 2);
  }
  return seed;
}

std::vector<uint8_t> shortlist_file(const std::vector<uint64_t>& offsets, const std::vector<uint32_t>& words,
                                    bool good_checksum = true) {
  ByteWriter w;
  w.u64(kMarianShortlistMagic);
  w.u64(0);  // checksum, below
  w.u64(2);  // firstNum
  w.u64(3);  // bestNum
  w.u64(offsets.size());
  w.u64(words.size());
  for (uint64_t o : offsets) w.u64(o);
  for (uint32_t x : words) w.u32(x);
  std::vector<uint8_t> b = w.bytes();
  const uint64_t sum = hash_words(b, 16) + (good_checksum ? 0 : 1);
  std::memcpy(b.data() + 8, &sum, 8);
  return b;
}

TEST_CASE("read_marian_shortlist: lists per source id, and corrupt files refused") {
  const std::string dir = temp_dir("marian_shortlist");
  const std::string good = write_bytes(dir + "/lex.bin", shortlist_file({0, 2, 2, 4}, {5, 6, 1, 7}));
  const MarianShortlist s = read_marian_shortlist(good, 3, 8);
  CHECK(s.first_num == 2);
  CHECK(s.best_num == 3);
  CHECK(s.offsets == std::vector<uint32_t>{0, 2, 2, 4});
  CHECK(s.words == std::vector<uint32_t>{5, 6, 1, 7});
  CHECK(contains(error_of([&] { (void)read_marian_shortlist(good, 4, 8); }), "offsets for 4 - 1 source ids"));
  CHECK(contains(error_of([&] { (void)read_marian_shortlist(good, 3, 7); }), "word 3 = 7 is not a target id"));
  const std::string bad_sum = write_bytes(dir + "/sum.bin", shortlist_file({0, 2, 2, 4}, {5, 6, 1, 7}, false));
  CHECK(contains(error_of([&] { (void)read_marian_shortlist(bad_sum, 3, 8); }), "checksum"));
  const std::string order = write_bytes(dir + "/order.bin", shortlist_file({0, 3, 2, 4}, {5, 6, 1, 7}));
  CHECK(contains(error_of([&] { (void)read_marian_shortlist(order, 3, 8); }), "out of order"));
}

TEST_CASE("YamlLite: Marian's config subset") {
  const YamlLite y = YamlLite::parse(
      "# comment\nmodels:\n  - model.bin\nvocabs:\n  - v.spm\n  - v.spm\nbeam-size: 1\nnormalize: 1.0\n"
      "transformer-preprocess: \"\"\nskip: false\ntransformer-tied-layers: []\nversion: v1.9 abc # trailing\n",
      "config.yml");
  CHECK(y.list("models") == std::vector<std::string>{"model.bin"});
  CHECK(y.list("vocabs").size() == 2);
  CHECK(y.get_int("beam-size") == 1);
  CHECK(y.get_double("normalize") == 1.0);
  CHECK(y.get("transformer-preprocess").empty());
  CHECK(!y.get_bool("skip"));
  CHECK(y.list("transformer-tied-layers").empty());
  CHECK(y.get("version") == "v1.9 abc");
  CHECK(contains(error_of([&] { (void)y.get("models"); }), "'models' is a list"));
  CHECK(contains(error_of([&] { (void)YamlLite::parse("a: 1\na: 2\n", "c.yml"); }), "line 2: key 'a' given twice"));
  CHECK(contains(error_of([&] { (void)YamlLite::parse("a:\n  b: 1\n", "c.yml"); }), "line 2: nested mapping"));
  CHECK(contains(error_of([&] { (void)YamlLite::parse("- x\n", "c.yml"); }), "list item outside a list"));
}

}  // namespace
}  // namespace edgeattn::convert
