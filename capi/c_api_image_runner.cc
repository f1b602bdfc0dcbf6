// The C API's image runner (capi/edgeattn.h: edgeattn_image_runner) over the
// C++ ImageRunner of runtime/tasks/image_runner.h. Each entry point checks
// its pointers, converts the C structs and calls the C++ task; outputs and
// classes are read in place from the task.
#include <memory>

#include "capi/c_api_internal.h"
#include "capi/edgeattn.h"
#include "runtime/tasks/image_runner.h"

using edgeattn::ImageClass;
using edgeattn::ImageInfo;
using edgeattn::ImageRunner;
using edgeattn::ImageRunnerOptions;
using edgeattn::Span;
using edgeattn::Status;
using edgeattn::capi::ok;
using edgeattn::capi::record;
using edgeattn::capi::result_of;
using edgeattn::capi::to_c;
using edgeattn::ocr::ImageView;

struct edgeattn_image_runner {
  std::unique_ptr<ImageRunner> runner;
};

namespace {

// The most images one call converts: max_batch's bound (256) and, above the
// verifier's 64 frames, every clip. On the stack: run calls allocate nothing.
constexpr size_t kMaxImages = 256;

// C images as C++ views into `views` (kMaxImages of them).
Status to_views(const edgeattn_image* images, size_t count, const char* what, ImageView* views) {
  EA_ENSURE(images != nullptr || count == 0, edgeattn::StatusCode::kInvalidArgument, "%s is NULL", what);
  EA_ENSURE(count <= kMaxImages, edgeattn::StatusCode::kInvalidArgument, "%zu %s, at most %zu", count, what,
            kMaxImages);
  for (size_t i = 0; i < count; ++i) {
    views[i] = ImageView{images[i].rgb, images[i].width, images[i].height, images[i].stride};
  }
  return Status::ok();
}

}  // namespace

extern "C" {

edgeattn_image_runner_options edgeattn_image_runner_options_default(void) EDGEATTN_NOEXCEPT {
  const ImageRunnerOptions d;
  edgeattn_image_runner_options o;
  o.threads = d.threads;
  o.kernels = d.kernels;
  o.method = d.method;
  o.max_batch = d.max_batch;
  o.softmax = d.softmax ? 1 : 0;
  return o;
}

edgeattn_status edgeattn_image_runner_create(const edgeattn_model* model, const edgeattn_image_runner_options* options,
                                             edgeattn_image_runner** out) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(out != nullptr, "out is NULL");
  *out = nullptr;
  EA_C_CHECK(model != nullptr, "model is NULL");
  const edgeattn_image_runner_options o = options != nullptr ? *options : edgeattn_image_runner_options_default();
  ImageRunnerOptions t;
  t.threads = o.threads;
  t.kernels = o.kernels;
  t.method = o.method;
  t.max_batch = o.max_batch;
  t.softmax = o.softmax != 0;
  return edgeattn::capi::adopt(ImageRunner::create(*model->model, t), &edgeattn_image_runner::runner,
                               "an image runner handle", out);
}

void edgeattn_image_runner_destroy(edgeattn_image_runner* runner) EDGEATTN_NOEXCEPT { delete runner; }

edgeattn_status edgeattn_image_runner_info(const edgeattn_image_runner* runner,
                                           edgeattn_image_info* info) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(runner != nullptr && info != nullptr, "runner or info is NULL");
  const ImageInfo& im = runner->runner->image_info();
  info->height = im.height;
  info->width = im.width;
  info->channels = im.channels;
  info->frames = im.frames;
  info->bgr = im.bgr ? 1 : 0;
  info->resize = edgeattn::image_resize_name(im.resize);
  info->label_count = im.labels.size();
  return ok();
}

const char* edgeattn_image_runner_label(const edgeattn_image_runner* runner, size_t index) EDGEATTN_NOEXCEPT {
  if (runner == nullptr) return nullptr;
  const Span<const std::string_view> labels = runner->runner->image_info().labels;
  return index < labels.size() ? labels[index].data() : nullptr;  // NUL-terminated in the model
}

