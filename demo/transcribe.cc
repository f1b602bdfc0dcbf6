// edgeattn-demo transcribe: speech models (Whisper), argument checks and
// printing over the Transcriber task.
//
// The WAV file is untrusted input: everything wrong with it (not RIFF/WAVE,
// truncated, zero samples, a rate or channel count out of range, NaN or
// infinite samples, a duration over kMaxWavSeconds) is found before the
// Transcriber is made and reported as one line with exit 2, the usage-error
// code, like a wrong path. Exit 1 is left for failures of the runtime itself.
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "demo/demo_common.h"
#include "runtime/audio/wav_reader.h"
#include "runtime/platform.h"
#include "runtime/tasks/transcriber.h"

namespace edgeattn::demo {
namespace {

// The longest recording the demo accepts: the header is checked against it
// before anything is sized, so a corrupt or hostile header (a 10-hour data
// size on a short file) is refused instead of planning gigabytes of buffers.
constexpr double kMaxWavSeconds = 3 * 3600.0;
// Frames decoded per step while validating the samples (a small buffer,
// whatever the file's length).
constexpr size_t kCheckFrames = 1 << 16;

// Prints "edgeattn-demo: transcribe: <message>" and returns kExitUsage: the
// input is at fault, not the runtime.
int bad_input(const char* message) {
  std::fprintf(stderr, "edgeattn-demo: transcribe: %s\n", message);
  return kExitUsage;
}

// All bytes of `path` ("-": stdin, read to the end first since the header's
// sizes are checked against the whole file). False with *error set.
bool read_input(const std::string& path, std::vector<uint8_t>* bytes, std::string* error) {
  const bool from_stdin = path == "-";
  FILE* f = from_stdin ? stdin : std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    *error = "cannot open '" + path + "': " + std::strerror(errno);
    return false;
  }
  uint8_t chunk[1 << 16];
  size_t n = 0;
  while ((n = std::fread(chunk, 1, sizeof(chunk), f)) > 0) bytes->insert(bytes->end(), chunk, chunk + n);
  const bool failed = std::ferror(f) != 0;
  if (!from_stdin) std::fclose(f);
  if (failed) *error = "cannot read '" + path + "': " + std::strerror(errno);
  return !failed;
}

// Decodes every frame once, in small steps: decode_mono() refuses a NaN or
// infinite sample (naming its frame), so a file that passes transcribes.
Status check_samples(const WavFile& wav) {
  std::vector<float> buffer(std::min(kCheckFrames, wav.info().frames));
  for (size_t first = 0; first < wav.info().frames; first += buffer.size()) {
    const size_t n = std::min(buffer.size(), wav.info().frames - first);
    EA_RETURN_IF_ERROR(wav.decode_mono(first, Span<float>(buffer.data(), n)));
  }
  return Status::ok();
}

// The Transcriber planned for this one file: its duration (rounded up to a
// whole second) and rate, the only resampler it needs.
TranscriberOptions options_for(const WavInfo& w, const DemoArgs& args) {
  TranscriberOptions o;
  o.max_audio_seconds = std::max(1.0, std::ceil(w.seconds()));
  o.max_sample_rate = std::max<uint32_t>(48000, w.sample_rate);
  o.timestamps = args.timestamps;
  o.threads = args.threads;
  o.kernels = args.kernels;
  o.kv_dtype = args.kv_dtype;
  for (uint32_t& rate : o.sample_rates) rate = 0;
  o.sample_rates[0] = w.sample_rate;
  return o;
}

// openai-whisper's format_timestamp(): MM:SS.mmm, with HH: in front from
// one hour on.
std::string timestamp(double seconds) {
  long long ms = std::llround(std::max(0.0, seconds) * 1000.0);
  const long long hours = ms / 3600000;
  ms -= hours * 3600000;
  char out[96];  // room for any long long, so the compiler can prove no truncation
  if (hours > 0) {
    std::snprintf(out, sizeof(out), "%02lld:%02lld:%02lld.%03lld", hours, ms / 60000, ms % 60000 / 1000, ms % 1000);
  } else {
    std::snprintf(out, sizeof(out), "%02lld:%02lld.%03lld", ms / 60000, ms % 60000 / 1000, ms % 1000);
  }
  return out;
}

// `text` on one line: line breaks the decoder produced become spaces.
void print_line(std::string_view text) {
  for (char c : text) std::fputc(c == '\n' || c == '\r' ? ' ' : c, stdout);
  std::fputc('\n', stdout);
}

void print_transcript(const Transcriber& t, bool timestamps) {
  if (!timestamps) {
    print_line(t.text());
  } else {
    for (const TranscriptSegment& s : t.segments()) {
      std::printf("[%s --> %s] ", timestamp(s.start_seconds).c_str(), timestamp(s.end_seconds).c_str());
      print_line(t.text().substr(s.text_offset, s.text_size));
    }
  }
  std::fflush(stdout);
}

// One line on stderr. The arena counts both sessions; the decoder's holds
// the KV cache and the sequence state (cross-attention K/V of the window).
void print_transcribe_stats(const DemoArgs& args, const Transcriber& t) {
  const TranscribeStats& st = t.last_stats();
  const MemoryStats& enc = t.encoder_memory();
  const MemoryStats& dec = t.decoder_memory();
  std::fprintf(stderr,
               "stats: load %.1f ms | audio %.2f s | RTF %.3f | frontend %.1f ms | encoder %.1f ms (%d window%s) | "
               "decoder %d tok %.1f tok/s | weights %.2f MiB | arena %.2f MiB (encoder %.2f, decoder %.2f, KV %.2f, "
               "sequence %.2f) | buffers %.2f MiB | XNNPACK packed %.2f MiB | peak RSS %.2f MiB | threads %d\n",
               args.load_ms, st.audio_seconds, st.real_time_factor(), st.frontend_ms, st.encoder_ms, st.windows, st.windows == 1 ? "" : "s",
               st.decoder_tokens, st.decoder_tokens_per_second(), mib(enc.weight_bytes),
               mib(enc.arena_bytes + dec.arena_bytes), mib(enc.arena_bytes), mib(dec.arena_bytes),
               mib(dec.kv_cache_bytes), mib(dec.sequence_bytes), mib(t.buffer_bytes()),
               mib(enc.xnnpack_bytes + dec.xnnpack_bytes), mib(peak_rss_bytes()), args.threads);
}

}  // namespace

