// Tokenizer importers: fill the model's Tokenizer table from the source's
// tokenizer files. The runtime's Tokenizer (runtime/tokenizer/) interprets it.
//
// Example:
//   mb.model().tokenizer = import_llama2c_tokenizer("tok512.bin", 512);
#pragma once

#include <memory>
#include <string>

#include "schema/edgeattn_generated.h"

namespace edgeattn::convert {

class GgufFile;

// llama2.c tokenizer.bin: SentencePiece-style BPE by score, <0xNN> byte pieces.
std::unique_ptr<fb::TokenizerT> import_llama2c_tokenizer(const std::string& path, int vocab_size);
// GGUF tokenizer.ggml.* metadata (model "llama").
std::unique_ptr<fb::TokenizerT> import_gguf_tokenizer(const GgufFile& gguf);
// HF folder: tokenizer.json (WordPiece; BPE with a ByteLevel pre-tokenizer,
// GPT-2 style, as ByteLevelBpe; other BPE as SentencePiece-style, Llama),
// else vocab.json + merges.txt (GPT-2 byte-level BPE), else vocab.txt
// (WordPiece). `max_length` is the truncation length to record.
std::unique_ptr<fb::TokenizerT> import_hf_tokenizer(const std::string& dir, int max_length);

}  // namespace edgeattn::convert
