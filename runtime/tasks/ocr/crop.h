// Text-line crops and the recognizer's and classifier's input tensors, as
// RapidOCR 1.4.4 makes them:
//
//   crop_text             - get_rotate_crop_image (main.py): the crop is
//                           int(max of the two horizontal edges) wide and
//                           int(max of the two vertical edges) high; the
//                           quad is warped onto it (cv2.getPerspectiveTransform,
//                           warpPerspective INTER_CUBIC + BORDER_REPLICATE),
//                           then turned 90 degrees counter-clockwise
//                           (np.rot90) when height / width >= 1.5.
//                           Bicubic as cv2 5.1 does it, not bilinear: the
//                           transform solved by OpenCV's LU in double and
//                           inverted by its 3x3 cofactor formula; each
//                           crop pixel's source position in float (cv2 5.1
//                           samples float positions: its warp equals
//                           cv2.remap with float maps, not the 1/32-pixel
//                           fixed-point tables of OpenCV 4), a = -0.75
//                           weights in float. Measured against cv2 in
//                           tests/runtime/tasks/ocr/crop_test.cc: equal
//                           but for a few values off by 1 (float order).
//   recognizer_input      - TextRecognizer.resize_norm_img: height 48,
//                           width ceil(48 x w / h) capped at
//                           int(48 x max_wh_ratio), zero padding to that
//                           width; edgeattn rounds the tensor width up to a
//                           multiple of 8 (the network downsamples width by
//                           8; more zero columns, as RapidOCR pads).
//   classifier_input      - TextClassifier.resize_norm_img: 48 x 192, width
//                           ceil(48 x w / h) capped at 192, zero padding.
//
// None allocates: the caller passes the output buffers.
//
// Example:
//   CropSize s = crop_size(box.points);                  // [s.height, s.width, 3]
//   EA_RETURN_IF_ERROR(crop_text(image, box.points, MutableImageView{buf, s.width, s.height, 3 * size_t(s.width)}));
//   int w = recognizer_tensor_width(max_wh_ratio);       // batch tensor [48, w, 3]
//   EA_RETURN_IF_ERROR(recognizer_input(crop, max_wh_ratio, TensorView{t, 48, w, TensorLayout::kNHWC}));
#pragma once

#include "runtime/core/status.h"
#include "runtime/tasks/ocr/box_geometry.h"
#include "runtime/tasks/ocr/image.h"

namespace edgeattn {
namespace ocr {

struct CropSize {
  int width = 0;   // of the final crop (after the 90-degree turn, if any)
  int height = 0;
  bool rotated = false;  // turned 90 degrees counter-clockwise
};

// The crop's size for quad (tl, tr, br, bl); 0 x 0 for a degenerate quad.
CropSize crop_size(const Point2f quad[4]);

// Writes the crop of `quad` into out, whose size must be crop_size(quad).
Status crop_text(const ImageView& image, const Point2f quad[4], const MutableImageView& out);

// crop_size(quad) scaled down (both sides, rounded down, at least 1) to at
// most max_pixels pixels; crop_size(quad) itself when it fits.
CropSize crop_size_within(const Point2f quad[4], size_t max_pixels);
// crop_text onto an output of any size (e.g. crop_size_within's): the quad
// is warped onto out's rectangle, turned as crop_size(quad) says.
Status crop_text_resized(const ImageView& image, const Point2f quad[4], const MutableImageView& out);

constexpr int kRecognizerHeight = 48;
constexpr int kRecognizerMinWidth = 320;  // rec_img_shape: the batch ratio is at least 320 / 48
constexpr int kRecognizerWidthMultiple = 8;
constexpr int kClassifierHeight = 48;
constexpr int kClassifierWidth = 192;

// RapidOCR's batch ratio: the largest w / h of the batch's crops, at least 320 / 48.
double recognizer_max_ratio(const CropSize* crops, int n);
// int(48 x max_wh_ratio): RapidOCR's padded width.
int recognizer_padded_width(double max_wh_ratio);
// edgeattn's tensor width: the padded width rounded up to a multiple of 8.
int recognizer_tensor_width(double max_wh_ratio);
// min(ceil(48 x w / h), padded width): the width the crop is resized to.
int recognizer_resized_width(int height, int width, double max_wh_ratio);
int classifier_resized_width(int height, int width);

// dst: 48 x recognizer_tensor_width(max_wh_ratio) (or wider), 3 channels.
Status recognizer_input(const ImageView& crop, double max_wh_ratio, const TensorView& dst);
// dst: 48 x 192.
Status classifier_input(const ImageView& crop, const TensorView& dst);

}  // namespace ocr
}  // namespace edgeattn
