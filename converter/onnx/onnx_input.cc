#include "converter/onnx/onnx_input.h"

#include <algorithm>
#include <system_error>

#include "converter/onnx/import_onnx.h"

namespace edgeattn::convert {

namespace fs = std::filesystem;

std::vector<fs::path> onnx_files(const std::string& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec) && it->path().extension() == ".onnx") files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

bool is_onnx_input(const std::string& input) {
  std::error_code ec;
  if (fs::is_directory(input, ec)) return !fs::exists(fs::path(input) / "config.json", ec) && !onnx_files(input).empty();
  return fs::path(input).extension() == ".onnx";
}

}  // namespace edgeattn::convert
