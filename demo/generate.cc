// edgeattn-demo generate and chat: decoder models.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "demo/demo_common.h"
#include "runtime/generator.h"
#include "runtime/platform.h"
#include "schema/edgeattn_generated.h"

namespace edgeattn::demo {
namespace {

// Stop on EOS; llama2.c-style models also end a story with BOS.
std::vector<int32_t> stop_ids(const Tokenizer& tok) {
  std::vector<int32_t> ids;
  if (tok.eos_id() >= 0) ids.push_back(tok.eos_id());
  if (tok.bos_id() >= 0 && tok.bos_id() != tok.eos_id()) ids.push_back(tok.bos_id());
  return ids;
}

struct Decoder {
  std::unique_ptr<Session> session;
  double prepare_ms = 0;
};

// A session sized for `context` positions with the generator's scratch.
int make_session(const Model& model, const DemoArgs& args, int context, Decoder* out) {
  const size_t vocab = static_cast<size_t>(model.fb().hparams()->vocab_size());
  SessionOptions opts;
  opts.max_seq = context < 64 ? context : 64;  // prefill chunk
  opts.max_context = context;
  opts.threads = args.threads;
  opts.kernels = args.kernels;
  opts.kv_dtype = args.kv_dtype;
  opts.scratch_bytes = Generator::scratch_bytes(vocab, static_cast<size_t>(context), args.sampling);
  const auto t = Clock::now();
  Result<std::unique_ptr<Session>> s = Session::create(model, opts);
  if (!s.is_ok()) return fail("prepare", s.status());
  out->session = std::move(s).value();
  out->prepare_ms = ms_since(t);
  return 0;
}

int context_for(const Model& model, const DemoArgs& args, size_t prompt_tokens) {
  const int max_positions = model.fb().hparams()->max_positions();
  int context = args.context > 0 ? args.context : static_cast<int>(prompt_tokens) + args.max_tokens;
  if (max_positions > 0 && context > max_positions) context = max_positions;
  return context;
}

void write_piece(std::string_view piece) {
  std::fwrite(piece.data(), 1, piece.size(), stdout);
  std::fflush(stdout);
}

// Samples until the generator finishes, streaming each piece to stdout.
Status stream_reply(Generator& gen, const Tokenizer& tok, int32_t prev) {
  while (!gen.finished()) {
    int32_t next = 0;
    EA_RETURN_IF_ERROR(gen.step(&next));
    if (gen.stopped()) break;
    write_piece(tok.decode_piece(prev, next));
    prev = next;
  }
  return Status::ok();
}

}  // namespace

int run_generate(const Model& model, const DemoArgs& args) {
  const Tokenizer* tok = model.tokenizer();
  if (!model.is_decoder() || tok == nullptr) {
    std::fprintf(stderr, "edgeattn-demo: generate needs a decoder model with a tokenizer (this one is %s)\n",
                 fb::EnumNameArchitecture(model.fb().hparams()->architecture()));
    return kExitUsage;
  }
  std::string prompt = args.prompt;
  if (!args.has_prompt && !isatty(STDIN_FILENO)) {
    std::string line;
    while (std::getline(std::cin, line)) prompt += (prompt.empty() ? "" : "\n") + line;
  }
  std::vector<int32_t> ids;
  EncodeOptions enc;  // BOS for SentencePiece models
  Status s = tok->encode(prompt, enc, &ids);
  if (!s.is_ok()) return fail("encode", s);
  if (ids.empty()) ids.push_back(tok->eos_id() >= 0 ? tok->eos_id() : 0);  // GPT-2: start from <|endoftext|>
  const int context = context_for(model, args, ids.size());
  if (!args.slide && static_cast<int>(ids.size()) >= context) {
    std::fprintf(stderr, "edgeattn-demo: prompt of %zu tokens does not fit a context of %d (use --context or --slide)\n",
                 ids.size(), context);
    return kExitUsage;
  }
  Decoder d;
  if (int rc = make_session(model, args, context, &d)) return rc;
  const std::vector<int32_t> stops = stop_ids(*tok);
  GenerateOptions go;
  go.sampling = args.sampling;
  go.max_tokens = args.max_tokens;
  go.stop_ids = Span<const int32_t>(stops.data(), stops.size());
  go.context_policy = args.slide ? ContextPolicy::kSlide : ContextPolicy::kStop;
  const size_t vocab = static_cast<size_t>(model.fb().hparams()->vocab_size());
  Generator gen(*d.session, vocab, go);
  if (!gen.status().is_ok()) return fail("generate", gen.status());

  const auto t_prefill = Clock::now();
  s = gen.append(Span<const int32_t>(ids.data(), ids.size()));
  if (!s.is_ok()) return fail("prefill", s);
  const double prefill_ms = ms_since(t_prefill);
  // The prompt is echoed, so stdout reads as one text.
  for (size_t i = 1; i < ids.size(); ++i) write_piece(tok->decode_piece(ids[i - 1], ids[i]));
  const auto t_decode = Clock::now();
  s = stream_reply(gen, *tok, ids.back());
  if (!s.is_ok()) return fail("decode", s);
  const double decode_ms = ms_since(t_decode);
  std::fputc('\n', stdout);
  std::fflush(stdout);
  // The first sampled token comes from the prefill's logits: decode steps
  // are the invokes after it.
  const size_t steps = gen.generated() > 0 ? static_cast<size_t>(gen.generated() - 1) : 0;
  print_stats(args, *d.session, ids.size(), prefill_ms, steps, decode_ms);
  if (gen.slides() > 0) std::fprintf(stderr, "context slid %d times\n", gen.slides());
  return 0;
}

int run_chat(const Model& model, const DemoArgs& args) {
  const Tokenizer* tok = model.tokenizer();
  if (!model.is_decoder() || tok == nullptr) {
    std::fprintf(stderr, "edgeattn-demo: chat needs a decoder model with a tokenizer\n");
    return kExitUsage;
  }
  const int context = args.context > 0 ? args.context : context_for(model, args, 1024);
  Decoder d;
  if (int rc = make_session(model, args, context, &d)) return rc;
  const std::vector<int32_t> stops = stop_ids(*tok);
  GenerateOptions go;
  go.sampling = args.sampling;
  go.max_tokens = args.max_tokens;
  go.stop_ids = Span<const int32_t>(stops.data(), stops.size());
  go.context_policy = ContextPolicy::kSlide;  // a chat keeps going; old turns fall out
  const size_t vocab = static_cast<size_t>(model.fb().hparams()->vocab_size());
  Generator gen(*d.session, vocab, go);
  if (!gen.status().is_ok()) return fail("chat", gen.status());
  const bool interactive = isatty(STDIN_FILENO);
  std::string line;
  int turn = 0;
  size_t prefill_tokens = 0, decode_steps = 0;
  double prefill_ms = 0, decode_ms = 0;
  while (true) {
    if (interactive) std::fprintf(stderr, "> ");
    if (!std::getline(std::cin, line)) break;
    if (line.empty()) continue;
    std::vector<int32_t> ids;
    EncodeOptions enc;
    enc.add_special_tokens = turn == 0;  // BOS only at the start of the conversation
    Status s = tok->encode(line, enc, &ids);
    if (!s.is_ok()) return fail("encode", s);
    const auto t_prefill = Clock::now();
    s = gen.append(Span<const int32_t>(ids.data(), ids.size()));
    if (!s.is_ok()) return fail("prefill", s);
    prefill_ms += ms_since(t_prefill);
    prefill_tokens += ids.size();
    const auto t = Clock::now();
    s = stream_reply(gen, *tok, ids.back());
    if (!s.is_ok()) return fail("decode", s);
    const double turn_ms = ms_since(t);
    decode_ms += turn_ms;
    decode_steps += gen.generated() > 0 ? static_cast<size_t>(gen.generated() - 1) : 0;
    std::fputc('\n', stdout);
    std::fflush(stdout);
    ++turn;
    std::fprintf(stderr, "[turn %d: %d tokens in %.0f ms, context %zu tokens]\n", turn, gen.generated(), turn_ms,
                 gen.context().size());
  }
  print_stats(args, *d.session, prefill_tokens, prefill_ms, decode_steps, decode_ms);
  return 0;
}

}  // namespace edgeattn::demo
