// Result records and printers for edgeattn-bench.
//
// The bench measures; this file only summarizes samples and prints them,
// either as aligned human-readable text or as one JSON object (written by
// hand with fprintf: the runtime tools carry no JSON library).
#pragma once

#include <cstddef>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "runtime/session.h"
#include "runtime/tasks/transcriber.h"

namespace edgeattn {
namespace bench {

// Median, 90th percentile and minimum of a set of wall-clock samples, in
// milliseconds.
struct LatencyStats {
  double median_ms = 0.0;
  double p90_ms = 0.0;  // nearest rank: the ceil(0.9 n)-th smallest sample
  double min_ms = 0.0;
  int runs = 0;
};

// Sorts a copy; the median of an even count is the mean of the middle two.
LatencyStats summarize(std::vector<double> samples_ms);

// One latency line of a task benchmark: `name` with median, p90 and min,
// as text ("  total     median ... ms") or a JSON member (`last`: no comma).
void print_latency(const char* name, const LatencyStats& s, bool json, bool last = false);
// A JSON string literal of `s` (UTF-8 passed through, controls escaped).
std::string json_quoted(const std::string& s);

// One encoder shape: latency of invoke() at [batch, seq].
struct EncoderCase {
  std::string name;  // "batch1_seq16", ...
  int batch = 1;
  int seq = 0;
  LatencyStats latency;
  double tokens_per_s = 0.0;     // batch * seq / median
  double sequences_per_s = 0.0;  // batch / median
};

// Decoder: prefill of a prompt, then single-token greedy decode steps.
struct DecoderResult {
  int prompt_tokens = 0;
  int decode_steps = 0;
  int repetitions = 0;
  LatencyStats prefill;        // one invoke() of prompt_tokens
  LatencyStats decode_total;   // sum of the decode_steps invoke() calls
  double prefill_tokens_per_s = 0.0;  // prompt_tokens / prefill median
  double decode_tokens_per_s = 0.0;   // decode_steps / decode_total median
  double decode_ms_per_token = 0.0;   // decode_total median / decode_steps
};

// Transcribe mode (speech models): one round = Transcriber::transcribe()
// of the whole clip, recorded as its TranscribeStats.
struct TranscribeResult {
  std::string wav;
  int repeat = 1;             // the clip tiled this many times
  double audio_seconds = 0.0;
  int windows = 0;
  std::vector<TranscribeStats> rounds;  // the timed rounds, in order
  LatencyStats frontend, encoder, decoder, total;
  int decoder_tokens = 0;               // of the last round (the same every round: greedy)
  double decoder_tokens_per_s = 0.0;    // decoder_tokens / decoder median
  double real_time_factor = 0.0;        // total median / audio seconds
  std::string text;                     // the transcript of the last round
  MemoryStats decoder_memory;           // BenchReport::memory is the encoder's
};

struct BenchReport {
  std::string model_path;
  std::string architecture;  // EnumNameArchitecture
  std::string kernels;       // Session::kernel_name()
  std::string kv_dtype = "fp32";  // --kv-dtype (decoders, speech models)
  std::string input_ids;     // how the token ids were made
  int threads = 1;
  int runs = 0;
  int warmups = 0;
  int max_batch = 1;
  int max_seq = 0;
  int max_context = 0;  // decoders
  size_t file_bytes = 0;
  double load_ms = 0.0;
  double prepare_ms = 0.0;
  MemoryStats memory;
  size_t peak_rss_bytes = 0;  // VmHWM after all runs
  // 1-minute load average (/proc/loadavg) just before the timed runs; < 0 if
  // unknown. Above ~the core count, latencies are not representative.
  double loadavg_1m = -1.0;
  int online_cpus = 0;  // sysconf(_SC_NPROCESSORS_ONLN); 0 if unknown
  std::vector<EncoderCase> encoder;
  bool has_decoder = false;
  DecoderResult decoder;
  bool has_transcribe = false;
  TranscribeResult transcribe;
  // --profile: milliseconds per op kind (EnumNameOpCode) summed over every
  // invoke of the run (warm-ups included); empty without --profile. The
  // transcribe mode prefixes the kinds with the method ("encode/...") and
  // gives milliseconds per round instead (warm-ups excluded).
  std::vector<std::pair<std::string, double>> profile_ms;
};

// The session's op_times_ns() summed per op kind, in first-seen order.
std::vector<std::pair<std::string, uint64_t>> profile_by_kind(const Session& session);

// --profile of one session to stderr: ms per run in each op kind and in its
// `slowest` slowest ops, over `runs` runs (times since the last reset).
void print_op_profile(const Session& session, const char* label, int runs, size_t slowest = 12);

void print_text(std::FILE* out, const BenchReport& report);
void print_json(std::FILE* out, const BenchReport& report);

}  // namespace bench
}  // namespace edgeattn
