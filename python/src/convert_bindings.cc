// edgeattn._edgeattn.convert: the converter library's convert()
// (converter/convert.h) — a trained checkpoint to a verified .eatn — with the
// GIL released. A failure raises edgeattn.Error with the converter's one-line
// message and code "invalid_options", "failed" or "internal".
#include <pybind11/stl.h>

#include <string>
#include <vector>

#include "converter/convert.h"
#include "python/src/bindings.h"

namespace edgeattn::python {
namespace {

const char* convert_code_name(convert::ConvertCode code) {
  switch (code) {
    case convert::ConvertCode::kOk: return "ok";
    case convert::ConvertCode::kInvalidOptions: return "invalid_options";
    case convert::ConvertCode::kFailed: return "failed";
    case convert::ConvertCode::kInternal: return "internal";
  }
  return "failed";
}

py::dict convert_file(const std::string& input, const std::string& output, const std::string& dtype,
                      const std::string& tokenizer, const std::vector<std::string>& keep_fp32, bool smooth,
                      bool pack_f32, const std::string& calibration_file) {
  convert::ConvertOptions o;
  o.input = input;
  o.output = output;
  o.dtype = dtype;
  o.tokenizer = tokenizer;
  o.keep_fp32 = keep_fp32;
  o.smooth = smooth;
  o.pack_f32 = pack_f32;
  o.calibration_file = calibration_file;
  convert::ConvertSummary summary;
  const convert::ConvertStatus status = without_gil([&] { return convert::convert(o, &summary); });
  if (!status.ok()) raise_error(status.message.c_str(), convert_code_name(status.code));
  py::dict d;
  d["file_bytes"] = summary.file_bytes;
  d["weight_bytes"] = summary.weight_bytes;
  d["tensor_count"] = summary.tensor_count;
  d["packed_f32"] = summary.packed_f32;
  d["milliseconds"] = summary.milliseconds;
  return d;
}

}  // namespace

void register_convert(py::module_& m) {
  m.def("convert", &convert_file, py::arg("input"), py::arg("output"), py::arg("dtype"), py::arg("tokenizer"),
        py::arg("keep_fp32"), py::arg("smooth"), py::arg("pack_f32"), py::arg("calibration_file"));
}

}  // namespace edgeattn::python
