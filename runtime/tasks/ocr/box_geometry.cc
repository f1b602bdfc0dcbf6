#include "runtime/tasks/ocr/box_geometry.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>

namespace edgeattn {
namespace ocr {
namespace {

int64_t cross(const Point2i& o, const Point2i& a, const Point2i& b) {
  return static_cast<int64_t>(a.x - o.x) * (b.y - o.y) - static_cast<int64_t>(a.y - o.y) * (b.x - o.x);
}

}  // namespace

int convex_hull_sorted(const Point2i* p, int n, Point2i* hull) {
  if (n <= 0) return 0;
  // Andrew's monotone chain along (y, x); "<= 0" drops collinear and
  // repeated points, as cv2.convexHull (Sklansky) does.
  int k = 0;
  for (int i = 0; i < n; ++i) {
    while (k >= 2 && cross(hull[k - 2], hull[k - 1], p[i]) <= 0) --k;
    hull[k++] = p[i];
  }
  for (int i = n - 2, t = k + 1; i >= 0; --i) {
    while (k >= t && cross(hull[k - 2], hull[k - 1], p[i]) <= 0) --k;
    hull[k++] = p[i];
  }
  int m = k > 1 ? k - 1 : k;  // the chain ends where it started
  if (m == 2 && hull[0].x == hull[1].x && hull[0].y == hull[1].y) m = 1;
  // hull[0] is the topmost-leftmost point, where cv2's contour and so its
  // hull start; cv2 then runs down the left side: a negative shoelace
  // sum in image coordinates (y down).
  int64_t area2 = 0;
  for (int i = 0; i < m; ++i) {
    const Point2i& a = hull[i];
    const Point2i& b = hull[(i + 1) % m];
    area2 += static_cast<int64_t>(a.x) * b.y - static_cast<int64_t>(b.x) * a.y;
  }
  if (area2 > 0) std::reverse(hull + 1, hull + m);
  return m;
}

namespace {

// OpenCV's rotatingCalipers (CALIPERS_MINAREARECT), float for float: out
// = corner, side vector 1, side vector 2.
void rotating_calipers(const Point2f* points, int n, Point2f vect[], float inv_len[], float out[6]) {
  float minarea = FLT_MAX;
  int left = 0, bottom = 0, right = 0, top = 0;
  int seq[4];
  float orientation = 0.f, base_a, base_b = 0.f;
  Point2f pt0 = points[0];
  float left_x = pt0.x, right_x = pt0.x, top_y = pt0.y, bottom_y = pt0.y;
  for (int i = 0; i < n; ++i) {
    if (pt0.x < left_x) left_x = pt0.x, left = i;
    if (pt0.x > right_x) right_x = pt0.x, right = i;
    if (pt0.y > top_y) top_y = pt0.y, top = i;
    if (pt0.y < bottom_y) bottom_y = pt0.y, bottom = i;
    const Point2f pt = points[i + 1 < n ? i + 1 : 0];
    const double dx = pt.x - pt0.x, dy = pt.y - pt0.y;
    vect[i].x = static_cast<float>(dx);
    vect[i].y = static_cast<float>(dy);
    inv_len[i] = static_cast<float>(1. / std::sqrt(dx * dx + dy * dy));
    pt0 = pt;
  }
  {
    double ax = vect[n - 1].x, ay = vect[n - 1].y;
    for (int i = 0; i < n; ++i) {
      const double bx = vect[i].x, by = vect[i].y;
      const double convexity = ax * by - ay * bx;
      if (convexity != 0) {
        orientation = convexity > 0 ? 1.f : -1.f;
        break;
      }
      ax = bx;
      ay = by;
    }
  }
  base_a = orientation;
  seq[0] = bottom;
  seq[1] = right;
  seq[2] = top;
  seq[3] = left;
  int buf_left = 0, buf_bottom = 0;
  float buf_a = 0, buf_b = 0, buf_w = 0, buf_h = 0;
  for (int k = 0; k < n; ++k) {
    const float dp0 = base_a * vect[seq[0]].x + base_b * vect[seq[0]].y;
    const float dp1 = -base_b * vect[seq[1]].x + base_a * vect[seq[1]].y;
    const float dp2 = -base_a * vect[seq[2]].x - base_b * vect[seq[2]].y;
    const float dp3 = base_b * vect[seq[3]].x - base_a * vect[seq[3]].y;
    float cosalpha = dp0 * inv_len[seq[0]];
    float maxcos = cosalpha;
    int main_element = 0;
    cosalpha = dp1 * inv_len[seq[1]];
    if (cosalpha > maxcos) main_element = 1, maxcos = cosalpha;
    cosalpha = dp2 * inv_len[seq[2]];
    if (cosalpha > maxcos) main_element = 2, maxcos = cosalpha;
    cosalpha = dp3 * inv_len[seq[3]];
    if (cosalpha > maxcos) main_element = 3, maxcos = cosalpha;
    const int pindex = seq[main_element];
    const float lead_x = vect[pindex].x * inv_len[pindex];
    const float lead_y = vect[pindex].y * inv_len[pindex];
    switch (main_element) {
      case 0: base_a = lead_x, base_b = lead_y; break;
      case 1: base_a = lead_y, base_b = -lead_x; break;
      case 2: base_a = -lead_x, base_b = -lead_y; break;
      default: base_a = -lead_y, base_b = lead_x; break;
    }
    seq[main_element] += 1;
    if (seq[main_element] == n) seq[main_element] = 0;
    float dx = points[seq[1]].x - points[seq[3]].x;
    float dy = points[seq[1]].y - points[seq[3]].y;
    const float width = dx * base_a + dy * base_b;
    dx = points[seq[2]].x - points[seq[0]].x;
    dy = points[seq[2]].y - points[seq[0]].y;
    const float height = -dx * base_b + dy * base_a;
    const float area = width * height;
    if (area <= minarea) {
      minarea = area;
      buf_left = seq[3], buf_a = base_a, buf_w = width, buf_b = base_b, buf_h = height, buf_bottom = seq[0];
    }
  }
  const float A1 = buf_a, B1 = buf_b, A2 = -buf_b, B2 = buf_a;
  const float C1 = A1 * points[buf_left].x + points[buf_left].y * B1;
  const float C2 = A2 * points[buf_bottom].x + points[buf_bottom].y * B2;
  const float idet = 1.f / (A1 * B2 - A2 * B1);
  out[0] = (C1 * B2 - C2 * B1) * idet;
  out[1] = (A1 * C2 - A2 * C1) * idet;
  out[2] = A1 * buf_w;
  out[3] = B1 * buf_w;
  out[4] = A2 * buf_h;
  out[5] = B2 * buf_h;
}

}  // namespace

MiniBox mini_box(const Point2i* hull, int n, Point2f* scratch) {
  MiniBox box;
  if (n < 3) return box;  // cv2 gives a zero-height rectangle: min side 0, skipped
  Point2f* pts = scratch;            // [n]
  Point2f* vect = scratch + n;       // [n]
  float* inv_len = reinterpret_cast<float*>(scratch + 2 * n);  // [n] (in n Point2f)
  for (int i = 0; i < n; ++i) pts[i] = Point2f{static_cast<float>(hull[i].x), static_cast<float>(hull[i].y)};
  float out[6];
  rotating_calipers(pts, n, vect, inv_len, out);
  // cv::minAreaRect's RotatedRect, then RotatedRect::points (boxPoints).
  const float cx = out[0] + (out[2] + out[4]) * 0.5f;
  const float cy = out[1] + (out[3] + out[5]) * 0.5f;
  const float w = static_cast<float>(std::sqrt(static_cast<double>(out[2]) * out[2] + static_cast<double>(out[3]) * out[3]));
  const float h = static_cast<float>(std::sqrt(static_cast<double>(out[4]) * out[4] + static_cast<double>(out[5]) * out[5]));
  float angle = static_cast<float>(std::atan2(static_cast<double>(out[3]), static_cast<double>(out[2])));
  angle = static_cast<float>(angle * 180 / M_PI);
  const double rad = angle * M_PI / 180.;
  const float b = static_cast<float>(std::cos(rad)) * 0.5f;
  const float a = static_cast<float>(std::sin(rad)) * 0.5f;
  Point2f p[4];
  p[0].x = cx - a * h - b * w;
  p[0].y = cy + b * h - a * w;
  p[1].x = cx + a * h - b * w;
  p[1].y = cy - b * h - a * w;
  p[2].x = 2 * cx - p[0].x;
  p[2].y = 2 * cy - p[0].y;
  p[3].x = 2 * cx - p[1].x;
  p[3].y = 2 * cy - p[1].y;
  // get_mini_boxes: Python's stable sort by x (insertion sort: stable, and
  // std::stable_sort may allocate), then each pair by y.
  for (int i = 1; i < 4; ++i) {
    for (int j = i; j > 0 && p[j].x < p[j - 1].x; --j) std::swap(p[j], p[j - 1]);
  }
  const int i1 = p[1].y > p[0].y ? 0 : 1, i4 = 1 - i1;
  const int i2 = p[3].y > p[2].y ? 2 : 3, i3 = 5 - i2;
  box.points[0] = p[i1];
  box.points[1] = p[i2];
  box.points[2] = p[i3];
  box.points[3] = p[i4];
  box.min_side = std::min(w, h);
  return box;
}

namespace {

// cv::Line with 8-connectivity (LineIterator, leftToRight): Bresenham from
// the left end, the major axis stepping every pixel; pixels outside the
// mw x mh mask are skipped.
void draw_line(uint8_t* mask, int mw, int mh, Point2i p0, Point2i p1) {
  if (p1.x < p0.x) std::swap(p0, p1);
  int dx = p1.x - p0.x, dy = p1.y - p0.y;
  const int sy = dy < 0 ? -1 : 1;
  dy = dy < 0 ? -dy : dy;
  const bool steep = dy > dx;
  const int major = steep ? dy : dx, minor = steep ? dx : dy;
  int err = major - 2 * minor;
  int x = p0.x, y = p0.y;
  for (int i = 0; i <= major; ++i) {
    if (x >= 0 && x < mw && y >= 0 && y < mh) mask[static_cast<size_t>(y) * mw + x] = 1;
    const bool diagonal = err < 0;
    err += -2 * minor + (diagonal ? 2 * major : 0);
    if (steep) {
      y += sy;
      if (diagonal) x += 1;
    } else {
      x += 1;
      if (diagonal) y += sy;
    }
  }
}

// cv::fillPoly (shift 0, LINE_8) of one polygon: the outline, then the
// scanline interior from OpenCV's 16.16 fixed-point edges.
void fill_poly(uint8_t* mask, int mw, int mh, const Point2i* v, int n) {
  constexpr int kShift = 16;
  struct Edge {
    int y0, y1;
    int64_t x, dx;
  };
  Edge edges[8];
  int ne = 0;
  for (int i = 0; i < n; ++i) {
    const Point2i a = v[(i + n - 1) % n], b = v[i];
    draw_line(mask, mw, mh, a, b);
    if (a.y == b.y) continue;
    Edge e;
    const int64_t ax = static_cast<int64_t>(a.x) << kShift, bx = static_cast<int64_t>(b.x) << kShift;
    e.dx = (bx - ax) / (b.y - a.y);
    if (a.y < b.y) e.y0 = a.y, e.y1 = b.y, e.x = ax;
    else e.y0 = b.y, e.y1 = a.y, e.x = bx;
    edges[ne++] = e;
  }
  if (ne < 2) return;
  int ymin = edges[0].y0, ymax = edges[0].y1;
  for (int i = 1; i < ne; ++i) ymin = std::min(ymin, edges[i].y0), ymax = std::max(ymax, edges[i].y1);
  for (int y = std::max(ymin, 0); y < std::min(ymax, mh); ++y) {
    int64_t xs[8];
    int na = 0;
    for (int i = 0; i < ne; ++i) {
      if (edges[i].y0 <= y && y < edges[i].y1) xs[na++] = edges[i].x + (y - edges[i].y0) * edges[i].dx;
    }
    for (int i = 1; i < na; ++i) {  // at most 4 active edges: insertion sort
      for (int j = i; j > 0 && xs[j] < xs[j - 1]; --j) std::swap(xs[j], xs[j - 1]);
    }
    for (int i = 0; i + 1 < na; i += 2) {
      // The interior rounds inward: ceil on the left, floor on the right.
      int x1 = static_cast<int>((xs[i] + (int64_t{1} << kShift) - 1) >> kShift);
      int x2 = static_cast<int>(xs[i + 1] >> kShift);
      if (x1 >= mw || x2 < 0) continue;
      x1 = std::max(x1, 0);
      x2 = std::min(x2, mw - 1);
      std::memset(mask + static_cast<size_t>(y) * mw + x1, 1, static_cast<size_t>(x2 - x1 + 1));
    }
  }
}

int clampi(int v, int lo, int hi) { return v < lo ? lo : (v > hi ? hi : v); }

}  // namespace

double box_score_fast(const float* prob, int h, int w, const Point2f box[4], uint8_t* scratch) {
  float minx = box[0].x, maxx = box[0].x, miny = box[0].y, maxy = box[0].y;
  for (int i = 1; i < 4; ++i) {
    minx = std::min(minx, box[i].x), maxx = std::max(maxx, box[i].x);
    miny = std::min(miny, box[i].y), maxy = std::max(maxy, box[i].y);
  }
  const int xmin = clampi(static_cast<int>(std::floor(minx)), 0, w - 1);
  const int xmax = clampi(static_cast<int>(std::ceil(maxx)), 0, w - 1);
  const int ymin = clampi(static_cast<int>(std::floor(miny)), 0, h - 1);
  const int ymax = clampi(static_cast<int>(std::ceil(maxy)), 0, h - 1);
  const int mw = xmax - xmin + 1, mh = ymax - ymin + 1;
  std::memset(scratch, 0, static_cast<size_t>(mw) * mh);
  Point2i v[4];
  for (int i = 0; i < 4; ++i) {
    // float32 minus the integer, then astype(int32): truncation toward 0.
    v[i].x = static_cast<int>(box[i].x - static_cast<float>(xmin));
    v[i].y = static_cast<int>(box[i].y - static_cast<float>(ymin));
  }
  fill_poly(scratch, mw, mh, v, 4);
  double sum = 0.0;
  size_t count = 0;
  for (int y = 0; y < mh; ++y) {
    const uint8_t* m = scratch + static_cast<size_t>(y) * mw;
    const float* p = prob + static_cast<size_t>(y + ymin) * w + xmin;
    for (int x = 0; x < mw; ++x) {
      if (m[x]) sum += p[x], ++count;
    }
  }
  return count > 0 ? sum / static_cast<double>(count) : 0.0;
}

namespace {

// Clipper's Round: half away from zero.
int64_t clipper_round(double v) { return v < 0 ? static_cast<int64_t>(v - 0.5) : static_cast<int64_t>(v + 0.5); }

struct Normal {
  double x, y;
};

Normal unit_normal(const Point2i& a, const Point2i& b) {
  if (a.x == b.x && a.y == b.y) return Normal{0, 0};
  double dx = static_cast<double>(b.x - a.x), dy = static_cast<double>(b.y - a.y);
  const double f = 1 * 1.0 / std::sqrt(dx * dx + dy * dy);
  dx *= f;
  dy *= f;
  return Normal{dy, -dx};
}

}  // namespace

int unclip(const Point2f box[4], double unclip_ratio, Point2i* out, int capacity) {
  // shapely's Polygon(box).area and .length on the float corners.
  double area2 = 0.0, length = 0.0;
  for (int i = 0; i < 4; ++i) {
    const Point2f& a = box[i];
    const Point2f& b = box[(i + 1) % 4];
    area2 += static_cast<double>(a.x) * b.y - static_cast<double>(b.x) * a.y;
    length += std::hypot(static_cast<double>(b.x) - a.x, static_cast<double>(b.y) - a.y);
  }
  if (!(length > 0.0)) return 0;
  const double delta = std::fabs(area2) * 0.5 * unclip_ratio / length;
  // pyclipper's AddPath: int() of each coordinate, repeated points dropped.
  Point2i src[4];
  int n = 0;
  int high = 3;
  Point2i path[4];
  for (int i = 0; i < 4; ++i) path[i] = Point2i{static_cast<int>(box[i].x), static_cast<int>(box[i].y)};
  auto same = [](const Point2i& a, const Point2i& b) { return a.x == b.x && a.y == b.y; };
  while (high > 0 && same(path[0], path[high])) --high;
  src[n++] = path[0];
  for (int i = 1; i <= high; ++i) {
    if (!same(src[n - 1], path[i])) src[n++] = path[i];
  }
  if (n < 3) return 0;  // Clipper drops a closed path of fewer than 3 points
  // FixOrientations: Clipper's Area() < 0 reverses the path.
  double a = 0;
  for (int i = 0, j = n - 1; i < n; ++i) {
    a += (static_cast<double>(src[j].x) + src[i].x) * (static_cast<double>(src[j].y) - src[i].y);
    j = i;
  }
  if (-a * 0.5 < 0) std::reverse(src, src + n);
  if (std::fabs(delta) < 1e-20) {
    for (int i = 0; i < n; ++i) out[i] = src[i];
    return n;
  }
  // ClipperOffset::DoOffset, arc tolerance 0.25.
  const double pi = 3.141592653589793238, two_pi = pi * 2;
  const double y = 0.25 > std::fabs(delta) * 0.25 ? std::fabs(delta) * 0.25 : 0.25;
  double steps = pi / std::acos(1 - y / std::fabs(delta));
  if (steps > std::fabs(delta) * pi) steps = std::fabs(delta) * pi;
  const double sin_step = std::sin(two_pi / steps), cos_step = std::cos(two_pi / steps);
  const double steps_per_rad = steps / two_pi;
  Normal normals[4];
  for (int j = 0; j < n; ++j) normals[j] = unit_normal(src[j], src[(j + 1) % n]);
  int count = 0;
  auto emit = [&](double x, double yv) {
    if (count < capacity) out[count] = Point2i{static_cast<int>(clipper_round(x)), static_cast<int>(clipper_round(yv))};
    ++count;
  };
  for (int j = 0, k = n - 1; j < n; k = j, ++j) {
    // OffsetPoint(j, k, jtRound).
    double sin_a = normals[k].x * normals[j].y - normals[j].x * normals[k].y;
    const double px = src[j].x, py = src[j].y;
    if (std::fabs(sin_a * delta) < 1.0) {
      const double cos_a = normals[k].x * normals[j].x + normals[j].y * normals[k].y;
      if (cos_a > 0) {
        emit(px + normals[k].x * delta, py + normals[k].y * delta);
        continue;
      }
    } else if (sin_a > 1.0) {
      sin_a = 1.0;
    } else if (sin_a < -1.0) {
      sin_a = -1.0;
    }
    if (sin_a * delta < 0) {
      emit(px + normals[k].x * delta, py + normals[k].y * delta);
      emit(px, py);
      emit(px + normals[j].x * delta, py + normals[j].y * delta);
      continue;
    }
    // DoRound(j, k).
    const double angle = std::atan2(sin_a, normals[k].x * normals[j].x + normals[k].y * normals[j].y);
    const int round_steps = std::max(static_cast<int>(clipper_round(steps_per_rad * std::fabs(angle))), 1);
    double x = normals[k].x, yy = normals[k].y;
    for (int i = 0; i < round_steps; ++i) {
      emit(px + x * delta, py + yy * delta);
      const double x2 = x;
      x = x * cos_step - sin_step * yy;
      yy = x2 * sin_step + yy * cos_step;
    }
    emit(px + normals[j].x * delta, py + normals[j].y * delta);
  }
  return count <= capacity ? count : -1;
}

}  // namespace ocr
}  // namespace edgeattn
