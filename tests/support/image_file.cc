#include "tests/support/image_file.h"

#include "tools/cli/image_file.h"

namespace edgeattn::testing {

Rgb8Image load_rgb8(const std::string& path) {
  Rgb8Image image;
  cli::Rgb8File file;
  std::string why;
  if (!cli::decode_rgb8(path, &file, &why)) {
    image.error = path + ": " + why;
    return image;
  }
  image.width = file.width;
  image.height = file.height;
  image.pixels.assign(file.pixels(), file.pixels() + static_cast<size_t>(file.width) * static_cast<size_t>(file.height) * 3);
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
