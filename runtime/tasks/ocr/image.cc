#include "runtime/tasks/ocr/image.h"

#include <algorithm>
#include <cmath>

namespace edgeattn {
namespace ocr {
namespace {

// cv2.resize's INTER_LINEAR weights are 11-bit fixed point.
constexpr int kCoefScale = 2048;

// One output coordinate's two source samples and their weights (sum 2048).
struct Tap {
  int i0, i1;
  int w0, w1;
};

// cv2's half-pixel mapping, computed in float as OpenCV does:
// f = (d + 0.5) * scale - 0.5 (scale = src / dst in double, then float).
// clamp_weights: the x axis sets fx = 0 at the borders (cv2's
// resizeGeneric_); the y axis keeps the weights and clamps the rows, which
// rounds differently through the SIMD vertical pass (measured on cv2).
Tap linear_tap(int d, int src_size, int dst_size, bool clamp_weights) {
  const double scale = static_cast<double>(src_size) / dst_size;
  float f = static_cast<float>((d + 0.5) * scale - 0.5);
  int s = static_cast<int>(std::floor(f));
  f -= static_cast<float>(s);
  if (clamp_weights) {
    if (s < 0) f = 0.f, s = 0;
    if (s >= src_size - 1) f = 0.f, s = src_size - 1;
  }
  Tap t;
  t.i0 = std::min(std::max(s, 0), src_size - 1);
  t.i1 = std::min(std::max(s + 1, 0), src_size - 1);
  // saturate_cast<short>(float) rounds half to even: lrintf in the default mode.
  t.w0 = static_cast<int>(std::lrintf((1.f - f) * kCoefScale));
  t.w1 = static_cast<int>(std::lrintf(f * kCoefScale));
  return t;
}

// OpenCV's vertical pass for 8-bit output (VResizeLinearVec_32s8u): the
// horizontal sums drop 4 bits, each product keeps its high 16 bits, and the
// result rounds away 2 more: 4 + 16 + 2 = 22 = 2 x 11 bits.
inline uint8_t vertical(int s0, int s1, int b0, int b1) {
  const int v = ((((s0 >> 4) * b0) >> 16) + (((s1 >> 4) * b1) >> 16) + 2) >> 2;
  return static_cast<uint8_t>(std::min(255, std::max(0, v)));
}

// Calls emit(x, y, c, value) for every output sample of the resize.
// Column bands of kTapChunk: each band's column taps are computed once (on
// the stack) and used for every row, instead of once per pixel (a
// detector-sized image has ~10^6 of them).
constexpr int kTapChunk = 256;

template <typename Emit>
void resize_linear(const ImageView& src, int out_w, int out_h, Emit&& emit) {
  Tap taps[kTapChunk];
  for (int x0 = 0; x0 < out_w; x0 += kTapChunk) {
    const int n = std::min(kTapChunk, out_w - x0);
    for (int i = 0; i < n; ++i) taps[i] = linear_tap(x0 + i, src.width, out_w, /*clamp_weights=*/true);
    for (int y = 0; y < out_h; ++y) {
      const Tap ty = linear_tap(y, src.height, out_h, /*clamp_weights=*/false);
      const uint8_t* r0 = src.row(ty.i0);
      const uint8_t* r1 = src.row(ty.i1);
      for (int i = 0; i < n; ++i) {
        const Tap& tx = taps[i];
        for (int c = 0; c < 3; ++c) {
          const int s0 = r0[3 * tx.i0 + c] * tx.w0 + r0[3 * tx.i1 + c] * tx.w1;
          const int s1 = r1[3 * tx.i0 + c] * tx.w0 + r1[3 * tx.i1 + c] * tx.w1;
          emit(x0 + i, y, c, vertical(s0, s1, ty.w0, ty.w1));
        }
      }
    }
  }
}

}  // namespace

Status check_image(const ImageView& image, const char* what) {
  EA_ENSURE(image.pixels != nullptr && image.width > 0 && image.height > 0, StatusCode::kInvalidArgument,
            "%s: empty image (%d x %d)", what, image.width, image.height);
  EA_ENSURE(image.stride >= 3 * static_cast<size_t>(image.width), StatusCode::kInvalidArgument,
            "%s: stride %zu below 3 x width %d", what, image.stride, image.width);
  return Status::ok();
}

Status resize_normalize(const ImageView& src, int out_width, int out_height, const Normalization& norm,
                        const TensorView& dst) {
  EA_RETURN_IF_ERROR(check_image(src, "resize source"));
  EA_ENSURE(dst.data != nullptr && out_width > 0 && out_height > 0 && out_width <= dst.width &&
                out_height <= dst.height,
            StatusCode::kInvalidArgument, "resize to %d x %d does not fit the %d x %d tensor", out_width, out_height,
            dst.width, dst.height);
  // Every 8-bit value's normalized float, per channel: 3 x 256 on the stack.
  float lut[3][256];
  for (int c = 0; c < 3; ++c) {
    for (int p = 0; p < 256; ++p) lut[c][p] = static_cast<float>((p / 255.0 - norm.mean[c]) / norm.std[c]);
  }
  // RapidOCR pads with zeros (padding_im) to the batch's width.
  for (int y = 0; y < dst.height; ++y) {
    for (int x = (y < out_height ? out_width : 0); x < dst.width; ++x) {
      for (int c = 0; c < 3; ++c) dst.at(y, x, c) = 0.f;
    }
  }
  resize_linear(src, out_width, out_height, [&](int x, int y, int c, uint8_t v) { dst.at(y, x, c) = lut[c][v]; });
  return Status::ok();
}

Status resize_rgb(const ImageView& src, const MutableImageView& dst) {
  EA_RETURN_IF_ERROR(check_image(src, "resize source"));
  EA_RETURN_IF_ERROR(check_image(dst.view(), "resize destination"));
  resize_linear(src, dst.width, dst.height, [&](int x, int y, int c, uint8_t v) { dst.row(y)[3 * x + c] = v; });
  return Status::ok();
}

namespace {

// Python's int(side * ratio) then round(n / 32) * 32 (round half to even).
int scaled_multiple_of_32(int side, double ratio) {
  const double scaled = std::trunc(side * ratio);
  return static_cast<int>(std::nearbyint(scaled / 32.0)) * 32;
}

// reduce_max_side / increase_min_side / DetPreProcess.resize: `ratio`
// from the side the rule names, then both sides rounded.
void resize_both(int* h, int* w, double ratio) {
  const int nh = scaled_multiple_of_32(*h, ratio);
  const int nw = scaled_multiple_of_32(*w, ratio);
  *h = nh;
  *w = nw;
}

}  // namespace

DetectorSize detector_input_size(int height, int width, const DetectorResizeOptions& o) {
  DetectorSize out;
  if (height <= 0 || width <= 0) return out;
  int h = height, w = width;
  // main.py preprocess: reduce_max_side (2000), then increase_min_side (30).
  if (std::max(h, w) > o.max_side_len) resize_both(&h, &w, static_cast<double>(o.max_side_len) / std::max(h, w));
  if (h <= 0 || w <= 0) return out;  // RapidOCR raises ResizeImgError
  if (std::min(h, w) < o.min_side_len) {
    resize_both(&h, &w, static_cast<double>(o.min_side_len) / (h < w ? h : w));
  }
  if (h <= 0 || w <= 0) return out;
  // DetPreProcess.resize, limit_type "min".
  const double ratio = std::min(h, w) < o.limit_side_len ? static_cast<double>(o.limit_side_len) / (h < w ? h : w)
                                                        : 1.0;
  resize_both(&h, &w, ratio);
  if (h <= 0 || w <= 0) return out;  // TextDetector returns no boxes
  if (o.planned_max_side > 0 && std::max(h, w) > o.planned_max_side) {
    // Scale the longer side down to the cap, both sides to multiples of 32
    // rounded down (so the cap holds), at least 32.
    const double s = static_cast<double>(o.planned_max_side) / std::max(h, w);
    h = std::max(32, static_cast<int>(std::floor(h * s / 32.0)) * 32);
    w = std::max(32, static_cast<int>(std::floor(w * s / 32.0)) * 32);
    out.capped = true;
  }
  out.height = h;
  out.width = w;
  return out;
}

}  // namespace ocr
}  // namespace edgeattn
