// Transcriber: speech in, text out, for Whisper-style encoder-decoders.
//
// The task every front-end (demo, C API, bench) uses to run a speech model:
// it owns the model's "encode" and "decode" sessions, the audio frontend
// (runtime/audio: WAV reader, resampler, log-mel with the filterbank stored
// in the model) and the buffers for the longest recording it was planned
// for. transcribe() runs openai-whisper's transcribe loop, greedy:
//   for each 30-s window at `seek`: log-mel -> encode (once) -> decode from
//   <|startoftranscript|> (+ <|notimestamps|>) with the model's suppress
//   lists, suppress_blank and, with timestamps, ApplyTimestampRules
//   (runtime/tasks/whisper_rules.h); the decoder's cross-attention K/V are
//   computed once per window (sequence state, runtime/sequence_state.h).
// Without timestamps each window is consumed whole; with timestamps a
// window is cut after its last complete segment and the next one starts
// there, as transcribe.py does. Previous text is not fed back as a prompt
// (condition_on_previous_text = False): it keeps windows independent and
// the memory fixed; see docs/whisper.md.
//
// Memory: create() allocates everything (sessions, arena, sample and mel
// buffers, the text and segment buffers); transcribe*() allocate nothing for
// sample rates in TranscriberOptions::sample_rates (16 kHz needs no
// resampler); another rate builds its resampler on first use.
//
// Example:
//   TranscriberOptions o; o.max_audio_seconds = 60;
//   EA_ASSIGN_OR_RETURN(std::unique_ptr<Transcriber> t, Transcriber::create(*model, o));
//   EA_RETURN_IF_ERROR(t->transcribe_wav({wav_bytes, wav_size}));
//   printf("%.*s\n", int(t->text().size()), t->text().data());
//   printf("RTF %.3f\n", t->last_stats().real_time_factor());
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "runtime/audio/log_mel.h"
#include "runtime/audio/resampler.h"
#include "runtime/core/fallible_vector.h"
#include "runtime/core/span.h"
#include "runtime/core/status.h"
#include "runtime/model.h"
#include "runtime/session.h"
#include "runtime/tasks/whisper_rules.h"

namespace edgeattn {

struct TranscriberOptions {
  double max_audio_seconds = 30.0;  // longest recording transcribe() takes (sizes the sample buffers)
  uint32_t max_sample_rate = 48000;  // highest input rate (sizes the buffer of not-yet-resampled audio)
  bool timestamps = false;          // decode timestamp tokens; segments get their times
  int threads = 1;
  const char* kernels = nullptr;    // as SessionOptions::kernels
  KvCacheDType kv_dtype = KvCacheDType::kF32;
  // Input rates whose resamplers create() builds (no allocation later).
  uint32_t sample_rates[8] = {8000, 11025, 22050, 24000, 32000, 44100, 48000, 0};  // 0: unused slot
};

// One piece of the transcript: [start, end) seconds of the recording and a
// slice of text().
struct TranscriptSegment {
  double start_seconds = 0.0;
  double end_seconds = 0.0;
  size_t text_offset = 0;  // into Transcriber::text()
  size_t text_size = 0;
};

struct TranscribeStats {
  double audio_seconds = 0.0;
  int windows = 0;            // encoder runs (30-s windows)
  int decoder_tokens = 0;     // decoder steps, prompts included
  double frontend_ms = 0.0;   // WAV decode, resampling, log-mel
  double encoder_ms = 0.0;
  double decoder_ms = 0.0;
  double total_ms = 0.0;
  double real_time_factor() const { return audio_seconds > 0 ? total_ms / 1000.0 / audio_seconds : 0.0; }
  double decoder_tokens_per_second() const { return decoder_ms > 0 ? decoder_tokens * 1000.0 / decoder_ms : 0.0; }
};

class Transcriber {
 public:
  // The model must be a speech model (ModelInfo::task kSpeechRecognition,
  // audio frontend and decoding config present) and outlive the Transcriber.
  static Result<std::unique_ptr<Transcriber>> create(const Model& model, const TranscriberOptions& options);
  ~Transcriber();
  Transcriber(const Transcriber&) = delete;
  Transcriber& operator=(const Transcriber&) = delete;

  // A WAV file in memory (any format runtime/audio/wav_reader.h reads).
  Status transcribe_wav(Span<const uint8_t> wav);
  // Mono samples in [-1, 1] at `sample_rate`.
  Status transcribe(Span<const float> samples, uint32_t sample_rate);
  // Lower levels, for tests and tools: the log-mel window [n_frames, n_mels]
  // of 16-kHz samples at frame `seek` (whole-signal clamp, as whisper), the
  // encoder over such a window, and a greedy decode of the last encoded
  // window (prompt: start ids + <|notimestamps|> unless timestamps), or of
  // given encoder states [n_frames / 2, d_model] (e.g. another engine's
  // encoder output; kInvalidArgument unless exactly that many floats).
  Status compute_mel(Span<const float> samples_16k, size_t seek, Span<float> mel);
  Status encode(Span<const float> mel);
  TensorView encoder_output() const;  // [1, n_frames / 2, d_model], valid until the next encode
  Status decode_window(bool timestamps, Span<int32_t> tokens, size_t* n_tokens);
  Status decode_states(Span<const float> states, bool timestamps, Span<int32_t> tokens, size_t* n_tokens);

  // The last transcript (valid until the next transcribe*()).
  std::string_view text() const { return std::string_view(text_.data(), text_size_); }
  Span<const TranscriptSegment> segments() const {
    return Span<const TranscriptSegment>(segments_.data(), segment_count_);
  }
  const TranscribeStats& last_stats() const { return stats_; }
  const MemoryStats& encoder_memory() const;
  const MemoryStats& decoder_memory() const;
  // Bytes create() allocated besides the two arenas: samples, mel, text.
  size_t buffer_bytes() const;

 private:
  Transcriber() = default;
  Status make_buffers(const TranscriberOptions& options);
  Result<const Resampler*> resampler_for(uint32_t rate);
  Status run_windows(Span<const float> samples_16k);
  Status decode_from(const float* states, bool timestamps, Span<int32_t> tokens, size_t* n_tokens);
  Status decode_segments(size_t seek, size_t content_frames, size_t* consumed_frames);
  Status append_text(Span<const int32_t> tokens, double start, double end);

  const Model* model_ = nullptr;  // must outlive the Transcriber
  TranscriberOptions options_;
  std::unique_ptr<Session> encoder_, decoder_;
  LogMel log_mel_;
  static constexpr size_t kMaxResamplers = 9;  // the planned rates and one made on demand
  Resampler resamplers_[kMaxResamplers];
  size_t resampler_count_ = 0;
  Vector<float> source_;       // [max seconds * max rate] decoded input before resampling
  Vector<float> samples_;      // [max seconds * 16000 + padding] 16-kHz mono
  Vector<float> mel_;          // [n_frames, n_mels]
  Vector<int32_t> tokens_;     // [max_length] one window's generated tokens
  Vector<int32_t> prompt_;     // [start ids + 1]
  Vector<WhisperSegment> window_segments_;  // [max_length / 2 + 1] one window's segments
  Vector<char> text_;          // [(seconds * 32 + 2 max_length) tokens * 16 bytes] the transcript
  size_t text_size_ = 0;
  Vector<TranscriptSegment> segments_;  // [tokens / 2 + 1]
  size_t segment_count_ = 0;
  TranscribeStats stats_;
};

}  // namespace edgeattn
