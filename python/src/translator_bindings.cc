// edgeattn._edgeattn.Translator: text -> translated text with a Marian /
// Bergamot model (runtime/tasks/translator.h: sentence split, encode, greedy
// decode over the lexical shortlist), the GIL released while it runs.
#include <pybind11/stl.h>

#include <memory>
#include <optional>
#include <string>

#include "python/src/bindings.h"
#include "runtime/model.h"
#include "runtime/tasks/translator.h"

namespace edgeattn::python {
namespace {

std::unique_ptr<Translator> create_translator(const Model& model, int max_source_tokens, size_t max_text_bytes,
                                              bool split_sentences, bool shortlist, int threads,
                                              std::optional<std::string> kernels) {
  TranslatorOptions o;
  o.max_source_tokens = max_source_tokens;
  o.max_text_bytes = max_text_bytes;
  o.split_sentences = split_sentences;
  o.shortlist = shortlist;
  o.threads = threads;
  o.kernels = c_str_or_null(kernels);
  return unwrap(without_gil([&] { return Translator::create(model, o); }));
}

py::bytes translate(Translator& self, const std::string& text) {
  throw_if_error(without_gil([&] { return self.translate(text); }));
  return py::bytes(self.text().data(), self.text().size());
}

py::dict stats_dict(const TranslateStats& s) {
  py::dict d;
  d["sentences"] = s.sentences;
  d["source_tokens"] = s.source_tokens;
  d["output_tokens"] = s.output_tokens;
  d["selected_words"] = s.selected_words;
  d["tokenize_ms"] = s.tokenize_ms;
  d["encoder_ms"] = s.encoder_ms;
  d["decoder_ms"] = s.decoder_ms;
  d["total_ms"] = s.total_ms;
  return d;
}

}  // namespace

void register_translator(py::module_& m) {
  py::class_<Translator>(m, "Translator")
      .def(py::init(&create_translator), py::arg("model"), py::arg("max_source_tokens"), py::arg("max_text_bytes"),
           py::arg("split_sentences"), py::arg("shortlist"), py::arg("threads"), py::arg("kernels"),
           py::keep_alive<1, 2>())
      .def("translate", &translate, py::arg("text"))
      .def_property_readonly("last_stats", [](const Translator& t) { return stats_dict(t.last_stats()); });
}

}  // namespace edgeattn::python
