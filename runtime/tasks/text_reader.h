// TextReader: an RGB image in, its lines of text out (OCR), with the PP-OCR
// networks RapidOCR 1.4.4 ships (a DB text detector, a 0/180-degree
// direction classifier, a CTC text recognizer) converted into one .eatn with
// methods "det", "cls" and "rec" and the recognizer's characters as the
// model's tokenizer (kind CtcCharacters: "blank", the characters, " ").
//
// read() runs RapidOCR's pipeline (main.py, config.yaml defaults; each step
// in runtime/tasks/ocr/, matched against RapidOCR's own functions):
//
//   letterbox     an image at most min_height (30) high or wider than
//                 width_height_ratio (8) x its height gets black bands
//                 above and below (maybe_add_letterbox);
//   det           resized (cv2 bilinear) to RapidOCR's detector size (short
//                 side to 736, sides multiples of 32), capped at max_side:
//                 a larger image is scaled down, never rejected;
//   post          DB post-processing -> boxes, filtered, in reading order;
//   crops         each box warped upright (get_rotate_crop_image);
//   cls           a crop whose classifier says '180' with > cls_thresh is
//                 turned by 180 degrees (classify_angle);
//   rec           each crop resized to height 48 and width ceil(48 w / h),
//                 zero-padded to at least 320 (RapidOCR's batch minimum)
//                 and to a multiple of 8, one line per invoke; lines wider
//                 than max_line_width are resized down to it;
//   decode        CTC greedy; lines scoring below text_score are dropped.
//
// Lines come back in reading order with their text (UTF-8), their box in
// source-image pixels (letterbox removed, clipped to the image, as
// _get_origin_points), the recognizer's confidence and whether the
// classifier turned them. Differences from RapidOCR: the network inputs are
// resampled once from the source image (RapidOCR resamples twice for
// images with a side above max_side_len or below min_side_len); the
// classifier and recognizer run one line per invoke (RapidOCR batches 6,
// the recognizer's padded to the widest of the batch); the detector is
// capped at max_side; at most max_lines lines are read per image (the
// first in reading order; stats().dropped counts the rest).
//
// Channel order: the caller gives RGB; the networks see BGR, as RapidOCR
// feeds them (it reads files with OpenCV).
//
// Memory: create() makes the three sessions (det planned at max_side x
// max_side, rec at 48 x max_line_width) and every buffer (the detector's
// input, a letterbox image and a crop of max_side x max_side pixels each,
// the lines and their text); read() allocates nothing. A letterbox image
// or a crop larger than its buffer is resampled down to fit.
//
// Example:
//   TextReaderOptions o; o.threads = 2;
//   EA_ASSIGN_OR_RETURN(std::unique_ptr<TextReader> r, TextReader::create(*model, o));
//   EA_RETURN_IF_ERROR(r->read(ocr::ImageView{rgb, width, height, 3 * size_t(width)}));
//   for (const TextLine& l : r->lines())
//     printf("%.*s (%.2f)\n", int(l.text.size()), l.text.data(), l.confidence);
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include "runtime/core/span.h"
#include "runtime/core/status.h"
#include "runtime/model.h"
#include "runtime/session.h"
#include "runtime/tasks/ocr/box_geometry.h"
#include "runtime/tasks/ocr/image.h"

namespace edgeattn {
namespace internal {
struct TextReaderState;  // runtime/tasks/text_reader.cc
}  // namespace internal

struct TextReaderOptions {
  int max_side = 960;          // the detector's planned largest side (multiple of 32, 32 .. 4096)
  int max_lines = 64;          // lines recognized per image (1 .. 4096)
  int max_line_width = 1280;   // the recognizer's planned width (multiple of 8, 320 .. 8192)
  bool classify_angle = true;  // run the 0/180-degree classifier on each line
  int threads = 1;
  const char* kernels = nullptr;  // as SessionOptions::kernels
  bool profile = false;           // SessionOptions::profile for the three sessions (see session())
  // RapidOCR's config.yaml: Det, Cls, Rec and Global.
  int limit_side_len = 736;      // Det: the short side is raised to this (limit_type min)
  int max_side_len = 2000;       // Global: a longer side is reduced to this first
  int min_side_len = 30;         // Global: a shorter side is raised to this first
  float det_thresh = 0.3f;       // Det thresh: the probability map's binarization
  double box_thresh = 0.5;       // Det: boxes with a lower mean probability are dropped
  int max_candidates = 1000;     // Det
  double unclip_ratio = 1.6;     // Det
  bool use_dilation = true;      // Det
  double cls_thresh = 0.9;       // Cls: turn a line when P(180) exceeds this
  double text_score = 0.5;       // Global: lines with a lower confidence are dropped
  int min_height = 30;           // Global: images at most this high get a letterbox
  double width_height_ratio = 8; // Global: images wider than this x their height too (-1: never)
};

struct TextLine {
  std::string_view text;    // UTF-8, inside the reader
  ocr::Point2f box[4];      // top-left, top-right, bottom-right, bottom-left, in source-image pixels
  float confidence = 0.f;   // the recognizer's mean probability of the kept characters
  bool rotated = false;     // the classifier turned the line by 180 degrees
};

struct TextReadStats {
  double det_ms = 0.0;   // letterbox, resize + normalize, the detector
  double post_ms = 0.0;  // DB post-processing, filter, reading order
  double cls_ms = 0.0;   // crops + the classifier
  double rec_ms = 0.0;   // recognizer inputs, the recognizer, CTC decoding
  double total_ms = 0.0;
  int det_height = 0;    // the detector's input size (0 x 0: the image had nothing to detect)
  int det_width = 0;
  bool capped = false;        // max_side reduced the detector's size
  bool letterboxed = false;   // bands were added above and below
  int boxes = 0;         // text boxes the detector found
  int dropped = 0;       // boxes beyond max_lines, not read
  int rejected = 0;      // lines below text_score
  int rotated = 0;       // lines turned by the classifier
  int lines = 0;         // lines returned
};

// What a TextReader holds, fixed since create().
struct TextReaderMemory {
  MemoryStats det, cls, rec;  // the three sessions
  size_t buffer_bytes = 0;    // the task's own buffers (inputs, letterbox, crop, lines, text, post-processing)
  size_t arena_bytes() const { return det.arena_bytes + cls.arena_bytes + rec.arena_bytes; }
  size_t total_bytes() const { return arena_bytes() + buffer_bytes; }
};

class TextReader {
 public:
  // The model needs methods "det", "cls" and "rec" (as above) and a
  // CtcCharacters tokenizer, and must outlive the reader.
  static Result<std::unique_ptr<TextReader>> create(const Model& model, const TextReaderOptions& options);
  ~TextReader();
  TextReader(const TextReader&) = delete;
  TextReader& operator=(const TextReader&) = delete;

  // Reads the lines of `image` (8-bit RGB, any size). kInvalidArgument for
  // a null or empty image or a stride below 3 x width. An image with no
  // text is ok with no lines.
  Status read(const ocr::ImageView& image);

  // The last read's lines, in reading order; valid until the next read().
  Span<const TextLine> lines() const;
  const TextReadStats& stats() const;
  TextReaderMemory memory() const;
  const TextReaderOptions& options() const;
  // The session running method "det", "cls" or "rec" (for its memory() and,
  // with TextReaderOptions::profile, op_times_ns()); nullptr for another name.
  const Session* session(const char* method) const;
  // Zeroes the three sessions' op times (e.g. after a warm-up read).
  void reset_profile();

 private:
  TextReader() = default;
  std::unique_ptr<internal::TextReaderState> s_;
};

}  // namespace edgeattn