edgeattn_status edgeattn_image_runner_run(edgeattn_image_runner* runner, const uint8_t* rgb, int width, int height,
                                          size_t stride) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(runner != nullptr, "runner is NULL");
  return result_of(runner->runner->run(ImageView{rgb, width, height, stride}));
}

edgeattn_status edgeattn_image_runner_run_clip(edgeattn_image_runner* runner, const edgeattn_image* frames,
                                               size_t count) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(runner != nullptr, "runner is NULL");
  ImageView views[kMaxImages];
  const Status s = to_views(frames, count, "frames", views);
  if (!s.is_ok()) return record(s);
  return result_of(runner->runner->run_clip(Span<const ImageView>(views, count)));
}

edgeattn_status edgeattn_image_runner_run_batch(edgeattn_image_runner* runner, const edgeattn_image* images,
                                                size_t count) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(runner != nullptr, "runner is NULL");
  ImageView views[kMaxImages];
  const Status s = to_views(images, count, "images", views);
  if (!s.is_ok()) return record(s);
  return result_of(runner->runner->run_batch(Span<const ImageView>(views, count)));
}

size_t edgeattn_image_runner_output_count(const edgeattn_image_runner* runner) EDGEATTN_NOEXCEPT {
  return runner != nullptr ? runner->runner->outputs().size() : 0;
}

edgeattn_status edgeattn_image_runner_output(const edgeattn_image_runner* runner, size_t index,
                                             edgeattn_tensor* out) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(runner != nullptr && out != nullptr, "runner or out is NULL");
  const Span<const edgeattn::TensorView> outputs = runner->runner->outputs();
  if (index >= outputs.size()) {
    return record(Status::error(edgeattn::StatusCode::kOutOfRange, "output %zu of %zu (the last run has %zu)", index,
                                outputs.size(), outputs.size()));
  }
  const edgeattn::TensorView& v = outputs[index];
  out->dtype = static_cast<edgeattn_dtype>(v.dtype);
  out->rank = v.rank;
  for (int i = 0; i < EDGEATTN_MAX_RANK; ++i) out->shape[i] = i < v.rank ? v.shape[i] : 0;
  out->data = v.data;
  return ok();
}

edgeattn_status edgeattn_image_runner_top_k(edgeattn_image_runner* runner, int k, int row, edgeattn_image_class* out,
                                            size_t capacity, size_t* count) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(runner != nullptr && count != nullptr && (out != nullptr || capacity == 0),
             "runner, out or count is NULL");
  *count = 0;
  edgeattn::Result<Span<const ImageClass>> top = runner->runner->top_k(k, row);
  if (!top.is_ok()) return record(top.status());
  const size_t n = top->size() < capacity ? top->size() : capacity;
  for (size_t i = 0; i < n; ++i) {
    const ImageClass& c = (*top)[i];
    out[i].index = c.index;
    out[i].label = c.label.data() != nullptr ? c.label.data() : "";
    out[i].probability = c.probability;
    out[i].score = c.score;
  }
  *count = n;
  return ok();
}

edgeattn_status edgeattn_image_runner_last_stats(const edgeattn_image_runner* runner,
                                                 edgeattn_image_run_stats* stats) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(runner != nullptr && stats != nullptr, "runner or stats is NULL");
  const edgeattn::ImageRunStats& s = runner->runner->stats();
  stats->preprocess_ms = s.preprocess_ms;
  stats->invoke_ms = s.invoke_ms;
  stats->total_ms = s.total_ms;
  stats->images = s.images;
  return ok();
}

edgeattn_status edgeattn_image_runner_memory(const edgeattn_image_runner* runner, edgeattn_memory_stats* session,
                                             size_t* buffer_bytes) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(runner != nullptr, "runner is NULL");
  const edgeattn::ImageRunnerMemory m = runner->runner->memory();
  if (session != nullptr) *session = to_c(m.session);
  if (buffer_bytes != nullptr) *buffer_bytes = m.buffer_bytes;
  return ok();
}

}  // extern "C"
