// libFuzzer target: GPT-2 byte-level BPE encode / decode / decode_piece on
// tests/fixtures/gpt2_tiny. Byte-level BPE is lossless, so
// decode(encode(x)) == x is checked.
//
// Input: byte 0 selects EncodeOptions, the rest is the text (any bytes).
// The properties are those of fuzz_tokenizer() (fuzz/fuzz_support.h).
// Build and run: fuzz/README.md.
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_support.h"

// Loads the vocabulary before fuzzing starts: a missing model exits 77 here,
// which libFuzzer (unlike an exit inside a run) passes through as a skip.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)edgeattn::fuzz::real_tokenizer(edgeattn::TokenizerKind::kByteLevelBpe);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const edgeattn::Tokenizer& tok =
      edgeattn::fuzz::real_tokenizer(edgeattn::TokenizerKind::kByteLevelBpe);
  edgeattn::fuzz::fuzz_tokenizer(tok, data, size, /*round_trip=*/true);
  return 0;
}
