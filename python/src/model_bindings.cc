// edgeattn._edgeattn.Model: a loaded, verified .eatn file (shared by every
// session and task made from it), its ModelInfo as plain Python values, and
// its tokenizer.
#include <pybind11/stl.h>

#include <memory>
#include <string>
#include <vector>

#include "python/src/bindings.h"
#include "runtime/model.h"
#include "runtime/session.h"

namespace edgeattn::python {
namespace {

// A dim as the file describes it: an int when fixed, else its symbol
// ("batch", "seq", "out_seq", "source_seq", "selection", "height/32", ...).
py::object dim_value(const DimSpec& d) {
  switch (d.kind) {
    case DimKind::kFixed: return py::int_(d.value);
    case DimKind::kBatch: return py::str("batch");
    case DimKind::kSeq: return py::str("seq");
    case DimKind::kOutSeq: return py::str("out_seq");
    case DimKind::kSourceSeq: return py::str("source_seq");
    case DimKind::kSelection: return py::str("selection");
    case DimKind::kHeight: return py::str(d.value == 1 ? "height" : "height/" + std::to_string(d.value));
    case DimKind::kWidth: return py::str(d.value == 1 ? "width" : "width/" + std::to_string(d.value));
  }
  return py::none();
}

py::dict tensor_dict(const TensorInfo& t) {
  py::list shape;
  for (int i = 0; i < t.rank; ++i) shape.append(t.is_constant ? py::int_(t.shape[i]) : dim_value(t.dims[i]));
  py::dict d;
  d["name"] = t.name;
  d["dtype"] = dtype_name(t.dtype);
  d["shape"] = py::tuple(shape);
  return d;
}

py::list tensor_list(Span<const TensorInfo> tensors) {
  py::list out;
  for (const TensorInfo& t : tensors) out.append(tensor_dict(t));
  return out;
}

py::dict method_dict(const MethodInfo& m) {
  py::dict d;
  d["name"] = m.name;
  d["inputs"] = tensor_list(m.inputs);
  d["outputs"] = tensor_list(m.outputs);
  d["op_count"] = m.op_count;
  return d;
}

py::dict image_dict(const ImageInfo& image) {
  py::dict d;
  d["height"] = image.height;
  d["width"] = image.width;
  d["channels"] = image.channels;
  d["frames"] = image.frames;
  d["mean"] = std::vector<float>(image.mean.begin(), image.mean.end());
  d["std"] = std::vector<float>(image.std.begin(), image.std.end());
  d["bgr"] = image.bgr;
  d["resize"] = image_resize_name(image.resize);
  py::list labels;
  for (std::string_view label : image.labels) labels.append(py::str(label.data(), label.size()));
  d["labels"] = labels;
  return d;
}

py::dict audio_dict(const AudioFrontendInfo& audio) {
  py::dict d;
  d["sample_rate"] = audio.sample_rate;
  d["n_fft"] = audio.n_fft;
  d["hop_length"] = audio.hop_length;
  d["n_mels"] = audio.n_mels;
  d["chunk_samples"] = audio.chunk_samples;
  d["n_frames"] = audio.n_frames;
  return d;
}

// ModelInfo's fields as a dict; python/edgeattn/_info.py makes the
// dataclasses (their fields are this dict's keys).
py::dict info_dict(const Model& model) {
  const ModelInfo& info = model.info();
  py::dict d;
  d["architecture"] = architecture_name(info.architecture);
  d["task"] = task_name(info.task);
  d["vocab_size"] = info.vocab_size;
  d["hidden_size"] = info.hidden_size;
  d["intermediate_size"] = info.intermediate_size;
  d["n_layers"] = info.n_layers;
  d["n_heads"] = info.n_heads;
  d["n_kv_heads"] = info.n_kv_heads;
  d["head_dim"] = info.head_dim;
  d["max_positions"] = info.max_positions;
  d["max_input_tokens"] = info.max_input_tokens();
  d["pooling"] = pooling_name(info.pooling);
  d["normalize_embeddings"] = info.normalize_embeddings;
  d["has_tokenizer"] = info.has_tokenizer;
  d["chat_template"] = py::str(info.chat_template.data(), info.chat_template.size());
  d["dtype"] = info.dtype;
  d["producer"] = info.producer;
  d["producer_version"] = info.producer_version;
  d["source"] = info.source;
  d["source_format"] = info.source_format;
  d["format_version"] = py::make_tuple(info.format_major, info.format_minor);
  d["file_size"] = info.file_size;
  d["weight_bytes"] = info.weight_bytes;
  d["tensor_count"] = info.tensor_count;
  py::list methods;
  for (const MethodInfo& m : info.methods) methods.append(method_dict(m));
  d["methods"] = methods;
  d["audio"] = info.audio.present ? py::object(audio_dict(info.audio)) : py::none();
  d["image"] = info.image.present ? py::object(image_dict(info.image)) : py::none();
  return d;
}

const Tokenizer& tokenizer_of(const Model& model) {
  if (model.tokenizer() == nullptr) {
    throw_status(Status::error(StatusCode::kInvalidArgument, "this model has no tokenizer"));
  }
  return *model.tokenizer();
}

std::vector<int32_t> tokenize(const Model& model, const std::string& text, bool add_special_tokens,
                              bool parse_special) {
  const Tokenizer& tokenizer = tokenizer_of(model);
  EncodeOptions options;
  options.add_special_tokens = add_special_tokens;
  options.parse_special = parse_special;
  std::vector<int32_t> ids;
  throw_if_error(tokenizer.encode(text, options, &ids));
  return ids;
}

py::bytes detokenize(const Model& model, const std::vector<int32_t>& ids) {
  std::string text;
  throw_if_error(tokenizer_of(model).decode(Span<const int32_t>(ids.data(), ids.size()), &text));
  return py::bytes(text);
}

std::vector<std::string> kernel_tables() {
  const char* names[16];
  const size_t n = available_kernel_names(names, 16);
  return std::vector<std::string>(names, names + std::min<size_t>(n, 16));
}

}  // namespace

void register_model(py::module_& m) {
  py::class_<Model, std::shared_ptr<Model>>(m, "Model")
      .def(py::init([](const std::string& path) {
             // mmap + full verification, without the GIL
             return std::shared_ptr<Model>(unwrap(without_gil([&] { return Model::load_file(path.c_str()); })));
           }),
           py::arg("path"))
      .def("info_dict", &info_dict)
      .def("tokenize", &tokenize, py::arg("text"), py::arg("add_special_tokens"), py::arg("parse_special"))
      .def("detokenize", &detokenize, py::arg("ids"));
  m.def("kernel_tables", &kernel_tables);
}

}  // namespace edgeattn::python
