// libFuzzer target: GPT-2 byte-level BPE encode / decode / decode_piece on
// tests/fixtures/gpt2_tiny. Byte-level BPE is lossless, so
// decode(encode(x)) == x is checked.
//
// Input: byte 0 selects EncodeOptions, the rest is the text (any bytes).
// The properties are those of fuzz_tokenizer() (fuzz/fuzz_support.h), and
// every pre-tokenizer (pre_tokenizer.h) splits the text into non-empty
// pre-tokens that cover it.
// Build and run: fuzz/README.md.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_support.h"
#include "runtime/tokenizer/pre_tokenizer.h"

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
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const edgeattn::PreTokenizer kind : {edgeattn::PreTokenizer::kGpt2, edgeattn::PreTokenizer::kGpt2Digits,
                                            edgeattn::PreTokenizer::kLlama3, edgeattn::PreTokenizer::kQwen2}) {
    for (size_t pos = 0; pos < text.size();) {
      const size_t end = edgeattn::pre_token_end(kind, text, pos);
      edgeattn::fuzz::check(end > pos && end <= text.size(), "pre-tokens are non-empty and inside the text");
      pos = end;
    }
  }
  return 0;
}
