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
struct SpmModel;

// llama2.c tokenizer.bin: SentencePiece-style BPE by score, <0xNN> byte pieces.
std::unique_ptr<fb::TokenizerT> import_llama2c_tokenizer(const std::string& path, int vocab_size);
// GGUF tokenizer.ggml.* metadata: model "llama" (SentencePiece-style BPE by
// score) or "gpt2" (import_gguf_byte_level_bpe).
std::unique_ptr<fb::TokenizerT> import_gguf_tokenizer(const GgufFile& gguf);
// GGUF model "gpt2" (gguf_bpe_tokenizer.cc): ByteLevelBpe with the pieces,
// merges and token types as stored, the pre-tokenizer tokenizer.ggml.pre
// names (gpt2; smollm, starcoder, refact; llama-bpe; qwen2; others are a
// ConvertError naming it), the special ids, add_bos from
// tokenizer.ggml.add_bos_token (absent: false, as llama.cpp), and
// tokenizer.chat_template.
std::unique_ptr<fb::TokenizerT> import_gguf_byte_level_bpe(const GgufFile& gguf);
// Runs the runtime's Tokenizer::create() on a table, so a vocabulary the
// device would refuse (a malformed charsmap, a merge of unknown pieces)
// fails at convert time: ConvertError "<path>: <what> refused: <why>".
void check_runtime_accepts(const fb::TokenizerT& t, const std::string& path, const char* what);
// HF folder: tokenizer.json (WordPiece; BPE with a ByteLevel pre-tokenizer,
// GPT-2 style, as ByteLevelBpe; other BPE as SentencePiece-style, Llama),
// else vocab.json + merges.txt (GPT-2 byte-level BPE), else vocab.txt
// (WordPiece). `max_length` is the truncation length to record.
std::unique_ptr<fb::TokenizerT> import_hf_tokenizer(const std::string& dir, int max_length);
// SentencePiece model file (.spm / .model; Marian and Bergamot vocabularies):
// UNIGRAM models only, as SentencePieceUnigram with the pieces as stored
// ("▁" kept), their scores and types, and the NormalizerSpec (charsmap bytes
// as stored, whitespace flags). unk_id is the UNKNOWN piece; bos/eos/pad are
// looked up by the trainer's piece names ("<s>", "</s>", "<pad>" unless
// renamed) and kept only when that piece is a control piece, exactly as
// SentencePieceProcessor's bos_id()/eos_id()/pad_id() (Marian: eos 0, no BOS).
// Throws ConvertError for another model type and for what the runtime would
// decode differently (treat_whitespace_as_suffix, a denormalizer, a custom
// unk_surface) or SentencePiece itself refuses (duplicate pieces, no or two
// unknown pieces, byte pieces without byte_fallback or an incomplete set).
std::unique_ptr<fb::TokenizerT> import_spm_tokenizer(const std::string& path);
// The same from a parsed model; `path` names it in errors.
std::unique_ptr<fb::TokenizerT> spm_tokenizer_table(const SpmModel& model, const std::string& path);

}  // namespace edgeattn::convert
