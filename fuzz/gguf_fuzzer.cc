// libFuzzer target: the converter's GGUF reader (converter/source/gguf.h)
// on arbitrary bytes as a .gguf file, and the GGUF tokenizer import on top.
//
// The input is written to a memfd (fuzz_support.h MemFile) and opened with
// GgufFile::open. Then every metadata value is read with the accessors its
// type allows, every tensor is looked up (float ones converted with to_f32,
// which reads every byte the header claims), and the tokenizer.ggml.*
// metadata is imported (converter/tokenizer_import.h) and validated by
// Tokenizer::create, which must answer with a Status; a tokenizer it accepts
// encodes and decodes a short text.
//
// The contract: every call either throws ConvertError (the converter's one
// documented rejection, with a message) or succeeds. Any other exception
// escapes and aborts, like any crash, sanitizer report or leak.
// Build and run: fuzz/README.md.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "converter/source/gguf.h"
#include "converter/tokenizer_import.h"
#include "fuzz/fuzz_support.h"
#include "runtime/tokenizer/tokenizer.h"

namespace {

using edgeattn::convert::GgufFile;
using edgeattn::convert::GgufType;
using edgeattn::convert::GgufValue;
using edgeattn::fuzz::allow_convert_error;
using edgeattn::fuzz::check;

void read_metadata(const GgufFile& g) {
  for (const std::string& key : g.keys()) {
    const GgufValue* v = g.find_value(key);
    check(v != nullptr, "every key has a value");
    // Every accessor on every key: the wrong type must be a ConvertError.
    allow_convert_error([&] { (void)g.get_string(key); });
    allow_convert_error([&] { (void)g.get_u32(key); });
    allow_convert_error([&] { (void)g.get_i64(key); });
    allow_convert_error([&] { (void)g.get_f32(key); });
    allow_convert_error([&] { (void)g.get_bool(key); });
    if (v->type == GgufType::kArray) {
      allow_convert_error([&] { (void)g.get_string_array(key); });
      allow_convert_error([&] { (void)g.get_f32_array(key); });
      allow_convert_error([&] { (void)g.get_i32_array(key); });
    }
  }
}

void read_tensors(const GgufFile& g) {
  for (const auto& info : g.tensor_infos()) {
    allow_convert_error([&] {
      const edgeattn::convert::SourceTensor& t = g.tensor(info.name);
      check(info.supported, "only supported tensors are returned");
      if (t.dtype == edgeattn::convert::SourceDType::kF32 || t.dtype == edgeattn::convert::SourceDType::kF16 ||
          t.dtype == edgeattn::convert::SourceDType::kBF16 || t.dtype == edgeattn::convert::SourceDType::kF64) {
        check(edgeattn::convert::to_f32(t).size() == edgeattn::convert::numel(t), "to_f32 gives numel values");
      }
    });
  }
  allow_convert_error([&] { (void)g.tensors(); });
}

void import_tokenizer(const GgufFile& g) {
  std::unique_ptr<edgeattn::fb::TokenizerT> t;
  allow_convert_error([&] { t = edgeattn::convert::import_gguf_tokenizer(g); });
  if (!t) return;
  std::vector<std::string_view> pieces(t->pieces.begin(), t->pieces.end());
  edgeattn::TokenizerSpec spec;
  spec.kind = static_cast<edgeattn::TokenizerKind>(t->kind);
  spec.pieces = edgeattn::Span<const std::string_view>(pieces.data(), pieces.size());
  spec.scores = edgeattn::Span<const float>(t->scores.data(), t->scores.size());
  spec.unk_id = t->unk_id;
  spec.bos_id = t->bos_id;
  spec.eos_id = t->eos_id;
  spec.pad_id = t->pad_id;
  spec.add_dummy_prefix = t->add_dummy_prefix;
  spec.byte_fallback = t->byte_fallback;
  auto tok = edgeattn::Tokenizer::create(spec);
  if (!tok.is_ok()) {
    check(tok.status().message()[0] != '\0', "Tokenizer::create fails with a message");
    return;
  }
  std::vector<int32_t> ids;
  if ((*tok)->encode("Once upon a time \xc3\xa9\xff", edgeattn::EncodeOptions(), &ids).is_ok()) {
    std::string text;
    check((*tok)->decode(edgeattn::Span<const int32_t>(ids.data(), ids.size()), &text).is_ok(),
          "decode of encoded ids");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static edgeattn::fuzz::MemFile file("gguf");
  const std::string& path = file.write(data, size);
  allow_convert_error([&] {
    const GgufFile g = GgufFile::open(path);
    read_metadata(g);
    read_tensors(g);
    import_tokenizer(g);
  });
  return 0;
}
