// GGUF byte-level BPE vocabularies (tokenizer.ggml.model "gpt2": SmolLM2,
// Llama 3, Qwen2, GPT-2 conversions) as a ByteLevelBpe Tokenizer table, with
// what llama.cpp reads beside the pieces and merges: the pre-tokenizer
// (tokenizer.ggml.pre), the token types (control and user-defined pieces),
// the special ids, whether BOS is added, and the chat template.
#include <string>
#include <vector>

#include "converter/source/convert_error.h"
#include "converter/source/gguf.h"
#include "converter/tokenizer_import.h"

namespace edgeattn::convert {
namespace {

// tokenizer.ggml.pre -> the split it names (llama.cpp's llama-vocab.cpp
// groups the names by regex). Others (e.g. "default", "deepseek-llm") use
// regexes the runtime does not implement: refused by name.
fb::PreTokenizer pre_tokenizer_of(const GgufFile& gguf) {
  const std::string pre = gguf.has("tokenizer.ggml.pre") ? gguf.get_string("tokenizer.ggml.pre") : "gpt2";
  if (pre == "gpt2") return fb::PreTokenizer::Gpt2;
  if (pre == "smollm" || pre == "starcoder" || pre == "refact") return fb::PreTokenizer::Gpt2Digits;
  if (pre == "llama-bpe" || pre == "llama3") return fb::PreTokenizer::Llama3;
  if (pre == "qwen2") return fb::PreTokenizer::Qwen2;
  throw_convert_error(gguf.path(), "tokenizer.ggml.pre '" + pre +
                                       "' is not supported (gpt2, smollm, starcoder, refact, llama-bpe, qwen2)");
}

// llama.cpp's token types (LLAMA_TOKEN_TYPE_*) are SentencePiece's piece
// types, plus 0 (undefined), read as normal.
std::vector<fb::PieceType> piece_types_of(const GgufFile& gguf, size_t vocab) {
  std::vector<fb::PieceType> types(vocab, fb::PieceType::Normal);
  if (!gguf.has("tokenizer.ggml.token_type")) return types;
  const std::vector<int32_t> raw = gguf.get_i32_array("tokenizer.ggml.token_type");
  if (raw.size() != vocab) {
    throw_convert_error(gguf.path(), "tokenizer.ggml.token_type has " + std::to_string(raw.size()) +
                                         " entries for " + std::to_string(vocab) + " tokens");
  }
  for (size_t i = 0; i < vocab; ++i) {
    if (raw[i] < 0 || raw[i] > static_cast<int32_t>(fb::PieceType::MAX)) {
      throw_convert_error(gguf.path(), "tokenizer.ggml.token_type of token " + std::to_string(i) + " is " +
                                           std::to_string(raw[i]) + " (known: 0-6)");
    }
    if (raw[i] != 0) types[i] = static_cast<fb::PieceType>(raw[i]);
  }
  return types;
}


}  // namespace

std::unique_ptr<fb::TokenizerT> import_gguf_byte_level_bpe(const GgufFile& gguf) {
  auto t = std::make_unique<fb::TokenizerT>();
  t->kind = fb::TokenizerKind::ByteLevelBpe;
  t->pieces = gguf.get_string_array("tokenizer.ggml.tokens");
  t->merges = gguf.get_string_array("tokenizer.ggml.merges");
  t->piece_types = piece_types_of(gguf, t->pieces.size());
  t->pre_tokenizer = pre_tokenizer_of(gguf);
  auto id = [&](const char* key) -> int {
    if (!gguf.has(key)) return -1;
    const int64_t v = gguf.get_i64(key);
    if (v < 0 || v >= static_cast<int64_t>(t->pieces.size())) {
      throw_convert_error(gguf.path(), std::string(key) + " " + std::to_string(v) + " is not a token id (vocabulary " +
                                           std::to_string(t->pieces.size()) + ")");
    }
    return static_cast<int>(v);
  };
  t->unk_id = id("tokenizer.ggml.unknown_token_id");
  t->bos_id = id("tokenizer.ggml.bos_token_id");
  t->eos_id = id("tokenizer.ggml.eos_token_id");
  t->pad_id = id("tokenizer.ggml.padding_token_id");
  // llama.cpp adds no space before BPE text whatever add_space_prefix says,
  // and no BOS unless the file asks for it.
  t->add_prefix_space = false;
  t->add_bos = gguf.has("tokenizer.ggml.add_bos_token") && gguf.get_bool("tokenizer.ggml.add_bos_token");
  if (t->add_bos && t->bos_id < 0) {
    throw_convert_error(gguf.path(), "tokenizer.ggml.add_bos_token is true but there is no bos_token_id");
  }
  if (gguf.has("tokenizer.chat_template")) t->chat_template = gguf.get_string("tokenizer.chat_template");
  check_runtime_accepts(*t, gguf.path(), "byte-level BPE vocabulary");
  return t;
}

}  // namespace edgeattn::convert
