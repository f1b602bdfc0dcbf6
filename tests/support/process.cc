#include "tests/support/process.h"

#include <doctest/doctest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "tests/support/model_paths.h"

namespace edgeattn::testing {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Run run(const std::string& command) {
  static int counter = 0;
  const std::string dir = temp_dir("run_" + std::to_string(counter++));
  const std::string full = command + " >" + dir + "/out 2>" + dir + "/err";
  const int status = std::system(full.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_file(dir + "/out"), read_file(dir + "/err")};
}

std::string convert_with_tool(const std::string& input_args, const std::string& dir_name) {
  const std::string path = temp_dir(dir_name) + "/model.eatn";
  const Run c = run(tool_path("edgeattn-convert") + " " + input_args + " -o " + path + " --quiet");
  REQUIRE_MESSAGE(c.exit_code == 0, c.err);
  return path;
}

}  // namespace edgeattn::testing
