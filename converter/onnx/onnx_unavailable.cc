// The ONNX importer's stand-in in a build without Debian's libonnx-dev /
// libprotobuf-dev (e.g. an ARM cross build, whose models are converted on
// the host): ONNX inputs are recognized and refused with one clear error.
#include <string>

#include "converter/onnx/import_onnx.h"
#include "converter/source/convert_error.h"

namespace edgeattn::convert {

namespace {

[[noreturn]] void unavailable(const std::string& source) {
  throw_convert_error(source,
                      "this edgeattn-convert was built without ONNX support (install libonnx-dev and "
                      "libprotobuf-dev and rebuild, or convert on a host that has them)");
}

}  // namespace

void import_onnx(const std::string& input, const OnnxImportOptions&, ModelBuilder&) { unavailable(input); }

void import_onnx_bytes(const uint8_t*, size_t, const std::string& source, const std::string&, const OnnxImageSize&,
                       ModelBuilder&) {
  unavailable(source);
}

}  // namespace edgeattn::convert
