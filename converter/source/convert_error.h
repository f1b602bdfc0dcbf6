// ConvertError: the one exception type of the converter's input side.
//
// Checkpoints are untrusted input. Every reader validates before it touches
// a byte and reports a failure as a ConvertError whose message is one line
// naming the file and, where relevant, the tensor, metadata key or byte
// offset at fault, so a user can act on it without a debugger.
//
// Example:
//   try {
//     SafetensorsFile f = SafetensorsFile::open("model.safetensors");
//   } catch (const ConvertError& e) {
//     // e.what(): "model.safetensors: tensor 'w': data range [123, 456)
//     //            past end of data area (size 400)"
//   }
#pragma once

#include <stdexcept>
#include <string>

namespace edgeattn::convert {

struct ConvertError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Throws ConvertError("<file>: <what>"). Kept as a function so every reader
// formats the file prefix the same way.
[[noreturn]] inline void throw_convert_error(const std::string& file, const std::string& what) {
  throw ConvertError(file + ": " + what);
}

}  // namespace edgeattn::convert
