// edgeattn._edgeattn.convert: the converter library's convert()
// (converter/convert.h) — a trained checkpoint to a verified .eatn — with the
// GIL released. A failure raises edgeattn.Error with the converter's one-line
// message and code "invalid_options", "failed" or "internal".
#include <pybind11/stl.h>

#include <string>
#include <utility>
#include <vector>

#include "converter/convert.h"
#include "python/src/bindings.h"

namespace edgeattn::python {
namespace {

const char* convert_code_name(convert::ConvertCode code) {
  switch (code) {
    case convert::ConvertCode::kOk: return "ok";
    case convert::ConvertCode::kInvalidOptions: return "invalid_options";
    case convert::ConvertCode::kFailed: return "failed";
    case convert::ConvertCode::kInternal: return "internal";
  }
  return "failed";
}

// ONNX image models' preprocessing (edgeattn-convert's --image-* options);
// `size` (height, width) 0 x 0 and empty lists: not given.
struct ImageArgs {
  std::pair<int, int> size;
  std::vector<float> mean, std;
  std::string labels, resize;
  int channels = 0, frames = 1;
  bool bgr = false;
};

void set_image_options(const ImageArgs& a, convert::ConvertOptions* o) {
  convert::ImageMetadataOptions& m = o->image;
  m.requested = a.size.first > 0 || !a.mean.empty() || !a.std.empty() || !a.labels.empty() || !a.resize.empty() ||
                a.channels > 0 || a.frames != 1 || a.bgr;
  m.height = a.size.first;
  m.width = a.size.second;
  m.mean = a.mean;
  m.std = a.std;
  m.labels_file = a.labels;
  if (!a.resize.empty()) m.resize = a.resize;
  m.channels = a.channels;
  m.frames = a.frames;
  m.bgr = a.bgr;
}

py::dict convert_file(const std::string& input, const std::string& output, const std::string& dtype,
                      const std::string& tokenizer, const std::vector<std::string>& keep_fp32, bool smooth,
                      bool pack_f32, const std::string& calibration_file, const ImageArgs& image) {
  convert::ConvertOptions o;
  o.input = input;
  o.output = output;
  o.dtype = dtype;
  o.tokenizer = tokenizer;
  o.keep_fp32 = keep_fp32;
  o.smooth = smooth;
  o.pack_f32 = pack_f32;
  o.calibration_file = calibration_file;
  set_image_options(image, &o);
  convert::ConvertSummary summary;
  const convert::ConvertStatus status = without_gil([&] { return convert::convert(o, &summary); });
  if (!status.ok()) raise_error(status.message.c_str(), convert_code_name(status.code));
  py::dict d;
  d["file_bytes"] = summary.file_bytes;
  d["weight_bytes"] = summary.weight_bytes;
  d["tensor_count"] = summary.tensor_count;
  d["packed_f32"] = summary.packed_f32;
  d["milliseconds"] = summary.milliseconds;
  return d;
}

}  // namespace

void register_convert(py::module_& m) {
  m.def(
      "convert",
      [](const std::string& input, const std::string& output, const std::string& dtype, const std::string& tokenizer,
         const std::vector<std::string>& keep_fp32, bool smooth, bool pack_f32, const std::string& calibration_file,
         std::pair<int, int> image_size, std::vector<float> image_mean, std::vector<float> image_std,
         std::string labels, std::string image_resize, int image_channels, int image_frames, bool image_bgr) {
        const ImageArgs image{image_size, std::move(image_mean), std::move(image_std), std::move(labels),
                              std::move(image_resize), image_channels, image_frames, image_bgr};
        return convert_file(input, output, dtype, tokenizer, keep_fp32, smooth, pack_f32, calibration_file, image);
      },
      py::arg("input"), py::arg("output"), py::arg("dtype"), py::arg("tokenizer"), py::arg("keep_fp32"),
      py::arg("smooth"), py::arg("pack_f32"), py::arg("calibration_file"), py::arg("image_size"),
      py::arg("image_mean"), py::arg("image_std"), py::arg("labels"), py::arg("image_resize"),
      py::arg("image_channels"), py::arg("image_frames"), py::arg("image_bgr"));
}

}  // namespace edgeattn::python
