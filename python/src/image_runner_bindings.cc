// edgeattn._edgeattn.ImageRunner: 8-bit RGB images -> an image model's
// outputs (runtime/tasks/image_runner.h), with the preprocessing stored in
// the model. Images are numpy arrays [height, width, 3] uint8 (RGB). run*()
// return the outputs as read-only views of the arena, like Session's (valid
// until the next run; they keep the runner alive).
#include <pybind11/stl.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "python/src/bindings.h"
#include "runtime/model.h"
#include "runtime/tasks/image_runner.h"

namespace edgeattn::python {

ocr::ImageView rgb_view(const RgbArray& rgb) {
  if (rgb.ndim() != 3 || rgb.shape(2) != 3) {
    throw_invalid_argument("an image must be uint8 [height, width, 3] (RGB), got %zd dims", rgb.ndim());
  }
  return ocr::ImageView{rgb.data(), static_cast<int>(rgb.shape(1)), static_cast<int>(rgb.shape(0)),
                        static_cast<size_t>(rgb.strides(0))};
}

namespace {

std::unique_ptr<ImageRunner> create_runner(const Model& model, int max_batch, int threads,
                                           std::optional<std::string> kernels, bool softmax) {
  ImageRunnerOptions o;
  o.max_batch = max_batch;
  o.threads = threads;
  o.kernels = c_str_or_null(kernels);
  o.softmax = softmax;
  return unwrap(without_gil([&] { return ImageRunner::create(model, o); }));
}

py::list outputs(py::handle owner, const ImageRunner& runner) {
  py::list out;
  for (const TensorView& view : runner.outputs()) out.append(arena_view(owner, view));
  return out;
}

// Runs `images` through `run` (ImageRunner::run_batch or run_clip) without
// the GIL; the outputs as views of the runner's arena.
py::list run_images(py::object owner, const std::vector<RgbArray>& images,
                    Status (ImageRunner::*run)(Span<const ocr::ImageView>)) {
  ImageRunner& runner = owner.cast<ImageRunner&>();
  std::vector<ocr::ImageView> views;
  for (const RgbArray& image : images) views.push_back(rgb_view(image));
  throw_if_error(without_gil([&] { return (runner.*run)(Span<const ocr::ImageView>(views.data(), views.size())); }));
  return outputs(owner, runner);
}

py::list top_k(ImageRunner& runner, int k, int row) {
  Span<const ImageClass> best = unwrap(runner.top_k(k, row));
  py::list out;
  for (const ImageClass& c : best) {
    out.append(py::make_tuple(c.index, py::str(c.label.data(), c.label.size()), c.probability, c.score));
  }
  return out;
}

}  // namespace

void register_image_runner(py::module_& m) {
  py::class_<ImageRunner>(m, "ImageRunner")
      .def(py::init(&create_runner), py::arg("model"), py::arg("max_batch"), py::arg("threads"),
           py::arg("kernels"), py::arg("softmax"), py::keep_alive<1, 2>())
      .def(
          "run",
          [](py::object self, const RgbArray& image) {
            ImageRunner& runner = self.cast<ImageRunner&>();
            const ocr::ImageView view = rgb_view(image);
            throw_if_error(without_gil([&] { return runner.run(view); }));
            return outputs(self, runner);
          },
          py::arg("image"))
      .def(
          "run_batch",
          [](py::object self, const std::vector<RgbArray>& images) {
            return run_images(self, images, &ImageRunner::run_batch);
          },
          py::arg("images"))
      .def(
          "run_clip",
          [](py::object self, const std::vector<RgbArray>& frames) {
            return run_images(self, frames, &ImageRunner::run_clip);
          },
          py::arg("frames"))
      .def("top_k", &top_k, py::arg("k"), py::arg("row"))
      .def_property_readonly("last_stats", [](const ImageRunner& r) {
        py::dict d;
        d["preprocess_ms"] = r.stats().preprocess_ms;
        d["invoke_ms"] = r.stats().invoke_ms;
        d["total_ms"] = r.stats().total_ms;
        d["images"] = r.stats().images;
        return d;
      });
}

}  // namespace edgeattn::python
