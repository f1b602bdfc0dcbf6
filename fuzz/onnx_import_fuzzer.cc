// libFuzzer target: the converter's ONNX importer (converter/onnx) on
// arbitrary bytes as an .onnx file.
//
// The bytes go through import_onnx_bytes(): the protobuf parse with its size
// limit, every check of the reader (dims, data types, raw_data lengths,
// attributes), then the graph import (symbolic shapes, views, patterns) into
// a ModelBuilder, which is then serialized. The first input byte, when the
// rest parses, picks a fixed image size or symbolic dims, so both paths run.
//
// The contract: the importer either throws ConvertError (with a message) or
// builds a graph the builder can serialize. Any other exception escapes and
// aborts, like any crash, sanitizer report or leak.
// Build and run: fuzz/README.md.
#include <cstddef>
#include <cstdint>

#include "converter/model_builder.h"
#include "converter/onnx/import_onnx.h"
#include "fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using edgeattn::convert::OnnxImageSize;
  OnnxImageSize image;
  if (size > 0 && (data[0] & 1) != 0) image = OnnxImageSize{32, 64};  // a valid .onnx starts with 0x08: symbolic
  edgeattn::fuzz::allow_convert_error([&] {
    edgeattn::convert::ModelBuilder mb;
    edgeattn::convert::import_onnx_bytes(data, size, "fuzz.onnx", "forward", image, mb);
    edgeattn::fuzz::check(!mb.model().graphs.empty() && !mb.model().graphs[0]->ops.empty(), "an imported graph has ops");
    (void)mb.serialize();
  });
  return 0;
}
