#include "runtime/tasks/ocr/db_postprocess.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <new>

namespace edgeattn {
namespace ocr {
namespace {

int32_t find_root(int32_t* parent, int32_t i) {
  while (parent[i] != i) {
    parent[i] = parent[parent[i]];  // path halving
    i = parent[i];
  }
  return i;
}

// The earlier run stays the root, so a component's root is its first run
// in raster order.
void unite(int32_t* parent, int32_t a, int32_t b) {
  a = find_root(parent, a);
  b = find_root(parent, b);
  if (a < b) parent[b] = a;
  else if (b < a) parent[a] = b;
}

bool before_yx(const Point2i& a, const Point2i& b) { return a.y != b.y ? a.y < b.y : a.x < b.x; }

}  // namespace

Result<std::unique_ptr<DbPostprocessor>> DbPostprocessor::create(const DbOptions& o) {
  EA_ENSURE(o.max_map_height >= 1 && o.max_map_width >= 1 && o.max_map_width <= 65535 && o.max_map_height <= 65535,
            StatusCode::kInvalidArgument, "DB map limits %d x %d not in [1, 65535]", o.max_map_height,
            o.max_map_width);
  EA_ENSURE(o.max_candidates >= 1, StatusCode::kInvalidArgument, "max_candidates %d must be positive",
            o.max_candidates);
  EA_ENSURE(o.unclip_ratio > 0 && o.thresh >= 0 && o.box_thresh >= 0, StatusCode::kInvalidArgument,
            "DB thresholds and unclip ratio must be non-negative (thresh %g, box_thresh %g, unclip_ratio %g)",
            static_cast<double>(o.thresh), o.box_thresh, o.unclip_ratio);
  std::unique_ptr<DbPostprocessor> d(new (std::nothrow) DbPostprocessor());
  EA_ENSURE(d != nullptr, StatusCode::kOutOfMemory, "out of memory allocating the DB post-processor");
  d->options_ = o;
  const size_t h = static_cast<size_t>(o.max_map_height), w = static_cast<size_t>(o.max_map_width);
  const size_t max_runs = h * ((w + 1) / 2);
  const size_t max_points = std::max<size_t>(2 * h, kMaxUnclipVertices);
  EA_RETURN_IF_ERROR(d->bitmap_.resize(h * w, "the DB bitmap"));
  EA_RETURN_IF_ERROR(d->mask_.resize(h * w, "the DB score mask"));
  EA_RETURN_IF_ERROR(d->runs_.resize(max_runs, "the DB runs"));
  EA_RETURN_IF_ERROR(d->parent_.resize(max_runs, "the DB run labels"));
  EA_RETURN_IF_ERROR(d->comp_start_.resize(max_runs + 1, "the DB component offsets"));
  EA_RETURN_IF_ERROR(d->order_.resize(max_runs, "the DB run order"));
  EA_RETURN_IF_ERROR(d->points_.resize(max_points, "the DB blob points"));
  EA_RETURN_IF_ERROR(d->hull_.resize(2 * max_points + 1, "the DB hull"));
  EA_RETURN_IF_ERROR(d->calipers_.resize(3 * (2 * max_points + 1), "the DB calipers scratch"));
  EA_RETURN_IF_ERROR(d->unclipped_.resize(kMaxUnclipVertices, "the DB unclipped polygon"));
  EA_RETURN_IF_ERROR(d->boxes_.resize(static_cast<size_t>(o.max_candidates), "the DB boxes"));
  EA_RETURN_IF_ERROR(d->final_.resize(static_cast<size_t>(o.max_candidates), "the DB text boxes"));
  return d;
}

void DbPostprocessor::binarize(const float* prob, int height, int width) {
  const size_t w = static_cast<size_t>(width);
  uint8_t* bm = bitmap_.data();
  for (size_t i = 0, n = static_cast<size_t>(height) * w; i < n; ++i) bm[i] = prob[i] > options_.thresh ? 1 : 0;
  if (!options_.use_dilation) return;
  // cv2.dilate with [[1, 1], [1, 1]]: anchor (1, 1), so the output at
  // (x, y) is the OR of (x-1..x, y-1..y). In reverse raster order every
  // read is of a pixel not yet written.
  for (int y = height - 1; y >= 0; --y) {
    uint8_t* row = bm + static_cast<size_t>(y) * w;
    const uint8_t* up = y > 0 ? row - w : nullptr;
    for (int x = width - 1; x >= 0; --x) {
      uint8_t v = row[x];
      if (x > 0) v |= row[x - 1];
      if (up != nullptr) v |= up[x] | (x > 0 ? up[x - 1] : 0);
      row[x] = v;
    }
  }
}

void DbPostprocessor::label(int height, int width) {
  const uint8_t* bm = bitmap_.data();
  Run* runs = runs_.data();
  int32_t* parent = parent_.data();
  size_t n = 0, prev_begin = 0, prev_end = 0;
  for (int y = 0; y < height; ++y) {
    const uint8_t* row = bm + static_cast<size_t>(y) * width;
    const size_t begin = n;
    for (int x = 0; x < width;) {
      if (!row[x]) {
        ++x;
        continue;
      }
      int e = x;
      while (e + 1 < width && row[e + 1]) ++e;
      runs[n] = Run{static_cast<uint16_t>(x), static_cast<uint16_t>(e), y};
      parent[n] = static_cast<int32_t>(n);
      ++n;
      x = e + 1;
    }
    // 8-connectivity: runs of adjacent rows touch when their x ranges,
    // widened by one pixel, overlap. Two pointers over both rows.
    size_t p = prev_begin;
    for (size_t r = begin; r < n; ++r) {
      while (p < prev_end && runs[p].x1 + 1 < runs[r].x0) ++p;
      for (size_t q = p; q < prev_end && runs[q].x0 <= runs[r].x1 + 1; ++q) {
        unite(parent, static_cast<int32_t>(q), static_cast<int32_t>(r));
      }
    }
    prev_begin = begin;
    prev_end = n;
  }
  n_runs_ = n;
}

void DbPostprocessor::group_runs() {
  int32_t* parent = parent_.data();
  int32_t* start = comp_start_.data();
  // Components numbered by their first run (raster order); parent_ then
  // holds each run's component (a root is resolved before its members).
  size_t nc = 0;
  for (size_t i = 0; i < n_runs_; ++i) {
    const int32_t root = find_root(parent, static_cast<int32_t>(i));
    if (root == static_cast<int32_t>(i)) {
      order_[i] = static_cast<int32_t>(nc++);  // order_ as scratch: the root's component
    } else {
      order_[i] = order_[static_cast<size_t>(root)];
    }
  }
  for (size_t i = 0; i < n_runs_; ++i) parent[i] = order_[i];
  // Counting sort by component; stable, so raster order within each.
  std::fill(start, start + nc + 1, 0);
  for (size_t i = 0; i < n_runs_; ++i) ++start[parent[i] + 1];
  for (size_t c = 0; c < nc; ++c) start[c + 1] += start[c];
  // order_ is rebuilt using comp_start_ as cursors, then the cursors are restored.
  for (size_t i = 0; i < n_runs_; ++i) order_[static_cast<size_t>(start[parent[i]]++)] = static_cast<int32_t>(i);
  for (size_t c = nc; c > 0; --c) start[c] = start[c - 1];
  start[0] = 0;
  n_components_ = nc;
}

void DbPostprocessor::box_of_component(size_t c, const float* prob, int height, int width, int dest_height,
                                       int dest_width) {
  const Run* runs = runs_.data();
  const int32_t* order = order_.data();
  Point2i* pts = points_.data();
  // The leftmost and rightmost pixel of each of the component's rows (its
  // runs come in raster order): the hull of the blob is theirs.
  int np = 0;
  for (int32_t k = comp_start_[c]; k < comp_start_[c + 1];) {
    const Run& first = runs[order[k]];
    int32_t last = k;
    while (last + 1 < comp_start_[c + 1] && runs[order[last + 1]].y == first.y) ++last;
    pts[np++] = Point2i{first.x0, first.y};
    const Run& end = runs[order[last]];
    if (end.x1 != first.x0) pts[np++] = Point2i{end.x1, first.y};
    k = last + 1;
  }
  int nh = convex_hull_sorted(pts, np, hull_.data());
  const MiniBox box = mini_box(hull_.data(), nh, calipers_.data());
  if (box.min_side < 3) return;  // DBPostProcess.min_size
  const double score = box_score_fast(prob, height, width, box.points, mask_.data());
  if (options_.box_thresh > score) return;
  const int nu = unclip(box.points, options_.unclip_ratio, unclipped_.data(), static_cast<int>(unclipped_.size()));
  if (nu <= 0) return;  // pyclipper returned nothing (or more than kMaxUnclipVertices)
  std::sort(unclipped_.begin(), unclipped_.begin() + nu, before_yx);
  nh = convex_hull_sorted(unclipped_.data(), nu, hull_.data());
  const MiniBox grown = mini_box(hull_.data(), nh, calipers_.data());
  if (grown.min_side < 3 + 2) return;
  TextBox& out = boxes_[n_boxes_++];
  for (int i = 0; i < 4; ++i) {
    // np.round(x / width * dest_width) in float32, half to even, then clipped.
    float x = grown.points[i].x / static_cast<float>(width) * static_cast<float>(dest_width);
    float y = grown.points[i].y / static_cast<float>(height) * static_cast<float>(dest_height);
    x = std::min(std::max(std::nearbyint(x), 0.f), static_cast<float>(dest_width));
    y = std::min(std::max(std::nearbyint(y), 0.f), static_cast<float>(dest_height));
    out.points[i] = Point2f{x, y};
  }
  out.score = score;
}

size_t DbPostprocessor::buffer_bytes() const {
  return bitmap_.size() + mask_.size() + runs_.size() * sizeof(Run) + parent_.size() * sizeof(int32_t) +
         comp_start_.size() * sizeof(int32_t) + order_.size() * sizeof(int32_t) + points_.size() * sizeof(Point2i) +
         hull_.size() * sizeof(Point2i) + calipers_.size() * sizeof(Point2f) + unclipped_.size() * sizeof(Point2i) +
         (boxes_.size() + final_.size()) * sizeof(TextBox);
}

Status DbPostprocessor::run(const float* prob, int height, int width, int dest_height, int dest_width) {
  n_boxes_ = n_final_ = n_runs_ = n_components_ = 0;
  EA_ENSURE(prob != nullptr && height > 0 && width > 0, StatusCode::kInvalidArgument,
            "DB map: empty (%d x %d) or null", height, width);
  EA_ENSURE(dest_height > 0 && dest_width > 0, StatusCode::kInvalidArgument, "DB destination %d x %d is empty",
            dest_height, dest_width);
  EA_ENSURE(height <= options_.max_map_height && width <= options_.max_map_width, StatusCode::kOutOfRange,
            "DB map %d x %d exceeds the planned %d x %d", height, width, options_.max_map_height,
            options_.max_map_width);
  binarize(prob, height, width);
  label(height, width);
  group_runs();
  // findContours' order is last-found first: components from the last
  // topmost-leftmost pixel back, at most max_candidates of them.
  const size_t nc = n_components_;
  const size_t take = std::min(nc, static_cast<size_t>(options_.max_candidates));
  for (size_t i = 0; i < take; ++i) box_of_component(nc - 1 - i, prob, height, width, dest_height, dest_width);
  for (size_t i = 0; i < n_boxes_; ++i) final_[i] = boxes_[i];
  n_final_ = filter_text_boxes(final_.data(), n_boxes_, dest_height, dest_width);
  sort_text_boxes(final_.data(), n_final_);
  return Status::ok();
}

}  // namespace ocr
}  // namespace edgeattn
