#include "converter/source/spm_model.h"

#include <cstring>
#include <utility>

#include "converter/source/convert_error.h"
#include "converter/source/mapped_file.h"

namespace edgeattn::convert {
namespace {

enum WireType : int { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };

const char* wire_type_name(int wire) {
  switch (wire) {
    case kVarint:
      return "varint";
    case kFixed64:
      return "fixed64";
    case kLengthDelimited:
      return "length-delimited";
    case 3:
      return "start-group";
    case 4:
      return "end-group";
    case kFixed32:
      return "fixed32";
    default:
      return "invalid";
  }
}

// A cursor over the bytes of one message, [pos, end) of the file; offsets
// in messages are from the start of the file.
class ProtoReader {
 public:
  ProtoReader(const std::string& file, const uint8_t* data, size_t begin, size_t end, std::string message)
      : file_(file), data_(data), begin_(begin), pos_(begin), end_(end), message_(std::move(message)) {}

  bool done() const { return pos_ == end_; }
  size_t begin() const { return begin_; }
  size_t pos() const { return pos_; }
  const std::string& message() const { return message_; }

  // The next field's number, and in *wire its wire type.
  uint32_t key(int* wire) {
    const size_t at = pos_;
    const uint64_t k = varint("a field key");
    const uint64_t field = k >> 3;
    *wire = static_cast<int>(k & 7);
    if (field == 0 || field > 0x1FFFFFFF) fail(at, "invalid field number " + std::to_string(field));
    return static_cast<uint32_t>(field);
  }

  uint64_t varint(const std::string& what) {
    const size_t at = pos_;
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ == end_) fail(at, "truncated varint reading " + what);
      const uint8_t b = data_[pos_++];
      if (shift == 63 && (b & 0x7F) > 1) fail(at, "varint overflows 64 bits reading " + what);
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (b < 0x80) return v;
    }
    fail(at, "varint longer than 10 bytes reading " + what);
  }

  uint32_t fixed32(const std::string& what) {
    const uint8_t* p = take(4, what);
    return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 | static_cast<uint32_t>(p[2]) << 16 |
           static_cast<uint32_t>(p[3]) << 24;
  }

  // The payload of a length-delimited field: its [begin, end) in the file.
  std::pair<size_t, size_t> payload(const std::string& what) {
    const size_t at = pos_;
    const uint64_t n = varint("the length of " + what);
    if (n > end_ - pos_) {
      fail(at, "length " + std::to_string(n) + " of " + what + " exceeds the " + std::to_string(end_ - pos_) +
                   " bytes left in " + message_);
    }
    const size_t begin = pos_;
    pos_ += static_cast<size_t>(n);
    return {begin, pos_};
  }

  std::string bytes(const std::string& what) {
    const std::pair<size_t, size_t> r = payload(what);
    return std::string(reinterpret_cast<const char*>(data_ + r.first), r.second - r.first);
  }

  ProtoReader sub(const std::string& message) {
    const std::pair<size_t, size_t> r = payload(message);
    return ProtoReader(file_, data_, r.first, r.second, message);
  }

  // Throws unless field `field` (named `what`) came with wire type `expected`.
  void expect(int wire, int expected, uint32_t field, const std::string& what) const {
    if (wire != expected) {
      fail(pos_, what + " (field " + std::to_string(field) + ") has wire type " + wire_type_name(wire) +
                     ", expected " + wire_type_name(expected));
    }
  }

  // Skips an unknown field's value.
  void skip(int wire, uint32_t field) {
    const std::string what = "unknown field " + std::to_string(field);
    switch (wire) {
      case kVarint:
        varint(what);
        return;
      case kFixed64:
        take(8, what);
        return;
      case kLengthDelimited:
        payload(what);
        return;
      case kFixed32:
        take(4, what);
        return;
      default:
        fail(pos_, what + " has wire type " + std::to_string(wire) + " (" + wire_type_name(wire) +
                       "), which SentencePiece models never use");
    }
  }

  [[noreturn]] void fail(size_t at, const std::string& what) const {
    throw_convert_error(file_, message_ + ": " + what + " at offset " + std::to_string(at));
  }

 private:
  const uint8_t* take(size_t n, const std::string& what) {
    if (n > end_ - pos_) {
      fail(pos_, "truncated reading " + what + " (need " + std::to_string(n) + " bytes, " +
                     std::to_string(end_ - pos_) + " left)");
    }
    const uint8_t* p = data_ + pos_;
    pos_ += n;
    return p;
  }

  const std::string& file_;
  const uint8_t* data_;
  size_t begin_;
  size_t pos_;
  size_t end_;
  std::string message_;
};

bool read_bool(ProtoReader& r, int wire, uint32_t field, const char* what) {
  r.expect(wire, kVarint, field, what);
  return r.varint(what) != 0;
}

// int32 and enum fields: protobuf keeps the low 32 bits (negatives are
// sign-extended to 10-byte varints).
int32_t read_int32(ProtoReader& r, int wire, uint32_t field, const char* what) {
  r.expect(wire, kVarint, field, what);
  return static_cast<int32_t>(static_cast<uint32_t>(r.varint(what)));
}

std::string read_string(ProtoReader& r, int wire, uint32_t field, const char* what) {
  r.expect(wire, kLengthDelimited, field, what);
  return r.bytes(what);
}

