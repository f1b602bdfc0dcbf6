#include "runtime/tasks/image/preprocess.h"

#include <algorithm>
#include <cmath>

namespace edgeattn {
namespace image {
namespace {

// Index i of a side resized from n to m pixels: its two source pixels and
// the second one's weight (half-pixel centres, clamped at the edges).
struct Tap {
  int i0;
  int i1;
  float f;
};

Tap tap(int i, int n, int m) {
  double s = (i + 0.5) * n / m - 0.5;
  if (s < 0) s = 0;
  const int i0 = static_cast<int>(s);  // floor: s >= 0
  if (i0 >= n - 1) return Tap{n - 1, n - 1, 0.f};
  return Tap{i0, i0 + 1, static_cast<float>(s - i0)};
}

// ITU-R BT.601 luma of an RGB pixel, rounded half up, exactly in integers.
inline int luma(const uint8_t* p) { return (299 * p[0] + 587 * p[1] + 114 * p[2] + 500) / 1000; }

inline float blend(float a, float b, float c, float d, float fx, float fy) {
  return (1.f - fy) * ((1.f - fx) * a + fx * b) + fy * ((1.f - fx) * c + fx * d);
}

// The per-channel constants of one frame: x = (p / 255 - mean) / std.
struct Normalizer {
  float mean[3];
  float std[3];
  float pad[3];  // a black pixel's value (Letterbox bands)
  float operator()(float p, int c) const { return (p / 255.f - mean[c]) / std[c]; }
};

Status check_spec(const PreprocessSpec& s, Span<ColumnTap> taps, const float* dst, size_t pixel_stride) {
  EA_ENSURE(s.height >= 1 && s.width >= 1 && s.height <= kMaxImageSide && s.width <= kMaxImageSide,
            StatusCode::kInvalidArgument, "preprocess: frame %d x %d not in [1, %d] a side", s.height, s.width,
            kMaxImageSide);
  EA_ENSURE(s.channels == 1 || s.channels == 3, StatusCode::kInvalidArgument,
            "preprocess: channels %d must be 1 or 3", s.channels);
  EA_ENSURE(taps.size() >= static_cast<size_t>(s.width), StatusCode::kInvalidArgument,
            "preprocess: %zu column taps for a frame %d wide", taps.size(), s.width);
  EA_ENSURE(dst != nullptr && pixel_stride >= static_cast<size_t>(s.channels), StatusCode::kInvalidArgument,
            "preprocess: no output, or a pixel stride %zu below %d channels", pixel_stride, s.channels);
  for (int c = 0; c < s.channels; ++c) {
    EA_ENSURE(std::isfinite(s.mean[c]) && std::isfinite(s.std[c]) && s.std[c] != 0.f, StatusCode::kInvalidArgument,
              "preprocess: channel %d has mean %g, std %g (finite, std nonzero)", c, static_cast<double>(s.mean[c]),
              static_cast<double>(s.std[c]));
  }
  return Status::ok();
}

// One row of the frame from source rows r0 / r1 (weight fy on r1).
void color_row(const uint8_t* r0, const uint8_t* r1, float fy, const ColumnTap* taps, int width, bool bgr,
               const Normalizer& n, float* out, size_t stride) {
  for (int x = 0; x < width; ++x, out += stride) {
    const ColumnTap& t = taps[x];
    for (int c = 0; c < 3; ++c) {
      const int oc = bgr ? 2 - c : c;  // the network channel that source channel c feeds
      if (t.pad) {
        out[oc] = n.pad[oc];
        continue;
      }
      const float v = blend(r0[3 * t.x0 + c], r0[3 * t.x1 + c], r1[3 * t.x0 + c], r1[3 * t.x1 + c], t.f, fy);
      out[oc] = n(v, oc);
    }
  }
}

void gray_row(const uint8_t* r0, const uint8_t* r1, float fy, const ColumnTap* taps, int width,
              const Normalizer& n, float* out, size_t stride) {
  for (int x = 0; x < width; ++x, out += stride) {
    const ColumnTap& t = taps[x];
    if (t.pad) {
      out[0] = n.pad[0];
      continue;
    }
    const float v = blend(static_cast<float>(luma(r0 + 3 * t.x0)), static_cast<float>(luma(r0 + 3 * t.x1)),
                          static_cast<float>(luma(r1 + 3 * t.x0)), static_cast<float>(luma(r1 + 3 * t.x1)), t.f, fy);
    out[0] = n(v, 0);
  }
}

}  // namespace

PreprocessSpec spec_of(const ImageInfo& info) {
  PreprocessSpec s;
  s.height = info.height;
  s.width = info.width;
  s.channels = info.channels;
  s.bgr = info.bgr;
  s.resize = info.resize;
  for (size_t c = 0; c < 3 && c < info.mean.size() && c < info.std.size(); ++c) {
    s.mean[c] = info.mean[c];
    s.std[c] = info.std[c];
  }
  return s;
}

Placement place(int source_height, int source_width, int height, int width, ImageResize resize) {
  Placement p{height, width, 0, 0};
  if (resize == ImageResize::kStretch || source_height <= 0 || source_width <= 0) return p;
  const double sy = static_cast<double>(height) / source_height;
  const double sx = static_cast<double>(width) / source_width;
  if (resize == ImageResize::kLetterbox) {
    const double s = std::min(sy, sx);
    p.resized_height = std::min(height, std::max(1, static_cast<int>(std::lround(source_height * s))));
    p.resized_width = std::min(width, std::max(1, static_cast<int>(std::lround(source_width * s))));
    p.offset_y = -((height - p.resized_height) / 2);
    p.offset_x = -((width - p.resized_width) / 2);
  } else {
    const double s = std::max(sy, sx);
    p.resized_height = std::max(height, static_cast<int>(std::lround(source_height * s)));
    p.resized_width = std::max(width, static_cast<int>(std::lround(source_width * s)));
    p.offset_y = (p.resized_height - height) / 2;
    p.offset_x = (p.resized_width - width) / 2;
  }
  return p;
}

Status check_input_image(const ocr::ImageView& image, const char* what) {
  EA_ENSURE(image.pixels != nullptr && image.width > 0 && image.height > 0, StatusCode::kInvalidArgument,
            "%s: empty image (%d x %d)", what, image.width, image.height);
  EA_ENSURE(image.width <= kMaxImageSide && image.height <= kMaxImageSide, StatusCode::kInvalidArgument,
            "%s: %d x %d pixels, larger than the %d a side an image may have", what, image.width, image.height,
            kMaxImageSide);
  EA_ENSURE(image.stride >= 3 * static_cast<size_t>(image.width), StatusCode::kInvalidArgument,
            "%s: stride %zu below 3 x width %d", what, image.stride, image.width);
  return Status::ok();
}

Status preprocess_frame(const ocr::ImageView& image, const PreprocessSpec& spec, Span<ColumnTap> column_taps,
                        float* dst, size_t pixel_stride) {
  EA_RETURN_IF_ERROR(check_input_image(image, "image"));
  EA_RETURN_IF_ERROR(check_spec(spec, column_taps, dst, pixel_stride));
  Normalizer n;
  for (int c = 0; c < 3; ++c) {
    n.mean[c] = spec.mean[c];
    n.std[c] = c < spec.channels ? spec.std[c] : 1.f;
    n.pad[c] = n(0.f, c);
  }
  const Placement p = place(image.height, image.width, spec.height, spec.width, spec.resize);
  ColumnTap* taps = column_taps.data();
  for (int x = 0; x < spec.width; ++x) {
    const int rx = x + p.offset_x;
    ColumnTap& t = taps[x];
    t.pad = rx < 0 || rx >= p.resized_width;
    if (t.pad) continue;
    const Tap tx = tap(rx, image.width, p.resized_width);
    t.x0 = tx.i0;
    t.x1 = tx.i1;
    t.f = tx.f;
  }
  const size_t row_floats = static_cast<size_t>(spec.width) * pixel_stride;
  for (int y = 0; y < spec.height; ++y) {
    float* out = dst + static_cast<size_t>(y) * row_floats;
    const int ry = y + p.offset_y;
    if (ry < 0 || ry >= p.resized_height) {  // a Letterbox band
      for (int x = 0; x < spec.width; ++x) {
        for (int c = 0; c < spec.channels; ++c) out[static_cast<size_t>(x) * pixel_stride + c] = n.pad[c];
      }
      continue;
    }
    const Tap ty = tap(ry, image.height, p.resized_height);
    if (spec.channels == 3) {
      color_row(image.row(ty.i0), image.row(ty.i1), ty.f, taps, spec.width, spec.bgr, n, out, pixel_stride);
    } else {
      gray_row(image.row(ty.i0), image.row(ty.i1), ty.f, taps, spec.width, n, out, pixel_stride);
    }
  }
  return Status::ok();
}

}  // namespace image
}  // namespace edgeattn
