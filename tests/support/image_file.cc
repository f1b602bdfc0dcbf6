#include "tests/support/image_file.h"

#include <stb_image.h>

namespace edgeattn::testing {

Rgb8Image load_rgb8(const std::string& path) {
  Rgb8Image image;
  int channels = 0;
  unsigned char* data = stbi_load(path.c_str(), &image.width, &image.height, &channels, 3);
  if (data == nullptr) {
    const char* reason = stbi_failure_reason();
    image.error = path + ": " + (reason != nullptr ? reason : "cannot decode");
    return image;
  }
  image.pixels.assign(data, data + static_cast<size_t>(image.width) * static_cast<size_t>(image.height) * 3);
  stbi_image_free(data);
  return image;
}

std::vector<float> ocr_input(const Rgb8Image& image) {
  std::vector<float> x(image.pixels.size());
  for (size_t i = 0; i < x.size(); ++i) {
    const float v = static_cast<float>(image.pixels[i]) / 255.0f;
    x[i] = (v - 0.5f) / 0.5f;
  }
  return x;
}

}  // namespace edgeattn::testing