SpmPiece parse_piece(ProtoReader r) {
  SpmPiece p;
  while (!r.done()) {
    int wire = 0;
    const uint32_t field = r.key(&wire);
    if (field == 1) {
      p.piece = read_string(r, wire, field, "piece");
    } else if (field == 2) {
      r.expect(wire, kFixed32, field, "score");
      const uint32_t bits = r.fixed32("score");
      std::memcpy(&p.score, &bits, sizeof(float));
    } else if (field == 3) {
      const size_t at = r.pos();
      p.type = read_int32(r, wire, field, "type");
      if (p.type < SpmPiece::kNormal || p.type > SpmPiece::kByte) {
        r.fail(at, "type " + std::to_string(p.type) + " is not a SentencePiece piece type (1-6)");
      }
    } else {
      r.skip(wire, field);
    }
  }
  if (p.piece.empty()) r.fail(r.begin(), "empty piece (SentencePiece refuses them)");
  return p;
}

void parse_trainer_spec(ProtoReader r, SpmModel* m) {
  while (!r.done()) {
    int wire = 0;
    const uint32_t field = r.key(&wire);
    switch (field) {
      case 3:
        m->model_type = read_int32(r, wire, field, "model_type");
        break;
      case 24:
        m->treat_whitespace_as_suffix = read_bool(r, wire, field, "treat_whitespace_as_suffix");
        break;
      case 35:
        m->byte_fallback = read_bool(r, wire, field, "byte_fallback");
        break;
      case 40:
        m->unk_id = read_int32(r, wire, field, "unk_id");
        break;
      case 41:
        m->bos_id = read_int32(r, wire, field, "bos_id");
        break;
      case 42:
        m->eos_id = read_int32(r, wire, field, "eos_id");
        break;
      case 43:
        m->pad_id = read_int32(r, wire, field, "pad_id");
        break;
      case 44:
        m->unk_surface = read_string(r, wire, field, "unk_surface");
        m->has_unk_surface = true;
        break;
      // SentencePiece falls back to the default name when a name is empty.
      case 45:
        if (std::string s = read_string(r, wire, field, "unk_piece"); !s.empty()) m->unk_piece = s;
        break;
      case 46:
        if (std::string s = read_string(r, wire, field, "bos_piece"); !s.empty()) m->bos_piece = s;
        break;
      case 47:
        if (std::string s = read_string(r, wire, field, "eos_piece"); !s.empty()) m->eos_piece = s;
        break;
      case 48:
        if (std::string s = read_string(r, wire, field, "pad_piece"); !s.empty()) m->pad_piece = s;
        break;
      default:
        r.skip(wire, field);
    }
  }
}

void parse_normalizer_spec(ProtoReader r, SpmNormalizerSpec* n) {
  n->present = true;
  while (!r.done()) {
    int wire = 0;
    const uint32_t field = r.key(&wire);
    switch (field) {
      case 1:
        n->name = read_string(r, wire, field, "name");
        break;
      case 2:
        n->precompiled_charsmap = read_string(r, wire, field, "precompiled_charsmap");
        break;
      case 3:
        n->add_dummy_prefix = read_bool(r, wire, field, "add_dummy_prefix");
        break;
      case 4:
        n->remove_extra_whitespaces = read_bool(r, wire, field, "remove_extra_whitespaces");
        break;
      case 5:
        n->escape_whitespaces = read_bool(r, wire, field, "escape_whitespaces");
        break;
      default:
        r.skip(wire, field);
    }
  }
}

}  // namespace

std::string spm_model_type_name(int model_type) {
  switch (model_type) {
    case SpmModel::kUnigram:
      return "UNIGRAM";
    case SpmModel::kBpe:
      return "BPE";
    case SpmModel::kWord:
      return "WORD";
    case SpmModel::kChar:
      return "CHAR";
    default:
      return std::to_string(model_type);
  }
}

SpmModel SpmModel::parse(const std::string& name, const uint8_t* data, size_t size) {
  SpmModel m;
  ProtoReader r(name, data, 0, size, "ModelProto");
  if (size == 0) r.fail(0, "empty file");
  while (!r.done()) {
    int wire = 0;
    const uint32_t field = r.key(&wire);
    if (field == 1) {
      r.expect(wire, kLengthDelimited, field, "pieces");
      m.pieces.push_back(parse_piece(r.sub("piece " + std::to_string(m.pieces.size()))));
    } else if (field == 2 || field == 3 || field == 5) {
      const char* what = field == 2 ? "trainer_spec" : field == 3 ? "normalizer_spec" : "denormalizer_spec";
      r.expect(wire, kLengthDelimited, field, what);
      // A repeated message field merges into the one before, as protobuf does.
      if (field == 2) parse_trainer_spec(r.sub(what), &m);
      if (field == 3) parse_normalizer_spec(r.sub(what), &m.normalizer);
      if (field == 5) parse_normalizer_spec(r.sub(what), &m.denormalizer);
    } else {
      r.skip(wire, field);
    }
  }
  if (m.pieces.empty()) r.fail(size, "no pieces");
  if (m.model_type < kUnigram || m.model_type > kChar) {
    r.fail(size, "trainer_spec.model_type " + std::to_string(m.model_type) + " is not a SentencePiece model type");
  }
  return m;
}

SpmModel SpmModel::open(const std::string& path) {
  MappedFile file = MappedFile::open(path);
  return parse(path, file.data(), file.size());
}

}  // namespace edgeattn::convert
