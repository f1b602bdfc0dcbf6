// Image files for the tools: a PNG, JPEG or BMP (8 or 16 bits; gray, gray +
// alpha, RGB, RGBA) decoded to 8-bit RGB with Debian's stb_image
// (libstb-dev), for edgeattn-demo ocr / image / clip, edgeattn-bench --image
// and the image tests; and a PNG writer (stb_image_write) for the demo's
// overlays. The runtime never decodes files: the caller hands it pixels.
//
// The header is read first (stbi_info): an unreadable, empty, truncated or
// corrupt file, or one claiming 0 pixels, more than kMaxImageSide pixels a
// side or more than kMaxImagePixels pixels, is refused before anything is
// decoded, with one line saying why.
//
// Example:
//   cli::Rgb8File img;
//   std::string why;
//   if (!cli::decode_rgb8(path, &img, &why)) { std::fprintf(stderr, "%s: %s\n", path, why.c_str()); return 2; }
//   reader->read(ocr::ImageView{img.pixels(), img.width, img.height, 3 * size_t(img.width)});
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace edgeattn::cli {

constexpr long long kMaxImageSide = 20000;
constexpr long long kMaxImagePixels = 100LL * 1000 * 1000;

struct Rgb8File {
  int width = 0;
  int height = 0;
  std::unique_ptr<uint8_t, void (*)(void*)> data{nullptr, nullptr};  // [height, width, 3], stb's allocation

  const uint8_t* pixels() const { return data.get(); }
};

// False when this build has no stb_image (the file cannot be decoded).
bool image_decoding_available();

// Decodes `path` into *out; false with *error set (one line, no path) when
// it cannot.
bool decode_rgb8(const std::string& path, Rgb8File* out, std::string* error);

// Writes 8-bit RGB pixels ([height, width, 3], rows 3 x width bytes apart)
// as a PNG with stb_image_write (edgeattn-demo image --png); false with
// *error set (one line, no path) when it cannot.
bool write_png_rgb8(const std::string& path, int width, int height, const uint8_t* rgb, std::string* error);

}  // namespace edgeattn::cli
