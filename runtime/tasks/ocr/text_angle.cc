#include "runtime/tasks/ocr/text_angle.h"

#include <utility>

namespace edgeattn {
namespace ocr {

bool should_rotate_180(const float scores[2], double threshold) {
  // ClsPostProcess: argmax picks '0' on a tie.
  return scores[1] > scores[0] && static_cast<double>(scores[1]) > threshold;
}

void rotate_180(const MutableImageView& image) {
  const int w = image.width, h = image.height;
  // Pixel (x, y) swaps with (w - 1 - x, h - 1 - y); the middle row of an
  // odd height swaps within itself, up to its centre.
  for (int y = 0; y < (h + 1) / 2; ++y) {
    uint8_t* a = image.row(y);
    uint8_t* b = image.row(h - 1 - y);
    const int xs = (y == h - 1 - y) ? w / 2 : w;
    for (int x = 0; x < xs; ++x) {
      for (int c = 0; c < 3; ++c) std::swap(a[3 * x + c], b[3 * (w - 1 - x) + c]);
    }
  }
}

}  // namespace ocr
}  // namespace edgeattn
