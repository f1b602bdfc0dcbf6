// edgeattn._edgeattn.Transcriber: speech -> text with a Whisper-style
// encoder-decoder (runtime/tasks/transcriber.h). transcribe_wav() takes a WAV
// file's bytes, transcribe() float32 mono samples at a sample rate; both run
// with the GIL released. text and segments are those of the last call.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <memory>
#include <optional>
#include <string>

#include "python/src/bindings.h"
#include "runtime/model.h"
#include "runtime/tasks/transcriber.h"

namespace edgeattn::python {
namespace {

using Samples = py::array_t<float, py::array::c_style | py::array::forcecast>;

std::unique_ptr<Transcriber> create_transcriber(const Model& model, double max_audio_seconds, bool timestamps,
                                                int threads, std::optional<std::string> kernels) {
  TranscriberOptions o;
  o.max_audio_seconds = max_audio_seconds;
  o.timestamps = timestamps;
  o.threads = threads;
  o.kernels = c_str_or_null(kernels);
  return unwrap(without_gil([&] { return Transcriber::create(model, o); }));
}

py::bytes transcribe_wav(Transcriber& self, const py::bytes& wav) {
  std::string_view bytes = wav;  // the bytes object stays referenced by the caller's frame
  throw_if_error(without_gil([&] {
    return self.transcribe_wav(Span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  }));
  return py::bytes(std::string(self.text()));
}

py::bytes transcribe_samples(Transcriber& self, const Samples& samples, uint32_t sample_rate) {
  if (samples.ndim() != 1) throw_invalid_argument("samples must be mono [n], got %zd dims", samples.ndim());
  throw_if_error(without_gil([&] {
    return self.transcribe(Span<const float>(samples.data(), static_cast<size_t>(samples.size())), sample_rate);
  }));
  return py::bytes(std::string(self.text()));
}

// [(start_seconds, end_seconds, text bytes)] of the last call.
py::list segments(const Transcriber& self) {
  py::list out;
  const std::string_view text = self.text();
  for (const TranscriptSegment& s : self.segments()) {
    out.append(py::make_tuple(s.start_seconds, s.end_seconds, py::bytes(std::string(text.substr(s.text_offset,
                                                                                               s.text_size)))));
  }
  return out;
}

py::dict stats_dict(const TranscribeStats& s) {
  py::dict d;
  d["audio_seconds"] = s.audio_seconds;
  d["windows"] = s.windows;
  d["decoder_tokens"] = s.decoder_tokens;
  d["frontend_ms"] = s.frontend_ms;
  d["encoder_ms"] = s.encoder_ms;
  d["decoder_ms"] = s.decoder_ms;
  d["total_ms"] = s.total_ms;
  d["real_time_factor"] = s.real_time_factor();
  return d;
}

}  // namespace

void register_transcriber(py::module_& m) {
  py::class_<Transcriber>(m, "Transcriber")
      .def(py::init(&create_transcriber), py::arg("model"), py::arg("max_audio_seconds"), py::arg("timestamps"),
           py::arg("threads"), py::arg("kernels"), py::keep_alive<1, 2>())
      .def("transcribe_wav", &transcribe_wav, py::arg("wav"))
      .def("transcribe", &transcribe_samples, py::arg("samples"), py::arg("sample_rate"))
      .def_property_readonly("segments", &segments)
      .def_property_readonly("last_stats", [](const Transcriber& t) { return stats_dict(t.last_stats()); });
}

}  // namespace edgeattn::python
