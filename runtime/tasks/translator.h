// Translator: text in, translated text out, for Marian-style translation
// models (Firefox's Bergamot students: a transformer encoder, an SSRU
// decoder that cross-attends to every source token, int8 weights with
// static activation scales, a lexical shortlist).
//
// translate() splits the text into sentences (sentence_splitter.h) unless
// told not to, and for each: SentencePiece ids + </s> -> the "encode"
// method -> greedy decoding with the "decode" method from a zero embedding
// (the model's start id), one token per step, until </s> or
// ceil(max_length_factor x source tokens) tokens; <unk> is never chosen
// (the model's suppress list, Marian's allow-unk false). With the model's
// shortlist, the decoder's output layer computes only the sentence's
// shortlisted target words (the first first_num ids, those listed for its
// source ids, padded to a multiple of 8 as Marian does); without it, all.
// The translations are joined with the whitespace that separated the
// source sentences.
//
// Memory: create() allocates both sessions and every buffer for the
// longest text and sentence it is planned for (the tokenizer's workspace
// included); translate() and translate_ids() allocate nothing.
//
// Example:
//   TranslatorOptions o; o.threads = 2;
//   EA_ASSIGN_OR_RETURN(std::unique_ptr<Translator> t, Translator::create(*model, o));
//   EA_RETURN_IF_ERROR(t->translate("The cat sat on the mat. It was tired."));
//   printf("%.*s\n", int(t->text().size()), t->text().data());   // "O gato ..."
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "runtime/core/fallible_vector.h"
#include "runtime/core/span.h"
#include "runtime/core/status.h"
#include "runtime/model.h"
#include "runtime/session.h"
#include "runtime/tasks/sentence_splitter.h"
#include "runtime/tokenizer/tokenizer.h"

namespace edgeattn {

struct TranslatorOptions {
  int max_source_tokens = 256;      // per sentence, </s> included
  size_t max_text_bytes = 1 << 14;  // the longest text translate() takes (~2,500 words)
  bool split_sentences = true;
  bool shortlist = true;            // use the model's lexical shortlist, if it has one
  int threads = 1;
  const char* kernels = nullptr;    // as SessionOptions::kernels
  KvCacheDType kv_dtype = KvCacheDType::kF32;  // the cross-attention K/V copies
};

struct TranslateStats {
  int sentences = 0;
  int source_tokens = 0;   // </s> included
  int output_tokens = 0;   // decoder steps
  size_t selected_words = 0;  // output-layer rows computed, summed over sentences
  double tokenize_ms = 0.0;   // split, encode to ids, decode to text
  double encoder_ms = 0.0;
  double decoder_ms = 0.0;
  double total_ms = 0.0;
};

class Translator {
 public:
  // The model needs methods "encode" and "decode", a decoding config and a
  // tokenizer, and must outlive the Translator.
  static Result<std::unique_ptr<Translator>> create(const Model& model, const TranslatorOptions& options);
  ~Translator();
  Translator(const Translator&) = delete;
  Translator& operator=(const Translator&) = delete;

  // Translates `text` (UTF-8; invalid bytes become U+FFFD in the tokenizer)
  // into text(). kInvalidArgument for text with nothing to translate or
  // longer than max_text_bytes, kOutOfRange for a sentence longer than
  // max_source_tokens.
  Status translate(std::string_view text);
  // One sentence's source ids (</s> included) -> output ids (without </s>)
  // into out; *n_out is how many. No allocation.
  Status translate_ids(Span<const int32_t> source, Span<int32_t> out, size_t* n_out);

  // The last translation (valid until the next translate()).
  std::string_view text() const { return std::string_view(text_.data(), text_size_); }
  const TranslateStats& last_stats() const { return stats_; }
  const MemoryStats& encoder_memory() const;
  const MemoryStats& decoder_memory() const;
  // The output-layer rows of `source` (with the shortlist), ascending, into
  // selection_; how many. Exposed for tests.
  size_t shortlist_for(Span<const int32_t> source);
  Span<const int32_t> selection() const { return Span<const int32_t>(selection_.data(), selection_size_); }
  int max_output_tokens(size_t source_tokens) const;

 private:
  Translator() = default;
  Status make_buffers();
  Status translate_sentence(std::string_view sentence);
  Status append_text(std::string_view piece);

  const Model* model_ = nullptr;  // must outlive the Translator
  TranslatorOptions options_;
  std::unique_ptr<Session> encoder_, decoder_;
  bool use_shortlist_ = false;
  std::vector<int32_t> source_;  // tokenizer output (reserved: a sentence's bytes bound its ids)
  TokenizerWorkspace workspace_;  // reserved for max_text_bytes
  Vector<int32_t> output_;      // [max output tokens]
  Vector<int32_t> selection_;   // [vocab] output-layer rows
  size_t selection_size_ = 0;
  Vector<uint8_t> selected_;    // [vocab] 1: in the selection
  Vector<TextSpan> sentences_;  // [max sentences]
  Vector<char> text_;           // [4 x max_text_bytes + 1024] the translation
  size_t text_size_ = 0;
  TranslateStats stats_;
};

}  // namespace edgeattn
