// The image-model fixtures of tests/fixtures/vision (written by
// tests/reference/make_vision_fixtures.py): two tiny ONNX models, labels,
// PNG images, and reference.json, whose cases give the converter options,
// the input tensor numpy computed from the preprocessing's definition and
// onnxruntime's outputs on it.
//
// vision_model() converts a case's ONNX file with the case's options through
// the converter library (the code edgeattn-convert runs) once per case and
// keeps the loaded Model for the life of the process.
//
// Example:
//   const VisionCase& c = vision_case("stretch_imagenet");
//   const Model& m = vision_model(c);
//   std::vector<Rgb8Image> images = vision_images(c);
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "converter/convert.h"
#include "runtime/model.h"
#include "tests/support/image_file.h"

namespace edgeattn::testing {

struct VisionCase {
  std::string name;
  std::string model;   // file in tests/fixtures/vision
  std::string resize;  // stretch | letterbox | center-crop
  int height = 0, width = 0, channels = 0, frames = 0;
  std::vector<float> mean, std;
  bool bgr = false;
  std::vector<std::string> images;      // files in tests/fixtures/vision, frame order
  std::vector<double> input;            // [1, height, width, frames x channels], numpy float64
  std::vector<int64_t> output_shape;    // as ONNX gives it
  std::vector<double> output;           // onnxruntime, float32
  std::vector<double> probabilities;    // classifiers: softmax(output)
  std::vector<int> top;                 // classifiers: classes by probability
  bool classifier() const { return !probabilities.empty(); }
};

// The path of a file in tests/fixtures/vision.
std::string vision_fixture(const std::string& file);
const std::vector<VisionCase>& vision_cases();
const VisionCase& vision_case(const std::string& name);
std::vector<std::string> vision_labels();

// The options `edgeattn-convert MODEL -o OUTPUT --image-size HxW --image-mean
// ... --image-std ... --image-resize ... [--image-frames T] [--image-bgr]
// [--labels labels.txt]` gives for case c.
convert::ConvertOptions vision_convert_options(const VisionCase& c, const std::string& output);
// The same as edgeattn-convert command-line arguments (shell-quoted).
std::string vision_convert_args(const VisionCase& c);
const Model& vision_model(const VisionCase& c);
// The file vision_model() converted and loaded (converting it first).
std::string vision_model_path(const VisionCase& c);
// The case's images, decoded (REQUIREs each decodes).
std::vector<Rgb8Image> vision_images(const VisionCase& c);

}  // namespace edgeattn::testing
