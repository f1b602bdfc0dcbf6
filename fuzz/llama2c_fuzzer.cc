// libFuzzer target: the converter's llama2.c readers
// (converter/source/llama2c.h) on arbitrary bytes.
//
// Input: byte 0 even -> the rest is a checkpoint (.bin) for
// Llama2cCheckpoint::open, every tensor converted with to_f32; byte 0 odd ->
// bytes 1-2 are a little-endian vocab_size and the rest a tokenizer.bin for
// Llama2cTokenizerFile::open. The file goes through a memfd (MemFile).
//
// The contract: open() either throws ConvertError (the converter's one
// documented rejection, with a message) or returns views inside the file.
// Any other exception escapes and aborts, like any crash, sanitizer report
// or leak.
// Build and run: fuzz/README.md.
#include <cstddef>
#include <cstdint>
#include <string>

#include "converter/source/llama2c.h"
#include "fuzz/fuzz_support.h"

namespace {

using edgeattn::fuzz::allow_convert_error;
using edgeattn::fuzz::check;

void checkpoint(const std::string& path) {
  const edgeattn::convert::Llama2cCheckpoint ck = edgeattn::convert::Llama2cCheckpoint::open(path);
  for (const edgeattn::convert::SourceTensor& t : ck.tensors()) {
    check(ck.find(t.name) == &t, "find() returns the tensor of that name");
    check(edgeattn::convert::to_f32(t).size() == edgeattn::convert::numel(t), "to_f32 gives numel values");
  }
  (void)edgeattn::convert::to_f32(ck.freq_cis_real());
  (void)edgeattn::convert::to_f32(ck.freq_cis_imag());
}

void tokenizer(const std::string& path, int32_t vocab_size) {
  const edgeattn::convert::Llama2cTokenizerFile tok = edgeattn::convert::Llama2cTokenizerFile::open(path, vocab_size);
  check(tok.size() == static_cast<size_t>(vocab_size) && tok.scores().size() == tok.size(),
        "one piece and one score per id");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static edgeattn::fuzz::MemFile file("llama2c");
  if (size == 0) return 0;
  const bool is_tokenizer = (data[0] & 1) != 0;
  const size_t skip = is_tokenizer ? 3 : 1;
  if (size < skip) return 0;
  const std::string& path = file.write(data + skip, size - skip);
  allow_convert_error([&] {
    if (is_tokenizer) {
      tokenizer(path, static_cast<int32_t>(data[1] | (data[2] << 8)));
    } else {
      checkpoint(path);
    }
  });
  return 0;
}
