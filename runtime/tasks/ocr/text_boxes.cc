#include "runtime/tasks/ocr/text_boxes.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace edgeattn {
namespace ocr {
namespace {

// Stable sort of up to 4 points by one coordinate (numpy's argsort of 4
// elements: insertion sort, so stable).
template <typename Key>
void sort_points(Point2f* p, int n, Key key) {
  for (int i = 1; i < n; ++i) {
    for (int j = i; j > 0 && key(p[j]) < key(p[j - 1]); --j) std::swap(p[j], p[j - 1]);
  }
}

// np.linalg.norm of a float32 difference: float32 arithmetic, then int().
int edge_length(const Point2f& a, const Point2f& b) {
  const float dx = a.x - b.x, dy = a.y - b.y;
  return static_cast<int>(std::sqrt(dx * dx + dy * dy));
}

}  // namespace

size_t filter_text_boxes(TextBox* boxes, size_t n, int image_height, int image_width) {
  size_t kept = 0;
  for (size_t i = 0; i < n; ++i) {
    Point2f p[4] = {boxes[i].points[0], boxes[i].points[1], boxes[i].points[2], boxes[i].points[3]};
    sort_points(p, 4, [](const Point2f& q) { return q.x; });
    sort_points(p, 2, [](const Point2f& q) { return q.y; });      // left: tl, bl
    sort_points(p + 2, 2, [](const Point2f& q) { return q.y; });  // right: tr, br
    Point2f ordered[4] = {p[0], p[2], p[3], p[1]};
    for (Point2f& q : ordered) {
      q.x = static_cast<float>(static_cast<int>(std::min(std::max(q.x, 0.f), static_cast<float>(image_width - 1))));
      q.y = static_cast<float>(static_cast<int>(std::min(std::max(q.y, 0.f), static_cast<float>(image_height - 1))));
    }
    if (edge_length(ordered[0], ordered[1]) <= 3 || edge_length(ordered[0], ordered[3]) <= 3) continue;
    TextBox& out = boxes[kept++];
    for (int k = 0; k < 4; ++k) out.points[k] = ordered[k];
    out.score = boxes[i].score;
  }
  return kept;
}

void sort_text_boxes(TextBox* boxes, size_t n) {
  auto before = [](const TextBox& a, const TextBox& b) {
    if (a.points[0].y != b.points[0].y) return a.points[0].y < b.points[0].y;
    return a.points[0].x < b.points[0].x;
  };
  for (size_t i = 1; i < n; ++i) {
    for (size_t j = i; j > 0 && before(boxes[j], boxes[j - 1]); --j) std::swap(boxes[j], boxes[j - 1]);
  }
  // sorted_boxes' pass: box i + 1 moves left past boxes on its line.
  for (size_t i = 0; i + 1 < n; ++i) {
    for (size_t j = i + 1; j-- > 0;) {
      if (std::fabs(boxes[j + 1].points[0].y - boxes[j].points[0].y) < 10 &&
          boxes[j + 1].points[0].x < boxes[j].points[0].x) {
        std::swap(boxes[j], boxes[j + 1]);
      } else {
        break;
      }
    }
  }
}

}  // namespace ocr
}  // namespace edgeattn
