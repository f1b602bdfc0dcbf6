// edgeattn._edgeattn.Session: one stream of inference over a Model, the
// low-level API (runtime/session.h). invoke() takes numpy arrays (token ids
// int32 [batch, seq], float32 inputs in the method's input order) without
// copying those already C-contiguous of the right dtype; outputs() returns
// read-only arrays that VIEW the session's arena: they keep the Session
// alive, and their values are overwritten by the next invoke() (copy them
// to keep them).
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "python/src/bindings.h"
#include "runtime/model.h"
#include "runtime/session.h"

namespace edgeattn::python {
namespace {

using IdArray = py::array_t<int32_t, py::array::c_style | py::array::forcecast>;
using FloatArray = py::array_t<float, py::array::c_style | py::array::forcecast>;

py::dtype numpy_dtype(DType dtype) {
  switch (dtype) {
    case DType::kF32: return py::dtype::of<float>();
    case DType::kF16: return py::dtype("float16");
    case DType::kI8: return py::dtype::of<int8_t>();
    case DType::kI32: return py::dtype::of<int32_t>();
    case DType::kU8: return py::dtype::of<uint8_t>();
    default: break;
  }
  throw_status(Status::error(StatusCode::kUnsupported, "output dtype %s has no numpy equivalent", dtype_name(dtype)));
}

// A Session plus what invoke() checks arrays against.
struct PySession {
  std::unique_ptr<Session> session;
  const MethodInfo* method = nullptr;  // inside the Model
};

std::unique_ptr<PySession> create_session(const Model& model, std::optional<std::string> method, int max_batch,
                                          int max_seq, int max_context, int threads,
                                          std::optional<std::string> kernels, const std::string& kv_dtype,
                                          int max_source_seq, int max_image_height, int max_image_width) {
  SessionOptions o;
  o.method = c_str_or_null(method);
  o.max_batch = max_batch;
  o.max_seq = max_seq;
  o.max_context = max_context;
  o.threads = threads;
  o.kernels = c_str_or_null(kernels);
  o.kv_dtype = kv_cache_dtype(kv_dtype);
  o.max_source_seq = max_source_seq;
  o.max_image_height = max_image_height;
  o.max_image_width = max_image_width;
  auto out = std::make_unique<PySession>();
  // plans, allocates the arena, packs weights
  out->session = unwrap(without_gil([&] { return Session::create(model, o); }));
  out->method = model.info().find_method(out->session->method());
  return out;
}

// Checks one float input's size against the method's f32 input `expected`
// at this invoke's dims.
void check_float_input(const TensorInfo& expected, const FloatArray& array, const DimValues& dims) {
  if (array.size() != expected.element_count(dims)) {
    throw_invalid_argument("input '%s' has %zd elements, the method needs %lld at this batch", expected.name,
                           static_cast<ssize_t>(array.size()),
                           static_cast<long long>(expected.element_count(dims)));
  }
}

void invoke(PySession& self, std::optional<IdArray> ids, std::optional<IdArray> lengths,
            std::vector<std::optional<FloatArray>> floats, bool all_positions, int source_seq, int image_height,
            int image_width) {
  InvokeInput in;
  if (ids) {
    if (ids->ndim() != 2) throw_invalid_argument("ids must be [batch, seq], got %zd dims", ids->ndim());
    in.ids = ids->data();
    in.batch = static_cast<int>(ids->shape(0));
    in.seq = static_cast<int>(ids->shape(1));
  }
  if (lengths) {
    if (lengths->ndim() != 1 || lengths->shape(0) != in.batch) {
      throw_invalid_argument("lengths must be [batch] = [%d]", in.batch);
    }
    in.lengths = lengths->data();
  }
  // Float inputs are the method's f32 inputs in order; the batch comes from
  // the ids, else from the first float input's dim 0.
  std::vector<const float*> pointers;
  std::vector<const TensorInfo*> float_specs;
  for (const TensorInfo& t : self.method->inputs) {
    if (t.dtype == DType::kF32) float_specs.push_back(&t);
  }
  if (floats.size() != float_specs.size()) {
    throw_invalid_argument("method '%s' takes %zu float inputs, got %zu", self.method->name, float_specs.size(),
                           floats.size());
  }
  if (!ids && !floats.empty() && floats[0]) in.batch = static_cast<int>(floats[0]->ndim() ? floats[0]->shape(0) : 1);
  in.source_seq = source_seq;
  in.image_height = image_height;
  in.image_width = image_width;
  DimValues dims;
  dims.batch = in.batch;
  dims.seq = in.seq;
  dims.source = source_seq;
  dims.height = image_height;
  dims.width = image_width;
  for (size_t i = 0; i < floats.size(); ++i) {
    if (floats[i]) check_float_input(*float_specs[i], *floats[i], dims);
    pointers.push_back(floats[i] ? floats[i]->data() : nullptr);
  }
  in.float_inputs = Span<const float* const>(pointers.data(), pointers.size());
  in.all_positions = all_positions;
  // The arrays stay referenced by this frame.
  throw_if_error(without_gil([&] { return self.session->invoke(in); }));
}

}  // namespace

py::array arena_view(py::handle owner, const TensorView& view) {
  std::vector<ssize_t> shape(view.shape, view.shape + view.rank);
  py::array array(numpy_dtype(view.dtype), shape, std::vector<ssize_t>{}, view.data, owner);
  array.attr("setflags")(py::arg("write") = false);
  return array;
}

namespace {

py::dict memory_dict(const MemoryStats& m) {
  py::dict d;
  d["arena_bytes"] = m.arena_bytes;
  d["activation_bytes"] = m.activation_bytes;
  d["persistent_bytes"] = m.persistent_bytes;
  d["kv_cache_bytes"] = m.kv_cache_bytes;
  d["packed_weight_bytes"] = m.packed_weight_bytes;
  d["xnnpack_bytes"] = m.xnnpack_bytes;
  d["weight_bytes"] = m.weight_bytes;
  return d;
}

}  // namespace

void register_session(py::module_& m) {
  py::class_<PySession>(m, "Session")
      .def(py::init(&create_session), py::arg("model"), py::arg("method"), py::arg("max_batch"),
           py::arg("max_seq"), py::arg("max_context"), py::arg("threads"), py::arg("kernels"),
           py::arg("kv_dtype"), py::arg("max_source_seq"), py::arg("max_image_height"),
           py::arg("max_image_width"), py::keep_alive<1, 2>())
      .def("invoke", &invoke, py::arg("ids"), py::arg("lengths"), py::arg("floats"), py::arg("all_positions"),
           py::arg("source_seq"), py::arg("image_height"), py::arg("image_width"))
      .def("outputs",
           [](py::object owner) {
             const PySession& self = owner.cast<const PySession&>();
             py::list out;
             for (size_t i = 0; i < self.session->output_count(); ++i) {
               out.append(arena_view(owner, self.session->output(i)));
             }
             return out;
           })
      .def("reset", [](PySession& self) { self.session->reset(); })
      .def_property_readonly("past", [](const PySession& self) { return self.session->past(); })
      .def_property_readonly("method", [](const PySession& self) { return std::string(self.session->method()); })
      .def_property_readonly("kernel_table",
                             [](const PySession& self) { return std::string(self.session->kernel_name()); })
      .def_property_readonly("memory", [](const PySession& self) { return memory_dict(self.session->memory()); });
}

}  // namespace edgeattn::python
