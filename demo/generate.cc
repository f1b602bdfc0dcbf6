// edgeattn-demo generate and chat: decoder models, argument checks and
// printing over the TextGenerator task.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "demo/demo_common.h"

namespace edgeattn::demo {
namespace {

// Streams each piece to stdout as it is sampled.
bool write_piece(void*, std::string_view piece) {
  std::fwrite(piece.data(), 1, piece.size(), stdout);
  std::fflush(stdout);
  return true;
}

bool needs_decoder(const Model& model, const char* verb) {
  if (model.info().task == Task::kTextGeneration && model.tokenizer() != nullptr) return true;
  std::fprintf(stderr, "edgeattn-demo: %s needs a decoder model with a tokenizer (this one is %s)\n", verb,
               architecture_name(model.info().architecture));
  return false;
}

// The context a generation needs: the prompt and max_tokens (or --context),
// capped at the model's max_positions, so the arena is no larger than the
// run needs.
int context_for(const Model& model, const DemoArgs& args, size_t prompt_tokens) {
  const int max_positions = model.info().max_positions;
  int context = args.context > 0 ? args.context : static_cast<int>(prompt_tokens) + args.max_tokens;
  if (max_positions > 0 && context > max_positions) context = max_positions;
  return context;
}

Result<std::unique_ptr<TextGenerator>> make_generator(const Model& model, const DemoArgs& args, int context,
                                                      ContextPolicy policy) {
  TextGeneratorOptions o;
  o.max_context = context;
  o.threads = args.threads;
  o.kernels = args.kernels;
  o.kv_dtype = args.kv_dtype;
  o.sampling = args.sampling;
  o.context_policy = policy;
  o.system_prompt = args.system;  // DemoArgs outlives the generator
  return TextGenerator::create(model, o);
}

GenerationRequest streaming_request(const DemoArgs& args) {
  GenerationRequest r;
  r.max_tokens = args.max_tokens;
  r.on_text = &write_piece;
  return r;
}

}  // namespace

int run_generate(const Model& model, const DemoArgs& args) {
  if (!needs_decoder(model, "generate")) return kExitUsage;
  std::string prompt = args.prompt;
  if (!args.has_prompt && !isatty(STDIN_FILENO)) {
    std::string line;
    while (std::getline(std::cin, line)) prompt += (prompt.empty() ? "" : "\n") + line;
  }
  // The prompt's length sizes the context, so it is counted first.
  std::vector<int32_t> ids;
  Status s = model.tokenizer()->encode(prompt, EncodeOptions(), &ids);
  if (!s.is_ok()) return fail("encode", s);
  const size_t prompt_tokens = ids.empty() ? 1 : ids.size();  // empty: the generator starts from EOS
  const int context = context_for(model, args, prompt_tokens);
  if (!args.slide && static_cast<int>(prompt_tokens) >= context) {
    std::fprintf(stderr, "edgeattn-demo: prompt of %zu tokens does not fit a context of %d (use --context or --slide)\n",
                 prompt_tokens, context);
    return kExitUsage;
  }
  Result<std::unique_ptr<TextGenerator>> created =
      make_generator(model, args, context, args.slide ? ContextPolicy::kSlide : ContextPolicy::kStop);
  if (!created.is_ok()) return fail("prepare", created.status());
  TextGenerator& gen = **created;
  GenerationRequest r = streaming_request(args);
  r.echo_prompt = true;  // stdout reads as one text
  // An empty GPT-2 prompt has no ids; generate() starts it from EOS.
  s = ids.empty() ? gen.generate(prompt, r) : gen.generate_tokens(Span<const int32_t>(ids.data(), ids.size()), r);
  if (!s.is_ok()) return fail("generate", s);
  std::fputc('\n', stdout);
  std::fflush(stdout);
  const GenerationStats& st = gen.last_stats();
  print_stats(args, gen.session(), st.prompt_tokens, st.prefill_ms, st.decode_steps, st.decode_ms);
  if (st.slides > 0) std::fprintf(stderr, "context slid %d times\n", st.slides);
  return 0;
}

int run_chat(const Model& model, const DemoArgs& args) {
  if (!needs_decoder(model, "chat")) return kExitUsage;
  const int context = args.context > 0 ? args.context : context_for(model, args, 1024);
  // A chat keeps going: old turns fall out of the context.
  Result<std::unique_ptr<TextGenerator>> created = make_generator(model, args, context, ContextPolicy::kSlide);
  if (!created.is_ok()) return fail("prepare", created.status());
  TextGenerator& gen = **created;
  if (!args.system.empty() && model.info().chat_template.empty()) {
    std::fprintf(stderr, "edgeattn-demo: note: the model has no chat template: --system is not used\n");
  }
  const GenerationRequest r = streaming_request(args);
  const bool interactive = isatty(STDIN_FILENO);
  std::string line;
  int turn = 0;
  size_t prefill_tokens = 0, decode_steps = 0;
  double prefill_ms = 0, decode_ms = 0;
  while (true) {
    if (interactive) std::fprintf(stderr, "> ");
    if (!std::getline(std::cin, line)) break;
    if (line.empty()) continue;
    Status s = gen.chat(line, r);
    if (!s.is_ok()) return fail("chat", s);
    const GenerationStats& st = gen.last_stats();
    prefill_ms += st.prefill_ms;
    prefill_tokens += st.prompt_tokens;
    decode_ms += st.decode_ms;
    decode_steps += st.decode_steps;
    std::fputc('\n', stdout);
    std::fflush(stdout);
    ++turn;
    std::fprintf(stderr, "[turn %d: %d tokens in %.0f ms, context %zu tokens]\n", turn, st.generated, st.decode_ms,
                 st.context_tokens);
  }
  print_stats(args, gen.session(), prefill_tokens, prefill_ms, decode_steps, decode_ms);
  return 0;
}

}  // namespace edgeattn::demo
