// edgeattn-bench's transcribe mode, for speech models (ModelInfo::task
// kSpeechRecognition, e.g. Whisper converted by edgeattn-convert):
//
//   edgeattn-bench WHISPER.eatn --wav FILE.wav [--repeat N] [--threads N] [--runs N] [--profile] [--json]
//
// The WAV is decoded once and tiled --repeat times (default 3: beckett.wav,
// 9.96 s, gives 29.9 s, i.e. one full 30-s window; the padding to 30 s
// adds no encoder work, the encoder always sees 3000 frames). One
// Transcriber (runtime/tasks/transcriber.h, no timestamps, greedy) then
// runs transcribe() on those samples: 1 warm-up + --runs rounds (default 5).
// Reported per round, from TranscribeStats: frontend (resampling + log-mel),
// encoder, decoder (every decoder invoke: cross K/V, prompt, greedy steps),
// total; medians, p90, minima; decoder tokens/s and the real-time factor
// (median total / audio seconds); the transcript.
//
// --profile: afterwards, and outside the timed rounds, an "encode" and a
// "decode" Session with SessionOptions::profile run the same window (the
// decoder replays the transcriber's tokens); ms per round per op kind to
// stderr and into profile_ms as "encode/KIND", "decode/KIND".
#pragma once

#include "bench/bench_report.h"
#include "runtime/model.h"
#include "runtime/session.h"

namespace edgeattn {
namespace bench {

struct TranscribeBenchOptions {
  const char* wav = nullptr;
  int repeat = 3;
  int threads = 1;
  int runs = 5;
  const char* kernels = nullptr;  // SessionOptions::kernels; nullptr: the best for this CPU
  KvCacheDType kv_dtype = KvCacheDType::kF32;  // TranscriberOptions::kv_dtype
  bool profile = false;
};

// Fills report->transcribe (and memory, kernels, prepare_ms, runs,
// profile_ms); returns 0, or 1 after printing the failure.
int run_transcribe(const Model& model, const TranscribeBenchOptions& options, BenchReport* report);

}  // namespace bench
}  // namespace edgeattn
