// Building SentencePiece model files byte by byte for the tests: a protobuf
// writer for ModelProto and a darts-clone double-array builder for the
// normalizer's precompiled charsmap, so a test spells out its model instead
// of taking it from the code under test.
//
// Example:
//   SpmFile f;
//   f.pieces = {{"<unk>", 0, 2}, {"\u2581a", -1, 1}};
//   f.charsmap = build_charsmap({{"\xEF\xBC\xA1", "A"}});   // full-width A -> A
//   std::vector<uint8_t> bytes = f.bytes();                   // a .spm file
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace edgeattn::testing {

// ---- protobuf -------------------------------------------------------------

class ProtoWriter {
 public:
  void varint(uint64_t v) {
    while (v >= 0x80) {
      bytes_.push_back(static_cast<uint8_t>(v | 0x80));
      v >>= 7;
    }
    bytes_.push_back(static_cast<uint8_t>(v));
  }
  void key(uint32_t field, int wire) { varint(static_cast<uint64_t>(field) << 3 | static_cast<uint64_t>(wire)); }
  // int32 fields: negatives are sign-extended to 64 bits (10 bytes).
  void int_field(uint32_t field, int64_t v) {
    key(field, 0);
    varint(static_cast<uint64_t>(v));
  }
  void bytes_field(uint32_t field, const std::string& s) {
    key(field, 2);
    varint(s.size());
    bytes_.insert(bytes_.end(), s.begin(), s.end());
  }
  void message_field(uint32_t field, const ProtoWriter& m) {
    bytes_field(field, std::string(m.bytes_.begin(), m.bytes_.end()));
  }
  void float_field(uint32_t field, float f) {
    key(field, 5);
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    for (int i = 0; i < 4; ++i) bytes_.push_back(static_cast<uint8_t>(bits >> (8 * i)));
  }
  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

struct SpmTestPiece {
  std::string piece;
  float score = 0;
  int type = 1;  // 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte
};

// A ModelProto; unset optionals are left out of the file (proto2 defaults).
struct SpmFile {
  std::vector<SpmTestPiece> pieces;
  std::optional<int> model_type;
  std::optional<bool> byte_fallback;
  std::optional<std::string> unk_surface;
  std::optional<std::string> eos_piece;
  std::optional<bool> treat_whitespace_as_suffix;
  std::string normalizer_name = "test";
  std::string charsmap;
  std::optional<bool> add_dummy_prefix, remove_extra_whitespaces, escape_whitespaces;
  std::optional<std::string> denormalizer_charsmap;
  bool with_trainer_spec = true;
  bool with_normalizer_spec = true;
  std::vector<uint8_t> trailing;  // raw bytes appended (extra top-level fields)

  std::vector<uint8_t> bytes() const {
    ProtoWriter m;
    for (const SpmTestPiece& p : pieces) {
      ProtoWriter w;
      w.bytes_field(1, p.piece);
      w.float_field(2, p.score);
      if (p.type != 1) w.int_field(3, p.type);
      m.message_field(1, w);
    }
    if (with_trainer_spec) {
      ProtoWriter t;
      t.bytes_field(1, "corpus.txt");  // a repeated string the reader skips
      if (model_type) t.int_field(3, *model_type);
      t.int_field(4, static_cast<int64_t>(pieces.size()));
      if (treat_whitespace_as_suffix) t.int_field(24, *treat_whitespace_as_suffix);
      if (byte_fallback) t.int_field(35, *byte_fallback);
      t.int_field(40, 1);
      t.int_field(41, -1);  // Marian's: no BOS
      t.int_field(42, 0);
      if (unk_surface) t.bytes_field(44, *unk_surface);
      if (eos_piece) t.bytes_field(47, *eos_piece);
      m.message_field(2, t);
    }
    if (with_normalizer_spec) {
      ProtoWriter n;
      n.bytes_field(1, normalizer_name);
      if (!charsmap.empty()) n.bytes_field(2, charsmap);
      if (add_dummy_prefix) n.int_field(3, *add_dummy_prefix);
      if (remove_extra_whitespaces) n.int_field(4, *remove_extra_whitespaces);
      if (escape_whitespaces) n.int_field(5, *escape_whitespaces);
      m.message_field(3, n);
    }
    if (denormalizer_charsmap) {
      ProtoWriter d;
      d.bytes_field(1, "denormalizer");
      d.bytes_field(2, *denormalizer_charsmap);
      m.message_field(5, d);
    }
    std::vector<uint8_t> out = m.bytes();
    out.insert(out.end(), trailing.begin(), trailing.end());
    return out;
  }
};

// ---- darts-clone double array ----------------------------------------------

// The precompiled charsmap for `rules` (UTF-8 key -> replacement): uint32
// trie size, a darts-clone double array (node p's child along byte c sits at
// p ^ offset(p) ^ c; a node with a key ending there has a value unit, top bit
// set, at p ^ offset(p)), then the NUL-terminated replacements. Keys must be
// non-empty and NUL-free. Offsets are found greedily (first that fits); the
// array is padded to blocks of 256 units so that it passes SentencePiece's
// load-time checks (every unit's children inside the array).
inline std::string build_charsmap(const std::vector<std::pair<std::string, std::string>>& rules) {
  struct Node {
    std::map<uint8_t, std::unique_ptr<Node>> children;
    int value = -1;  // offset of the replacement, -1: no key ends here
  };
  Node root;
  std::string strings;
  for (const auto& [key, replacement] : rules) {
    Node* n = &root;
    for (char c : key) {
      auto& child = n->children[static_cast<uint8_t>(c)];
      if (!child) child = std::make_unique<Node>();
      n = child.get();
    }
    n->value = static_cast<int>(strings.size());
    strings += replacement;
    strings.push_back('\0');
  }
  std::vector<uint32_t> units(1, 0);
  std::vector<bool> used(1, true);  // the root sits at 0
  auto is_free = [&](size_t p) { return p != 0 && (p >= used.size() || !used[p]); };
  auto take = [&](size_t p, uint32_t unit) {
    if (p >= units.size()) {
      units.resize(p + 1, 0);
      used.resize(p + 1, false);
    }
    units[p] = unit;
    used[p] = true;
  };
  // Places the children (and value unit) of `n`, whose unit is at `at`.
  std::vector<std::pair<const Node*, size_t>> queue = {{&root, 0}};
  for (size_t q = 0; q < queue.size(); ++q) {
    const Node* n = queue[q].first;
    const size_t at = queue[q].second;
    uint32_t offset = 1;
    for (;; ++offset) {
      const size_t base = at ^ offset;
      bool fits = n->value < 0 || is_free(base);
      for (const auto& c : n->children) fits = fits && is_free(base ^ c.first);
      if (fits) break;
    }
    units[at] |= offset << 10;
    if (n->value >= 0) units[at] |= 1U << 8;  // has_leaf
    const size_t base = at ^ offset;
    if (n->value >= 0) take(base, static_cast<uint32_t>(n->value) | (1U << 31));
    for (const auto& c : n->children) {
      take(base ^ c.first, c.first);  // label
      queue.emplace_back(c.second.get(), base ^ c.first);
    }
  }
  size_t size = units.size();
  for (size_t p = 0; p < units.size(); ++p) {
    if (used[p] && (units[p] >> 31) == 0) size = std::max(size, ((p ^ (units[p] >> 10)) | 0xFF) + 1);
  }
  units.resize((size + 255) / 256 * 256, 0);
  std::string blob(4, '\0');
  const uint32_t trie_size = static_cast<uint32_t>(units.size() * 4);
  for (int i = 0; i < 4; ++i) blob[static_cast<size_t>(i)] = static_cast<char>(trie_size >> (8 * i));
  for (uint32_t u : units) {
    for (int i = 0; i < 4; ++i) blob.push_back(static_cast<char>(u >> (8 * i)));
  }
  return blob + strings;
}

}  // namespace edgeattn::testing
