#include "converter/image_metadata.h"

#include <cmath>
#include <fstream>
#include <memory>
#include <sstream>

namespace edgeattn::convert {
namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 (RFC 3629: no overlong
// forms, no surrogates, at most U+10FFFF).
size_t utf8_length(const std::string& s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return 1;
  size_t n = 0;
  unsigned lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > s.size() || b(i + 1) < lo || b(i + 1) > hi) return 0;
  for (size_t k = 2; k < n; ++k) {
    if (b(i + k) < 0x80 || b(i + k) > 0xBF) return 0;
  }
  return n;
}

bool valid_utf8(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    const size_t n = utf8_length(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string check_values(const std::vector<float>& v, const char* flag, bool nonzero) {
  if (v.size() > 3) return std::string(flag) + " takes one value per channel (1 or 3), got " + std::to_string(v.size());
  for (float x : v) {
    if (!std::isfinite(x)) return std::string(flag) + " values must be finite";
    if (nonzero && x == 0.0f) return std::string(flag) + " values must be nonzero";
  }
  return "";
}

// The method ImageRunner runs by default: "forward", else the first.
const fb::GraphT* default_method(const fb::ModelT& m) {
  for (const auto& g : m.graphs) {
    if (g->name == "forward") return g.get();
  }
  return m.graphs.empty() ? nullptr : m.graphs[0].get();
}

// One fixed image side of the input: the option's, or the file's.
std::string input_side(const fb::Dim& d, int option, const char* what, int* side) {
  if (d.kind() == fb::DimKind::Fixed && d.value() >= 1 && d.value() <= kMaxImageMetadataSide) {
    *side = static_cast<int>(d.value());
    return "";
  }
  if (option > 0) return "";  // the importer was told the size; cannot differ
  return std::string("the model input's ") + what + " is not fixed: give --image-size HxW";
}

// Per-channel values: as given, one value for every channel, or the default.
std::vector<float> per_channel(const std::vector<float>& v, int channels, float fallback, const char* flag,
                               std::string* error) {
  if (v.empty()) return std::vector<float>(static_cast<size_t>(channels), fallback);
  if (v.size() == 1) return std::vector<float>(static_cast<size_t>(channels), v[0]);
  if (v.size() != static_cast<size_t>(channels)) {
    *error = std::string(flag) + " gives " + std::to_string(v.size()) + " values, the model has " +
             std::to_string(channels) + " channel" + (channels == 1 ? "" : "s") + " per frame";
  }
  return v;
}

// channels per frame from the input's C and the options.
std::string channels_of(const ImageMetadataOptions& o, int64_t input_channels, int* channels) {
  const std::string what = "the model input has " + std::to_string(input_channels) + " channels";
  if (o.channels > 0) {
    if (input_channels != static_cast<int64_t>(o.channels) * o.frames) {
      return what + ", --image-channels " + std::to_string(o.channels) + " x --image-frames " +
             std::to_string(o.frames) + " is " + std::to_string(o.channels * o.frames);
    }
    *channels = o.channels;
    return "";
  }
  if (input_channels % o.frames != 0 || (input_channels / o.frames != 1 && input_channels / o.frames != 3)) {
    return what + ": " + std::to_string(o.frames) +
           " frame(s) of 1 or 3 channels do not make it (give --image-channels / --image-frames)";
  }
  *channels = static_cast<int>(input_channels / o.frames);
  return "";
}

// labels against the first output: [B, n] with n the label count.
std::string check_labels(const fb::ModelT& m, const fb::GraphT& g, size_t labels) {
  if (labels == 0) return "";
  const std::string what = "--labels gives " + std::to_string(labels) + " labels, ";
  if (g.outputs.empty()) return what + "method '" + g.name + "' has no output";
  const auto& dims = m.tensors.at(static_cast<size_t>(g.outputs[0]))->dims;
  if (dims.size() != 2 || dims[1].kind() != fb::DimKind::Fixed) {
    return what + "but the first output of method '" + g.name + "' is not class scores [batch, n]";
  }
  if (static_cast<size_t>(dims[1].value()) != labels) {
    return what + "the first output of method '" + g.name + "' has " + std::to_string(dims[1].value()) + " classes";
  }
  return "";
}

}  // namespace

bool parse_image_resize(const std::string& word, fb::ImageResize* out) {
  if (word == "stretch") *out = fb::ImageResize::Stretch;
  else if (word == "letterbox") *out = fb::ImageResize::Letterbox;
  else if (word == "center-crop") *out = fb::ImageResize::CenterCrop;
  else return false;
  return true;
}

std::string parse_labels(const std::string& bytes, std::vector<std::string>* labels) {
  labels->clear();
  size_t start = bytes.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;  // a UTF-8 BOM
  size_t line = 1;
  while (start < bytes.size()) {
    size_t end = bytes.find('\n', start);
    if (end == std::string::npos) end = bytes.size();
    std::string label = bytes.substr(start, end - start);
    if (!label.empty() && label.back() == '\r') label.pop_back();
    const std::string where = "--labels: line " + std::to_string(line);
    if (label.empty()) return where + " is empty (one label per line)";
    if (label.size() > kMaxLabelBytes) {
      return where + " has " + std::to_string(label.size()) + " bytes, at most " + std::to_string(kMaxLabelBytes);
    }
    if (!valid_utf8(label) || label.find('\0') != std::string::npos) return where + " is not valid UTF-8 text";
    if (labels->size() == kMaxLabels) return "--labels: more than " + std::to_string(kMaxLabels) + " labels";
    labels->push_back(std::move(label));
    start = end + 1;
    ++line;
  }
  if (labels->empty()) return "--labels: the file has no labels";
  return "";
}

std::string prepare_image_metadata(const ImageMetadataOptions& o, ImageMetadata* out) {
  out->options = o;
  out->labels.clear();
  if (!o.requested) return "";
  if ((o.height != 0 || o.width != 0) &&
      (o.height < 1 || o.width < 1 || o.height > kMaxImageMetadataSide || o.width > kMaxImageMetadataSide)) {
    return "--image-size " + std::to_string(o.height) + "x" + std::to_string(o.width) + ": each side must be in [1, " +
           std::to_string(kMaxImageMetadataSide) + "]";
  }
  if (o.channels != 0 && o.channels != 1 && o.channels != 3) {
    return "--image-channels must be 1 or 3, got " + std::to_string(o.channels);
  }
  if (o.frames < 1 || o.frames > kMaxImageFrames) {
    return "--image-frames must be in [1, " + std::to_string(kMaxImageFrames) + "], got " + std::to_string(o.frames);
  }
  if (o.bgr && o.channels == 1) return "--image-bgr needs 3 channels";
  if (!parse_image_resize(o.resize, &out->resize)) {
    return "--image-resize must be stretch, letterbox or center-crop, got '" + o.resize + "'";
  }
  std::string error = check_values(o.mean, "--image-mean", false);
  if (error.empty()) error = check_values(o.std, "--image-std", true);
  if (!error.empty() || o.labels_file.empty()) return error;
  std::ifstream in(o.labels_file, std::ios::binary);
  if (!in) return "--labels: " + o.labels_file + ": cannot open the file";
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (bytes.str().size() > kMaxLabels * (kMaxLabelBytes + 2)) return "--labels: " + o.labels_file + ": file too large";
  error = parse_labels(bytes.str(), &out->labels);
  return error.empty() ? error : error + " (" + o.labels_file + ")";
}

std::string apply_image_metadata(const ImageMetadata& meta, ModelBuilder& mb) {
  const ImageMetadataOptions& o = meta.options;
  if (!o.requested) return "";
  fb::ModelT& m = mb.model();
  if (mb.hparams().architecture != fb::Architecture::ImportedGraph) {
    return "the --image-* and --labels options describe an image model's input (an ONNX file)";
  }
  const fb::GraphT* g = default_method(m);
  if (g == nullptr || g->inputs.size() != 1) return "the image options need a method with one image input";
  const auto& dims = m.tensors.at(static_cast<size_t>(g->inputs[0]))->dims;
  if (dims.size() != 4 || dims[3].kind() != fb::DimKind::Fixed) {
    return "method '" + g->name + "': the input is not an image [batch, height, width, channels]";
  }
  auto p = std::make_unique<fb::ImagePreprocessT>();
  p->height = o.height;
  p->width = o.width;
  std::string error = input_side(dims[1], o.height, "height", &p->height);
  if (error.empty()) error = input_side(dims[2], o.width, "width", &p->width);
  if (error.empty()) error = channels_of(o, dims[3].value(), &p->channels);
  if (!error.empty()) return "method '" + g->name + "': " + error;
  p->frames = o.frames;
  p->mean = per_channel(o.mean, p->channels, 0.0f, "--image-mean", &error);
  p->std = per_channel(o.std, p->channels, 1.0f, "--image-std", &error);
  if (error.empty()) error = check_labels(m, *g, meta.labels.size());
  if (!error.empty()) return error;
  if (o.bgr && p->channels != 3) return "--image-bgr needs 3 channels per frame, the model has 1";
  p->bgr = o.bgr;
  p->resize = meta.resize;
  p->labels = meta.labels;
  m.image = std::move(p);
  return "";
}

}  // namespace edgeattn::convert
