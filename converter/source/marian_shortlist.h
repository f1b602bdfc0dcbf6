// Marian's binary lexical shortlist (`lex.*.s2t.bin`), as Bergamot ships it
// next to a translation model (marian-dev src/data/shortlist.{h,cpp},
// BinaryShortlistGenerator). Layout, little-endian:
//   u64 magic (0xF11A48D5013417F5)
//   u64 checksum     Marian's hashMem over the u64 words after it
//   u64 first_num    the most frequent target ids every sentence keeps
//   u64 best_num     target ids listed per source id, at most
//   u64 offsets_size source vocabulary + 1
//   u64 words_size
//   u64 offsets[offsets_size]   source id s lists words[offsets[s], offsets[s + 1])
//   u32 words[words_size]       target ids
// Untrusted: the size must match the header exactly, the checksum must
// match, offsets must start at 0, never decrease and end at words_size, and
// every word must be a target id (< target_vocab). ConvertError otherwise.
//
// Example:
//   MarianShortlist s = read_marian_shortlist("lex.50.50.enpt.s2t.bin", 32000, 32000);
//   // s.first_num == 50; s.offsets.size() == 32001
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace edgeattn::convert {

constexpr uint64_t kMarianShortlistMagic = 0xF11A48D5013417F5ull;

struct MarianShortlist {
  uint32_t first_num = 0;
  uint32_t best_num = 0;
  std::vector<uint32_t> offsets;  // [source_vocab + 1]
  std::vector<uint32_t> words;    // target ids
};

MarianShortlist read_marian_shortlist(const std::string& path, size_t source_vocab, size_t target_vocab);

}  // namespace edgeattn::convert