int run_transcribe(const Model& model, const DemoArgs& args) {
  if (model.info().task != Task::kSpeechRecognition) {
    std::fprintf(stderr, "edgeattn-demo: transcribe needs a speech model such as Whisper (this one is %s, task %s)\n",
                 architecture_name(model.info().architecture), task_name(model.info().task));
    return kExitUsage;
  }
  if (args.texts.size() != 1) {
    std::fprintf(stderr, "edgeattn-demo: transcribe takes one FILE.wav (or - for stdin), got %zu\n",
                 args.texts.size());
    return kExitUsage;
  }
  const std::string& path = args.texts[0];
  if (path == "-" && isatty(STDIN_FILENO)) return bad_input("'-' reads a WAV file from stdin, which is a terminal");
  std::vector<uint8_t> bytes;
  std::string error;
  if (!read_input(path, &bytes, &error)) return bad_input(error.c_str());
  WavLimits limits;
  limits.max_seconds = kMaxWavSeconds;
  Result<WavFile> wav = WavFile::parse(Span<const uint8_t>(bytes.data(), bytes.size()), limits);
  if (!wav.is_ok()) return bad_input(wav.status().message());
  const Status samples = check_samples(*wav);
  if (!samples.is_ok()) return bad_input(samples.message());
  Result<std::unique_ptr<Transcriber>> created = Transcriber::create(model, options_for(wav->info(), args));
  if (!created.is_ok()) return fail("prepare", created.status());
  Transcriber& t = **created;
  const Status s = t.transcribe_wav(Span<const uint8_t>(bytes.data(), bytes.size()));
  if (!s.is_ok()) return fail("transcribe", s);
  print_transcript(t, args.timestamps);
  print_transcribe_stats(args, t);
  return 0;
}

}  // namespace edgeattn::demo
