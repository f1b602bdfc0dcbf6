// Images and network-input tensors for the OCR tasks (PP-OCR text reading),
// and the one resampling the pipeline's networks see: bilinear resize of an
// 8-bit RGB image with the networks' normalization, as RapidOCR does it with
// cv2.resize (INTER_LINEAR) and numpy.
//
// ImageView / MutableImageView: 8-bit RGB, interleaved, rows `stride` bytes
// apart; the caller owns the pixels. TensorView: one float image of a
// network's input batch, NHWC (edgeattn's layout) or NCHW (onnxruntime's).
//
// resize_normalize() is bit-exact with cv2.resize on 8-bit images
// (OpenCV 5.1, as pip's opencv-python-headless ships it): half-pixel
// centres, 11-bit fixed-point weights, and the rounding of OpenCV's SIMD
// vertical pass, (((S0 >> 4) * b0 >> 16) + ((S1 >> 4) * b1 >> 16) + 2) >> 2,
// which every pixel takes in that build (measured: the exact-rounding scalar
// formula differs by 1 on ~10 % of pixels). The rounded 8-bit value is then
// normalized, x = (p / 255 - mean) / std, in double and stored as float:
// within one float ulp of RapidOCR's float32 / float64 numpy expressions.
//
// detector_input_size() is RapidOCR 1.4.4's rule for the detector's input
// size (main.py preprocess + DetPreProcess.resize, config.yaml values).
//
// Example:
//   ImageView img{rgb, width, height, 3 * size_t(width)};
//   DetectorSize s = detector_input_size(height, width, DetectorResizeOptions());
//   TensorView t{input, s.height, s.width, TensorLayout::kNHWC};    // [1, H, W, 3]
//   EA_RETURN_IF_ERROR(resize_normalize(img, s.width, s.height, kPaddleNormalization, t));
#pragma once

#include <cstddef>
#include <cstdint>

#include "runtime/core/status.h"

namespace edgeattn {
namespace ocr {

// 8-bit RGB, interleaved: pixel (x, y) channel c is pixels[y * stride + 3 * x + c].
struct ImageView {
  const uint8_t* pixels = nullptr;  // [height, stride]
  int width = 0;
  int height = 0;
  size_t stride = 0;  // bytes per row, >= 3 * width
  const uint8_t* row(int y) const { return pixels + static_cast<size_t>(y) * stride; }
};

struct MutableImageView {
  uint8_t* pixels = nullptr;  // [height, stride]
  int width = 0;
  int height = 0;
  size_t stride = 0;
  uint8_t* row(int y) const { return pixels + static_cast<size_t>(y) * stride; }
  ImageView view() const { return ImageView{pixels, width, height, stride}; }
};

// Checks pointer, positive sizes and stride; `what` names the image in the message.
Status check_image(const ImageView& image, const char* what);

enum class TensorLayout : uint8_t { kNHWC, kNCHW };

// One image of a float input batch with 3 channels.
struct TensorView {
  float* data = nullptr;  // [height, width, 3] (NHWC) or [3, height, width] (NCHW)
  int height = 0;
  int width = 0;
  TensorLayout layout = TensorLayout::kNHWC;
  float& at(int y, int x, int c) const {
    const size_t h = static_cast<size_t>(height), w = static_cast<size_t>(width);
    return layout == TensorLayout::kNHWC ? data[(static_cast<size_t>(y) * w + x) * 3 + c]
                                         : data[(static_cast<size_t>(c) * h + y) * w + x];
  }
};

// x = (p / 255 - mean[c]) / std[c], channel c in the image's channel order.
struct Normalization {
  float mean[3];
  float std[3];
};
// PP-OCR's detector, classifier and recognizer: (p / 255 - 0.5) / 0.5.
constexpr Normalization kPaddleNormalization = {{0.5f, 0.5f, 0.5f}, {0.5f, 0.5f, 0.5f}};

// Resizes `src` to out_width x out_height (cv2.resize INTER_LINEAR), then
// normalizes into dst's top-left out_height x out_width region; the rest of
// dst (a padded batch width) is set to 0, as RapidOCR pads. No allocation.
// kInvalidArgument when an image is empty or out_* exceeds dst.
Status resize_normalize(const ImageView& src, int out_width, int out_height, const Normalization& norm,
                        const TensorView& dst);

// The 8-bit resize alone (the same pixels resize_normalize normalizes).
Status resize_rgb(const ImageView& src, const MutableImageView& dst);

struct DetectorResizeOptions {
  int limit_side_len = 736;  // Det.limit_side_len, limit_type "min": the short side is raised to it
  int max_side_len = 2000;   // Global.max_side_len: a longer side is first reduced to it
  int min_side_len = 30;     // Global.min_side_len: a shorter side is first raised to it
  // edgeattn's addition: the detector's planned maximum (its arena is sized
  // for it). A larger result is scaled down to fit, multiples of 32 kept;
  // RapidOCR has no such cap. 0: no cap.
  int planned_max_side = 0;
};

struct DetectorSize {
  int height = 0;  // multiples of 32; 0 x 0 when RapidOCR would detect nothing
  int width = 0;
  bool capped = false;  // planned_max_side reduced it
};

// RapidOCR resizes up to twice (reduce_max_side / increase_min_side in main.py,
// then DetPreProcess.resize), each time rounding both sides to a multiple of
// 32 with Python's round (half to even); this returns the final size, and
// edgeattn resamples once from the source to it (RapidOCR twice, when a
// side exceeds max_side_len or is below min_side_len). Boxes map back to
// the source with the ratios source / detector size in both cases.
DetectorSize detector_input_size(int height, int width, const DetectorResizeOptions& options);

}  // namespace ocr
}  // namespace edgeattn
