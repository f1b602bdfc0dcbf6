// The text-angle rule of PP-OCR's direction classifier, as RapidOCR 1.4.4's
// TextClassifier: the classifier's two scores are labels '0' and '180'; the
// label is the argmax (the first of equal scores) and a crop is turned by
// 180 degrees (cv2.rotate ROTATE_180) when the label is '180' and its
// score exceeds cls_thresh (0.9, config.yaml; strictly greater).
//
// Example:
//   if (should_rotate_180(scores)) rotate_180(crop);   // scores: [2]
#pragma once

#include "runtime/tasks/ocr/image.h"

namespace edgeattn {
namespace ocr {

// cls_thresh; a double, as the Python float RapidOCR compares the float32 score with.
constexpr double kClassifierThreshold = 0.9;

bool should_rotate_180(const float scores[2], double threshold = kClassifierThreshold);

// Turns the image by 180 degrees in place.
void rotate_180(const MutableImageView& image);

}  // namespace ocr
}  // namespace edgeattn
