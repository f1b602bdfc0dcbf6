#include "demo/overlay.h"

#include <algorithm>
#include <cmath>

#include "runtime/tasks/image/preprocess.h"

namespace edgeattn::demo {
namespace {

// Bilinear sample of the map at (y, x) in map pixels, clamped at its edges.
float sample(const MapView& m, double y, double x) {
  y = std::min(std::max(y, 0.0), m.height - 1.0);
  x = std::min(std::max(x, 0.0), m.width - 1.0);
  const int y0 = static_cast<int>(y), x0 = static_cast<int>(x);
  const int y1 = std::min(y0 + 1, m.height - 1), x1 = std::min(x0 + 1, m.width - 1);
  const double fy = y - y0, fx = x - x0;
  const auto at = [&](int r, int c) { return static_cast<double>(m.data[static_cast<size_t>(r) * m.width + c]); };
  return static_cast<float>((1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x1)) +
                            fy * ((1 - fx) * at(y1, x0) + fx * at(y1, x1)));
}

// Frame coordinate of an image pixel's centre along one axis: the image
// (n pixels) is resized to m and shifted by `offset` (Placement).
double frame_coordinate(int i, int n, int m, int offset) { return (i + 0.5) * m / n - 0.5 - offset; }

}  // namespace

bool map_of(const TensorView& t, MapView* out) {
  if (t.dtype != DType::kF32 || t.rank != 4 || t.shape[0] != 1) return false;
  if (t.shape[3] == 1) {
    *out = MapView{t.f32(), static_cast<int>(t.shape[1]), static_cast<int>(t.shape[2])};
  } else if (t.shape[1] == 1) {
    *out = MapView{t.f32(), static_cast<int>(t.shape[2]), static_cast<int>(t.shape[3])};
  } else {
    return false;
  }
  return out->height >= 1 && out->width >= 1;
}

Overlay heat_overlay(const uint8_t* rgb, int width, int height, const MapView& map, const ImageInfo& image) {
  Overlay o;
  const size_t n = static_cast<size_t>(map.height) * static_cast<size_t>(map.width);
  o.min = *std::min_element(map.data, map.data + n);
  o.max = *std::max_element(map.data, map.data + n);
  o.sigmoid = !(o.min >= 0.f && o.max <= 1.f);
  o.rgb.assign(rgb, rgb + static_cast<size_t>(width) * static_cast<size_t>(height) * 3);
  const image::Placement p = image::place(height, width, image.height, image.width, image.resize);
  for (int y = 0; y < height; ++y) {
    const double fy = frame_coordinate(y, height, p.resized_height, p.offset_y);
    if (fy < -0.5 || fy > image.height - 0.5) continue;  // cut off by a center crop
    const double my = (fy + 0.5) * map.height / image.height - 0.5;
    for (int x = 0; x < width; ++x) {
      const double fx = frame_coordinate(x, width, p.resized_width, p.offset_x);
      if (fx < -0.5 || fx > image.width - 0.5) continue;
      float v = sample(map, my, (fx + 0.5) * map.width / image.width - 0.5);
      if (o.sigmoid) v = 1.f / (1.f + std::exp(-v));
      if (std::isnan(v)) v = 0.f;  // a broken map draws nothing
      const double a = 0.6 * std::min(std::max(static_cast<double>(v), 0.0), 1.0);
      uint8_t* px = o.rgb.data() + (static_cast<size_t>(y) * width + x) * 3;
      px[0] = static_cast<uint8_t>(std::lround(px[0] * (1 - a) + 255 * a));
      px[1] = static_cast<uint8_t>(std::lround(px[1] * (1 - a)));
      px[2] = static_cast<uint8_t>(std::lround(px[2] * (1 - a)));
    }
  }
  return o;
}

}  // namespace edgeattn::demo
