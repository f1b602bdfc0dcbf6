// libFuzzer target: the converter's CTranslate2 model.bin reader
// (converter/source/ctranslate2.h) on arbitrary bytes as a model.bin.
//
// The input is written to a memfd (fuzz_support.h MemFile) and opened with
// Ct2File::open, which maps it like a real model. Then every variable and
// alias is looked up: float ones converted with to_f32 (reads every byte the
// header claims), integer scalars read with get_int, and every alias must
// resolve to a variable with the same bytes as its target.
//
// The contract: every call either throws ConvertError (the converter's one
// documented rejection, with a message) or succeeds. Any other exception
// escapes and aborts, like any crash, sanitizer report or leak.
// Build and run: fuzz/README.md.
#include <cstddef>
#include <cstdint>
#include <string>

#include "converter/source/ctranslate2.h"
#include "fuzz/fuzz_support.h"

namespace {

using edgeattn::convert::Ct2Alias;
using edgeattn::convert::Ct2File;
using edgeattn::convert::Ct2Variable;
using edgeattn::convert::SourceDType;
using edgeattn::convert::SourceTensor;
using edgeattn::fuzz::allow_convert_error;
using edgeattn::fuzz::check;

void use(const Ct2File& m) {
  for (const Ct2Variable& v : m.variables()) {
    check(m.find_variable(v.name) == &v, "find_variable() returns the variable of that name");
    allow_convert_error([&] {
      const SourceTensor& t = m.tensor(v.name);
      check(v.supported, "only supported variables are tensors");
      uint64_t n = 0, nbytes = 0;
      check(edgeattn::convert::shape_numel(t.shape, edgeattn::convert::dtype_size(t.dtype), &n, &nbytes) &&
                nbytes == t.nbytes && t.nbytes == v.nbytes,
            "nbytes matches the shape");
      if (t.dtype == SourceDType::kF32 || t.dtype == SourceDType::kF16 || t.dtype == SourceDType::kBF16) {
        check(edgeattn::convert::to_f32(t).size() == n, "to_f32 gives numel values");
      }
    });
    allow_convert_error([&] { (void)m.get_int(v.name); });
  }
  for (const Ct2Alias& a : m.aliases()) {
    const Ct2Variable* target = m.find_variable(a.alias);
    check(target != nullptr && target->name == a.variable, "an alias resolves to its variable");
  }
  allow_convert_error([&] { (void)m.tensor("decoder/projection/weight"); });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static edgeattn::fuzz::MemFile file("ct2");
  const std::string& path = file.write(data, size);
  allow_convert_error([&] { use(Ct2File::open(path)); });
  return 0;
}
