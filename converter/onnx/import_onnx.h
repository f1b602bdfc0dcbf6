// ONNX importer (CNN and vision-transformer graphs, fp32): an .onnx file ->
// one method, a folder of .onnx files -> one method per file.
//
// The graph input must be one NCHW float image [N, C, H, W]; it becomes the
// edgeattn input [B, H, W, C] (NHWC). H and W are fixed when the file gives
// a positive dim or the options fix them, else symbolic (Height / Width, so
// one file serves every image size that is a multiple of the method's
// divisors). Ops are lifted to edgeattn's (Conv2D with BatchNorm, affine
// and activation folded in, ChannelAttention, LayerNorm, FullyConnected,
// Attention, ...); see converter/onnx/README.md for the op and pattern list.
// Anything not mapped is one ConvertError naming the node, its op type and
// its inputs.
//
// Method names: "forward" for a file; in a folder the file stem, or "det",
// "cls", "rec" when the stem has that word (RapidOCR's models folder).
// A recognizer's metadata "character" becomes the model's CtcCharacters
// tokenizer.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "converter/model_builder.h"

namespace edgeattn::convert {

struct OnnxImageSize {
  int64_t height = 0;  // 0: the file's (fixed or symbolic)
  int64_t width = 0;
};

struct OnnxImportOptions {
  OnnxImageSize all;                              // every method
  std::map<std::string, OnnxImageSize> methods;   // by method name, over `all`
};

// True for an .onnx file or a folder holding .onnx files (and no config.json).
bool is_onnx_input(const std::string& input);
void import_onnx(const std::string& input, const OnnxImportOptions& options, ModelBuilder& mb);
// One graph from memory as method `method` (tests, fuzzing). `source` names it in messages.
void import_onnx_bytes(const uint8_t* data, size_t size, const std::string& source, const std::string& method,
                       const OnnxImageSize& size_option, ModelBuilder& mb);

}  // namespace edgeattn::convert
