#include "runtime/tokenizer/unicode.h"

#include <algorithm>

namespace edgeattn::unicode {
namespace {

struct CategoryRange {
  uint32_t first;
  uint32_t last;
  uint8_t flags;
};
struct CombiningRange {
  uint32_t first;
  uint32_t last;
  uint8_t ccc;
};
struct LowerRun {
  uint32_t first;
  uint32_t last;
  int32_t delta;
  uint8_t stride;
};
struct LowerSpecial {
  uint32_t cp;
  uint8_t length;
  uint32_t cps[3];
};
struct Decomposition {
  uint32_t first;  // the decomposed codepoint (named like the ranges' key)
  uint16_t offset;
  uint8_t length;
};

constexpr uint8_t kFlagOther = 1;
constexpr uint8_t kFlagPunct = 2;
constexpr uint8_t kFlagMn = 4;
constexpr uint8_t kFlagLetter = 8;
constexpr uint8_t kFlagNumber = 16;

#include "runtime/tokenizer/unicode_tables.inc"

// Hangul syllable composition constants (Unicode ch. 3.12).
constexpr char32_t kHangulBase = 0xAC00;
constexpr char32_t kHangulL = 0x1100;
constexpr char32_t kHangulV = 0x1161;
constexpr char32_t kHangulT = 0x11A7;
constexpr uint32_t kHangulVCount = 21;
constexpr uint32_t kHangulTCount = 28;
constexpr uint32_t kHangulCount = 11172;

// The last range whose `first` <= cp, or nullptr.
template <typename Range, size_t N>
const Range* find_range(const Range (&table)[N], char32_t cp) {
  const Range* it = std::upper_bound(table, table + N, static_cast<uint32_t>(cp),
                                     [](uint32_t v, const Range& r) { return v < r.first; });
  if (it == table) return nullptr;
  return it - 1;
}

uint8_t category_flags(char32_t cp) {
  const CategoryRange* r = find_range(kCategoryRanges, cp);
  return (r != nullptr && cp <= r->last) ? r->flags : 0;
}

}  // namespace

char32_t next_codepoint(std::string_view text, size_t* pos) {
  const size_t i = *pos;
  const uint8_t b0 = static_cast<uint8_t>(text[i]);
  if (b0 < 0x80) {
    *pos = i + 1;
    return b0;
  }
  size_t len;
  char32_t cp;
  char32_t min;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    *pos = i + 1;
    return kReplacementChar;
  }
  if (text.size() - i < len) {
    *pos = i + 1;
    return kReplacementChar;
  }
  for (size_t k = 1; k < len; ++k) {
    const uint8_t b = static_cast<uint8_t>(text[i + k]);
    if ((b & 0xC0) != 0x80) {
      *pos = i + 1;
      return kReplacementChar;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    *pos = i + 1;
    return kReplacementChar;
  }
  *pos = i + len;
  return cp;
}

void append_utf8(char32_t cp, std::string* out) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = kReplacementChar;
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool is_other(char32_t cp) { return (category_flags(cp) & kFlagOther) != 0; }
bool is_punctuation(char32_t cp) { return (category_flags(cp) & kFlagPunct) != 0; }
bool is_nonspacing_mark(char32_t cp) { return (category_flags(cp) & kFlagMn) != 0; }
bool is_letter(char32_t cp) { return (category_flags(cp) & kFlagLetter) != 0; }
bool is_number(char32_t cp) { return (category_flags(cp) & kFlagNumber) != 0; }

bool is_white_space(char32_t cp) {
  // The White_Space property is small and stable; unicodedata does not expose
  // it, so it is spelled out here.
  switch (cp) {
    case 0x09: case 0x0A: case 0x0B: case 0x0C: case 0x0D: case 0x20:
    case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029:
    case 0x202F: case 0x205F: case 0x3000:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200A;
  }
}

uint8_t combining_class(char32_t cp) {
  const CombiningRange* r = find_range(kCombiningRanges, cp);
  return (r != nullptr && cp <= r->last) ? r->ccc : 0;
}

void append_lowercase(char32_t cp, std::vector<char32_t>* out) {
  if (cp < 0x80) {  // fast path for ASCII
    out->push_back((cp >= 'A' && cp <= 'Z') ? cp + 32 : cp);
    return;
  }
  for (const LowerSpecial& s : kLowerSpecials) {
    if (s.cp == cp) {
      out->insert(out->end(), s.cps, s.cps + s.length);
      return;
    }
  }
  const LowerRun* r = find_range(kLowerRuns, cp);
  if (r != nullptr && cp <= r->last && (cp - r->first) % r->stride == 0) {
    out->push_back(static_cast<char32_t>(static_cast<int64_t>(cp) + r->delta));
    return;
  }
  out->push_back(cp);
}

void append_nfd(char32_t cp, std::vector<char32_t>* out) {
  if (cp >= kHangulBase && cp < kHangulBase + kHangulCount) {
    const uint32_t s = cp - kHangulBase;
    out->push_back(kHangulL + s / (kHangulVCount * kHangulTCount));
    out->push_back(kHangulV + (s % (kHangulVCount * kHangulTCount)) / kHangulTCount);
    if (s % kHangulTCount != 0) out->push_back(kHangulT + s % kHangulTCount);
    return;
  }
  const Decomposition* d = find_range(kDecompositions, cp);
  if (d != nullptr && d->first == cp) {
    out->insert(out->end(), kDecompositionData + d->offset,
                kDecompositionData + d->offset + d->length);
    return;
  }
  out->push_back(cp);
}

void canonical_reorder(std::vector<char32_t>* cps) {
  auto& v = *cps;
  size_t i = 0;
  while (i < v.size()) {
    if (combining_class(v[i]) == 0) {
      ++i;
      continue;
    }
    size_t j = i + 1;
    while (j < v.size() && combining_class(v[j]) != 0) ++j;
    if (j - i > 1) {
      std::stable_sort(v.begin() + static_cast<std::ptrdiff_t>(i),
                       v.begin() + static_cast<std::ptrdiff_t>(j),
                       [](char32_t a, char32_t b) { return combining_class(a) < combining_class(b); });
    }
    i = j;
  }
}

const uint32_t* table_version() { return kUnicodeTablesVersion; }

}  // namespace edgeattn::unicode
