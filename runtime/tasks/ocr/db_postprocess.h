// DB post-processing (Differentiable Binarization, PP-OCR's text detector):
// the detector's probability map -> text boxes in source-image pixels, as
// RapidOCR 1.4.4's DBPostProcess with config.yaml's parameters, followed by
// its filter and reading order (text_boxes.h).
//
// Steps: p > thresh; dilation with a 2x2 kernel (cv2.dilate, anchor at the
// kernel's centre: a pixel is set when it or its left, upper or upper-left
// neighbour is); blobs; per blob the minimum-area rectangle (box_geometry.h),
// skipped when its short side is below 3; the mean probability inside it
// (box_score_fast), skipped below box_thresh; unclip by area x 1.6 /
// perimeter with round joins; the minimum-area rectangle again, skipped
// below 3 + 2; corners scaled to the destination (x / width x dest_width
// in float32, rounded half to even, clipped to [0, dest_width]).
//
// Blobs: RapidOCR takes cv2.findContours(RETR_LIST) contours. We label
// 8-connected components of the bitmap (findContours' foreground
// connectivity) and use the extreme pixels of each row: a component's
// outer contour passes through exactly those extremes, so its convex hull,
// and with it minAreaRect and everything after, are the same. The order is
// too: findContours lists contours last-found first, and so do we (the
// component whose topmost-leftmost pixel comes last in raster order
// first); max_candidates keeps the first ones of that order. Not
// reproduced: RETR_LIST also lists the inner contour of every hole in a
// blob (a ring-shaped detection), which RapidOCR scores like a blob; those
// boxes lie inside their blob's box (text detections rarely have holes
// after dilation), and they count towards max_candidates there.
//
// Memory: create() sizes everything for max_map_height x max_map_width
// (the bitmap, 1 byte per pixel; the runs of the labeling, <= 16 bytes per
// pixel pair; the score mask, 1 byte per pixel) and max_candidates boxes;
// run() allocates nothing.
//
// Example:
//   DbOptions o; o.max_map_height = 1024; o.max_map_width = 1024;
//   EA_ASSIGN_OR_RETURN(std::unique_ptr<DbPostprocessor> db, DbPostprocessor::create(o));
//   EA_RETURN_IF_ERROR(db->run(prob, map_h, map_w, image_h, image_w));   // prob: [map_h, map_w]
//   for (const TextBox& b : db->text_boxes()) crop(b.points);            // reading order
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "runtime/core/fallible_vector.h"
#include "runtime/core/span.h"
#include "runtime/core/status.h"
#include "runtime/tasks/ocr/box_geometry.h"
#include "runtime/tasks/ocr/text_boxes.h"

namespace edgeattn {
namespace ocr {

struct DbOptions {
  float thresh = 0.3f;        // bitmap: p > thresh (compared in float32, as numpy does)
  double box_thresh = 0.5;    // boxes whose mean probability is below are dropped
  int max_candidates = 1000;  // blobs examined, in findContours' order
  double unclip_ratio = 1.6;
  bool use_dilation = true;
  int max_map_height = 1024;  // the largest map run() takes
  int max_map_width = 1024;
};

class DbPostprocessor {
 public:
  static Result<std::unique_ptr<DbPostprocessor>> create(const DbOptions& options);

  // prob: [height, width] probabilities (row-major). Boxes are scaled to a
  // dest_height x dest_width image. kOutOfRange for a map larger than
  // planned, kInvalidArgument for empty sizes or a null map.
  Status run(const float* prob, int height, int width, int dest_height, int dest_width);

  // DBPostProcess's output, in its order (before filter and reading order).
  Span<const TextBox> boxes() const { return Span<const TextBox>(boxes_.data(), n_boxes_); }
  // filter_text_boxes + sort_text_boxes of boxes(): what RapidOCR crops.
  Span<const TextBox> text_boxes() const { return Span<const TextBox>(final_.data(), n_final_); }
  // Blobs found in the last map (before max_candidates).
  size_t blob_count() const { return n_components_; }
  // Bytes of the buffers create() allocated (fixed since create()).
  size_t buffer_bytes() const;

 private:
  DbPostprocessor() = default;
  void binarize(const float* prob, int height, int width);
  void label(int height, int width);
  void group_runs();
  void box_of_component(size_t c, const float* prob, int height, int width, int dest_height, int dest_width);

  struct Run {
    uint16_t x0, x1;  // inclusive
    int32_t y;
  };

  DbOptions options_;
  Vector<uint8_t> bitmap_;     // [H, W] 1: set (after dilation)
  Vector<uint8_t> mask_;       // [H, W] box_score_fast's polygon mask
  Vector<Run> runs_;           // [H x ceil(W / 2)] set runs, raster order
  Vector<int32_t> parent_;     // [runs] union-find; then the run's component
  Vector<int32_t> comp_start_; // [runs + 1] first index in order_ of each component
  Vector<int32_t> order_;      // [runs] run indices grouped by component, raster order within
  Vector<Point2i> points_;     // [2 H] a component's row extremes, sorted by (y, x)
  Vector<Point2i> hull_;       // [4 H + 1] convex hull working space
  Vector<Point2f> calipers_;   // [3 x (4 H + 1)] mini_box scratch
  Vector<Point2i> unclipped_;  // [kMaxUnclipVertices]
  Vector<TextBox> boxes_;      // [max_candidates]
  Vector<TextBox> final_;      // [max_candidates]
  size_t n_runs_ = 0, n_components_ = 0, n_boxes_ = 0, n_final_ = 0;
};

}  // namespace ocr
}  // namespace edgeattn
