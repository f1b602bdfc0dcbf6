#include "runtime/tasks/text_reader.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <new>

#include "runtime/core/fallible_vector.h"
#include "runtime/model_internal.h"
#include "runtime/tasks/ocr/crop.h"
#include "runtime/tasks/ocr/ctc_decode.h"
#include "runtime/tasks/ocr/db_postprocess.h"
#include "runtime/tasks/ocr/text_angle.h"
#include "runtime/tasks/ocr/text_boxes.h"

namespace edgeattn {

namespace internal {

struct TextReaderState {
  const Model* model = nullptr;  // must outlive the reader
  TextReaderOptions options;
  std::unique_ptr<Session> det, cls, rec;
  std::unique_ptr<ocr::DbPostprocessor> db;
  std::unique_ptr<ocr::CtcDecoder> ctc;
  int rec_multiple = 8;        // the recognizer's widths are multiples of this
  size_t image_pixels = 0;     // capacity of the letterbox image and of a crop, pixels
  Vector<float> det_input;     // [max_side, max_side, 3] NHWC, BGR, normalized
  Vector<float> cls_input;     // [48, 192, 3]
  Vector<float> rec_input;     // [48, max_line_width, 3]
  Vector<uint8_t> letterbox;   // [image_pixels, 3] RGB: the image with its bands
  Vector<uint8_t> crop;        // [image_pixels, 3] RGB: one line
  Vector<TextLine> lines;      // [max_lines]
  Vector<char> text;           // [max_lines x rec frames x longest character] the lines' text
  size_t n_lines = 0;
  size_t text_size = 0;
  TextReadStats stats;
  size_t buffer_bytes = 0;
};

}  // namespace internal

namespace {

using State = internal::TextReaderState;

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// What the detector and the crops see: the caller's image, or its
// letterboxed (and possibly scaled) copy. Source = (work - (0, top)) x scale.
struct WorkImage {
  ocr::ImageView view;
  int top = 0;           // band height, work pixels
  double scale_x = 1.0;  // source pixels per work pixel
  double scale_y = 1.0;
};

// RapidOCR feeds the networks OpenCV's BGR: swap R and B of n pixels.
void to_bgr(float* x, size_t pixels) {
  for (size_t i = 0; i < pixels; ++i) std::swap(x[3 * i], x[3 * i + 2]);
}

// reduce_max_side / increase_min_side (utils/process_img.py): int(side x
// ratio), then round(n / 32) x 32 with round half to even.
int scaled_side(int side, double ratio) {
  return static_cast<int>(std::nearbyint(std::trunc(side * ratio) / 32.0)) * 32;
}

// The size RapidOCR's preprocess gives (main.py); 0 x 0 when it fails.
void intermediate_size(int h, int w, const TextReaderOptions& o, int* ih, int* iw) {
  if (std::max(h, w) > o.max_side_len) {
    const double r = static_cast<double>(o.max_side_len) / std::max(h, w);
    const int nh = scaled_side(h, r), nw = scaled_side(w, r);
    h = nh;
    w = nw;
  }
  if (h > 0 && w > 0 && std::min(h, w) < o.min_side_len) {
    const double r = static_cast<double>(o.min_side_len) / std::min(h, w);
    const int nh = scaled_side(h, r), nw = scaled_side(w, r);
    h = nh;
    w = nw;
  }
  *ih = std::max(h, 0);
  *iw = std::max(w, 0);
}

// maybe_add_letterbox + _get_padding_h on the intermediate size: the band
// height above and below (intermediate pixels), 0 for none.
int letterbox_band(int ih, int iw, const TextReaderOptions& o) {
  const bool limit_ratio = o.width_height_ratio > 0;  // RapidOCR: -1 turns the ratio rule off
  const bool wide = limit_ratio && static_cast<double>(iw) / ih > o.width_height_ratio;
  if (ih > o.min_height && !wide) return 0;
  // int(w / ratio) (negative with the rule off: min_height wins).
  const int by_ratio = limit_ratio ? static_cast<int>(iw / o.width_height_ratio) : -1;
  const int new_h = std::max(by_ratio, o.min_height) * 2;
  return static_cast<int>(std::abs(new_h - ih) / 2.0);
}

Status check_options(const TextReaderOptions& o) {
  EA_ENSURE(o.max_side >= 32 && o.max_side <= 4096 && o.max_side % 32 == 0, StatusCode::kInvalidArgument,
            "max_side %d must be a multiple of 32 in [32, 4096]", o.max_side);
  EA_ENSURE(o.max_lines >= 1 && o.max_lines <= 4096, StatusCode::kInvalidArgument, "max_lines %d not in [1, 4096]",
            o.max_lines);
  EA_ENSURE(o.max_line_width >= ocr::kRecognizerMinWidth && o.max_line_width <= 8192 && o.max_line_width % 8 == 0,
            StatusCode::kInvalidArgument, "max_line_width %d must be a multiple of 8 in [%d, 8192]", o.max_line_width,
            ocr::kRecognizerMinWidth);
  EA_ENSURE(o.limit_side_len >= 1 && o.max_side_len >= 1 && o.min_side_len >= 1, StatusCode::kInvalidArgument,
            "limit_side_len %d, max_side_len %d and min_side_len %d must be positive", o.limit_side_len,
            o.max_side_len, o.min_side_len);
  EA_ENSURE(o.det_thresh >= 0.f && o.det_thresh < 1.f && o.box_thresh >= 0 && o.box_thresh <= 1 &&
                o.cls_thresh >= 0 && o.cls_thresh <= 1 && o.text_score >= 0 && o.text_score <= 1,
            StatusCode::kInvalidArgument, "thresholds must lie in [0, 1]: det %g, box %g, cls %g, text score %g",
            static_cast<double>(o.det_thresh), o.box_thresh, o.cls_thresh, o.text_score);
  EA_ENSURE(o.max_candidates >= 1 && o.max_candidates <= 100000, StatusCode::kInvalidArgument,
            "max_candidates %d not in [1, 100000]", o.max_candidates);
  EA_ENSURE(o.unclip_ratio > 0 && o.unclip_ratio <= 10, StatusCode::kInvalidArgument, "unclip_ratio %g not in (0, 10]",
            o.unclip_ratio);
  EA_ENSURE(o.min_height >= 0 && o.min_height <= 4096 && (o.width_height_ratio == -1 || o.width_height_ratio > 0),
            StatusCode::kInvalidArgument, "min_height %d must be in [0, 4096], width_height_ratio %g positive or -1",
            o.min_height, o.width_height_ratio);
  return Status::ok();
}

// The recognizer's characters: the model's CtcCharacters tokenizer.
Result<const flatbuffers::Vector<flatbuffers::Offset<flatbuffers::String>>*> ctc_pieces(const Model& model) {
  const fb::Tokenizer* tok = internal::flatbuffer_of(model).tokenizer();
  EA_ENSURE(tok != nullptr && tok->kind() == fb::TokenizerKind::CtcCharacters && tok->pieces() != nullptr &&
                tok->pieces()->size() >= 3,
            StatusCode::kInvalidArgument,
            "not a text-reading model: needs a CtcCharacters tokenizer (\"blank\", the characters, \" \")");
  return tok->pieces();
}

Status check_methods(const ModelInfo& info) {
  for (const char* name : {"det", "cls", "rec"}) {
    const MethodInfo* m = info.find_method(name);
    EA_ENSURE(m != nullptr && m->inputs.size() == 1 && m->outputs.size() == 1, StatusCode::kInvalidArgument,
              "not a text-reading model: needs methods 'det', 'cls' and 'rec' with one input and one output each "
              "(method '%s' %s)",
              name, m == nullptr ? "is missing" : "has another signature");
  }
  return Status::ok();
}

// How many frames the recognizer gives for max_width columns, and its
// classes (rec's output [1, W / d, classes]).
Status recognizer_output(const ModelInfo& info, int max_width, int* frames, int* classes) {
  const TensorInfo& out = info.find_method("rec")->outputs[0];
  EA_ENSURE(out.rank == 3 && out.dims[2].kind == DimKind::kFixed, StatusCode::kInvalidModel,
            "method 'rec': output '%s' must be [1, frames, classes] with fixed classes", out.name);
  const DimSpec& f = out.dims[1];
  *frames = f.kind == DimKind::kWidth ? static_cast<int>(max_width / std::max<int64_t>(1, f.value))
                                      : static_cast<int>(std::max<int64_t>(1, f.value));
  *classes = static_cast<int>(out.dims[2].value);
  return Status::ok();
}

Status make_sessions(const Model& model, const TextReaderOptions& o, State* s) {
  SessionOptions so;
  so.threads = o.threads;
  so.kernels = o.kernels;
  so.profile = o.profile;
  so.method = "det";
  so.max_image_height = so.max_image_width = o.max_side;
  EA_ASSIGN_OR_RETURN(s->det, Session::create(model, so));
  const int64_t mh = s->det->image_multiple_height(), mw = s->det->image_multiple_width();
  EA_ENSURE(mh >= 1 && mw >= 1 && 32 % mh == 0 && 32 % mw == 0, StatusCode::kInvalidModel,
            "method 'det' takes images whose sides are multiples of %lld x %lld; the detector sizes are multiples "
            "of 32",
            static_cast<long long>(mh), static_cast<long long>(mw));
  so.method = "cls";
  so.max_image_height = so.max_image_width = 0;
  EA_ASSIGN_OR_RETURN(s->cls, Session::create(model, so));
  EA_ENSURE(s->cls->image_multiple_width() == 0, StatusCode::kInvalidModel,
            "method 'cls' must take fixed 48 x 192 images");
  so.method = "rec";
  so.max_image_height = ocr::kRecognizerHeight;
  so.max_image_width = o.max_line_width;
  EA_ASSIGN_OR_RETURN(s->rec, Session::create(model, so));
  const int64_t rm = s->rec->image_multiple_width();
  EA_ENSURE(rm >= 1 && rm <= 64 && s->rec->image_multiple_height() <= 1, StatusCode::kInvalidModel,
            "method 'rec' must take [1, 48, W, 3] with W a multiple of at most 64 (it has %lld)",
            static_cast<long long>(rm));
  s->rec_multiple = static_cast<int>(rm);
  return Status::ok();
}

// The image the detector and the crops see (letterbox, as RapidOCR's
// maybe_add_letterbox, on a copy scaled to the buffer when needed).
// *any false when RapidOCR would find nothing (its preprocess gives an
// empty image).
Status make_work_image(const ocr::ImageView& image, State& s, WorkImage* work, bool* any) {
  const TextReaderOptions& o = s.options;
  int ih = 0, iw = 0;
  intermediate_size(image.height, image.width, o, &ih, &iw);
  *any = ih > 0 && iw > 0;
  work->view = image;
  if (!*any) return Status::ok();
  const int band_i = letterbox_band(ih, iw, o);
  if (band_i == 0) return Status::ok();
  // The band in source pixels (exact when preprocess kept the size).
  const double band = band_i * static_cast<double>(image.height) / ih;
  double f = 1.0;
  int w = image.width, h = image.height, top = 0;
  for (int attempt = 0; attempt < 16; ++attempt) {
    w = std::max(1, static_cast<int>(std::floor(image.width * f)));
    h = std::max(1, static_cast<int>(std::floor(image.height * f)));
    top = static_cast<int>(std::nearbyint(band * f));
    const double pixels = static_cast<double>(w) * (h + 2.0 * top);
    if (pixels <= static_cast<double>(s.image_pixels)) break;
    f *= 0.999 * std::sqrt(static_cast<double>(s.image_pixels) / pixels);
  }
  const int total_h = h + 2 * top;
  const size_t stride = 3 * static_cast<size_t>(w);
  EA_ENSURE(static_cast<double>(w) * total_h <= static_cast<double>(s.image_pixels), StatusCode::kInternal,
            "letterbox image %d x %d exceeds its %zu pixels", w, total_h, s.image_pixels);
  uint8_t* px = s.letterbox.data();
  std::memset(px, 0, stride * static_cast<size_t>(total_h));  // black bands (cv2.BORDER_CONSTANT 0)
  const ocr::MutableImageView middle{px + stride * static_cast<size_t>(top), w, h, stride};
  if (w == image.width && h == image.height) {
    for (int y = 0; y < h; ++y) std::memcpy(middle.row(y), image.row(y), stride);
  } else {
    EA_RETURN_IF_ERROR(ocr::resize_rgb(image, middle));
  }
  work->view = ocr::ImageView{px, w, total_h, stride};
  work->top = top;
  work->scale_x = static_cast<double>(image.width) / w;
  work->scale_y = static_cast<double>(image.height) / h;
  s.stats.letterboxed = true;
  return Status::ok();
}

// A box in work pixels -> source pixels, clipped to the image (_get_origin_points, float32).
void to_source(const ocr::Point2f in[4], const WorkImage& work, int width, int height, ocr::Point2f out[4]) {
  for (int i = 0; i < 4; ++i) {
    float x = static_cast<float>(in[i].x * work.scale_x);
    float y = static_cast<float>((in[i].y - static_cast<float>(work.top)) * work.scale_y);
    x = std::min(std::max(x, 0.f), static_cast<float>(width));
    y = std::min(std::max(y, 0.f), static_cast<float>(height));
    out[i] = ocr::Point2f{x, y};
  }
}

Status detect(State& s, const WorkImage& work) {
  ocr::DetectorResizeOptions dro;
  dro.limit_side_len = s.options.limit_side_len;
  dro.max_side_len = s.options.max_side_len;
  dro.min_side_len = s.options.min_side_len;
  dro.planned_max_side = s.options.max_side;
  const ocr::DetectorSize ds = ocr::detector_input_size(work.view.height, work.view.width, dro);
  s.stats.det_height = ds.height;
  s.stats.det_width = ds.width;
  s.stats.capped = ds.capped;
  if (ds.height <= 0 || ds.width <= 0) return Status::ok();  // RapidOCR: no boxes
  const ocr::TensorView t{s.det_input.data(), ds.height, ds.width, ocr::TensorLayout::kNHWC};
  EA_RETURN_IF_ERROR(ocr::resize_normalize(work.view, ds.width, ds.height, ocr::kPaddleNormalization, t));
  const size_t pixels = static_cast<size_t>(ds.height) * static_cast<size_t>(ds.width);
  to_bgr(s.det_input.data(), pixels);
  const float* inputs[] = {s.det_input.data()};
  InvokeInput in;
  in.float_inputs = Span<const float* const>(inputs, 1);
  in.image_height = ds.height;
  in.image_width = ds.width;
  EA_RETURN_IF_ERROR(s.det->invoke(in).with_context("method 'det'"));
  const TensorView prob = s.det->output(0);  // [1, H, W, 1]
  EA_ENSURE(prob.element_count() == static_cast<int64_t>(pixels), StatusCode::kInvalidModel,
            "method 'det' gave %lld values for a %d x %d image (needs [1, H, W, 1])",
            static_cast<long long>(prob.element_count()), ds.height, ds.width);
  return Status::ok();
}

Status classify(State& s, const ocr::MutableImageView& crop, bool* rotated) {
  *rotated = false;
  if (!s.options.classify_angle) return Status::ok();
  const ocr::TensorView t{s.cls_input.data(), ocr::kClassifierHeight, ocr::kClassifierWidth,
                          ocr::TensorLayout::kNHWC};
  EA_RETURN_IF_ERROR(ocr::classifier_input(crop.view(), t));
  to_bgr(s.cls_input.data(), size_t{ocr::kClassifierHeight} * ocr::kClassifierWidth);
  const float* inputs[] = {s.cls_input.data()};
  InvokeInput in;
  in.float_inputs = Span<const float* const>(inputs, 1);
  EA_RETURN_IF_ERROR(s.cls->invoke(in).with_context("method 'cls'"));
  const TensorView scores = s.cls->output(0);  // [1, 2]
  EA_ENSURE(scores.element_count() == 2, StatusCode::kInvalidModel, "method 'cls' gave %lld scores (needs [1, 2])",
            static_cast<long long>(scores.element_count()));
  if (ocr::should_rotate_180(scores.f32(), s.options.cls_thresh)) {
    ocr::rotate_180(crop);
    *rotated = true;
  }
  return Status::ok();
}

Status recognize(State& s, const ocr::ImageView& crop) {
  const ocr::CropSize size{crop.width, crop.height, false};
  // RapidOCR's ratio for a batch of this one line (at least 320 / 48),
  // capped at the planned width: a wider line is resized down to it.
  const double ratio = std::min(ocr::recognizer_max_ratio(&size, 1),
                                static_cast<double>(s.options.max_line_width) / ocr::kRecognizerHeight);
  const int m = s.rec_multiple;
  const int width = (ocr::recognizer_tensor_width(ratio) + m - 1) / m * m;
  EA_ENSURE(width <= s.options.max_line_width, StatusCode::kInternal,
            "recognizer width %d exceeds the planned %d", width, s.options.max_line_width);
  const ocr::TensorView t{s.rec_input.data(), ocr::kRecognizerHeight, width, ocr::TensorLayout::kNHWC};
  EA_RETURN_IF_ERROR(ocr::recognizer_input(crop, ratio, t));
  to_bgr(s.rec_input.data(), size_t{ocr::kRecognizerHeight} * static_cast<size_t>(width));
  const float* inputs[] = {s.rec_input.data()};
  InvokeInput in;
  in.float_inputs = Span<const float* const>(inputs, 1);
  in.image_height = ocr::kRecognizerHeight;
  in.image_width = width;
  EA_RETURN_IF_ERROR(s.rec->invoke(in).with_context("method 'rec'"));
  const TensorView probs = s.rec->output(0);  // [1, frames, classes]
  EA_ENSURE(probs.rank == 3, StatusCode::kInvalidModel, "method 'rec' gave rank %d (needs [1, frames, classes])",
            probs.rank);
  return s.ctc->decode(probs.f32(), static_cast<int>(probs.dim(1)), static_cast<int>(probs.dim(2)));
}

Status read_line(State& s, const WorkImage& work, const ocr::TextBox& box, int source_width,
                 int source_height) {
  auto t0 = Clock::now();
  const ocr::CropSize size = ocr::crop_size_within(box.points, s.image_pixels);
  if (size.width <= 0 || size.height <= 0) return Status::ok();  // degenerate (filter_text_boxes drops these)
  const ocr::MutableImageView crop{s.crop.data(), size.width, size.height, 3 * static_cast<size_t>(size.width)};
  EA_RETURN_IF_ERROR(ocr::crop_text_resized(work.view, box.points, crop));
  bool rotated = false;
  EA_RETURN_IF_ERROR(classify(s, crop, &rotated));
  s.stats.rotated += rotated ? 1 : 0;
  s.stats.cls_ms += ms_since(t0);
  t0 = Clock::now();
  EA_RETURN_IF_ERROR(recognize(s, crop.view()));
  s.stats.rec_ms += ms_since(t0);
  if (!(s.ctc->score() >= s.options.text_score)) {  // RapidOCR's filter_result
    ++s.stats.rejected;
    return Status::ok();
  }
  const std::string_view text = s.ctc->text();
  EA_ENSURE(s.text_size + text.size() <= s.text.size(), StatusCode::kInternal,
            "line text of %zu bytes overflows the planned %zu", text.size(), s.text.size() - s.text_size);
  std::memcpy(s.text.data() + s.text_size, text.data(), text.size());
  TextLine& line = s.lines[s.n_lines++];
  line.text = std::string_view(s.text.data() + s.text_size, text.size());
  s.text_size += text.size();
  to_source(box.points, work, source_width, source_height, line.box);
  line.confidence = static_cast<float>(s.ctc->score());
  line.rotated = rotated;
  return Status::ok();
}

}  // namespace

TextReader::~TextReader() = default;

const TextReaderOptions& TextReader::options() const { return s_->options; }
const TextReadStats& TextReader::stats() const { return s_->stats; }
Span<const TextLine> TextReader::lines() const { return Span<const TextLine>(s_->lines.data(), s_->n_lines); }

const Session* TextReader::session(const char* method) const {
  if (method == nullptr) return nullptr;
  const std::string_view m(method);
  if (m == "det") return s_->det.get();
  if (m == "cls") return s_->cls.get();
  if (m == "rec") return s_->rec.get();
  return nullptr;
}

void TextReader::reset_profile() {
  s_->det->reset_profile();
  s_->cls->reset_profile();
  s_->rec->reset_profile();
}

TextReaderMemory TextReader::memory() const {
  TextReaderMemory m;
  m.det = s_->det->memory();
  m.cls = s_->cls->memory();
  m.rec = s_->rec->memory();
  m.buffer_bytes = s_->buffer_bytes;
  return m;
}

Result<std::unique_ptr<TextReader>> TextReader::create(const Model& model, const TextReaderOptions& options) {
  EA_RETURN_IF_ERROR(check_options(options));
  const ModelInfo& info = model.info();
  EA_RETURN_IF_ERROR(check_methods(info));
  EA_ASSIGN_OR_RETURN(const auto* pieces, ctc_pieces(model));
  int frames = 0, classes = 0;
  EA_RETURN_IF_ERROR(recognizer_output(info, options.max_line_width, &frames, &classes));
  EA_ENSURE(classes == static_cast<int>(pieces->size()), StatusCode::kInvalidModel,
            "method 'rec' gives %d classes but the tokenizer has %u characters (blank and space included)", classes,
            pieces->size());
  std::unique_ptr<TextReader> r(new (std::nothrow) TextReader());
  EA_ENSURE(r != nullptr, StatusCode::kOutOfMemory, "out of memory allocating the TextReader");
  r->s_.reset(new (std::nothrow) State());
  EA_ENSURE(r->s_ != nullptr, StatusCode::kOutOfMemory, "out of memory allocating the TextReader's state");
  State& s = *r->s_;
  s.model = &model;
  s.options = options;
  EA_RETURN_IF_ERROR(make_sessions(model, options, &s));

  // The CTC decoder over pieces 1 .. n - 2 (it adds the blank and the space).
  const size_t n = pieces->size() - 2;
  Vector<const char*> chars;
  EA_RETURN_IF_ERROR(chars.resize(n, "the CTC character table"));
  size_t longest = 1;
  for (size_t i = 0; i < n; ++i) {
    const flatbuffers::String* p = pieces->Get(static_cast<flatbuffers::uoffset_t>(i + 1));
    chars[i] = p->c_str();
    longest = std::max<size_t>(longest, std::strlen(p->c_str()));
  }
  EA_ASSIGN_OR_RETURN(s.ctc, ocr::CtcDecoder::create(chars.data(), n, frames));

  ocr::DbOptions d;
  d.thresh = options.det_thresh;
  d.box_thresh = options.box_thresh;
  d.max_candidates = options.max_candidates;
  d.unclip_ratio = options.unclip_ratio;
  d.use_dilation = options.use_dilation;
  d.max_map_height = d.max_map_width = options.max_side;
  EA_ASSIGN_OR_RETURN(s.db, ocr::DbPostprocessor::create(d));

  const size_t side = static_cast<size_t>(options.max_side);
  const size_t lines = static_cast<size_t>(options.max_lines);
  s.image_pixels = side * side;
  EA_RETURN_IF_ERROR(s.det_input.resize(side * side * 3, "the detector input"));
  EA_RETURN_IF_ERROR(s.cls_input.resize(size_t{ocr::kClassifierHeight} * ocr::kClassifierWidth * 3,
                                        "the classifier input"));
  EA_RETURN_IF_ERROR(s.rec_input.resize(size_t{ocr::kRecognizerHeight} * options.max_line_width * 3,
                                        "the recognizer input"));
  EA_RETURN_IF_ERROR(s.letterbox.resize(s.image_pixels * 3, "the letterbox image"));
  EA_RETURN_IF_ERROR(s.crop.resize(s.image_pixels * 3, "the line crop"));
  EA_RETURN_IF_ERROR(s.lines.resize(lines, "the text lines"));
  EA_RETURN_IF_ERROR(s.text.resize(lines * static_cast<size_t>(frames) * longest, "the lines' text"));
  s.buffer_bytes = (s.det_input.size() + s.cls_input.size() + s.rec_input.size()) * sizeof(float) +
                   s.letterbox.size() + s.crop.size() + s.lines.size() * sizeof(TextLine) + s.text.size() +
                   s.db->buffer_bytes() + s.ctc->buffer_bytes();
  return r;
}

Status TextReader::read(const ocr::ImageView& image) {
  State& s = *s_;
  const auto start = Clock::now();
  s.stats = TextReadStats();
  s.n_lines = 0;
  s.text_size = 0;
  EA_RETURN_IF_ERROR(ocr::check_image(image, "image"));
  WorkImage work;
  bool any = false;
  EA_RETURN_IF_ERROR(make_work_image(image, s, &work, &any));
  if (!any) {
    s.stats.total_ms = ms_since(start);
    return Status::ok();
  }
  EA_RETURN_IF_ERROR(detect(s, work));
  s.stats.det_ms = ms_since(start);
  if (s.stats.det_height == 0) {
    s.stats.total_ms = ms_since(start);
    return Status::ok();
  }
  auto t0 = Clock::now();
  EA_RETURN_IF_ERROR(s.db->run(s.det->output(0).f32(), s.stats.det_height, s.stats.det_width, work.view.height,
                               work.view.width));
  const Span<const ocr::TextBox> boxes = s.db->text_boxes();
  s.stats.post_ms = ms_since(t0);
  s.stats.boxes = static_cast<int>(boxes.size());
  const size_t n = std::min(boxes.size(), s.lines.size());
  s.stats.dropped = static_cast<int>(boxes.size() - n);
  for (size_t i = 0; i < n; ++i) {
    const Status st = read_line(s, work, boxes[i], image.width, image.height);
    if (!st.is_ok()) return st.with_context("text line %zu", i + 1);
  }
  s.stats.lines = static_cast<int>(s.n_lines);
  s.stats.total_ms = ms_since(start);
  return Status::ok();
}

}  // namespace edgeattn
