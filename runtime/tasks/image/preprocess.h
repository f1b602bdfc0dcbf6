// Image preprocessing for image models: an 8-bit RGB image -> one frame of
// a network's float input, as the model's ImagePreprocess says
// (ModelInfo::image; schema/README.md "Image models").
//
// The steps, per output pixel (y, x) of the height x width frame:
//   place      where the image lands (place()): Stretch maps it onto the
//              whole frame; Letterbox scales it by min(height / h, width / w)
//              to round(h s) x round(w s), centred (offsets floored), black
//              (p = 0) around; CenterCrop scales it by max(...) to cover the
//              frame and keeps the centre (offsets floored);
//   sample     bilinear with half-pixel centres, as torchvision / OpenCV /
//              ONNX Resize "half_pixel" on a source clamped at its edges:
//              source coordinate s = (i + 0.5) n / m - 0.5 for index i of
//              the resized size m of a source side n, clamped to [0, n - 1];
//              the two neighbours floor(s) and floor(s) + 1 (clamped) are
//              blended in float, with no rounding to 8 bits in between
//              (so an image of exactly the frame's size passes unchanged);
//   gray       channels == 1: each source pixel first becomes its ITU-R
//              BT.601 luma rounded to an integer, (299 R + 587 G + 114 B +
//              500) / 1000 (as PIL's convert("L") up to its fixed-point
//              rounding), then is sampled;
//   normalize  x = (p / 255 - mean[c]) / std[c] in float, c in the
//              network's channel order (bgr: B, G, R).
//
// The frame is written into an NHWC tensor whose pixels are pixel_stride
// floats apart (frames x channels for a clip), starting at the frame's first
// channel. No allocation: the column taps go to a caller buffer of `width`
// entries (ImageRunner sizes it at create()).
//
// Example:
//   PreprocessSpec spec;            // from ModelInfo::image
//   spec.height = spec.width = 224;
//   ColumnTap taps[224];
//   float input[224 * 224 * 3];     // [224, 224, 3]
//   EA_RETURN_IF_ERROR(preprocess_frame(img, spec, Span<ColumnTap>(taps, 224), input, 3));
#pragma once

#include <cstddef>
#include <cstdint>

#include "runtime/core/span.h"
#include "runtime/core/status.h"
#include "runtime/model_info.h"
#include "runtime/tasks/ocr/image.h"

namespace edgeattn {
namespace image {

// The largest image side preprocess_frame() takes (pixels). Far above any
// camera frame; keeps every coordinate product inside 32-bit ints.
constexpr int kMaxImageSide = 16384;

struct PreprocessSpec {
  int height = 0;    // the frame, pixels
  int width = 0;
  int channels = 3;  // 1 (gray) or 3
  bool bgr = false;  // 3 channels as B, G, R
  ImageResize resize = ImageResize::kStretch;
  float mean[3] = {0.f, 0.f, 0.f};  // [channels]
  float std[3] = {1.f, 1.f, 1.f};   // [channels], nonzero
};

// The spec ModelInfo::image describes (present, verified at load).
PreprocessSpec spec_of(const ImageInfo& info);

// Where an image of source_height x source_width lands in the frame: the
// image is resized (virtually) to resized_height x resized_width, and frame
// pixel (y, x) shows resized pixel (y + offset_y, x + offset_x) when that
// lies inside the resized image (Letterbox: negative offsets, black
// elsewhere; CenterCrop: positive offsets, the crop).
struct Placement {
  int resized_height = 0;
  int resized_width = 0;
  int offset_y = 0;
  int offset_x = 0;
};
Placement place(int source_height, int source_width, int height, int width, ImageResize resize);

// One output column's two source columns and the second one's weight.
struct ColumnTap {
  int x0 = 0;       // source column of weight 1 - f
  int x1 = 0;       // source column of weight f
  float f = 0.f;
  bool pad = false;  // outside the placed image (Letterbox): black
};

// Checks an image for preprocess_frame(): pixels set, 1 .. kMaxImageSide
// pixels a side, stride >= 3 x width. `what` names it in the message.
Status check_input_image(const ocr::ImageView& image, const char* what);

// Writes `image` as one frame into dst: pixel (y, x) channel c of the frame
// at dst[(y * spec.width + x) * pixel_stride + c]. column_taps needs
// spec.width entries. kInvalidArgument for a bad image, spec or buffer.
Status preprocess_frame(const ocr::ImageView& image, const PreprocessSpec& spec, Span<ColumnTap> column_taps,
                        float* dst, size_t pixel_stride);

}  // namespace image
}  // namespace edgeattn
