// Helpers shared by the tokenizer tests: a small JSON reader for the
// fixtures, hex and base64 decoding, vocabulary loaders (llama2.c
// tokenizer.bin, BERT vocab.txt) and TokenizerSpec builders that own their
// storage.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/tokenizer/tokenizer.h"

namespace edgeattn::testing {

// ---- JSON (only what the generated fixtures use) ---------------------------

struct Json {
  enum Type { kNull, kBool, kNumber, kString, kArray, kObject } type = kNull;
  bool boolean = false;
  double number = 0;
  std::string str;
  std::vector<Json> items;
  std::vector<std::pair<std::string, Json>> members;

  const Json* find(std::string_view key) const {
    for (const auto& m : members) {
      if (m.first == key) return &m.second;
    }
    return nullptr;
  }
};

class JsonParser {
 public:
  explicit JsonParser(std::string_view s) : s_(s) {}

  // False on malformed input; *out is then unspecified.
  bool parse(Json* out) {
    if (!value(out)) return false;
    skip_ws();
    return pos_ == s_.size();
  }

 private:
  void skip_ws() {
    while (pos_ < s_.size() && std::strchr(" \t\r\n", s_[pos_]) != nullptr) ++pos_;
  }
  bool literal(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }
  bool value(Json* out) {
    skip_ws();
    if (pos_ >= s_.size()) return false;
    const char c = s_[pos_];
    if (c == '{') return object(out);
    if (c == '[') return array(out);
    if (c == '"') {
      out->type = Json::kString;
      return string(&out->str);
    }
    if (literal("null")) return (out->type = Json::kNull), true;
    if (literal("true")) return (out->type = Json::kBool, out->boolean = true), true;
    if (literal("false")) return (out->type = Json::kBool, out->boolean = false), true;
    size_t end = pos_;
    while (end < s_.size() && std::strchr("+-0123456789.eE", s_[end]) != nullptr) ++end;
    if (end == pos_) return false;
    out->type = Json::kNumber;
    out->number = std::stod(std::string(s_.substr(pos_, end - pos_)));
    pos_ = end;
    return true;
  }
  bool array(Json* out) {
    out->type = Json::kArray;
    ++pos_;
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == ']') return ++pos_, true;
    while (true) {
      out->items.emplace_back();
      if (!value(&out->items.back())) return false;
      skip_ws();
      if (pos_ >= s_.size()) return false;
      if (s_[pos_] == ']') return ++pos_, true;
      if (s_[pos_++] != ',') return false;
    }
  }
  bool object(Json* out) {
    out->type = Json::kObject;
    ++pos_;
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == '}') return ++pos_, true;
    while (true) {
      skip_ws();
      std::string key;
      if (pos_ >= s_.size() || s_[pos_] != '"' || !string(&key)) return false;
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_++] != ':') return false;
      out->members.emplace_back(std::move(key), Json());
      if (!value(&out->members.back().second)) return false;
      skip_ws();
      if (pos_ >= s_.size()) return false;
      if (s_[pos_] == '}') return ++pos_, true;
      if (s_[pos_++] != ',') return false;
    }
  }
  bool hex4(uint32_t* v) {
    if (s_.size() - pos_ < 4) return false;
    *v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = s_[pos_++];
      *v <<= 4;
      if (c >= '0' && c <= '9') *v |= static_cast<uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f') *v |= static_cast<uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') *v |= static_cast<uint32_t>(c - 'A' + 10);
      else return false;
    }
    return true;
  }
  static void put_utf8(uint32_t cp, std::string* out) {
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
  bool string(std::string* out) {
    ++pos_;  // opening quote
    while (pos_ < s_.size()) {
      const char c = s_[pos_++];
      if (c == '"') return true;
      if (c != '\\') {
        out->push_back(c);
        continue;
      }
      if (pos_ >= s_.size()) return false;
      const char e = s_[pos_++];
      switch (e) {
        case '"': case '\\': case '/': out->push_back(e); break;
        case 'b': out->push_back('\b'); break;
        case 'f': out->push_back('\f'); break;
        case 'n': out->push_back('\n'); break;
        case 'r': out->push_back('\r'); break;
        case 't': out->push_back('\t'); break;
        case 'u': {
          uint32_t cp;
          if (!hex4(&cp)) return false;
          if (cp >= 0xD800 && cp <= 0xDBFF && s_.substr(pos_, 2) == "\\u") {
            pos_ += 2;
            uint32_t lo;
            if (!hex4(&lo) || lo < 0xDC00 || lo > 0xDFFF) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          put_utf8(cp, out);
          break;
        }
        default: return false;
      }
    }
    return false;
  }

  std::string_view s_;
  size_t pos_ = 0;
};

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string from_hex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

// Standard base64 (RFC 4648, '=' padding); stops at the first other byte.
inline std::string from_base64(std::string_view b64) {
  static const std::string kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (char c : b64) {
    const size_t v = kAlphabet.find(c);
    if (v == std::string::npos) break;
    bits = bits << 6 | static_cast<uint32_t>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xFF));
    }
  }
  return out;
}

inline std::string fixture_path(const std::string& name) {
  return std::string(EDGEATTN_SOURCE_DIR) + "/tests/fixtures/" + name;
}

// ---- Vocabularies ----------------------------------------------------------

// Owns the bytes a TokenizerSpec points into.
struct OwnedVocab {
  std::vector<std::string> strings;
  std::vector<std::string_view> pieces;
  std::vector<float> scores;

