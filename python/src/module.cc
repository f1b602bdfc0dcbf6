// The extension module edgeattn._edgeattn. The Python package (python/edgeattn)
// wraps these classes with keyword arguments, type hints and docstrings;
// users import edgeattn, not this module.
#include <pybind11/pybind11.h>

#include <cstdarg>
#include <cstdio>

#include "python/src/bindings.h"
#include "runtime/session.h"

namespace edgeattn::python {
namespace {

// edgeattn.Error, created at import (a Python class object, owned by the module).
PyObject* g_error_type = nullptr;

}  // namespace

void raise_error(const char* message, const char* code) {
  py::object error = py::reinterpret_borrow<py::object>(g_error_type)(message);
  error.attr("code") = code;
  PyErr_SetObject(g_error_type, error.ptr());
  throw py::error_already_set();
}

void throw_status(const Status& status) { raise_error(status.message(), status_code_name(status.code())); }

void throw_invalid_argument(const char* format, ...) {
  char message[Status::kMaxMessage];
  va_list args;
  va_start(args, format);
  std::vsnprintf(message, sizeof(message), format, args);
  va_end(args);
  throw_status(Status::error(StatusCode::kInvalidArgument, "%s", message));
}

KvCacheDType kv_cache_dtype(const std::string& name) {
  if (name == "f32") return KvCacheDType::kF32;
  if (name == "f16") return KvCacheDType::kF16;
  if (name == "i8") return KvCacheDType::kI8;
  throw_invalid_argument("kv_dtype '%s' is not one of f32, f16, i8", name.c_str());
}

void register_errors(py::module_& m) {
  // One reference kept for the process's life (raising needs it after the
  // module's dict may be gone at shutdown), one held by the module attribute.
  g_error_type = PyErr_NewExceptionWithDoc(
      "edgeattn.Error", "A failed edgeattn call: the runtime's Status message; .code is its code name.",
      nullptr, nullptr);
  if (g_error_type == nullptr) throw py::error_already_set();
  m.attr("Error") = py::handle(g_error_type);
}

}  // namespace edgeattn::python

PYBIND11_MODULE(_edgeattn, m) {
  namespace ep = edgeattn::python;
  m.doc() = "edgeattn's C++ runtime and converter (use the edgeattn package, not this module)";
  m.attr("__version__") = EDGEATTN_VERSION_STRING;
  ep::register_errors(m);
  ep::register_model(m);
  ep::register_session(m);
  ep::register_embedder(m);
  ep::register_generator(m);
  ep::register_transcriber(m);
  ep::register_convert(m);
  ep::register_image_runner(m);
  ep::register_text_reader(m);
  ep::register_translator(m);
}
