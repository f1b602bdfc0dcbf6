#include "tests/support/model_paths.h"

#include <cstdlib>
#include <filesystem>

namespace edgeattn::testing {
namespace fs = std::filesystem;

std::vector<std::string> model_candidates(const std::string& relative) {
  std::vector<std::string> out;
  if (const char* env = std::getenv("EDGEATTN_MODELS")) out.push_back(std::string(env) + "/" + relative);
  out.push_back(std::string(EDGEATTN_SOURCE_DIR) + "/../shared/models/" + relative);
  std::string cache;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME")) {
    cache = xdg;
  } else if (const char* home = std::getenv("HOME")) {
    cache = std::string(home) + "/.cache";
  }
  if (!cache.empty()) out.push_back(cache + "/edgeattn/models/" + relative);
  return out;
}

std::string find_model(const std::string& relative) {
  for (const std::string& c : model_candidates(relative)) {
    std::error_code ec;
    if (fs::exists(c, ec)) return fs::canonical(c, ec).string();
  }
  return "";
}

std::string rapidocr_models_dir() {
  const std::string dir = find_model("rapidocr");
  return dir.empty() ? dir : dir + "/models";
}

bool models_required() {
  const char* ci = std::getenv("CI");
  const std::string ci_value = ci != nullptr ? ci : "";
  const bool in_ci = !ci_value.empty() && ci_value != "0" && ci_value != "false";
  const char* req = std::getenv("EDGEATTN_REQUIRE_MODELS");
  return in_ci || (req != nullptr && std::string(req) == "1");
}

std::string temp_dir(const std::string& name) {
  const char* build = std::getenv("EDGEATTN_BUILD_DIR");
  // One folder per test binary: ctest -j runs binaries in parallel, and one
  // must not replace a file another has mapped.
  std::error_code ec;
  const std::string exe = fs::read_symlink("/proc/self/exe", ec).filename().string();
  fs::path dir = fs::path(build ? build : fs::temp_directory_path().string()) / "test-output" /
                 (exe.empty() ? "unknown" : exe) / name;
  fs::remove_all(dir, ec);
  fs::create_directories(dir, ec);
  return dir.string();
}

std::string tool_path(const std::string& name) {
  const char* build = std::getenv("EDGEATTN_BUILD_DIR");
  const char* emulator = std::getenv("EDGEATTN_TOOL_EMULATOR");
  const std::string path = std::string(build ? build : ".") + "/bin/" + name;
  return emulator != nullptr && *emulator != '\0' ? std::string(emulator) + " " + path : path;
}

bool quick_mode() {
  const char* v = std::getenv("EDGEATTN_TEST_QUICK");
  return v != nullptr && std::string(v) == "1";
}

bool subset_mode() {
#if defined(EDGEATTN_TEST_SANITIZER) || defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  return true;
#else
  return quick_mode();
#endif
}

}  // namespace edgeattn::testing
