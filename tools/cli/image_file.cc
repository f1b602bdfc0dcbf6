#include "tools/cli/image_file.h"

#include <cstdio>

#if EDGEATTN_HAS_STB
#include <stb_image.h>
#include <stb_image_write.h>
#endif

namespace edgeattn::cli {

#if EDGEATTN_HAS_STB

bool image_decoding_available() { return true; }

bool decode_rgb8(const std::string& path, Rgb8File* out, std::string* error) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    *error = "cannot open the file";
    return false;
  }
  int w = 0, h = 0, channels = 0;
  if (!stbi_info_from_file(f, &w, &h, &channels)) {
    std::fclose(f);
    const char* why = stbi_failure_reason();
    *error = std::string("not an image this tool reads (PNG, JPEG, BMP): ") + (why ? why : "unknown");
    return false;
  }
  if (w <= 0 || h <= 0 || w > kMaxImageSide || h > kMaxImageSide || static_cast<long long>(w) * h > kMaxImagePixels) {
    std::fclose(f);
    *error = "a " + std::to_string(w) + " x " + std::to_string(h) +
             " image: the tools take 1 to 20000 pixels a side and at most 100 million pixels";
    return false;
  }
  unsigned char* data = stbi_load_from_file(f, &out->width, &out->height, &channels, 3);  // 16-bit files become 8-bit
  std::fclose(f);
  if (data == nullptr) {
    const char* why = stbi_failure_reason();
    *error = std::string("cannot decode the image (truncated or corrupt): ") + (why ? why : "unknown");
    return false;
  }
  out->data = std::unique_ptr<uint8_t, void (*)(void*)>(data, stbi_image_free);
  return true;
}

bool write_png_rgb8(const std::string& path, int width, int height, const uint8_t* rgb, std::string* error) {
  if (rgb == nullptr || width <= 0 || height <= 0) {
    *error = "no pixels to write";
    return false;
  }
  if (stbi_write_png(path.c_str(), width, height, 3, rgb, 3 * width) == 0) {
    *error = "cannot write the PNG file";
    return false;
  }
  return true;
}

#else

bool image_decoding_available() { return false; }

bool decode_rgb8(const std::string&, Rgb8File*, std::string* error) {
  *error = "this build has no stb_image (libstb-dev): it cannot decode images";
  return false;
}

bool write_png_rgb8(const std::string&, int, int, const uint8_t*, std::string* error) {
  *error = "this build has no stb_image_write (libstb-dev): it cannot write PNG files";
  return false;
}

#endif

}  // namespace edgeattn::cli
