// edgeattn._edgeattn.TextReader: an RGB image -> its lines of text (OCR,
// RapidOCR's PP-OCR pipeline; runtime/tasks/text_reader.h). read() takes a
// numpy array [height, width, 3] uint8 (RGB) and returns the lines as
// (text bytes, box [4, 2] float32 in image pixels, confidence, rotated).
#include <pybind11/stl.h>

#include <memory>
#include <optional>
#include <string>

#include "python/src/bindings.h"
#include "runtime/model.h"
#include "runtime/tasks/text_reader.h"

namespace edgeattn::python {
namespace {

std::unique_ptr<TextReader> create_reader(const Model& model, int max_side, int max_lines, int max_line_width,
                                          bool classify_angle, int threads, std::optional<std::string> kernels) {
  TextReaderOptions o;
  o.max_side = max_side;
  o.max_lines = max_lines;
  o.max_line_width = max_line_width;
  o.classify_angle = classify_angle;
  o.threads = threads;
  o.kernels = c_str_or_null(kernels);
  return unwrap(without_gil([&] { return TextReader::create(model, o); }));
}

py::list read(TextReader& reader, const RgbArray& image) {
  const ocr::ImageView view = rgb_view(image);
  throw_if_error(without_gil([&] { return reader.read(view); }));
  py::list lines;
  for (const TextLine& line : reader.lines()) {
    py::array_t<float> box({4, 2});  // [corner, (x, y)]: top-left, top-right, bottom-right, bottom-left
    float* b = box.mutable_data();
    for (int i = 0; i < 4; ++i) {
      b[2 * i] = line.box[i].x;
      b[2 * i + 1] = line.box[i].y;
    }
    lines.append(py::make_tuple(py::bytes(line.text.data(), line.text.size()), box, line.confidence, line.rotated));
  }
  return lines;
}

}  // namespace

void register_text_reader(py::module_& m) {
  py::class_<TextReader>(m, "TextReader")
      .def(py::init(&create_reader), py::arg("model"), py::arg("max_side"), py::arg("max_lines"),
           py::arg("max_line_width"), py::arg("classify_angle"), py::arg("threads"), py::arg("kernels"),
           py::keep_alive<1, 2>())
      .def("read", &read, py::arg("image"))
      .def_property_readonly("last_stats", [](const TextReader& r) {
        const TextReadStats& s = r.stats();
        py::dict d;
        d["det_ms"] = s.det_ms;
        d["post_ms"] = s.post_ms;
        d["cls_ms"] = s.cls_ms;
        d["rec_ms"] = s.rec_ms;
        d["total_ms"] = s.total_ms;
        d["det_size"] = py::make_tuple(s.det_height, s.det_width);
        d["boxes"] = s.boxes;
        d["dropped"] = s.dropped;
        d["rejected"] = s.rejected;
        d["rotated"] = s.rotated;
        d["lines"] = s.lines;
        return d;
      });
}

}  // namespace edgeattn::python
