// Running the shipped command-line tools from tests, as a user would:
// a shell command line with stdout and stderr captured separately.
//
// Example:
//   Run r = run(tool_path("edgeattn-demo") + " --help");
//   CHECK(r.exit_code == 0);
#pragma once

#include <string>

namespace edgeattn::testing {

struct Run {
  int exit_code;  // the command's exit status, -1 if it did not exit normally
  std::string out;
  std::string err;
};

Run run(const std::string& command);
std::string read_file(const std::string& path);
// `edgeattn-convert INPUT_ARGS -o <temp_dir(dir_name)>/model.eatn --quiet`
// (INPUT_ARGS shell-quoted, e.g. the model path and --tokenizer FILE); the
// written file's path. REQUIREs (doctest) that the converter succeeded.
std::string convert_with_tool(const std::string& input_args, const std::string& dir_name);
// Single-quotes `s` for the shell (paths without quotes in them).
inline std::string q(const std::string& s) { return "'" + s + "'"; }

}  // namespace edgeattn::testing
