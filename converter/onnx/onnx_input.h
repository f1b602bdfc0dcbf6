// Which inputs are ONNX (an .onnx file, or a folder of them): shared by the
// importer and by the stand-in a build without libonnx uses
// (onnx_unavailable.cc), so both recognize the same inputs.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace edgeattn::convert {

// The .onnx files directly inside `dir`, sorted by name.
std::vector<std::filesystem::path> onnx_files(const std::string& dir);

}  // namespace edgeattn::convert
