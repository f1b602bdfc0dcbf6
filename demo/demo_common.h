// Shared pieces of edgeattn-demo: options, timing and the statistics lines.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "runtime/model.h"
#include "runtime/sampler.h"
#include "runtime/session.h"
#include "runtime/tasks/embedder.h"
#include "runtime/tasks/text_generator.h"
#include "tools/cli/cli.h"

namespace edgeattn::demo {

// Exit codes: 0 ok, 1 a failure while running, 2 a usage error (bad flag,
// wrong path, a model of the wrong kind for the verb).
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

using Clock = cli::Clock;
using cli::ms_since;

struct DemoArgs {
  std::string prompt;
  bool has_prompt = false;
  int max_tokens = 256;
  SamplingOptions sampling;  // temperature 0 (greedy) unless set
  int threads = 1;
  int context = 0;
  bool slide = false;
  bool timestamps = false;  // transcribe --timestamps: one segment per line with its times
  bool no_shortlist = false;  // translate --no-shortlist: the output layer over the whole vocabulary
  bool no_split = false;      // translate --no-split: each text is one sentence
  bool boxes = false;         // ocr --boxes: each line's corners and confidence before its text
  int max_side = 0;           // ocr --max-side N: the detector's planned side (0: TextReaderOptions' default)
  int top = 5;                // image / clip --top K: classes printed
  std::string npy;            // image / clip --npy OUT.npy: the first output as float32
  std::string png;            // image / clip --png OUT.png: a map output drawn over the image
  KvCacheDType kv_dtype = KvCacheDType::kF32;
  const char* kernels = nullptr;  // --kernels NAME (argv, checked); nullptr: the best for this CPU
  std::string query;
  std::string system;  // chat --system TEXT: the system message of a chat template
  std::vector<std::string> texts;
  double load_ms = 0;
};

// Bytes as MiB, for the statistics lines.
double mib(size_t bytes);

// Prints "edgeattn-demo: <what>: <message>" and returns kExitFailure.
int fail(const char* what, const Status& s);

// One line on stderr: load ms, prefill and decode tokens/s, weights, arena,
// KV cache, XNNPACK packed bytes, peak RSS.
void print_stats(const DemoArgs& args, const Session& session, size_t prefill_tokens, double prefill_ms,
                 size_t decode_steps, double decode_ms);

// The encoder's statistics line on stderr: load ms, texts, tokens, invoke ms,
// tokens/s, weights, arena, XNNPACK packed bytes, peak RSS, kernels. No
// prefill/decode or KV cache: an encoder has neither.
void print_embed_stats(const DemoArgs& args, const Session& session, const EmbedStats& stats);

int run_generate(const Model& model, const DemoArgs& args);
int run_chat(const Model& model, const DemoArgs& args);
int run_embed(const Model& model, const DemoArgs& args);
int run_transcribe(const Model& model, const DemoArgs& args);
int run_translate(const Model& model, const DemoArgs& args);
int run_ocr(const Model& model, const DemoArgs& args);
int run_image(const Model& model, const DemoArgs& args);
int run_clip(const Model& model, const DemoArgs& args);

}  // namespace edgeattn::demo
