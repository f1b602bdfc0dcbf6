// libFuzzer target: the converter's safetensors reader
// (converter/source/safetensors.h) on arbitrary bytes as a .safetensors file.
//
// The input is written to a memfd (fuzz_support.h MemFile) and opened with
// SafetensorsFile::open, which maps it like a real checkpoint. Then every
// tensor is looked up by name and, for float dtypes, converted with to_f32
// (reads every byte the header claims), and the metadata is walked.
//
// The contract: open() either throws ConvertError (the converter's one
// documented rejection, with a message) or returns tensors whose bytes lie
// inside the file. Any other exception escapes and aborts, like any crash,
// sanitizer report or leak.
// Build and run: fuzz/README.md.
#include <cstddef>
#include <cstdint>
#include <string>

#include "converter/source/safetensors.h"
#include "fuzz/fuzz_support.h"

namespace {

using edgeattn::convert::SafetensorsFile;
using edgeattn::convert::SourceDType;
using edgeattn::convert::SourceTensor;
using edgeattn::fuzz::allow_convert_error;
using edgeattn::fuzz::check;

void use(const SafetensorsFile& f) {
  for (const SourceTensor& t : f.tensors()) {
    check(f.find(t.name) == &t, "find() returns the tensor of that name");
    uint64_t n = 0, nbytes = 0;
    check(edgeattn::convert::shape_numel(t.shape, edgeattn::convert::dtype_size(t.dtype), &n, &nbytes) &&
              nbytes == t.nbytes,
          "nbytes matches the shape");
    if (t.dtype == SourceDType::kF32 || t.dtype == SourceDType::kF16 || t.dtype == SourceDType::kBF16 ||
        t.dtype == SourceDType::kF64) {
      check(edgeattn::convert::to_f32(t).size() == n, "to_f32 gives numel values");
    }
  }
  size_t chars = 0;
  for (const auto& [k, v] : f.metadata()) chars += k.size() + v.size();
  (void)chars;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static edgeattn::fuzz::MemFile file("safetensors");
  const std::string& path = file.write(data, size);
  allow_convert_error([&] { use(SafetensorsFile::open(path)); });
  return 0;
}
