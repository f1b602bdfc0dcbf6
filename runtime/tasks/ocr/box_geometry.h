// The geometry of DB text boxes, each step as RapidOCR 1.4.4's
// DBPostProcess computes it with OpenCV 5.1, pyclipper 1.4 and shapely:
//
//   convex_hull_sorted  - cv2.convexHull of a pixel set (no collinear
//                         vertices), started and oriented as the hull of a
//                         cv2.findContours outer contour: at the topmost-
//                         leftmost pixel, down the left side first.
//   mini_box            - cv2.minAreaRect (OpenCV's float rotating calipers,
//                         reproduced operation by operation) -> cv2.boxPoints
//                         -> get_mini_boxes' corner order; min_side is
//                         min(rect size), the value RapidOCR tests.
//   box_score_fast      - mean probability inside the box: cv2.fillPoly of
//                         the truncated corners (Bresenham outline + scanline
//                         interior, OpenCV's fixed-point edges) over the
//                         box's clipped bounding rectangle.
//   unclip              - shapely area / length -> pyclipper offset with
//                         JT_ROUND (Clipper 6.4's ClipperOffset on the
//                         corners truncated to integers, arc tolerance 0.25).
//
// No allocation: callers pass the buffers.
//
// Example:
//   Point2i hull[16];
//   int n = convex_hull_sorted(points, count, hull);   // points sorted by (y, x)
//   Point2f scratch[48];
//   MiniBox b = mini_box(hull, n, scratch);
//   if (b.min_side >= 3 && box_score_fast(prob, h, w, b.points, mask) >= 0.5) { ... }
#pragma once

#include <cstddef>
#include <cstdint>

namespace edgeattn {
namespace ocr {

struct Point2f {
  float x = 0.f, y = 0.f;
};
struct Point2i {
  int x = 0, y = 0;
};

// get_mini_boxes' output: points in its order (left pair by y, right pair
// by y: [top-left, top-right, bottom-right, bottom-left] for upright boxes).
struct MiniBox {
  Point2f points[4];
  float min_side = 0.f;  // 0 for fewer than 3 hull vertices (a point or a line)
};

// Convex hull of `n` points sorted by (y, x) ascending (duplicates allowed),
// into `hull` (capacity 2 n + 1: the monotone chain's working space);
// returns its vertex count.
int convex_hull_sorted(const Point2i* points, int n, Point2i* hull);

// cv2.minAreaRect of a convex polygon (as convex_hull_sorted gives), then
// boxPoints and get_mini_boxes' ordering. scratch: 3 n points.
MiniBox mini_box(const Point2i* hull, int n, Point2f* scratch);

// box_score_fast: the mean of prob [h, w] over the polygon of `box`'s
// corners (truncated as RapidOCR's astype(int32) does) inside the box's
// bounding rectangle clipped to the map; 0 when nothing is covered.
// scratch: h x w bytes (the polygon's mask). An outline edge leaving the
// clipped rectangle is drawn unclipped and cut pixel by pixel (cv2 clips
// the line first, which can move its pixels by one along that edge).
double box_score_fast(const float* prob, int h, int w, const Point2f box[4], uint8_t* scratch);

// unclip: offsets the box's polygon outward by area * ratio / perimeter
// with round joins, into out (capacity `capacity`); returns the vertex
// count, or -1 when it does not fit (then the box is dropped).
int unclip(const Point2f box[4], double unclip_ratio, Point2i* out, int capacity);

// The most vertices unclip() emits for a 4-corner box: the round joins of
// a full turn need at most pi / acos(1 - 0.25 / d) steps, < 300 for
// offsets up to 2,000 pixels (maps up to ~8,000 pixels).
constexpr int kMaxUnclipVertices = 512;

}  // namespace ocr
}  // namespace edgeattn
