// The tokenizers' lookup tables: piece -> id and (left, right) -> merge.
//
// Built once in Tokenizer::create() (model load), so they must report an
// allocation failure instead of throwing: each is an open-addressing hash
// table (linear probing, at most half full) in one fallible Vector.
// PieceIndex stores ids only and compares against the spec's piece views,
// so it is 8 bytes a slot whatever the piece lengths.
//
// Example:
//   PieceIndex index;
//   EA_RETURN_IF_ERROR(index.build(spec.pieces));
//   int32_t id = index.find("hello");               // -1 if absent
//   int32_t ab = index.find_concat("he", "llo");    // the same, no buffer
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "runtime/core/fallible_vector.h"
#include "runtime/core/span.h"
#include "runtime/core/status.h"

namespace edgeattn {

// Smallest power of two >= 2 * n (at least 8): the slot count for n keys.
inline size_t hash_table_capacity(size_t n) {
  size_t c = 8;
  while (c < 2 * n) c *= 2;
  return c;
}

class PieceIndex {
 public:
  // Indexes `pieces` (which must outlive this index). A duplicated piece
  // keeps its lowest id.
  Status build(Span<const std::string_view> pieces) {
    pieces_ = pieces;
    EA_RETURN_IF_ERROR(slots_.assign(hash_table_capacity(pieces.size()), Slot{0, -1}, "the tokenizer piece index"));
    mask_ = slots_.size() - 1;
    for (size_t i = 0; i < pieces.size(); ++i) {
      const std::string_view piece = pieces[i];
      const uint64_t h = mix(hash(piece.data(), piece.size(), kSeed));
      size_t at = static_cast<size_t>(h) & mask_;
      bool duplicate = false;
      while (slots_[at].id >= 0) {
        const Slot& s = slots_[at];
        if (s.hash == static_cast<uint32_t>(h >> 32) && pieces_[static_cast<size_t>(s.id)] == piece) {
          duplicate = true;
          break;
        }
        at = (at + 1) & mask_;
      }
      if (!duplicate) slots_[at] = Slot{static_cast<uint32_t>(h >> 32), static_cast<int32_t>(i)};
    }
    return Status::ok();
  }

  // Id of `piece`, or -1.
  int32_t find(std::string_view piece) const { return find_concat(piece, std::string_view()); }

  // Id of the piece spelled a + b, or -1; nothing is concatenated.
  int32_t find_concat(std::string_view a, std::string_view b) const {
    if (slots_.empty()) return -1;
    const uint64_t h = mix(hash(b.data(), b.size(), hash(a.data(), a.size(), kSeed)));
    for (size_t at = static_cast<size_t>(h) & mask_;; at = (at + 1) & mask_) {
      const Slot& s = slots_[at];
      if (s.id < 0) return -1;
      if (s.hash != static_cast<uint32_t>(h >> 32)) continue;
      const std::string_view p = pieces_[static_cast<size_t>(s.id)];
      if (p.size() == a.size() + b.size() && (a.empty() || std::memcmp(p.data(), a.data(), a.size()) == 0) &&
          (b.empty() || std::memcmp(p.data() + a.size(), b.data(), b.size()) == 0)) {
        return s.id;
      }
    }
  }

 private:
  struct Slot {
    uint32_t hash;  // high half of the key's hash, to skip most comparisons
    int32_t id;     // -1: empty
  };
  static constexpr uint64_t kSeed = 0xcbf29ce484222325ull;  // FNV-1a offset basis

  // FNV-1a, continued from `h` (so a + b hashes like their concatenation);
  // mix() (murmur3's finalizer) then spreads it over the slot bits.
  static uint64_t hash(const char* data, size_t n, uint64_t h) {
    for (size_t i = 0; i < n; ++i) h = (h ^ static_cast<uint8_t>(data[i])) * 0x100000001b3ull;
    return h;
  }
  static uint64_t mix(uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
  }

  Span<const std::string_view> pieces_;
  Vector<Slot> slots_;  // [capacity]
  size_t mask_ = 0;
};

// Byte-level BPE merges: (left id, right id) -> rank and merged id.
struct BpeMerge {
  int32_t rank;
  int32_t merged_id;
};

class MergeTable {
 public:
  // Room for `n` pairs.
  Status init(size_t n) {
    EA_RETURN_IF_ERROR(slots_.assign(hash_table_capacity(n), Slot{0, BpeMerge{-1, -1}}, "the tokenizer merge table"));
    mask_ = slots_.size() - 1;
    limit_ = n;
    count_ = 0;
    return Status::ok();
  }

  // Inserts or overwrites (a repeated pair keeps the last value). At most
  // init()'s n distinct pairs; false beyond that.
  bool set(int32_t left, int32_t right, BpeMerge merge) {
    const uint64_t key = pair_key(left, right);
    size_t at = slot_of(key);
    while (slots_[at].merge.rank >= 0 && slots_[at].key != key) at = (at + 1) & mask_;
    if (slots_[at].merge.rank < 0) {
      if (count_ == limit_) return false;
      ++count_;
    }
    slots_[at] = Slot{key, merge};
    return true;
  }

  // The merge of (left, right), or nullptr.
  const BpeMerge* find(int32_t left, int32_t right) const {
    if (slots_.empty()) return nullptr;
    const uint64_t key = pair_key(left, right);
    for (size_t at = slot_of(key);; at = (at + 1) & mask_) {
      const Slot& s = slots_[at];
      if (s.merge.rank < 0) return nullptr;
      if (s.key == key) return &s.merge;
    }
  }

 private:
  struct Slot {
    uint64_t key;
    BpeMerge merge;  // rank -1: empty
  };
  static uint64_t pair_key(int32_t left, int32_t right) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) | static_cast<uint32_t>(right);
  }
  size_t slot_of(uint64_t key) const {
    // splitmix64's finalizer.
    key ^= key >> 30;
    key *= 0xbf58476d1ce4e5b9ull;
    key ^= key >> 27;
    key *= 0x94d049bb133111ebull;
    key ^= key >> 31;
    return static_cast<size_t>(key) & mask_;
  }

  Vector<Slot> slots_;  // [capacity]
  size_t mask_ = 0;
  size_t limit_ = 0;
  size_t count_ = 0;
};

}  // namespace edgeattn
