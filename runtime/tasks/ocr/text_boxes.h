// Text boxes after detection: RapidOCR 1.4.4's filter and reading order.
//
//   filter_text_boxes  - TextDetector.filter_tag_det_res: each box's corners
//                        ordered clockwise from the top-left (imutils'
//                        order_points_clockwise), clipped to the image
//                        (0 .. width - 1, 0 .. height - 1, truncated), and
//                        dropped when its first edge or its left edge is
//                        at most 3 pixels long (int of the length).
//   sort_text_boxes    - RapidOCR.sorted_boxes: a stable sort by the top-left
//                        corner's (y, x), then one bubbling pass that swaps
//                        neighbours less than 10 pixels apart vertically
//                        so that boxes on one line read left to right.
//
// Both work in place and allocate nothing (insertion sort: stable, O(n^2)
// in the worst case, ~10^6 steps for 1,000 boxes).
//
// Example:
//   size_t n = filter_text_boxes(boxes, count, image_height, image_width);
//   sort_text_boxes(boxes, n);   // boxes[0] is the first line's first box
#pragma once

#include <cstddef>

#include "runtime/tasks/ocr/box_geometry.h"

namespace edgeattn {
namespace ocr {

struct TextBox {
  Point2f points[4];   // [4, 2]; after filter_text_boxes: tl, tr, br, bl
  double score = 0.0;  // mean probability inside the box before unclip
};

// Returns how many boxes remain (compacted to the front, order kept).
size_t filter_text_boxes(TextBox* boxes, size_t n, int image_height, int image_width);

void sort_text_boxes(TextBox* boxes, size_t n);

}  // namespace ocr
}  // namespace edgeattn
