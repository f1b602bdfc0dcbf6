// ImageRunner: 8-bit RGB images in, an image model's output tensors out
// (a classifier's class scores, a segmentation or saliency map, a clip
// model's prediction), with the preprocessing the model file stores
// (ModelInfo::image, written by edgeattn-convert's --image-* options).
//
// run(image) resizes the image to the model's height x width (Stretch,
// Letterbox or CenterCrop; bilinear, half-pixel centres), converts it to
// gray for a 1-channel model, normalizes x = (p / 255 - mean[c]) / std[c]
// and writes the method's input [1, height, width, channels] (NHWC, as the
// ONNX importer lays it out), then invokes the session once
// (runtime/tasks/image/preprocess.h has the exact rules). A clip model
// (frames T > 1) takes T images at once through run_clip(): frame t fills
// input channels t x channels .. (t + 1) x channels - 1, e.g. [1, H, W, T]
// for T gray frames. run_batch() runs up to max_batch single images in one
// invoke.
//
// outputs() are views of the method's output tensors (shape and float
// data, inside the session's arena) until the next run. top_k() reads the
// first output as class scores [batch, n] and returns the k most probable
// classes of a row (softmax over the n scores, unless the model already
// outputs probabilities: ImageRunnerOptions::softmax = false), with the
// model's label for each.
//
// Memory: create() plans the session at the model's image size and
// max_batch and allocates the input and the top_k buffers; run(),
// run_clip(), run_batch() and top_k() allocate nothing.
//
// Example:
//   EA_ASSIGN_OR_RETURN(std::unique_ptr<ImageRunner> r, ImageRunner::create(*model, {}));
//   EA_RETURN_IF_ERROR(r->run(ocr::ImageView{rgb, width, height, 3 * size_t(width)}));
//   EA_ASSIGN_OR_RETURN(Span<const ImageClass> best, r->top_k(5));
//   for (const ImageClass& c : best) printf("%.3f %s\n", c.probability, c.label.data());
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include "runtime/core/span.h"
#include "runtime/core/status.h"
#include "runtime/model.h"
#include "runtime/session.h"
#include "runtime/tasks/image/preprocess.h"
#include "runtime/tasks/ocr/image.h"

namespace edgeattn {
namespace internal {
struct ImageRunnerState;  // runtime/tasks/image_runner.cc
}  // namespace internal

struct ImageRunnerOptions {
  int threads = 1;
  const char* kernels = nullptr;  // as SessionOptions::kernels
  // The method to run; nullptr: "forward" when the model has it, else its
  // first method. Read only during create().
  const char* method = nullptr;
  int max_batch = 1;              // images (or clips) per run_batch(), 1 .. 256
  bool softmax = true;            // top_k(): probabilities = softmax(scores); false: the scores are probabilities
};

// One class of top_k().
struct ImageClass {
  int index = 0;            // into the first output's last axis (and ModelInfo::image.labels)
  std::string_view label;   // the model's label ("" without labels); data() is NUL-terminated
  float probability = 0.f;  // softmax over the row (or the score itself, softmax = false)
  float score = 0.f;        // the output value
};

struct ImageRunStats {
  double preprocess_ms = 0.0;  // resize, gray, normalize, layout
  double invoke_ms = 0.0;
  double total_ms = 0.0;
  int images = 0;              // images preprocessed by the last run
};

// What an ImageRunner holds, fixed since create().
struct ImageRunnerMemory {
  MemoryStats session;
  size_t buffer_bytes = 0;  // the input, column taps and top_k buffers
  size_t total_bytes() const { return session.arena_bytes + buffer_bytes; }
};

class ImageRunner {
 public:
  // The model needs image preprocessing (ModelInfo::image.present) and a
  // method with one f32 input [B, height, width, frames x channels] (height
  // and width fixed to the model's, or image dims that accept them); it must
  // outlive the runner. kInvalidArgument for a model without image metadata
  // or bad options, kInvalidModel for a method that does not match it.
  static Result<std::unique_ptr<ImageRunner>> create(const Model& model, const ImageRunnerOptions& options);
  ~ImageRunner();
  ImageRunner(const ImageRunner&) = delete;
  ImageRunner& operator=(const ImageRunner&) = delete;

  // One image (8-bit RGB, 1 .. image::kMaxImageSide pixels a side) through
  // the model; for a model of one frame. kInvalidArgument for an empty,
  // oversized or badly strided image, or a clip model (use run_clip()).
  Status run(const ocr::ImageView& image);
  // One clip: exactly ModelInfo::image.frames images, frame t first.
  // kInvalidArgument for another count or a bad frame (naming it).
  Status run_clip(Span<const ocr::ImageView> frames);
  // 1 .. max_batch images of a one-frame model in one invoke (output row b
  // is image b).
  Status run_batch(Span<const ocr::ImageView> images);

  // The last run's outputs (method output order); empty before the first
  // run and after a failed one. Valid until the next run.
  Span<const TensorView> outputs() const;
  // The k (>= 1; more than n gives n) most probable classes of row `row` of
  // the first output, read as scores [batch, n]: probability descending,
  // ties by index. Valid until the next run or top_k(). kInvalidArgument
  // before a run, for k < 1 or a row beyond the last run's batch;
  // kInvalidModel when the first output is not [batch, n].
  Result<Span<const ImageClass>> top_k(int k, int row = 0);

  const ImageInfo& image_info() const;
  const ImageRunStats& stats() const;
  ImageRunnerMemory memory() const;
  const Session& session() const;

 private:
  ImageRunner() = default;
  Status finish_run(int batch, double preprocess_ms, int images);
  std::unique_ptr<internal::ImageRunnerState> s_;
};

}  // namespace edgeattn
