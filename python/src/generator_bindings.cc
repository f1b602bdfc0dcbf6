// edgeattn._edgeattn.Generator: text generation with a decoder LM
// (runtime/tasks/text_generator.h). generate() and chat() run with the GIL
// released and return the reply's bytes; with on_piece, each token's bytes
// also go to that callable as they are sampled (the GIL taken for the call
// only; returning False stops the generation; an exception it raises stops
// it and is raised again from generate()). The Python package turns bytes
// into text (an incremental UTF-8 decoder: a byte-level BPE token can be
// part of a character) and builds its streaming iterator on on_piece.
#include <pybind11/stl.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "python/src/bindings.h"
#include "runtime/model.h"
#include "runtime/tasks/text_generator.h"

namespace edgeattn::python {
namespace {

struct PyGenerator {
  std::string system_prompt;  // TextGeneratorOptions::system_prompt views it: must outlive `generator`
  std::unique_ptr<TextGenerator> generator;
};

SamplingOptions sampling_options(float temperature, int top_k, float top_p, float repetition_penalty,
                                 int penalty_window, uint64_t seed) {
  SamplingOptions s;
  s.temperature = temperature;
  s.top_k = top_k;
  s.top_p = top_p;
  s.repetition_penalty = repetition_penalty;
  s.penalty_window = penalty_window;
  s.seed = seed;
  return s;
}

std::unique_ptr<PyGenerator> create_generator(const Model& model, int max_context, int prefill_chunk, int threads,
                                              std::optional<std::string> kernels, const std::string& kv_dtype,
                                              const std::string& context_policy, std::string system_prompt,
                                              float temperature, int top_k, float top_p, float repetition_penalty,
                                              int penalty_window, uint64_t seed) {
  auto out = std::make_unique<PyGenerator>();
  out->system_prompt = std::move(system_prompt);
  TextGeneratorOptions o;
  o.max_context = max_context;
  o.prefill_chunk = prefill_chunk;
  o.threads = threads;
  o.kernels = c_str_or_null(kernels);
  o.kv_dtype = kv_cache_dtype(kv_dtype);
  if (context_policy == "slide") {
    o.context_policy = ContextPolicy::kSlide;
  } else if (context_policy != "stop") {
    throw_invalid_argument("context_policy '%s' is not one of stop, slide", context_policy.c_str());
  }
  o.system_prompt = out->system_prompt;
  o.sampling = sampling_options(temperature, top_k, top_p, repetition_penalty, penalty_window, seed);
  out->generator = unwrap(without_gil([&] { return TextGenerator::create(model, o); }));
  return out;
}

// What one generate() / chat() call collects; on_text's `user`.
struct Collector {
  std::string text;                // [reply bytes]
  py::object on_piece;             // None or a callable(bytes) -> bool | None
  std::optional<py::error_already_set> error;  // raised by on_piece
};

bool collect_piece(void* user, std::string_view piece) {
  Collector& c = *static_cast<Collector*>(user);
  c.text.append(piece.data(), piece.size());
  if (c.on_piece.is_none()) return true;
  py::gil_scoped_acquire locked;
  try {
    py::object keep_going = c.on_piece(py::bytes(piece.data(), piece.size()));
    return keep_going.is_none() || keep_going.cast<bool>();
  } catch (py::error_already_set& e) {
    c.error.emplace(std::move(e));
    return false;
  }
}

// Runs generate() (chat = false) or chat() and returns the reply's bytes.
py::bytes run(PyGenerator& self, const std::string& text, bool chat, int max_tokens, py::object on_piece,
              bool echo_prompt) {
  Collector collector;
  collector.on_piece = std::move(on_piece);
  GenerationRequest request;
  request.max_tokens = max_tokens;
  request.on_text = &collect_piece;
  request.user = &collector;
  request.echo_prompt = echo_prompt;
  const Status status = without_gil(
      [&] { return chat ? self.generator->chat(text, request) : self.generator->generate(text, request); });
  if (collector.error) throw std::move(*collector.error);
  throw_if_error(status);
  return py::bytes(collector.text);
}

py::dict stats_dict(const GenerationStats& s) {
  py::dict d;
  d["prompt_tokens"] = s.prompt_tokens;
  d["generated"] = s.generated;
  d["decode_steps"] = s.decode_steps;
  d["prefill_ms"] = s.prefill_ms;
  d["decode_ms"] = s.decode_ms;
  d["slides"] = s.slides;
  d["context_tokens"] = s.context_tokens;
  d["stop_reason"] = stop_reason_name(s.stop_reason);
  return d;
}

}  // namespace

void register_generator(py::module_& m) {
  py::class_<PyGenerator>(m, "Generator")
      .def(py::init(&create_generator), py::arg("model"), py::arg("max_context"), py::arg("prefill_chunk"),
           py::arg("threads"), py::arg("kernels"), py::arg("kv_dtype"), py::arg("context_policy"),
           py::arg("system_prompt"), py::arg("temperature"), py::arg("top_k"), py::arg("top_p"),
           py::arg("repetition_penalty"), py::arg("penalty_window"), py::arg("seed"), py::keep_alive<1, 2>())
      .def(
          "set_sampling",
          [](PyGenerator& self, float temperature, int top_k, float top_p, float repetition_penalty,
             int penalty_window, uint64_t seed) {
            throw_if_error(self.generator->set_sampling(
                sampling_options(temperature, top_k, top_p, repetition_penalty, penalty_window, seed)));
          },
          py::arg("temperature"), py::arg("top_k"), py::arg("top_p"), py::arg("repetition_penalty"),
          py::arg("penalty_window"), py::arg("seed"))
      .def(
          "generate",
          [](PyGenerator& self, const std::string& prompt, int max_tokens, py::object on_piece, bool echo_prompt) {
            return run(self, prompt, /*chat=*/false, max_tokens, std::move(on_piece), echo_prompt);
          },
          py::arg("prompt"), py::arg("max_tokens"), py::arg("on_piece"), py::arg("echo_prompt"))
      .def(
          "chat",
          [](PyGenerator& self, const std::string& text, int max_tokens, py::object on_piece) {
            return run(self, text, /*chat=*/true, max_tokens, std::move(on_piece), false);
          },
          py::arg("text"), py::arg("max_tokens"), py::arg("on_piece"))
      .def("reset", [](PyGenerator& self) { self.generator->reset(); })
      .def_property_readonly("last_stats",
                             [](const PyGenerator& self) { return stats_dict(self.generator->last_stats()); })
      .def_property_readonly("context",
                             [](const PyGenerator& self) {
                               Span<const int32_t> c = self.generator->context();
                               return std::vector<int32_t>(c.begin(), c.end());
                             })
      .def_property_readonly("max_context", [](const PyGenerator& self) { return self.generator->max_context(); })
      .def_property_readonly("arena_bytes", [](const PyGenerator& self) {
        return self.generator->session().memory().arena_bytes;
      });
}

}  // namespace edgeattn::python
