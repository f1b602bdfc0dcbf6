// Test images: a PNG/JPEG/BMP file decoded to 8-bit RGB with Debian's
// stb_image (libstb-dev), for tests that feed real pictures to the image
// models (the runtime itself never decodes files: the demo and the caller do).
//
// Example:
//   edgeattn::testing::Rgb8Image img = edgeattn::testing::load_rgb8("tests/fixtures/ocr/rec_w96.png");
//   REQUIRE(img.ok());   // img.width, img.height, img.pixels [height, width, 3]
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace edgeattn::testing {

struct Rgb8Image {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> pixels;  // [height, width, 3] row-major RGB
  std::string error;            // non-empty when the file could not be decoded

  bool ok() const { return error.empty(); }
};

Rgb8Image load_rgb8(const std::string& path);

// The networks' input as RapidOCR forms it: x = (p / 255 - 0.5) / 0.5 in
// float, NHWC [height, width, 3] (tests/reference/make_ocr_fixtures.py).
std::vector<float> ocr_input(const Rgb8Image& image);

}  // namespace edgeattn::testing
