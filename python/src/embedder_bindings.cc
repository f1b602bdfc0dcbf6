// edgeattn._edgeattn.Embedder: texts -> one float32 row per text
// (runtime/tasks/embedder.h). embed() writes straight into the returned
// array (no copy) with the GIL released.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "python/src/bindings.h"
#include "runtime/model.h"
#include "runtime/tasks/embedder.h"

namespace edgeattn::python {
namespace {

using Rows = py::array_t<float, py::array::c_style>;

std::unique_ptr<Embedder> create_embedder(const Model& model, int max_batch, int max_tokens, int threads,
                                          std::optional<std::string> kernels) {
  EmbedderOptions o;
  o.max_batch = max_batch;
  o.max_tokens = max_tokens;
  o.threads = threads;
  o.kernels = c_str_or_null(kernels);
  return unwrap(without_gil([&] { return Embedder::create(model, o); }));
}

Rows embed(Embedder& self, const std::vector<std::string>& texts) {
  const size_t dim = self.dimension();
  Rows rows({texts.size(), dim});  // [texts, dimension]
  std::vector<std::string_view> views(texts.begin(), texts.end());
  float* out = rows.mutable_data();
  throw_if_error(without_gil([&] {
    return self.embed(Span<const std::string_view>(views.data(), views.size()), Span<float>(out, texts.size() * dim));
  }));
  return rows;
}

Rows embed_tokens(Embedder& self, const std::vector<std::vector<int32_t>>& ids) {
  const size_t dim = self.dimension();
  Rows rows({ids.size(), dim});
  std::vector<Span<const int32_t>> spans;
  for (const std::vector<int32_t>& row : ids) spans.emplace_back(row.data(), row.size());
  float* out = rows.mutable_data();
  throw_if_error(without_gil([&] {
    return self.embed_tokens(Span<const Span<const int32_t>>(spans.data(), spans.size()),
                             Span<float>(out, ids.size() * dim));
  }));
  return rows;
}

py::dict stats_dict(const EmbedStats& s) {
  py::dict d;
  d["texts"] = s.texts;
  d["tokens"] = s.tokens;
  d["padded_tokens"] = s.padded_tokens;
  d["truncated"] = s.truncated;
  d["invokes"] = s.invokes;
  d["invoke_ms"] = s.invoke_ms;
  return d;
}

}  // namespace

void register_embedder(py::module_& m) {
  py::class_<Embedder>(m, "Embedder")
      .def(py::init(&create_embedder), py::arg("model"), py::arg("max_batch"), py::arg("max_tokens"),
           py::arg("threads"), py::arg("kernels"), py::keep_alive<1, 2>())
      .def("embed", &embed, py::arg("texts"))
      .def("embed_tokens", &embed_tokens, py::arg("ids"))
      .def_property_readonly("dimension", &Embedder::dimension)
      .def_property_readonly("max_tokens", &Embedder::max_tokens)
      .def_property_readonly("max_batch", &Embedder::max_batch)
      .def_property_readonly("last_stats", [](const Embedder& e) { return stats_dict(e.last_stats()); })
      .def_property_readonly("arena_bytes", [](const Embedder& e) { return e.session().memory().arena_bytes; });
}

}  // namespace edgeattn::python
