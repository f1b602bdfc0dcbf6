#include "runtime/tasks/ocr/crop.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <utility>

namespace edgeattn {
namespace ocr {
namespace {

// np.linalg.norm of a float32 difference (float32 arithmetic).
float edge_norm(const Point2f& a, const Point2f& b) {
  const float dx = a.x - b.x, dy = a.y - b.y;
  return std::sqrt(dx * dx + dy * dy);
}

// OpenCV's LUImpl (DECOMP_LU) on an 8x8 system; false when singular.
bool solve8(double a[8][8], double b[8]) {
  const double eps = DBL_EPSILON * 100;
  for (int i = 0; i < 8; ++i) {
    int k = i;
    for (int j = i + 1; j < 8; ++j) {
      if (std::fabs(a[j][i]) > std::fabs(a[k][i])) k = j;
    }
    if (std::fabs(a[k][i]) < eps) return false;
    if (k != i) {
      for (int j = i; j < 8; ++j) std::swap(a[i][j], a[k][j]);
      std::swap(b[i], b[k]);
    }
    const double d = -1 / a[i][i];
    for (int j = i + 1; j < 8; ++j) {
      const double alpha = a[j][i] * d;
      for (int c = i + 1; c < 8; ++c) a[j][c] += alpha * a[i][c];
      b[j] += alpha * b[i];
    }
  }
  for (int i = 7; i >= 0; --i) {
    double s = b[i];
    for (int c = i + 1; c < 8; ++c) s -= a[i][c] * b[c];
    b[i] = s / a[i][i];
  }
  return true;
}

// cv::getPerspectiveTransform(src, dst) then cv::invert (3x3 cofactors):
// m maps crop pixels to image positions, as warpPerspective uses it.
bool crop_to_image(const Point2f src[4], const Point2f dst[4], double m[9]) {
  double a[8][8] = {}, b[8];
  for (int i = 0; i < 4; ++i) {
    a[i][0] = a[i + 4][3] = src[i].x;
    a[i][1] = a[i + 4][4] = src[i].y;
    a[i][2] = a[i + 4][5] = 1;
    // Point2f products: float, then widened (as OpenCV writes them).
    a[i][6] = -src[i].x * dst[i].x;
    a[i][7] = -src[i].y * dst[i].x;
    a[i + 4][6] = -src[i].x * dst[i].y;
    a[i + 4][7] = -src[i].y * dst[i].y;
    b[i] = dst[i].x;
    b[i + 4] = dst[i].y;
  }
  if (!solve8(a, b)) return false;
  const double s[9] = {b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], 1.0};
  auto S = [&](int r, int c) { return s[r * 3 + c]; };
  double d = S(0, 0) * (S(1, 1) * S(2, 2) - S(1, 2) * S(2, 1)) - S(0, 1) * (S(1, 0) * S(2, 2) - S(1, 2) * S(2, 0)) +
             S(0, 2) * (S(1, 0) * S(2, 1) - S(1, 1) * S(2, 0));
  if (d == 0.) return false;
  d = 1. / d;
  m[0] = (S(1, 1) * S(2, 2) - S(1, 2) * S(2, 1)) * d;
  m[1] = (S(0, 2) * S(2, 1) - S(0, 1) * S(2, 2)) * d;
  m[2] = (S(0, 1) * S(1, 2) - S(0, 2) * S(1, 1)) * d;
  m[3] = (S(1, 2) * S(2, 0) - S(1, 0) * S(2, 2)) * d;
  m[4] = (S(0, 0) * S(2, 2) - S(0, 2) * S(2, 0)) * d;
  m[5] = (S(0, 2) * S(1, 0) - S(0, 0) * S(1, 2)) * d;
  m[6] = (S(1, 0) * S(2, 1) - S(1, 1) * S(2, 0)) * d;
  m[7] = (S(0, 1) * S(2, 0) - S(0, 0) * S(2, 1)) * d;
  m[8] = (S(0, 0) * S(1, 1) - S(0, 1) * S(1, 0)) * d;
  return true;
}

// OpenCV's interpolateCubic (a = -0.75), float.
void cubic_coeffs(float x, float c[4]) {
  const float A = -0.75f;
  c[0] = ((A * (x + 1) - 5 * A) * (x + 1) + 8 * A) * (x + 1) - 4 * A;
  c[1] = ((A + 2) * x - (A + 3)) * x * x + 1;
  c[2] = ((A + 2) * (1 - x) - (A + 3)) * (1 - x) * (1 - x) + 1;
  c[3] = 1.f - c[0] - c[1] - c[2];
}

// One bicubic sample at float position (sx, sy), BORDER_REPLICATE: each
// row's four taps summed in float, then the rows, then rounded half to even.
void bicubic_sample(const ImageView& image, float sx, float sy, uint8_t* d) {
  const int ix = static_cast<int>(std::floor(sx)), iy = static_cast<int>(std::floor(sy));
  float cx[4], cy[4];
  cubic_coeffs(sx - static_cast<float>(ix), cx);
  cubic_coeffs(sy - static_cast<float>(iy), cy);
  int xs[4];
  for (int j = 0; j < 4; ++j) xs[j] = 3 * std::min(std::max(ix - 1 + j, 0), image.width - 1);
  for (int c = 0; c < 3; ++c) {
    float acc = 0.f;
    for (int i = 0; i < 4; ++i) {
      const uint8_t* r = image.row(std::min(std::max(iy - 1 + i, 0), image.height - 1));
      float row = 0.f;
      for (int j = 0; j < 4; ++j) row += static_cast<float>(r[xs[j] + c]) * cx[j];
      acc += row * cy[i];
    }
    d[c] = static_cast<uint8_t>(std::min(255.f, std::max(0.f, std::nearbyint(acc))));
  }
}

}  // namespace

CropSize crop_size(const Point2f q[4]) {
  CropSize s;
  const int w = static_cast<int>(std::max(edge_norm(q[0], q[1]), edge_norm(q[2], q[3])));
  const int h = static_cast<int>(std::max(edge_norm(q[0], q[3]), edge_norm(q[1], q[2])));
  if (w <= 0 || h <= 0) return s;
  s.rotated = h * 1.0 / w >= 1.5;
  s.width = s.rotated ? h : w;
  s.height = s.rotated ? w : h;
  return s;
}

namespace {

// The warp of crop_text onto out (its size the crop's, or smaller: the
// transform then maps the quad onto out's rectangle).
Status warp_crop(const ImageView& image, const Point2f quad[4], bool rotated, const MutableImageView& out) {
  const int w = rotated ? out.height : out.width;  // before the turn
  const int h = rotated ? out.width : out.height;
  const Point2f dst[4] = {{0.f, 0.f}, {static_cast<float>(w), 0.f}, {static_cast<float>(w), static_cast<float>(h)},
                          {0.f, static_cast<float>(h)}};
  double m[9];
  EA_ENSURE(crop_to_image(quad, dst, m), StatusCode::kInvalidArgument,
            "text box (%g,%g) .. (%g,%g): no perspective transform (collinear corners)",
            static_cast<double>(quad[0].x), static_cast<double>(quad[0].y), static_cast<double>(quad[2].x),
            static_cast<double>(quad[2].y));
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      // The source position in double, stored as float: what cv2 5.1's
      // warpPerspective samples (it equals cv2.remap with float maps).
      const double W = m[6] * x + m[7] * y + m[8];
      const double inv = W != 0 ? 1.0 / W : 0.0;
      const float sx = static_cast<float>((m[0] * x + m[1] * y + m[2]) * inv);
      const float sy = static_cast<float>((m[3] * x + m[4] * y + m[5]) * inv);
      // np.rot90: crop pixel (x, y) lands at (y, w - 1 - x).
      uint8_t* d = rotated ? out.row(w - 1 - x) + 3 * y : out.row(y) + 3 * x;
      bicubic_sample(image, sx, sy, d);
    }
  }
  return Status::ok();
}

