// MarianFile: reader for Marian's binary model files (`model.*.bin`,
// binaryFileVersion 1), as Firefox's Bergamot translation models ship them.
//
// Layout (marian-dev src/common/binary.cpp; all little-endian):
//   u64 version (1)
//   u64 n
//   n x { u64 name_length (incl. NUL), u64 type, u64 shape_length, u64 data_length }
//   n names (NUL-terminated), then n shapes (shape_length x i32 each)
//   u64 pad, pad bytes (aligns the data to 256 bytes)
//   n data blocks of data_length bytes each, in header order
// Types used by Bergamot models: float32 (0x0404) and intgemm8 (0x4101):
// int8 values stored transposed — a weight whose Marian shape is [in, out]
// is stored [out, in] row-major, the runtime's FullyConnected layout — and
// followed by one float, the quantization multiplier: value = q * (1 / mult).
// The item "special:model.yml" (int8 text) holds the model's config.
//
// The file is untrusted: open() bounds every count and length by the bytes
// left, requires data_length >= elements x type size (+ 4 for intgemm8), a
// NUL-terminated unique name and positive dims, and throws ConvertError
// naming the file, the item and the byte offset otherwise.
//
// Example:
//   MarianFile m = MarianFile::open("model.enpt.intgemm.alphas.bin");
//   const MarianItem& wq = m.item("encoder_l1_self_Wq");   // intgemm8 [256, 256]
//   float mult = m.quant_mult(wq);                         // its multiplier
//   float alpha = m.scalar("encoder_l1_self_Wq_QuantMultA");
//   std::string yml = m.text("special:model.yml");
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "converter/source/mapped_file.h"

namespace edgeattn::convert {

// Marian's Type enum values (src/common/types.h) this reader accepts.
constexpr uint64_t kMarianInt8 = 0x0101;      // int8 (text items such as special:model.yml)
constexpr uint64_t kMarianFloat32 = 0x0404;
constexpr uint64_t kMarianIntgemm8 = 0x4101;  // int8, transposed, + float multiplier

struct MarianItem {
  std::string name;
  uint64_t type = 0;
  std::vector<int64_t> shape;  // as Marian declares it ([in, out] for a weight)
  const uint8_t* data = nullptr;  // into the mapped file (unaligned)
  uint64_t bytes = 0;             // data_length (may include padding)
  uint64_t offset = 0;            // file offset of the data
  uint64_t elements() const;
};

class MarianFile {
 public:
  static MarianFile open(const std::string& path);

  const std::string& path() const { return file_.path(); }
  const std::vector<MarianItem>& items() const { return items_; }
  const MarianItem* find(const std::string& name) const;
  // Throws ConvertError if missing.
  const MarianItem& item(const std::string& name) const;

  // An intgemm8 item's multiplier (the float after its values).
  float quant_mult(const MarianItem& item) const;
  // The value of a one-element float32 item, or of a one-element intgemm8
  // item as Marian dequantizes it (q * (1 / mult)).
  float scalar(const std::string& name) const;
  // A float32 item's values (copied; the file's bytes may be unaligned).
  std::vector<float> floats(const MarianItem& item) const;
  // A text item ("special:model.yml") without its trailing NULs.
  std::string text(const std::string& name) const;

 private:
  MappedFile file_;
  std::vector<MarianItem> items_;
  std::unordered_map<std::string, size_t> index_;

  friend class MarianParser;
};

}  // namespace edgeattn::convert
