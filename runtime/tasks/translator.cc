#include "runtime/tasks/translator.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <new>

#include "runtime/model_info.h"
#include "runtime/tokenizer/tokenizer.h"

namespace edgeattn {
namespace {


double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

Status check_translation_model(const ModelInfo& info, const Model& model) {
  EA_ENSURE(info.task == Task::kTranslation && info.decoding.present && info.find_method("encode") != nullptr && info.find_method("decode") != nullptr &&
                model.tokenizer() != nullptr && !info.audio.present && info.decoding.start_ids.size() == 1 &&
                info.decoding.eos_id >= 0,
            StatusCode::kInvalidArgument,
            "not a translation model: needs methods 'encode' and 'decode', a decoding config with one start id and "
            "an EOS id, and a tokenizer");
  return Status::ok();
}

}  // namespace

Translator::~Translator() = default;

int Translator::max_output_tokens(size_t source_tokens) const {
  const DecodingInfo& d = model_->info().decoding;
  // Marian's max-length-factor x the source length; at most max_length.
  const double factor = d.max_length_factor > 0 ? d.max_length_factor : 3.0;
  const double n = std::ceil(factor * static_cast<double>(source_tokens));
  return static_cast<int>(std::min<double>(n, d.max_length - 1));
}

Result<std::unique_ptr<Translator>> Translator::create(const Model& model, const TranslatorOptions& options) {
  const ModelInfo& info = model.info();
  EA_RETURN_IF_ERROR(check_translation_model(info, model));
  EA_ENSURE(options.max_source_tokens >= 2 && options.max_source_tokens <= 4096, StatusCode::kInvalidArgument,
            "max_source_tokens %d not in [2, 4096]", options.max_source_tokens);
  EA_ENSURE(options.max_text_bytes >= 1 && options.max_text_bytes <= (size_t{1} << 24), StatusCode::kInvalidArgument,
            "max_text_bytes %zu not in [1, 16 MiB]", options.max_text_bytes);
  std::unique_ptr<Translator> t(new (std::nothrow) Translator());
  EA_ENSURE(t != nullptr, StatusCode::kOutOfMemory, "out of memory allocating the Translator");
  t->model_ = &model;
  t->options_ = options;
  t->use_shortlist_ = options.shortlist && info.shortlist.present;
  SessionOptions so;
  so.threads = options.threads;
  so.kernels = options.kernels;
  so.method = "encode";
  so.max_seq = options.max_source_tokens;
  EA_ASSIGN_OR_RETURN(t->encoder_, Session::create(model, so));
  so.method = "decode";
  so.max_seq = 1;
  so.max_context = t->max_output_tokens(static_cast<size_t>(options.max_source_tokens)) + 1;
  so.max_source_seq = options.max_source_tokens;
  so.max_selection = info.vocab_size;
  so.kv_dtype = options.kv_dtype;
  EA_ASSIGN_OR_RETURN(t->decoder_, Session::create(model, so));
  EA_RETURN_IF_ERROR(t->make_buffers());
  return t;
}

Status Translator::make_buffers() {
  const size_t vocab = static_cast<size_t>(model_->info().vocab_size);
  const size_t max_out = static_cast<size_t>(max_output_tokens(static_cast<size_t>(options_.max_source_tokens)));
  EA_RETURN_IF_ERROR(output_.resize(max_out, "the output tokens"));
  EA_RETURN_IF_ERROR(selection_.resize(vocab, "the output selection"));
  EA_RETURN_IF_ERROR(selected_.resize(vocab, "the selection flags"));
  // A sentence has at least one byte and a separator: at most half the text's bytes + 1.
  EA_RETURN_IF_ERROR(sentences_.resize(options_.max_text_bytes / 2 + 1, "the sentence spans"));
  EA_RETURN_IF_ERROR(text_.resize(4 * options_.max_text_bytes + 1024, "the translation"));
  // A sentence yields at most one id per normalized byte (+ </s>).
  source_.reserve(3 * options_.max_text_bytes + 16);
  return workspace_.reserve(options_.max_text_bytes);
}

const MemoryStats& Translator::encoder_memory() const { return encoder_->memory(); }
const MemoryStats& Translator::decoder_memory() const { return decoder_->memory(); }

size_t Translator::shortlist_for(Span<const int32_t> source) {
  const ShortlistInfo& s = model_->info().shortlist;
  const size_t vocab = selected_.size();
  std::fill(selected_.begin(), selected_.end(), uint8_t{0});
  size_t count = 0;
  auto mark = [&](size_t id) {
    if (!selected_[id]) ++count;
    selected_[id] = 1;
  };
  for (size_t i = 0; i < std::min<size_t>(s.first_num, vocab); ++i) mark(i);
  for (int32_t w : source) {
    const size_t src = static_cast<size_t>(w);  // < vocab: the encoder checked it
    if (s.include_source_ids) mark(src);
    for (uint32_t j = s.offsets[src]; j < s.offsets[src + 1]; ++j) mark(s.words[j]);
  }
  // Marian pads the list to a multiple of 8 (intgemm's column blocks) with
  // the lowest unlisted ids past first_num; so do we, for the same argmax.
  for (size_t i = s.first_num; i < vocab && count % 8 != 0; ++i) mark(i);
  selection_size_ = 0;
  for (size_t i = 0; i < vocab; ++i) {
    if (selected_[i]) selection_[selection_size_++] = static_cast<int32_t>(i);
  }
  return selection_size_;
}

Status Translator::translate_ids(Span<const int32_t> source, Span<int32_t> out, size_t* n_out) {
  const ModelInfo& info = model_->info();
  *n_out = 0;
  EA_ENSURE(source.size() >= 1 && source.size() <= static_cast<size_t>(options_.max_source_tokens),
            StatusCode::kOutOfRange, "a sentence of %zu tokens (this translator takes 1 to %d)", source.size(),
            options_.max_source_tokens);
  auto t0 = std::chrono::steady_clock::now();
  InvokeInput enc;
  enc.ids = source.data();
  enc.seq = static_cast<int>(source.size());
  EA_RETURN_IF_ERROR(encoder_->invoke(enc));
  stats_.encoder_ms += ms_since(t0);
  t0 = std::chrono::steady_clock::now();
  if (use_shortlist_) {
    shortlist_for(source);
  } else {
    selection_size_ = selection_.size();
    for (size_t i = 0; i < selection_size_; ++i) selection_[i] = static_cast<int32_t>(i);
  }
  stats_.selected_words += selection_size_;
  const float* states[] = {encoder_->output(0).f32()};  // [1, S, dim]
  int32_t prev = info.decoding.start_ids[0];
  InvokeInput dec;
  dec.ids = &prev;
  dec.seq = 1;
  dec.float_inputs = Span<const float* const>(states, 1);
  dec.source_seq = static_cast<int>(source.size());
  dec.selection = selection_.data();
  dec.selection_size = static_cast<int>(selection_size_);
  decoder_->reset();
  const size_t max_out = std::min(out.size(), static_cast<size_t>(max_output_tokens(source.size())));
  size_t n = 0;
  while (n < max_out) {
    EA_RETURN_IF_ERROR(decoder_->invoke(dec));
    ++stats_.output_tokens;
    const float* logits = decoder_->output(0).f32();  // [1, 1, selection]
    size_t best = selection_size_;
    float best_logit = -std::numeric_limits<float>::infinity();
    for (size_t j = 0; j < selection_size_; ++j) {
      if (logits[j] > best_logit && !std::count(info.decoding.suppress_ids.begin(), info.decoding.suppress_ids.end(),
                                                 selection_[j])) {
        best_logit = logits[j];
        best = j;
      }
    }
    EA_ENSURE(best < selection_size_, StatusCode::kInternal, "no finite logit at output step %zu", n);
    const int32_t next = selection_[best];
    if (next == info.decoding.eos_id) break;
    out[n++] = next;
    prev = next;
  }
  *n_out = n;
  stats_.decoder_ms += ms_since(t0);
  return Status::ok();
}

Status Translator::append_text(std::string_view piece) {
  EA_ENSURE(text_size_ + piece.size() <= text_.size(), StatusCode::kResourceExhausted,
            "translation longer than its planned %zu bytes", text_.size());
  std::memcpy(text_.data() + text_size_, piece.data(), piece.size());
  text_size_ += piece.size();
  return Status::ok();
}

Status Translator::translate_sentence(std::string_view sentence) {
  const Tokenizer& tok = *model_->tokenizer();
  auto t0 = std::chrono::steady_clock::now();
  EncodeOptions eo;
  eo.add_special_tokens = false;
  eo.add_eos = true;
  EA_RETURN_IF_ERROR(tok.encode(sentence, eo, &source_, &workspace_));
  stats_.tokenize_ms += ms_since(t0);
  EA_ENSURE(source_.size() <= static_cast<size_t>(options_.max_source_tokens), StatusCode::kOutOfRange,
            "a sentence of %zu tokens; this translator takes at most %d (TranslatorOptions::max_source_tokens)",
            source_.size(), options_.max_source_tokens);
  stats_.source_tokens += static_cast<int>(source_.size());
  ++stats_.sentences;
  size_t n = 0;
  EA_RETURN_IF_ERROR(translate_ids(Span<const int32_t>(source_.data(), source_.size()),
                                   Span<int32_t>(output_.data(), output_.size()), &n));
  t0 = std::chrono::steady_clock::now();
  int32_t prev = -1;
  for (size_t i = 0; i < n; ++i) {
    EA_RETURN_IF_ERROR(append_text(tok.decode_piece(prev, output_[i])));
    prev = output_[i];
  }
  stats_.tokenize_ms += ms_since(t0);
  return Status::ok();
}

Status Translator::translate(std::string_view text) {
  const auto start = std::chrono::steady_clock::now();
  stats_ = TranslateStats();
  text_size_ = 0;
  EA_ENSURE(text.size() <= options_.max_text_bytes, StatusCode::kInvalidArgument,
            "text of %zu bytes; this translator takes at most %zu (TranslatorOptions::max_text_bytes)", text.size(),
            options_.max_text_bytes);
  size_t count = 0;
  if (options_.split_sentences) {
    count = split_sentences(text, sentences_.data(), sentences_.size());
  } else {
    sentences_[0] = trim_whitespace(text);
    count = sentences_[0].size > 0 ? 1 : 0;
  }
  EA_ENSURE(count >= 1, StatusCode::kInvalidArgument, "nothing to translate: the text is empty or only whitespace");
  for (size_t i = 0; i < count; ++i) {
    const TextSpan& s = sentences_[i];
    if (i > 0) {  // the source's separator between the two sentences
      const size_t gap = sentences_[i - 1].offset + sentences_[i - 1].size;
      EA_RETURN_IF_ERROR(append_text(text.substr(gap, s.offset - gap)));
    }
    Status st = translate_sentence(text.substr(s.offset, s.size));
    if (!st.is_ok()) return st.with_context("sentence %zu", i + 1);
  }
  stats_.total_ms = ms_since(start);
  return Status::ok();
}

}  // namespace edgeattn
