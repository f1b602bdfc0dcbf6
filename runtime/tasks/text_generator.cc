#include "runtime/tasks/text_generator.h"

#include <algorithm>
#include <chrono>
#include <new>

namespace edgeattn {
namespace {

double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

const char* stop_reason_name(StopReason reason) {
  switch (reason) {
    case StopReason::kNone: return "none";
    case StopReason::kStopToken: return "stop-token";
    case StopReason::kMaxTokens: return "max-tokens";
    case StopReason::kContextFull: return "context-full";
    case StopReason::kCallback: return "callback";
  }
  return "none";
}

TextGenerator::~TextGenerator() = default;

size_t TextGenerator::default_stop_ids(const Tokenizer& tokenizer, int32_t out[2]) {
  size_t n = 0;
  if (tokenizer.eos_id() >= 0) out[n++] = tokenizer.eos_id();
  // llama2.c-style models end a story with BOS: stop there too.
  if (tokenizer.bos_id() >= 0 && tokenizer.bos_id() != tokenizer.eos_id()) out[n++] = tokenizer.bos_id();
  return n;
}

// The checks of create() and plan(), and the session they size: prefill in
// chunks of prefill_chunk, a KV cache of max_context positions, the
// generator's sampling scratch and token history in the arena.
Status TextGenerator::session_options_for(const Model& model, const TextGeneratorOptions& options,
                                          SessionOptions* so) {
  const ModelInfo& info = model.info();
  EA_ENSURE(info.task == Task::kTextGeneration && model.tokenizer() != nullptr, StatusCode::kInvalidArgument,
            "TextGenerator needs a text-generation model with a tokenizer; this one is %s (task %s)%s",
            architecture_name(info.architecture), task_name(info.task),
            model.tokenizer() == nullptr ? " without a tokenizer" : "");
  const int context = options.max_context > 0 ? options.max_context : info.max_positions;
  EA_ENSURE(context >= 1, StatusCode::kInvalidArgument,
            "max_context %d: set it, the model does not give its max_positions", options.max_context);
  EA_ENSURE(info.max_positions <= 0 || context <= info.max_positions, StatusCode::kInvalidArgument,
            "max_context %d exceeds the model's max_positions %d", context, info.max_positions);
  EA_ENSURE(options.prefill_chunk >= 1, StatusCode::kInvalidArgument, "prefill_chunk %d must be positive",
            options.prefill_chunk);
  so->max_seq = context < options.prefill_chunk ? context : options.prefill_chunk;
  so->max_context = context;
  so->threads = options.threads;
  so->kernels = options.kernels;
  so->kv_dtype = options.kv_dtype;
  so->arena = options.arena;
  so->scratch_bytes = Generator::scratch_bytes(static_cast<size_t>(info.vocab_size), static_cast<size_t>(context),
                                               options.sampling);
  return Status::ok();
}

Result<MemoryStats> TextGenerator::plan(const Model& model, const TextGeneratorOptions& options) {
  SessionOptions so;
  EA_RETURN_IF_ERROR(session_options_for(model, options, &so));
  return Session::plan(model, so);
}

Result<std::unique_ptr<TextGenerator>> TextGenerator::create(const Model& model, const TextGeneratorOptions& options) {
  SessionOptions so;
  EA_RETURN_IF_ERROR(session_options_for(model, options, &so));
  std::unique_ptr<TextGenerator> g(new (std::nothrow) TextGenerator());
  EA_ENSURE(g != nullptr, StatusCode::kOutOfMemory, "out of memory allocating the TextGenerator");
  g->model_ = &model;
  g->tokenizer_ = model.tokenizer();
  g->max_context_ = static_cast<int>(so.max_context);
  EA_ASSIGN_OR_RETURN(g->session_, Session::create(model, so));
  GenerateOptions& go = g->generate_options_;
  go.sampling = options.sampling;
  g->n_stop_ids_ = default_stop_ids(*g->tokenizer_, g->stop_ids_);
  g->n_chat_stop_ids_ = g->n_stop_ids_;
  go.stop_ids = Span<const int32_t>(g->stop_ids_, g->n_stop_ids_);
  g->system_prompt_ = options.system_prompt;
  if (!model.info().chat_template.empty()) {
    Result<ChatTemplate> t = ChatTemplate::parse(model.info().chat_template);
    if (t.is_ok()) {
      g->chat_template_.emplace(std::move(t).value());
      // A chat reply also ends at the template's end of message (SmolLM2's
      // EOS is <|im_end|> already; other ChatML vocabularies end text with
      // <|endoftext|>). Not for generate(): it has no messages.
      const int32_t end = g->tokenizer_->piece_to_id(g->chat_template_->end_of_message());
      if (end >= 0 && std::find(g->stop_ids_, g->stop_ids_ + g->n_stop_ids_, end) == g->stop_ids_ + g->n_stop_ids_) {
        g->stop_ids_[g->n_chat_stop_ids_++] = end;
      }
    } else {
      g->chat_template_status_ = t.status();
    }
  }
  go.context_policy = options.context_policy;
  go.slide_keep = options.slide_keep;
  g->new_context();
  EA_RETURN_IF_ERROR(g->generator_->status());
  return g;
}

void TextGenerator::new_context() {
  session_->reset();
  generator_.emplace(*session_, static_cast<size_t>(model_->info().vocab_size), generate_options_);
  turns_ = 0;
}

void TextGenerator::reset() { new_context(); }

Status TextGenerator::set_sampling(const SamplingOptions& sampling) {
  const size_t need = Generator::scratch_bytes(static_cast<size_t>(model_->info().vocab_size),
                                               static_cast<size_t>(max_context_), sampling);
  EA_ENSURE(need <= session_->scratch().size(), StatusCode::kInvalidArgument,
            "sampling needs %zu bytes of scratch, create() reserved %zu: give create() the repetition "
            "penalty window (%d tokens) up front",
            need, session_->scratch().size(), sampling.penalty_window);
  generate_options_.sampling = sampling;
  return Status::ok();
}

Span<const int32_t> TextGenerator::context() const { return generator_->context(); }

Status TextGenerator::prompt_ids(const Tokenizer& tokenizer, std::string_view text, bool add_bos,
                                 std::vector<int32_t>* ids) {
  EncodeOptions enc;
  enc.add_special_tokens = add_bos;
  EA_RETURN_IF_ERROR(tokenizer.encode(text, enc, ids));
  // GPT-2 vocabularies have no BOS: an empty prompt starts from <|endoftext|>.
  if (ids->empty()) {
    EA_ENSURE(tokenizer.eos_id() >= 0, StatusCode::kInvalidArgument,
              "empty prompt and the tokenizer has %s to start from", add_bos ? "neither BOS nor EOS" : "no EOS");
    ids->push_back(tokenizer.eos_id());
  }
  return Status::ok();
}

Status TextGenerator::encode(std::string_view text, bool first_turn) {
  // BOS only at the start of a context; a later chat turn continues it, so
  // an empty turn stays empty rather than feeding an EOS mid-conversation.
  if (first_turn) return prompt_ids(*tokenizer_, text, /*add_bos=*/true, &ids_);
  EncodeOptions enc;
  enc.add_special_tokens = false;
  return tokenizer_->encode(text, enc, &ids_);
}

Status TextGenerator::generate(std::string_view prompt, const GenerationRequest& request) {
  EA_RETURN_IF_ERROR(encode(prompt, /*first_turn=*/true));
  return run(Span<const int32_t>(ids_.data(), ids_.size()), /*new_context=*/true, request);
}

Status TextGenerator::generate_tokens(Span<const int32_t> prompt, const GenerationRequest& request) {
  return run(prompt, /*new_context=*/true, request);
}

Status TextGenerator::chat(std::string_view text, const GenerationRequest& request) {
  EA_RETURN_IF_ERROR(chat_template_status_);
  if (chat_template_) {
    EA_RETURN_IF_ERROR(encode_chat(text, /*first_turn=*/turns_ == 0));
  } else {
    EA_RETURN_IF_ERROR(encode(text, /*first_turn=*/turns_ == 0));
  }
  generator_->set_stop_ids(Span<const int32_t>(stop_ids_, n_chat_stop_ids_));
  Status s = run(Span<const int32_t>(ids_.data(), ids_.size()), /*new_context=*/false, request);
  generator_->set_stop_ids(Span<const int32_t>(stop_ids_, n_stop_ids_));
  return s;
}

// The user's turn as the template writes it: markup segments tokenized
// with their special tokens, roles and contents as plain text (typing
// "<|im_end|>" cannot close a message). BOS (if the vocabulary adds one)
// only at the start of the context.
Status TextGenerator::encode_chat(std::string_view text, bool first_turn) {
  ChatMessage messages[2];
  size_t n = 0;
  if (first_turn && !system_prompt_.empty()) messages[n++] = ChatMessage{"system", system_prompt_};
  messages[n++] = ChatMessage{"user", text};
  segments_.clear();
  chat_template_->segments(Span<const ChatMessage>(messages, n), /*add_generation_prompt=*/true,
                           /*continuation=*/!first_turn, &segments_);
  ids_.clear();
  for (size_t i = 0; i < segments_.size(); ++i) {
    EncodeOptions enc;
    enc.add_special_tokens = first_turn && i == 0;
    enc.parse_special = segments_[i].markup;
    EA_RETURN_IF_ERROR(tokenizer_->encode(segments_[i].text, enc, &piece_ids_));
    ids_.insert(ids_.end(), piece_ids_.begin(), piece_ids_.end());
  }
  return Status::ok();
}

Status TextGenerator::chat_tokens(Span<const int32_t> tokens, const GenerationRequest& request) {
  return run(tokens, /*new_context=*/false, request);
}

Status TextGenerator::run(Span<const int32_t> tokens, bool new_context, const GenerationRequest& request) {
  stats_.prompt_tokens = tokens.size();
  stats_.generated = 0;
  stats_.decode_steps = 0;
  stats_.prefill_ms = stats_.decode_ms = 0;
  stats_.stop_reason = StopReason::kNone;
  EA_ENSURE(!tokens.empty(), StatusCode::kInvalidArgument, "nothing to feed: the prompt has no tokens");
  EA_ENSURE(request.max_tokens >= 1, StatusCode::kInvalidArgument, "max_tokens %d must be positive",
            request.max_tokens);
  for (size_t i = 0; i < tokens.size(); ++i) {
    EA_ENSURE(tokens[i] >= 0 && tokens[i] < model_->info().vocab_size, StatusCode::kInvalidArgument,
              "token %zu is id %d, outside the vocabulary [0, %d)", i, tokens[i], model_->info().vocab_size);
  }
  if (new_context) this->new_context();
  generator_->set_max_tokens(request.max_tokens);
  const auto t_prefill = std::chrono::steady_clock::now();
  Status s = generator_->append(tokens);
  stats_.prefill_ms = ms_since(t_prefill);
  stats_.context_tokens = generator_->context().size();
  stats_.slides = generator_->slides();
  EA_RETURN_IF_ERROR(s);
  ++turns_;
  if (request.echo_prompt && request.on_text != nullptr && new_context) {
    // A prompt starts with BOS, which prints nothing, unless the vocabulary
    // adds none (SmolLM2): then its first token is text too (prev -1: the
    // start of a text).
    const size_t first = tokens[0] == tokenizer_->bos_id() ? 1 : 0;
    for (size_t i = first; i < tokens.size(); ++i) {
      if (!request.on_text(request.user, tokenizer_->decode_piece(i > 0 ? tokens[i - 1] : -1, tokens[i]))) {
        stats_.stop_reason = StopReason::kCallback;
        return Status::ok();
      }
    }
  }
  return sample_reply(tokens[tokens.size() - 1], request);
}

// Samples until the generator finishes or the callback declines, streaming
// each token's text.
Status TextGenerator::sample_reply(int32_t prev, const GenerationRequest& request) {
  const auto t_decode = std::chrono::steady_clock::now();
  StopReason reason = StopReason::kNone;
  Status s;
  while (!generator_->finished()) {
    int32_t next = 0;
    s = generator_->step(&next);
    if (!s.is_ok()) break;
    if (generator_->stopped()) {
      reason = StopReason::kStopToken;
      break;
    }
    if (request.on_text != nullptr && !request.on_text(request.user, tokenizer_->decode_piece(prev, next))) {
      reason = StopReason::kCallback;
      break;
    }
    prev = next;
  }
  if (s.is_ok() && reason == StopReason::kNone) {
    reason = generator_->generated() >= request.max_tokens ? StopReason::kMaxTokens : StopReason::kContextFull;
  }
  stats_.decode_ms = ms_since(t_decode);
  stats_.generated = generator_->generated();
  // The first sampled token comes from the prefill's logits.
  stats_.decode_steps = stats_.generated > 0 ? static_cast<size_t>(stats_.generated - 1) : 0;
  stats_.context_tokens = generator_->context().size();
  stats_.slides = generator_->slides();
  stats_.stop_reason = s.is_ok() ? reason : StopReason::kNone;
  return s;
}

}  // namespace edgeattn
