// Shared pieces of the extension module edgeattn._edgeattn (pybind11):
// the one exception type, Status / Result unwrapping, and the registration
// function of each file (one concept per file: model, session, each task,
// the converter).
//
// Errors: every failing Status becomes edgeattn.Error, whose message is the
// Status message and whose .code is status_code_name() ("invalid_argument",
// "invalid_model", ...). Nothing else is raised for runtime failures.
//
// Lifetimes: the C++ objects hold references (Sessions and tasks hold the
// Model, outputs view the Session's arena). Every binding that stores such a
// reference keeps the Python owner alive (py::keep_alive or an array base),
// so a Python user cannot outlive what they point into.
//
// Example (a new binding file):
//   void register_widget(py::module_& m) {
//     py::class_<Widget>(m, "_Widget").def("run", [](Widget& w) {
//       throw_if_error(without_gil([&] { return w.run(); }));
//     });
//   }
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <optional>
#include <string>
#include <utility>

#include "runtime/core/status.h"
#include "runtime/session.h"
#include "runtime/tasks/ocr/image.h"

namespace edgeattn::python {

namespace py = pybind11;

// Raises edgeattn.Error(message) with .code = code (e.g. the converter's
// messages, which are not Status-bounded).
[[noreturn]] void raise_error(const char* message, const char* code);

// Raises edgeattn.Error carrying the Status message and code name.
[[noreturn]] void throw_status(const Status& status);

inline void throw_if_error(const Status& status) {
  if (!status.is_ok()) throw_status(status);
}

template <typename T>
T unwrap(Result<T>&& result) {
  if (!result.is_ok()) throw_status(result.status());
  return std::move(result).value();
}

// Runs `work` with the GIL released and returns its result (a Status or
// Result, checked by the caller with the GIL held again). Everything `work`
// reads must stay alive and unchanged: arguments the calling frame holds.
template <typename Work>
auto without_gil(Work&& work) {
  py::gil_scoped_release unlocked;
  return work();
}

// Raises edgeattn.Error for a caller mistake found in the binding itself
// (wrong array dtype or rank), as kInvalidArgument.
[[noreturn]] void throw_invalid_argument(const char* format, ...) __attribute__((format(printf, 1, 2)));

// A read-only array over a tensor in a session's arena (no copy); `owner`,
// the Python object holding that session, becomes the array's base, so the
// arena outlives the array. Its values change with the next run.
py::array arena_view(py::handle owner, const TensorView& view);

// An optional Python str as the runtime's `const char*` options take it
// (e.g. kernels: None -> nullptr, "auto"); the pointer lives as long as `s`.
inline const char* c_str_or_null(const std::optional<std::string>& s) { return s ? s->c_str() : nullptr; }

// "f32", "f16" or "i8" (SessionOptions::kv_dtype); anything else raises.
KvCacheDType kv_cache_dtype(const std::string& name);

// 8-bit RGB images as numpy arrays [height, width, 3] (uint8; other dtypes
// and layouts converted once).
using RgbArray = py::array_t<uint8_t, py::array::c_style | py::array::forcecast>;
// A view of `rgb` (which must stay referenced while the view is used).
ocr::ImageView rgb_view(const RgbArray& rgb);

void register_errors(py::module_& m);
void register_model(py::module_& m);
void register_session(py::module_& m);
void register_embedder(py::module_& m);
void register_generator(py::module_& m);
void register_transcriber(py::module_& m);
void register_convert(py::module_& m);
void register_image_runner(py::module_& m);
void register_text_reader(py::module_& m);
void register_translator(py::module_& m);

}  // namespace edgeattn::python
