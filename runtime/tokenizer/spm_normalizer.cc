// SentencePiece's Normalizer::Normalize and darts-clone's commonPrefixSearch,
// written from their descriptions with every read bounds-checked.
#include "runtime/tokenizer/spm_normalizer.h"

#include <algorithm>
#include <cstring>

#include "runtime/tokenizer/unicode.h"

namespace edgeattn {
namespace {

constexpr std::string_view kSpaceSymbol = "\xE2\x96\x81";  // U+2581
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

uint32_t load_le32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 | static_cast<uint32_t>(p[2]) << 16 |
         static_cast<uint32_t>(p[3]) << 24;
}

// darts-clone's unit fields. A leaf unit's label has its top bit set, so it
// never equals an input byte.
bool unit_has_leaf(uint32_t u) { return ((u >> 8) & 1) == 1; }
uint32_t unit_value(uint32_t u) { return u & ((1U << 31) - 1); }
uint32_t unit_label(uint32_t u) { return u & ((1U << 31) | 0xFF); }
size_t unit_offset(uint32_t u) { return static_cast<size_t>(u >> 10) << ((u & (1U << 9)) >> 6); }

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

size_t spm_valid_char_length(std::string_view s) {
  size_t pos = 0;
  const char32_t cp = unicode::next_codepoint(s, &pos);
  // next_codepoint() gives U+FFFD for a bad byte and consumes 1; a real
  // U+FFFD in the text is 3 bytes.
  return cp == unicode::kReplacementChar && pos == 1 ? 0 : pos;
}

Status SpmNormalizer::init(Span<const uint8_t> charsmap, const Options& options, const PieceTrie* user_defined) {
  options_ = options;
  user_defined_ = user_defined != nullptr && !user_defined->empty() ? user_defined : nullptr;
  units_ = nullptr;
  unit_count_ = 0;
  strings_ = nullptr;
  strings_size_ = 0;
  if (charsmap.empty()) return Status::ok();
  // SentencePiece's DecodePrecompiledCharsMap and darts-clone's validate(),
  // which sentencepiece (0.2.1 on) runs at load: a charsmap failing them is
  // refused there too.
  EA_ENSURE(charsmap.size() > 4, StatusCode::kInvalidModel, "normalizer charsmap of %zu bytes is too short",
            charsmap.size());
  const uint32_t trie_size = load_le32(charsmap.data());
  EA_ENSURE(trie_size < charsmap.size() - 4, StatusCode::kInvalidModel,
            "normalizer charsmap: trie size %u leaves no strings in its %zu bytes", trie_size, charsmap.size());
  EA_ENSURE(trie_size >= 1024 && trie_size % 1024 == 0, StatusCode::kInvalidModel,
            "normalizer charsmap: trie size %u is not a non-zero multiple of 1024 (blocks of 256 units)", trie_size);
  EA_ENSURE(charsmap[charsmap.size() - 1] == 0, StatusCode::kInvalidModel,
            "normalizer charsmap: the replacement strings do not end with NUL");
  units_ = charsmap.data() + 4;
  unit_count_ = trie_size / 4;
  strings_ = reinterpret_cast<const char*>(units_ + trie_size);
  strings_size_ = charsmap.size() - 4 - trie_size;
  const uint32_t root = unit(0);
  EA_ENSURE(unit_label(root) == 0 && !unit_has_leaf(root) && unit_offset(root) != 0 &&
                (unit_offset(root) | 0xFF) < unit_count_,
            StatusCode::kInvalidModel, "normalizer charsmap: invalid root unit 0x%08x", root);
  for (size_t i = 1; i < unit_count_; ++i) {
    const uint32_t u = unit(i);
    if (unit_label(u) <= 0xFF) {
      // Every child of this unit (i ^ offset ^ byte) stays inside the array.
      EA_ENSURE(((i ^ unit_offset(u)) | 0xFF) < unit_count_, StatusCode::kInvalidModel,
                "normalizer charsmap: unit %zu points past the %zu units", i, unit_count_);
    } else {
      EA_ENSURE(unit_value(u) < strings_size_, StatusCode::kInvalidModel,
                "normalizer charsmap: unit %zu's string offset %u is past the %zu string bytes", i, unit_value(u),
                strings_size_);
    }
  }
  return Status::ok();
}

uint32_t SpmNormalizer::unit(size_t i) const { return load_le32(units_ + 4 * i); }

size_t SpmNormalizer::longest_rule(const uint8_t* input, size_t n, uint32_t* value) const {
  if (unit_count_ == 0) return 0;
  if (n > kMaxKeyBytes) n = kMaxKeyBytes;
  size_t longest = 0;
  size_t matches = 0;
  size_t node = unit_offset(unit(0));
  // init() validated the array, so these bounds checks never fail on a
  // charsmap it accepted; they stay as the guarantee.
  for (size_t i = 0; i < n; ++i) {
    node ^= input[i];
    if (node >= unit_count_) break;
    const uint32_t u = unit(node);
    if (unit_label(u) != input[i]) break;
    node ^= unit_offset(u);
    if (unit_has_leaf(u)) {
      if (node >= unit_count_) break;
      // Matches come shortest first; SentencePiece keeps the longest of the
      // first kMaxMatches (its result buffer).
      longest = i + 1;
      *value = unit_value(unit(node));
      if (++matches == kMaxMatches) break;
    }
  }
  return longest;
}

std::string_view SpmNormalizer::normalize_prefix(std::string_view input, size_t* consumed) const {
  if (user_defined_ != nullptr) {
    const size_t n = user_defined_->longest_prefix(input);
    if (n > 0) {
      *consumed = n;
      return input.substr(0, n);
    }
  }
  uint32_t value = 0;
  const size_t length = longest_rule(reinterpret_cast<const uint8_t*>(input.data()), input.size(), &value);
  if (length > 0 && value < strings_size_) {
    *consumed = length;
    const char* begin = strings_ + value;
    const void* nul = std::memchr(begin, '\0', strings_size_ - value);
    const size_t size = nul != nullptr ? static_cast<size_t>(static_cast<const char*>(nul) - begin)
                                       : strings_size_ - value;
    return std::string_view(begin, size);
  }
  const size_t valid = spm_valid_char_length(input);
  if (valid == 0) {
    *consumed = 1;
    return kReplacement;
  }
  *consumed = valid;
  return input.substr(0, valid);
}

bool SpmNormalizer::normalize(std::string_view input, size_t max_bytes, std::string* out) const {
  out->clear();
  const bool remove_extra = options_.remove_extra_whitespaces;
  const bool escape = options_.escape_whitespaces;
  // Leading whitespace: whatever normalizes to exactly " ".
  if (remove_extra) {
    while (!input.empty()) {
      size_t consumed = 0;
      if (normalize_prefix(input, &consumed) != " ") break;
      input.remove_prefix(consumed);
    }
  }
  if (input.empty()) return true;
  out->reserve(std::min(input.size() * 3, max_bytes));
  const std::string_view space = escape ? kSpaceSymbol : std::string_view(" ");
  if (options_.add_dummy_prefix) out->append(space.data(), space.size());

  bool prev_space = remove_extra;
  while (!input.empty()) {
    size_t consumed = 0;
    std::string_view sp = normalize_prefix(input, &consumed);
    // A run of spaces collapses into the one before it.
    while (prev_space && !sp.empty() && sp[0] == ' ') sp.remove_prefix(1);
    if (!sp.empty()) {
      const size_t spaces = escape ? static_cast<size_t>(std::count(sp.begin(), sp.end(), ' ')) : 0;
      if (out->size() + sp.size() + 2 * spaces > max_bytes) {
        out->clear();
        return false;
      }
      for (char c : sp) {
        if (escape && c == ' ') {
          out->append(kSpaceSymbol.data(), kSpaceSymbol.size());
        } else {
          out->push_back(c);
        }
      }
      prev_space = sp.back() == ' ';
    }
    input.remove_prefix(consumed);
    if (!remove_extra) prev_space = false;
  }
  if (remove_extra) {
    while (ends_with(*out, space)) out->resize(out->size() - space.size());
  }
  return true;
}

}  // namespace edgeattn