Status check_quad(const Point2f quad[4], const CropSize& size) {
  EA_ENSURE(size.width > 0, StatusCode::kInvalidArgument,
            "text box (%g,%g) (%g,%g) (%g,%g) (%g,%g) is degenerate: its crop would be empty",
            static_cast<double>(quad[0].x), static_cast<double>(quad[0].y), static_cast<double>(quad[1].x),
            static_cast<double>(quad[1].y), static_cast<double>(quad[2].x), static_cast<double>(quad[2].y),
            static_cast<double>(quad[3].x), static_cast<double>(quad[3].y));
  return Status::ok();
}

}  // namespace

Status crop_text(const ImageView& image, const Point2f quad[4], const MutableImageView& out) {
  EA_RETURN_IF_ERROR(check_image(image, "crop source"));
  const CropSize size = crop_size(quad);
  EA_RETURN_IF_ERROR(check_quad(quad, size));
  EA_ENSURE(out.pixels != nullptr && out.width == size.width && out.height == size.height &&
                out.stride >= 3 * static_cast<size_t>(out.width),
            StatusCode::kInvalidArgument, "crop buffer %d x %d does not match the crop's %d x %d", out.width,
            out.height, size.width, size.height);
  return warp_crop(image, quad, size.rotated, out);
}

CropSize crop_size_within(const Point2f quad[4], size_t max_pixels) {
  CropSize s = crop_size(quad);
  const double pixels = static_cast<double>(s.width) * s.height;
  if (s.width <= 0 || pixels <= static_cast<double>(max_pixels)) return s;
  const double f = std::sqrt(static_cast<double>(max_pixels) / pixels);
  s.width = std::max(1, static_cast<int>(std::floor(s.width * f)));
  s.height = std::max(1, static_cast<int>(std::floor(s.height * f)));
  return s;
}