  void finish() {
    pieces.assign(strings.begin(), strings.end());
  }
  Span<const std::string_view> piece_span() const { return {pieces.data(), pieces.size()}; }
  Span<const float> score_span() const { return {scores.data(), scores.size()}; }
};

// llama2.c tokenizer.bin: int32 max_token_length, then per token
// {float32 score, int32 len, len bytes}. Returns false on a malformed file.
inline bool load_llama2c_tokenizer(const std::string& path, OwnedVocab* vocab) {
  const std::string data = read_file(path);
  if (data.size() < 4) return false;
  size_t off = 4;
  while (off < data.size()) {
    if (data.size() - off < 8) return false;
    float score;
    int32_t len;
    std::memcpy(&score, data.data() + off, 4);
    std::memcpy(&len, data.data() + off + 4, 4);
    off += 8;
    if (len < 0 || static_cast<size_t>(len) > data.size() - off) return false;
    vocab->strings.emplace_back(data.substr(off, static_cast<size_t>(len)));
    vocab->scores.push_back(score);
    off += static_cast<size_t>(len);
  }
  vocab->finish();
  return true;
}

// BERT vocab.txt: one piece per line, id = line number.
inline bool load_vocab_txt(const std::string& path, OwnedVocab* vocab) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    vocab->strings.push_back(line);
  }
  vocab->finish();
  return !vocab->strings.empty();
}

inline int32_t find_piece(const OwnedVocab& v, std::string_view piece) {
  for (size_t i = 0; i < v.strings.size(); ++i) {
    if (v.strings[i] == piece) return static_cast<int32_t>(i);
  }
  return -1;
}

inline TokenizerSpec llama2c_spec(const OwnedVocab& v) {
  TokenizerSpec spec;
  spec.kind = TokenizerKind::kSentencePieceBpe;
  spec.pieces = v.piece_span();
  spec.scores = v.score_span();
  spec.unk_id = 0;
  spec.bos_id = 1;
  spec.eos_id = 2;
  return spec;
}

inline TokenizerSpec bert_spec(const OwnedVocab& v) {
  TokenizerSpec spec;
  spec.kind = TokenizerKind::kWordPiece;
  spec.pieces = v.piece_span();
  spec.unk_id = find_piece(v, "[UNK]");
  spec.cls_id = find_piece(v, "[CLS]");
  spec.sep_id = find_piece(v, "[SEP]");
  spec.pad_id = find_piece(v, "[PAD]");
  spec.mask_id = find_piece(v, "[MASK]");
  return spec;
}

// Deterministic pseudo-random byte strings that stress UTF-8 handling:
// random bytes, plus well-formed and malformed multi-byte sequences
// (overlong forms, encoded surrogates, truncated sequences, > U+10FFFF).
class ByteFuzzer {
 public:
  explicit ByteFuzzer(uint64_t seed) : state_(seed) {}

  uint32_t next() {  // xorshift64*
    state_ ^= state_ >> 12;
    state_ ^= state_ << 25;
    state_ ^= state_ >> 27;
    return static_cast<uint32_t>((state_ * 0x2545F4914F6CDD1Dull) >> 32);
  }

  std::string make(size_t max_len) {
    static const char* const kFragments[] = {
        "\xC0\xAF",         "\xE0\x80\xAF",     "\xF0\x80\x80\xAF", "\xED\xA0\x80",
        "\xED\xBF\xBF",     "\xF4\x90\x80\x80", "\xF8\x88\x80\x80\x80", "\xC3",
        "\xE2\x82",         "\xF0\x9F\x98",     "\x80",             "\xBF\xBF",
        "\xFE\xFF",         "\xEF\xBB\xBF",     "\xF0\x9F\x98\x80", "\xC3\xA9",
        "\xE4\xB8\xAD",     "\xE2\x80\x8B",     "\xC4\xB0",         "\xE3\x80\x80",
        "\x00",             " ",                "##",               "<0x41>",
        "[CLS]",            "\t\n\r",           "\xCC\x81",         "\xEA\xB0\x80",
    };
    const size_t len = next() % (max_len + 1);
    std::string s;
    while (s.size() < len) {
      const uint32_t r = next() % 4;
      if (r == 0) {
        s.push_back(static_cast<char>(next() & 0xFF));
      } else if (r == 1) {
        s.push_back(static_cast<char>(0x20 + next() % 95));
      } else {
        const char* f = kFragments[next() % (sizeof(kFragments) / sizeof(kFragments[0]))];
        // Fragments may contain NUL (the "\x00" entry): size it explicitly.
        s.append(f, f[0] == '\0' ? 1 : std::strlen(f));
      }
    }
    return s;
  }

 private:
  uint64_t state_;
};

// The 256 characters of GPT-2's bytes_to_unicode as UTF-8 pieces, piece id
// = byte value: the base of hand-made byte-level BPE vocabularies.
inline std::vector<std::string> byte_level_pieces() {
  std::vector<std::string> pieces;
  uint32_t shifted = 0x100;
  for (int b = 0; b < 256; ++b) {
    const bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    const uint32_t cp = printable ? static_cast<uint32_t>(b) : shifted++;
    std::string s;
    if (cp < 0x80) {
      s.push_back(static_cast<char>(cp));
    } else {
      s.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
    pieces.push_back(s);
  }
  return pieces;
}

}  // namespace edgeattn::testing
