#include "converter/source/marian_shortlist.h"

#include <cstring>

#include "converter/source/byte_reader.h"
#include "converter/source/convert_error.h"
#include "converter/source/mapped_file.h"

namespace edgeattn::convert {

namespace {

// Marian's util::hashMem<uint64_t, uint64_t> (boost-style hash_combine with
// std::hash<uint64_t>, the identity in libstdc++) over `count` u64 words.
uint64_t marian_hash(const uint8_t* p, size_t count) {
  uint64_t seed = 0;
  for (size_t i = 0; i < count; ++i) {
    uint64_t v;
    std::memcpy(&v, p + 8 * i, 8);
    seed ^= v + 0x9e3779b9u + (seed << 6) + (seed >> 2);
  }
  return seed;
}

}  // namespace

MarianShortlist read_marian_shortlist(const std::string& path, size_t source_vocab, size_t target_vocab) {
  const MappedFile f = MappedFile::open(path);
  ByteReader r(path, f.data(), f.size());
  if (r.u64("magic") != kMarianShortlistMagic) throw_convert_error(path, "not a Marian binary shortlist (magic)");
  const uint64_t checksum = r.u64("checksum");
  MarianShortlist s;
  const uint64_t first_num = r.u64("firstNum"), best_num = r.u64("bestNum");
  const uint64_t n_offsets = r.u64("wordToOffsetSize"), n_words = r.u64("shortListsSize");
  if (first_num > target_vocab || best_num > target_vocab) {
    throw_convert_error(path, "firstNum " + std::to_string(first_num) + " / bestNum " + std::to_string(best_num) +
                                  " exceed the target vocabulary " + std::to_string(target_vocab));
  }
  if (n_offsets != source_vocab + 1) {
    throw_convert_error(path, "offsets for " + std::to_string(n_offsets) + " - 1 source ids, the vocabulary has " +
                                  std::to_string(source_vocab));
  }
  if (n_words > (uint64_t{1} << 32) || r.remaining() != n_offsets * 8 + n_words * 4) {
    throw_convert_error(path, "file size " + std::to_string(f.size()) + " does not match its header");
  }
  if (marian_hash(f.data() + 16, (f.size() - 16) / 8) != checksum) throw_convert_error(path, "checksum mismatch: the shortlist is corrupt");
  s.first_num = static_cast<uint32_t>(first_num);
  s.best_num = static_cast<uint32_t>(best_num);
  s.offsets.resize(static_cast<size_t>(n_offsets));
  uint64_t prev = 0;
  for (size_t i = 0; i < s.offsets.size(); ++i) {
    const uint64_t o = r.u64("offset");
    if (o < prev || o > n_words || (i == 0 && o != 0)) throw_convert_error(path, "offset " + std::to_string(i) + " = " + std::to_string(o) + " out of order");
    s.offsets[i] = static_cast<uint32_t>(o);
    prev = o;
  }
  if (prev != n_words) throw_convert_error(path, "the last offset " + std::to_string(prev) + " is not the word count " + std::to_string(n_words));
  s.words.resize(static_cast<size_t>(n_words));
  for (size_t i = 0; i < s.words.size(); ++i) {
    s.words[i] = r.u32("word");
    if (s.words[i] >= target_vocab) throw_convert_error(path, "word " + std::to_string(i) + " = " + std::to_string(s.words[i]) + " is not a target id");
  }
  return s;
}

}  // namespace edgeattn::convert
