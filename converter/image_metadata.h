// Image preprocessing metadata (schema ImagePreprocess, Model.image) from
// edgeattn-convert's --image-size / --image-mean / --image-std / --labels /
// --image-resize / --image-channels / --image-frames / --image-bgr, so an
// image model's file says how the runtime's ImageRunner feeds it.
//
// Two steps, around the import:
//   prepare_image_metadata  before anything is read: the values are in
//                           range and the labels file is read (one label a
//                           line, UTF-8, at most kMaxLabels of at most
//                           kMaxLabelBytes bytes; a trailing newline, CRLF
//                           line ends and a UTF-8 BOM are accepted);
//   apply_image_metadata    after the import: checked against the method
//                           the ImageRunner runs ("forward", else the
//                           first), whose input must be [B, H, W, C] with
//                           C = frames x channels and H, W fixed (the
//                           --image-size, or the ONNX file's); channels
//                           defaults to C / frames; labels must match a
//                           first output [B, n].
// Both return "" when fine, else one line saying which option is at fault
// (edgeattn-convert exits 2 then).
//
// Example:
//   ImageMetadataOptions o; o.requested = true; o.height = o.width = 224;
//   o.mean = {0.485f, 0.456f, 0.406f}; o.std = {0.229f, 0.224f, 0.225f}; o.labels_file = "labels.txt";
//   ImageMetadata meta;
//   std::string error = prepare_image_metadata(o, &meta);
//   ... import_any(...) ...
//   if (error.empty()) error = apply_image_metadata(meta, mb);
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "converter/model_builder.h"

namespace edgeattn::convert {

constexpr int kMaxImageMetadataSide = 8192;  // the runtime verifier's bounds (runtime/model_verifier.cc)
constexpr int kMaxImageFrames = 64;
constexpr size_t kMaxLabels = 100000;
constexpr size_t kMaxLabelBytes = 1024;

struct ImageMetadataOptions {
  bool requested = false;   // any --image-* / --labels option was given: the model gets Model.image
  int height = 0;           // --image-size; 0: the ONNX input's fixed height / width
  int width = 0;
  std::vector<float> mean;  // one per channel, or one for all; empty: 0
  std::vector<float> std;   // likewise; empty: 1
  std::string labels_file;  // "": no labels
  std::string resize = "stretch";  // stretch | letterbox | center-crop
  int channels = 0;         // 1 or 3; 0: the input's channels / frames
  int frames = 1;
  bool bgr = false;
};

// What prepare_image_metadata() checked and read.
struct ImageMetadata {
  ImageMetadataOptions options;
  fb::ImageResize resize = fb::ImageResize::Stretch;
  std::vector<std::string> labels;
};

// "stretch", "letterbox", "center-crop" -> the enum; false for other words.
bool parse_image_resize(const std::string& word, fb::ImageResize* out);

// Checks the option values and reads the labels file into *out.
std::string prepare_image_metadata(const ImageMetadataOptions& options, ImageMetadata* out);

// Checks the metadata against the imported graph and sets mb.model().image.
std::string apply_image_metadata(const ImageMetadata& meta, ModelBuilder& mb);

// Labels from a file's bytes (exposed for tests): "" when fine.
std::string parse_labels(const std::string& bytes, std::vector<std::string>* labels);

}  // namespace edgeattn::convert