Status crop_text_resized(const ImageView& image, const Point2f quad[4], const MutableImageView& out) {
  EA_RETURN_IF_ERROR(check_image(image, "crop source"));
  const CropSize size = crop_size(quad);
  EA_RETURN_IF_ERROR(check_quad(quad, size));
  EA_ENSURE(out.pixels != nullptr && out.width >= 1 && out.height >= 1 &&
                out.stride >= 3 * static_cast<size_t>(out.width),
            StatusCode::kInvalidArgument, "crop buffer %d x %d (stride %zu) is empty or its stride too small",
            out.width, out.height, out.stride);
  return warp_crop(image, quad, size.rotated, out);
}

double recognizer_max_ratio(const CropSize* crops, int n) {
  double r = static_cast<double>(kRecognizerMinWidth) / kRecognizerHeight;
  for (int i = 0; i < n; ++i) {
    if (crops[i].height > 0) r = std::max(r, crops[i].width * 1.0 / crops[i].height);
  }
  return r;
}

int recognizer_padded_width(double max_wh_ratio) { return static_cast<int>(kRecognizerHeight * max_wh_ratio); }

int recognizer_tensor_width(double max_wh_ratio) {
  const int w = recognizer_padded_width(max_wh_ratio);
  return (w + kRecognizerWidthMultiple - 1) / kRecognizerWidthMultiple * kRecognizerWidthMultiple;
}

int recognizer_resized_width(int height, int width, double max_wh_ratio) {
  const int padded = recognizer_padded_width(max_wh_ratio);
  const double ratio = width / static_cast<double>(height);
  const double want = std::ceil(kRecognizerHeight * ratio);
  return want > padded ? padded : static_cast<int>(want);
}

int classifier_resized_width(int height, int width) {
  const double ratio = width / static_cast<double>(height);
  const double want = std::ceil(kClassifierHeight * ratio);
  return want > kClassifierWidth ? kClassifierWidth : static_cast<int>(want);
}

Status recognizer_input(const ImageView& crop, double max_wh_ratio, const TensorView& dst) {
  EA_RETURN_IF_ERROR(check_image(crop, "recognizer crop"));
  EA_ENSURE(max_wh_ratio > 0 && max_wh_ratio < 1e6, StatusCode::kInvalidArgument, "max_wh_ratio %g out of range",
            max_wh_ratio);
  const int tensor_w = recognizer_tensor_width(max_wh_ratio);
  EA_ENSURE(dst.height == kRecognizerHeight && dst.width >= tensor_w, StatusCode::kInvalidArgument,
            "recognizer tensor %d x %d: needs height %d and width >= %d", dst.height, dst.width, kRecognizerHeight,
            tensor_w);
  const int rw = recognizer_resized_width(crop.height, crop.width, max_wh_ratio);
  EA_ENSURE(rw >= 1, StatusCode::kInvalidArgument, "crop %d x %d resizes to width 0", crop.width, crop.height);
  return resize_normalize(crop, rw, kRecognizerHeight, kPaddleNormalization, dst);
}

Status classifier_input(const ImageView& crop, const TensorView& dst) {
  EA_RETURN_IF_ERROR(check_image(crop, "classifier crop"));
  EA_ENSURE(dst.height == kClassifierHeight && dst.width == kClassifierWidth, StatusCode::kInvalidArgument,
            "classifier tensor %d x %d: needs %d x %d", dst.height, dst.width, kClassifierHeight, kClassifierWidth);
  const int rw = classifier_resized_width(crop.height, crop.width);
  EA_ENSURE(rw >= 1, StatusCode::kInvalidArgument, "crop %d x %d resizes to width 0", crop.width, crop.height);
  return resize_normalize(crop, rw, kClassifierHeight, kPaddleNormalization, dst);
}

}  // namespace ocr
}  // namespace edgeattn
