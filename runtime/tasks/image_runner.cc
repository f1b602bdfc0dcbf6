#include "runtime/tasks/image_runner.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <new>

#include "runtime/core/fallible_vector.h"

namespace edgeattn {

namespace internal {

struct ImageRunnerState {
  const Model* model = nullptr;  // must outlive the runner
  ImageRunnerOptions options;
  ImageInfo info;                // the model's (spans into the model)
  image::PreprocessSpec spec;
  std::unique_ptr<Session> session;
  int input_channels = 0;        // frames x channels
  size_t frame_floats = 0;       // height x width x input_channels: one batch row of the input
  int image_height = 0;          // InvokeInput::image_height / _width for inputs with image dims
  int image_width = 0;
  Vector<float> input;                // [max_batch, height, width, input_channels]
  Vector<image::ColumnTap> taps;      // [width]
  Vector<TensorView> outputs;         // [method outputs]
  size_t valid_outputs = 0;           // outputs of the last successful run (0: none)
  int batch = 0;                      // rows of the last run
  int n_classes = 0;                  // the first output is [batch, n_classes]; 0 if it is not
  Vector<ImageClass> classes;         // [n_classes], top_k's working order
  ImageRunStats stats;
  size_t buffer_bytes = 0;
};

}  // namespace internal

namespace {

using State = internal::ImageRunnerState;
using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

const MethodInfo* pick_method(const ModelInfo& info, const char* name) {
  if (name != nullptr) return info.find_method(name);
  if (const MethodInfo* f = info.find_method("forward")) return f;
  return info.methods.empty() ? nullptr : &info.methods[0];
}

// An input dim that must hold `size` pixels: Fixed == size, or an image dim
// (Height / Width with divisor d, then the session's image side is size x d).
Status image_side(const DimSpec& d, DimKind image_kind, int size, const char* method, const char* what, int* side) {
  if (d.kind == DimKind::kFixed) {
    EA_ENSURE(d.value == size, StatusCode::kInvalidModel,
              "method '%s': the input's %s is %lld, the model's image preprocessing says %d", method, what,
              static_cast<long long>(d.value), size);
    *side = 0;
    return Status::ok();
  }
  EA_ENSURE(d.kind == image_kind && d.value >= 1 && static_cast<int64_t>(size) * d.value <= image::kMaxImageSide,
            StatusCode::kInvalidModel, "method '%s': the input's %s must be fixed or an image dim", method, what);
  *side = static_cast<int>(size * d.value);
  return Status::ok();
}

// The method's one input must be the image tensor [B, height, width, frames x channels].
Status check_input(const MethodInfo& m, State& s) {
  EA_ENSURE(m.inputs.size() == 1, StatusCode::kInvalidModel,
            "method '%s' has %zu inputs; an image model takes one image tensor", m.name, m.inputs.size());
  const TensorInfo& in = m.inputs[0];
  // A model exported for one sample (dim 0 fixed to 1, e.g. a clip model) runs one image or clip at a time.
  const bool one = in.dims[0].kind == DimKind::kFixed && in.dims[0].value == 1;
  EA_ENSURE(in.dtype == DType::kF32 && in.rank == 4 && (in.dims[0].kind == DimKind::kBatch || one),
            StatusCode::kInvalidModel, "method '%s': input '%s' must be f32 [batch, height, width, channels]", m.name,
            in.name);
  if (one) s.options.max_batch = 1;
  EA_RETURN_IF_ERROR(image_side(in.dims[1], DimKind::kHeight, s.info.height, m.name, "height", &s.image_height));
  EA_RETURN_IF_ERROR(image_side(in.dims[2], DimKind::kWidth, s.info.width, m.name, "width", &s.image_width));
  s.input_channels = s.info.frames * s.info.channels;
  EA_ENSURE(in.dims[3].kind == DimKind::kFixed && in.dims[3].value == s.input_channels, StatusCode::kInvalidModel,
            "method '%s': input '%s' needs %d channels (%d frames x %d), has %s%lld", m.name, in.name,
            s.input_channels, s.info.frames, s.info.channels, in.dims[3].kind == DimKind::kFixed ? "" : "symbolic ",
            static_cast<long long>(in.dims[3].value));
  return Status::ok();
}

// The first output as class scores: [batch, n] with n fixed, n matching the
// labels when the model has them.
Status classes_of(const MethodInfo& m, const ImageInfo& info, int* n_classes) {
  *n_classes = 0;
  if (!m.outputs.empty()) {
    const TensorInfo& out = m.outputs[0];
    const bool scores = out.rank == 2 && (out.dims[0].kind == DimKind::kBatch ||
                                          (out.dims[0].kind == DimKind::kFixed && out.dims[0].value == 1)) &&
                        out.dims[1].kind == DimKind::kFixed && out.dims[1].value >= 1 && out.dims[1].value <= (1 << 24);
    if (scores) *n_classes = static_cast<int>(out.dims[1].value);
  }
  EA_ENSURE(info.labels.empty() || static_cast<size_t>(*n_classes) == info.labels.size(), StatusCode::kInvalidModel,
            "method '%s': the model has %zu labels, its first output has %d classes (needs [batch, %zu])", m.name,
            info.labels.size(), *n_classes, info.labels.size());
  return Status::ok();
}

Status make_session(const Model& model, const MethodInfo& m, State& s) {
  SessionOptions so;
  so.method = m.name;
  so.threads = s.options.threads;
  so.kernels = s.options.kernels;
  so.max_batch = s.options.max_batch;
  so.max_image_height = s.image_height;
  so.max_image_width = s.image_width;
  EA_ASSIGN_OR_RETURN(s.session, Session::create(model, so));
  const int64_t mh = s.session->image_multiple_height(), mw = s.session->image_multiple_width();
  EA_ENSURE((mh == 0 || s.image_height % mh == 0) && (mw == 0 || s.image_width % mw == 0), StatusCode::kInvalidModel,
            "method '%s' takes images whose sides are multiples of %lld x %lld; the model's size is %d x %d", m.name,
            static_cast<long long>(mh), static_cast<long long>(mw), s.info.height, s.info.width);
  return Status::ok();
}

Status allocate(State& s) {
  const size_t n = s.session->output_count();
  s.frame_floats = static_cast<size_t>(s.info.height) * static_cast<size_t>(s.info.width) *
                   static_cast<size_t>(s.input_channels);
  EA_RETURN_IF_ERROR(s.input.resize(s.frame_floats * static_cast<size_t>(s.options.max_batch), "the image input"));
  EA_RETURN_IF_ERROR(s.taps.resize(static_cast<size_t>(s.info.width), "the resize taps"));
  EA_RETURN_IF_ERROR(s.outputs.resize(n, "the output views"));
  EA_RETURN_IF_ERROR(s.classes.resize(static_cast<size_t>(s.n_classes), "the top-k classes"));
  s.buffer_bytes = s.input.size() * sizeof(float) + s.taps.size() * sizeof(image::ColumnTap) +
                   s.outputs.size() * sizeof(TensorView) + s.classes.size() * sizeof(ImageClass);
  return Status::ok();
}

// "[1, 4, 4, 1]" into buf (no allocation).
const char* shape_text(const TensorView& t, char* buf, size_t size) {
  size_t used = static_cast<size_t>(std::snprintf(buf, size, "["));
  for (int i = 0; i < t.rank && used < size; ++i) {
    used += static_cast<size_t>(
        std::snprintf(buf + used, size - used, i ? ", %lld" : "%lld", static_cast<long long>(t.shape[i])));
  }
  if (used < size) std::snprintf(buf + used, size - used, "]");
  return buf;
}

// Sort key of a probability: NaN (a broken output) ranks last, so the
// comparison stays a strict weak order.
inline float rank_key(float p) { return std::isnan(p) ? -INFINITY : p; }

}  // namespace

ImageRunner::~ImageRunner() = default;

const ImageInfo& ImageRunner::image_info() const { return s_->info; }
const ImageRunStats& ImageRunner::stats() const { return s_->stats; }
const Session& ImageRunner::session() const { return *s_->session; }

ImageRunnerMemory ImageRunner::memory() const {
  ImageRunnerMemory m;
  m.session = s_->session->memory();
  m.buffer_bytes = s_->buffer_bytes;
  return m;
}

Span<const TensorView> ImageRunner::outputs() const {
  return Span<const TensorView>(s_->outputs.data(), s_->valid_outputs);
}

Result<std::unique_ptr<ImageRunner>> ImageRunner::create(const Model& model, const ImageRunnerOptions& options) {
  const ModelInfo& info = model.info();
  EA_ENSURE(info.image.present, StatusCode::kInvalidArgument,
            "not an image model: the file has no image preprocessing (convert it with edgeattn-convert "
            "--image-size, --image-mean, --image-std)");
  EA_ENSURE(options.max_batch >= 1 && options.max_batch <= 256, StatusCode::kInvalidArgument,
            "max_batch %d not in [1, 256]", options.max_batch);
  const MethodInfo* m = pick_method(info, options.method);
  EA_ENSURE(m != nullptr, StatusCode::kInvalidArgument, "the model has no method '%s'",
            options.method != nullptr ? options.method : "forward");
  std::unique_ptr<ImageRunner> r(new (std::nothrow) ImageRunner());
  EA_ENSURE(r != nullptr, StatusCode::kOutOfMemory, "out of memory allocating the ImageRunner");
  r->s_.reset(new (std::nothrow) State());
  EA_ENSURE(r->s_ != nullptr, StatusCode::kOutOfMemory, "out of memory allocating the ImageRunner's state");
  State& s = *r->s_;
  s.model = &model;
  s.options = options;
  s.info = info.image;
  s.spec = image::spec_of(info.image);
  EA_RETURN_IF_ERROR(check_input(*m, s));
  EA_RETURN_IF_ERROR(classes_of(*m, s.info, &s.n_classes));
  EA_RETURN_IF_ERROR(make_session(model, *m, s));
  EA_RETURN_IF_ERROR(allocate(s));
  return r;
}

Status ImageRunner::run(const ocr::ImageView& image) {
  EA_ENSURE(s_->info.frames == 1, StatusCode::kInvalidArgument,
            "the model takes clips of %d frames: use run_clip() with %d images", s_->info.frames, s_->info.frames);
  return run_batch(Span<const ocr::ImageView>(&image, 1));
}

Status ImageRunner::run_batch(Span<const ocr::ImageView> images) {
  State& s = *s_;
  s.valid_outputs = 0;
  const auto start = Clock::now();
  EA_ENSURE(s.info.frames == 1, StatusCode::kInvalidArgument,
            "the model takes clips of %d frames: use run_clip()", s.info.frames);
  EA_ENSURE(!images.empty() && images.size() <= static_cast<size_t>(s.options.max_batch),
            StatusCode::kInvalidArgument, "%zu images given, the runner takes 1 to max_batch %d", images.size(),
            s.options.max_batch);
  const Span<image::ColumnTap> taps(s.taps.data(), s.taps.size());
  for (size_t b = 0; b < images.size(); ++b) {
    float* dst = s.input.data() + b * s.frame_floats;
    const Status st = image::preprocess_frame(images[b], s.spec, taps, dst, static_cast<size_t>(s.input_channels));
    if (!st.is_ok()) return images.size() == 1 ? st : st.with_context("image %zu", b);
  }
  return finish_run(static_cast<int>(images.size()), ms_since(start), static_cast<int>(images.size()));
}

Status ImageRunner::run_clip(Span<const ocr::ImageView> frames) {
  State& s = *s_;
  s.valid_outputs = 0;
  const auto start = Clock::now();
  EA_ENSURE(frames.size() == static_cast<size_t>(s.info.frames), StatusCode::kInvalidArgument,
            "%zu frames given, the model takes clips of exactly %d", frames.size(), s.info.frames);
  const Span<image::ColumnTap> taps(s.taps.data(), s.taps.size());
  for (size_t t = 0; t < frames.size(); ++t) {
    // Frame t is channels t x channels .. of every pixel.
    float* dst = s.input.data() + t * static_cast<size_t>(s.info.channels);
    const Status st = image::preprocess_frame(frames[t], s.spec, taps, dst, static_cast<size_t>(s.input_channels));
    if (!st.is_ok()) return st.with_context("frame %zu", t);
  }
  return finish_run(1, ms_since(start), static_cast<int>(frames.size()));
}

Status ImageRunner::finish_run(int batch, double preprocess_ms, int images) {
  State& s = *s_;
  const auto start = Clock::now();
  const float* inputs[] = {s.input.data()};
  InvokeInput in;
  in.batch = batch;
  in.float_inputs = Span<const float* const>(inputs, 1);
  in.image_height = s.image_height;
  in.image_width = s.image_width;
  EA_RETURN_IF_ERROR(s.session->invoke(in));
  for (size_t i = 0; i < s.outputs.size(); ++i) s.outputs[i] = s.session->output(i);
  s.valid_outputs = s.outputs.size();
  s.batch = batch;
  s.stats.preprocess_ms = preprocess_ms;
  s.stats.invoke_ms = ms_since(start);
  s.stats.total_ms = preprocess_ms + s.stats.invoke_ms;
  s.stats.images = images;
  return Status::ok();
}

Result<Span<const ImageClass>> ImageRunner::top_k(int k, int row) {
  State& s = *s_;
  EA_ENSURE(s.valid_outputs > 0, StatusCode::kInvalidArgument, "top_k: no successful run yet");
  char shape[96];
  EA_ENSURE(s.n_classes > 0, StatusCode::kInvalidModel, "top_k: the first output is %s, not class scores [batch, n]",
            shape_text(s.outputs[0], shape, sizeof(shape)));
  EA_ENSURE(k >= 1, StatusCode::kInvalidArgument, "top_k: k %d must be at least 1", k);
  EA_ENSURE(row >= 0 && row < s.batch, StatusCode::kInvalidArgument, "top_k: row %d, the last run had %d", row,
            s.batch);
  const size_t n = static_cast<size_t>(s.n_classes);
  const float* scores = s.outputs[0].f32() + static_cast<size_t>(row) * n;
  float top = -INFINITY;
  for (size_t i = 0; i < n; ++i) top = std::max(top, scores[i]);
  double sum = 0.0;
  for (size_t i = 0; i < n; ++i) {
    ImageClass& c = s.classes[i];
    c.index = static_cast<int>(i);
    c.label = i < s.info.labels.size() ? s.info.labels[i] : std::string_view("");
    c.score = scores[i];
    // Subtracting the maximum keeps exp() finite (softmax is shift-invariant).
    c.probability = s.options.softmax ? std::exp(scores[i] - top) : scores[i];
    sum += c.probability;
  }
  if (s.options.softmax) {
    for (size_t i = 0; i < n; ++i) s.classes[i].probability = static_cast<float>(s.classes[i].probability / sum);
  }
  const size_t kk = std::min(n, static_cast<size_t>(k));
  std::partial_sort(s.classes.data(), s.classes.data() + kk, s.classes.data() + n,
                    [](const ImageClass& a, const ImageClass& b) {
                      const float ka = rank_key(a.probability), kb = rank_key(b.probability);
                      return ka != kb ? ka > kb : a.index < b.index;
                    });
  return Span<const ImageClass>(s.classes.data(), kk);
}

}  // namespace edgeattn
