// PieceTrie: a byte trie over some pieces of a vocabulary, for walking a text
// one byte at a time and seeing every piece that starts at a position.
//
// The SentencePiece unigram encoder (sentencepiece_unigram.cc) needs, at each
// position of the normalized text, every piece that is a prefix of the rest
// of the text; a hash lookup per candidate length would cost O(L^2) per
// position, a trie walk costs O(L) and stops as soon as no piece continues.
//
// Layout: nodes in breadth-first order, so the children of a node are
// consecutive nodes, [first_child_[v], first_child_[v + 1]), sorted by their
// label byte; the root's 256 children are also kept in a direct table. A node
// holds the id of the piece that ends there, or -1. Built once in
// Tokenizer::create() from the sorted pieces, with every allocation checked
// (9 bytes a node; the Bergamot 32000-piece vocabularies give ~110k nodes).
//
// Example:
//   PieceTrie trie;
//   EA_RETURN_IF_ERROR(trie.build(spec.pieces, ids));  // ids: the pieces to index
//   uint32_t node = PieceTrie::kRoot;
//   for (size_t i = start; i < text.size(); ++i) {
//     node = trie.child(node, static_cast<uint8_t>(text[i]));
//     if (node == PieceTrie::kNone) break;
//     if (trie.piece(node) >= 0) { /* piece text[start, i + 1) */ }
//   }
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "runtime/core/fallible_vector.h"
#include "runtime/core/span.h"
#include "runtime/core/status.h"

namespace edgeattn {

class PieceTrie {
 public:
  static constexpr uint32_t kRoot = 0;
  // child() when there is no such child (the root is never a child).
  static constexpr uint32_t kNone = 0;

  // Indexes pieces[id] for each id in `ids` (each in range). The trie copies
  // what it needs: `pieces` need not outlive it. Empty pieces are skipped; a
  // duplicated piece keeps its lowest id. Replaces an earlier build().
  Status build(Span<const std::string_view> pieces, Span<const int32_t> ids);

  // True when no piece is indexed (before build(), or none kept).
  bool empty() const { return label_.size() <= 1; }

  // The child of `node` along `byte`, or kNone.
  uint32_t child(uint32_t node, uint8_t byte) const {
    if (node == kRoot) return root_[byte];
    uint32_t lo = first_child_[node];
    uint32_t hi = first_child_[node + 1];
    // Most nodes have a handful of children: a scan beats a binary search.
    while (hi - lo > 8) {
      const uint32_t mid = lo + (hi - lo) / 2;
      if (label_[mid] < byte) {
        lo = mid + 1;
      } else if (label_[mid] > byte) {
        hi = mid;
      } else {
        return mid;
      }
    }
    for (; lo < hi; ++lo) {
      if (label_[lo] == byte) return lo;
      if (label_[lo] > byte) break;
    }
    return kNone;
  }

  // Id of the piece that ends at `node`, or -1.
  int32_t piece(uint32_t node) const { return piece_[node]; }

  // Length of the longest indexed piece that `text` starts with (0: none).
  size_t longest_prefix(std::string_view text) const;

  size_t node_count() const { return label_.size(); }

 private:
  Vector<uint32_t> first_child_;  // [nodes + 1]
  Vector<uint8_t> label_;         // [nodes] byte on the edge into the node
  Vector<int32_t> piece_;         // [nodes] id ending here, -1 if none
  uint32_t root_[256] = {};       // child of the root per byte, kNone if none
};

}  // namespace edgeattn
