#include "runtime/tokenizer/piece_trie.h"

#include <algorithm>

namespace edgeattn {
namespace {

size_t common_prefix(std::string_view a, std::string_view b) {
  const size_t n = std::min(a.size(), b.size());
  size_t i = 0;
  while (i < n && a[i] == b[i]) ++i;
  return i;
}

uint8_t byte_at(std::string_view s, size_t i) { return static_cast<uint8_t>(s[i]); }

}  // namespace

Status PieceTrie::build(Span<const std::string_view> pieces, Span<const int32_t> ids) {
  first_child_.release();
  label_.release();
  piece_.release();
  std::fill(root_, root_ + 256, kNone);

  Vector<int32_t> order;
  EA_RETURN_IF_ERROR(order.reserve(ids.size(), "the piece trie's sort order"));
  for (size_t i = 0; i < ids.size(); ++i) {
    if (!pieces[static_cast<size_t>(ids[i])].empty()) order.try_push_back(ids[i]);  // reserved
  }
  // Bytewise order (char_traits<char> compares as unsigned char), then id,
  // so the lowest id of a duplicated piece comes first.
  std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
    const int c = pieces[static_cast<size_t>(a)].compare(pieces[static_cast<size_t>(b)]);
    return c != 0 ? c < 0 : a < b;
  });

  // One node per distinct prefix, plus the root: each piece adds the bytes
  // past what it shares with the previous one in sorted order.
  uint64_t nodes = 1;
  for (size_t i = 0; i < order.size(); ++i) {
    const std::string_view p = pieces[static_cast<size_t>(order[i])];
    nodes += p.size() - (i == 0 ? 0 : common_prefix(pieces[static_cast<size_t>(order[i - 1])], p));
  }
  EA_ENSURE(nodes < UINT32_MAX, StatusCode::kInvalidModel, "piece trie: %llu nodes exceed 2^32 - 1",
            static_cast<unsigned long long>(nodes));
  const size_t n = static_cast<size_t>(nodes);
  EA_RETURN_IF_ERROR(first_child_.assign(n + 1, 0, "the piece trie"));
  EA_RETURN_IF_ERROR(label_.assign(n, 0, "the piece trie"));
  EA_RETURN_IF_ERROR(piece_.assign(n, -1, "the piece trie"));
  // While building, node v stands for the pieces order[lo[v], hi[v]), which
  // share their first depth[v] bytes.
  Vector<uint32_t> lo, hi, depth;
  EA_RETURN_IF_ERROR(lo.assign(n, 0, "the piece trie (building)"));
  EA_RETURN_IF_ERROR(hi.assign(n, 0, "the piece trie (building)"));
  EA_RETURN_IF_ERROR(depth.assign(n, 0, "the piece trie (building)"));
  hi[0] = static_cast<uint32_t>(order.size());

  auto piece_of = [&](uint32_t i) { return pieces[static_cast<size_t>(order[i])]; };
  uint32_t next = 1;
  // Breadth first: children are appended in the order their parents are
  // visited, so each node's children end up consecutive.
  for (uint32_t v = 0; v < next; ++v) {
    uint32_t i = lo[v];
    const uint32_t end = hi[v];
    const uint32_t d = depth[v];
    if (i < end && piece_of(i).size() == d) piece_[v] = order[i];
    while (i < end && piece_of(i).size() == d) ++i;
    first_child_[v] = next;
    while (i < end) {
      const uint8_t b = byte_at(piece_of(i), d);
      uint32_t j = i + 1;
      while (j < end && byte_at(piece_of(j), d) == b) ++j;
      EA_ENSURE(next < n, StatusCode::kInternal, "piece trie: more nodes than the %zu counted", n);
      label_[next] = b;
      lo[next] = i;
      hi[next] = j;
      depth[next] = d + 1;
      if (v == kRoot) root_[b] = next;
      ++next;
      i = j;
    }
  }
  EA_ENSURE(next == n, StatusCode::kInternal, "piece trie: %u nodes built, %zu counted", next, n);
  first_child_[n] = next;
  return Status::ok();
}

size_t PieceTrie::longest_prefix(std::string_view text) const {
  if (empty()) return 0;
  size_t longest = 0;
  uint32_t node = kRoot;
  for (size_t i = 0; i < text.size(); ++i) {
    node = child(node, static_cast<uint8_t>(text[i]));
    if (node == kNone) break;
    if (piece_[node] >= 0) longest = i + 1;
  }
  return longest;
}

}  // namespace edgeattn
