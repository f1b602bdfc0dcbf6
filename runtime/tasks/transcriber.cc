#include "runtime/tasks/transcriber.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <new>

#include "runtime/audio/wav_reader.h"
#include "runtime/model_info.h"
#include "runtime/sampler.h"
#include "runtime/tasks/whisper_rules.h"

namespace edgeattn {
namespace {

constexpr uint32_t kSpeechRate = 16000;
constexpr size_t kMaxPieceBytes = 16;      // text bytes reserved per generated token (pieces average < 8)
constexpr double kMaxTokensPerSecond = 32;  // of audio, for the transcript's buffers (Whisper: <= 15)

double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

Status check_speech_model(const ModelInfo& info, const Model& model) {
  EA_ENSURE(info.task == Task::kSpeechRecognition && info.audio.present && info.decoding.present &&
                info.find_method("encode") != nullptr && info.find_method("decode") != nullptr &&
                model.tokenizer() != nullptr,
            StatusCode::kInvalidArgument,
            "not a speech model: needs methods 'encode' and 'decode', an audio frontend, a decoding config and a "
            "tokenizer (task is '%s')",
            task_name(info.task));
  EA_ENSURE(info.audio.sample_rate == static_cast<int32_t>(kSpeechRate), StatusCode::kUnsupported,
            "audio frontend at %d Hz: only 16 kHz models are supported", info.audio.sample_rate);
  return Status::ok();
}

WhisperRules rules_of(const ModelInfo& info, bool timestamps) {
  WhisperRules r;
  r.vocab_size = info.vocab_size;
  r.eot_id = info.decoding.eos_id;
  r.no_timestamps_id = info.decoding.no_timestamps_id;
  r.timestamp_begin_id = info.decoding.timestamp_begin_id;
  r.timestamp_seconds = info.decoding.timestamp_seconds;
  r.timestamps = timestamps && r.timestamp_begin_id >= 0;
  r.suppress_ids = info.decoding.suppress_ids;
  r.suppress_ids_begin = info.decoding.suppress_ids_begin;
  return r;
}

}  // namespace

Transcriber::~Transcriber() = default;

Result<std::unique_ptr<Transcriber>> Transcriber::create(const Model& model, const TranscriberOptions& options) {
  const ModelInfo& info = model.info();
  EA_RETURN_IF_ERROR(check_speech_model(info, model));
  EA_ENSURE(options.max_audio_seconds > 0 && options.max_audio_seconds <= 24 * 3600.0, StatusCode::kInvalidArgument,
            "max_audio_seconds %.1f not in (0, 86400]", options.max_audio_seconds);
  std::unique_ptr<Transcriber> t(new (std::nothrow) Transcriber());
  EA_ENSURE(t != nullptr, StatusCode::kOutOfMemory, "out of memory allocating the Transcriber");
  t->model_ = &model;
  t->options_ = options;
  SessionOptions so;
  so.threads = options.threads;
  so.kernels = options.kernels;
  so.method = "encode";
  EA_ASSIGN_OR_RETURN(t->encoder_, Session::create(model, so));
  so.method = "decode";
  so.kv_dtype = options.kv_dtype;
  so.max_seq = static_cast<int>(info.decoding.start_ids.size()) + 1;  // the prompt, then one token per step
  so.max_context = info.decoding.max_length;
  EA_ASSIGN_OR_RETURN(t->decoder_, Session::create(model, so));
  LogMelParams mp;
  mp.sample_rate = static_cast<uint32_t>(info.audio.sample_rate);
  mp.n_fft = static_cast<uint32_t>(info.audio.n_fft);
  mp.hop = static_cast<uint32_t>(info.audio.hop_length);
  mp.n_mels = static_cast<uint32_t>(info.audio.n_mels);
  mp.n_frames = static_cast<uint32_t>(info.audio.n_frames);
  EA_ASSIGN_OR_RETURN(t->log_mel_, LogMel::create(mp, info.audio.mel_filters));
  EA_RETURN_IF_ERROR(t->make_buffers(options));
  for (uint32_t rate : options.sample_rates) {
    if (rate == 0 || rate == kSpeechRate) continue;
    EA_RETURN_IF_ERROR(t->resampler_for(rate).status());
  }
  return t;
}

Status Transcriber::make_buffers(const TranscriberOptions& o) {
  const ModelInfo& info = model_->info();
  const size_t max_samples = static_cast<size_t>(o.max_audio_seconds * kSpeechRate) + 1;
  const size_t max_source = static_cast<size_t>(o.max_audio_seconds * o.max_sample_rate) + 1;
  const size_t max_length = static_cast<size_t>(info.decoding.max_length);
  // The transcript: Whisper writes at most max_length tokens per 30-s
  // window (15 per second); windows cut early (timestamps) can raise that,
  // so reserve kMaxTokensPerSecond for the whole recording plus two full
  // windows, kMaxPieceBytes each. A transcript that still overflows is
  // kResourceExhausted, never a silent cut.
  const size_t max_tokens = static_cast<size_t>(o.max_audio_seconds * kMaxTokensPerSecond) + 2 * max_length;
  EA_RETURN_IF_ERROR(source_.resize(max_source, "the input samples"));
  EA_RETURN_IF_ERROR(samples_.resize(max_samples, "the 16-kHz samples"));
  EA_RETURN_IF_ERROR(mel_.resize(log_mel_.window_floats(), "the log-mel window"));
  EA_RETURN_IF_ERROR(tokens_.resize(max_length, "the window's tokens"));
  EA_RETURN_IF_ERROR(prompt_.resize(info.decoding.start_ids.size() + 1, "the decoder prompt"));
  EA_RETURN_IF_ERROR(text_.resize(max_tokens * kMaxPieceBytes, "the transcript"));
  EA_RETURN_IF_ERROR(segments_.resize(max_tokens / 2 + 1, "the segments"));  // a segment: >= 1 text token + a timestamp
  EA_RETURN_IF_ERROR(window_segments_.resize(max_length / 2 + 1, "the window's segments"));
  return Status::ok();
}

size_t Transcriber::buffer_bytes() const {
  return source_.size() * sizeof(float) + samples_.size() * sizeof(float) + mel_.size() * sizeof(float) +
         tokens_.size() * sizeof(int32_t) + text_.size() + segments_.size() * sizeof(TranscriptSegment);
}

const MemoryStats& Transcriber::encoder_memory() const { return encoder_->memory(); }
const MemoryStats& Transcriber::decoder_memory() const { return decoder_->memory(); }

// The resampler from `rate` to 16 kHz: a planned one, or one made now.
Result<const Resampler*> Transcriber::resampler_for(uint32_t rate) {
  for (size_t i = 0; i < resampler_count_; ++i) {
    if (resamplers_[i].in_rate() == rate) return &resamplers_[i];
  }
  // Full: the last slot holds the on-demand one.
  const size_t slot = resampler_count_ < kMaxResamplers ? resampler_count_++ : kMaxResamplers - 1;
  EA_ASSIGN_OR_RETURN(resamplers_[slot], Resampler::create(rate, kSpeechRate));
  return &resamplers_[slot];
}

Status Transcriber::transcribe_wav(Span<const uint8_t> wav) {
  const auto start = std::chrono::steady_clock::now();
  WavLimits limits;
  limits.max_seconds = options_.max_audio_seconds;
  limits.max_sample_rate = options_.max_sample_rate;
  EA_ASSIGN_OR_RETURN(const WavFile file, WavFile::parse(wav, limits));
  const WavInfo& w = file.info();
  EA_ENSURE(w.frames <= source_.size(), StatusCode::kOutOfRange, "%zu frames exceed the planned %zu", w.frames,
            source_.size());
  EA_RETURN_IF_ERROR(file.decode_mono(0, Span<float>(source_.data(), w.frames)));
  const double decode_ms = ms_since(start);
  EA_RETURN_IF_ERROR(transcribe(Span<const float>(source_.data(), w.frames), w.sample_rate));
  stats_.frontend_ms += decode_ms;
  stats_.total_ms += decode_ms;
  return Status::ok();
}

Status Transcriber::transcribe(Span<const float> samples, uint32_t sample_rate) {
  const auto start = std::chrono::steady_clock::now();
  stats_ = TranscribeStats();
  text_size_ = segment_count_ = 0;
  EA_ENSURE(!samples.empty(), StatusCode::kInvalidArgument, "no samples");
  EA_ENSURE(sample_rate >= 1000 && sample_rate <= options_.max_sample_rate, StatusCode::kInvalidArgument,
            "sample rate %u Hz not in [1000, %u]", sample_rate, options_.max_sample_rate);
  stats_.audio_seconds = static_cast<double>(samples.size()) / sample_rate;
  EA_ENSURE(stats_.audio_seconds <= options_.max_audio_seconds, StatusCode::kOutOfRange,
            "%.1f s of audio exceed the planned %.1f s (TranscriberOptions::max_audio_seconds)", stats_.audio_seconds,
            options_.max_audio_seconds);
  Span<const float> speech = samples;
  if (sample_rate != kSpeechRate) {
    EA_ASSIGN_OR_RETURN(const Resampler* rs, resampler_for(sample_rate));
    const size_t n = std::min(rs->output_frames(samples.size()), samples_.size());
    EA_RETURN_IF_ERROR(rs->process(samples, 0, Span<float>(samples_.data(), n)));
    speech = Span<const float>(samples_.data(), n);
  }
  stats_.frontend_ms = ms_since(start);
  EA_RETURN_IF_ERROR(run_windows(speech));
  stats_.total_ms = ms_since(start);
  return Status::ok();
}

// transcribe.py's loop over 30-s windows.
Status Transcriber::run_windows(Span<const float> speech) {
  auto t0 = std::chrono::steady_clock::now();
  EA_ASSIGN_OR_RETURN(const float signal_max, log_mel_.signal_max(speech));
  stats_.frontend_ms += ms_since(t0);
  const size_t content = log_mel_.content_frames(speech.size());
  size_t seek = 0;
  while (seek < content || (seek == 0 && content == 0)) {
    t0 = std::chrono::steady_clock::now();
    EA_RETURN_IF_ERROR(log_mel_.compute_window(speech, seek, signal_max, Span<float>(mel_.data(), mel_.size())));
    stats_.frontend_ms += ms_since(t0);
    EA_RETURN_IF_ERROR(encode(Span<const float>(mel_.data(), mel_.size())));
    size_t consumed = 0;
    EA_RETURN_IF_ERROR(decode_segments(seek, content, &consumed));
    if (consumed == 0) break;
    seek += consumed;
  }
  return Status::ok();
}

Status Transcriber::compute_mel(Span<const float> samples_16k, size_t seek, Span<float> mel) {
  EA_ASSIGN_OR_RETURN(const float signal_max, log_mel_.signal_max(samples_16k));
  return log_mel_.compute_window(samples_16k, seek, signal_max, mel);
}

Status Transcriber::encode(Span<const float> mel) {
  EA_ENSURE(mel.size() == mel_.size(), StatusCode::kInvalidArgument, "mel of %zu floats, the encoder takes %zu",
            mel.size(), mel_.size());
  const auto t0 = std::chrono::steady_clock::now();
  const float* inputs[] = {mel.data()};
  InvokeInput in;
  in.float_inputs = Span<const float* const>(inputs, 1);
  EA_RETURN_IF_ERROR(encoder_->invoke(in));
  stats_.encoder_ms += ms_since(t0);
  ++stats_.windows;
  return Status::ok();
}

TensorView Transcriber::encoder_output() const { return encoder_->output(0); }

// Greedy decoding of the last encoded window into tokens (EOT excluded).
Status Transcriber::decode_window(bool timestamps, Span<int32_t> tokens, size_t* n_tokens) {
  return decode_from(static_cast<const float*>(encoder_->output(0).data), timestamps, tokens, n_tokens);
}

Status Transcriber::decode_states(Span<const float> states, bool timestamps, Span<int32_t> tokens, size_t* n_tokens) {
  const TensorView out = encoder_->output(0);  // [1, n_frames / 2, d_model]
  const size_t want = static_cast<size_t>(out.shape[1] * out.shape[2]);
  EA_ENSURE(states.size() == want, StatusCode::kInvalidArgument,
            "decode_states: %zu floats of encoder states, the decoder takes %zu ([%lld, %lld])", states.size(), want,
            static_cast<long long>(out.shape[1]), static_cast<long long>(out.shape[2]));
  return decode_from(states.data(), timestamps, tokens, n_tokens);
}

// Greedy decode from encoder states [n_frames / 2, d_model] at `states`.
Status Transcriber::decode_from(const float* states, bool timestamps, Span<int32_t> tokens, size_t* n_tokens) {
  const auto t0 = std::chrono::steady_clock::now();
  const ModelInfo& info = model_->info();
  const WhisperRules rules = rules_of(info, timestamps);
  size_t prompt = 0;
  for (int32_t id : info.decoding.start_ids) prompt_[prompt++] = id;
  if (!rules.timestamps && info.decoding.no_timestamps_id >= 0) prompt_[prompt++] = info.decoding.no_timestamps_id;
  const float* inputs[] = {states};
  decoder_->reset();
  InvokeInput in;
  in.ids = prompt_.data();
  in.seq = static_cast<int>(prompt);
  in.float_inputs = Span<const float* const>(inputs, 1);
  const size_t max_new = std::min(tokens.size(), static_cast<size_t>(info.decoding.max_length) - prompt);
  size_t n = 0;
  *n_tokens = 0;
  for (;;) {
    EA_RETURN_IF_ERROR(decoder_->invoke(in));
    stats_.decoder_tokens += in.seq;
    float* logits = static_cast<float*>(decoder_->output(0).data);  // [1, 1, vocab]
    apply_whisper_rules(rules, Span<const int32_t>(tokens.data(), n), logits);
    const int32_t next = Sampler::argmax(logits, static_cast<size_t>(info.vocab_size));
    if (next == info.decoding.eos_id || n == max_new) break;
    tokens[n++] = next;
    in.ids = &tokens[n - 1];
    in.seq = 1;
  }
  *n_tokens = n;
  stats_.decoder_ms += ms_since(t0);
  return Status::ok();
}

// Decodes the encoded window at `seek` into segments and text; sets how
// many frames it consumed.
Status Transcriber::decode_segments(size_t seek, size_t content_frames, size_t* consumed_frames) {
  const ModelInfo& info = model_->info();
  const WhisperRules rules = rules_of(info, options_.timestamps);
  size_t n = 0;
  EA_RETURN_IF_ERROR(decode_window(rules.timestamps, Span<int32_t>(tokens_.data(), tokens_.size()), &n));
  const size_t window = std::min(static_cast<size_t>(info.audio.n_frames), content_frames - std::min(seek, content_frames));
  const size_t frames_per_step = static_cast<size_t>(rules.timestamp_seconds * info.audio.sample_rate / info.audio.hop_length + 0.5);
  const int32_t window_steps = static_cast<int32_t>(window / frames_per_step);
  WhisperSegment* found = window_segments_.data();  // [max_length / 2 + 1]: every segment a window can hold
  int32_t consumed_steps = 0;
  const Span<const int32_t> tokens(tokens_.data(), n);
  const size_t count =
      split_segments(rules, tokens, window_steps, found, window_segments_.size(), &consumed_steps);
  const double offset = static_cast<double>(seek) * info.audio.hop_length / info.audio.sample_rate;
  for (size_t i = 0; i < std::min(count, window_segments_.size()); ++i) {
    const WhisperSegment& s = found[i];
    // A timestamp past the end of the audio (the model may predict one) is
    // clamped to it.
    const double end = std::min(offset + s.end_step * rules.timestamp_seconds, stats_.audio_seconds);
    EA_RETURN_IF_ERROR(append_text(Span<const int32_t>(tokens.data() + s.first, s.end - s.first),
                                   std::min(offset + s.start_step * rules.timestamp_seconds, end), end));
  }
  *consumed_frames = rules.timestamps ? static_cast<size_t>(consumed_steps) * frames_per_step : window;
  if (*consumed_frames == 0) *consumed_frames = window;  // no progress: take the window (transcribe.py's guard)
  return Status::ok();
}

Status Transcriber::append_text(Span<const int32_t> tokens, double start, double end) {
  const Tokenizer& tok = *model_->tokenizer();
  const int32_t eot = model_->info().decoding.eos_id;
  const size_t text_start = text_size_;
  int32_t prev = -1;
  for (int32_t id : tokens) {
    if (id >= eot) continue;  // specials and timestamps carry no text
    const std::string_view piece = tok.decode_piece(prev, id);
    EA_ENSURE(text_size_ + piece.size() <= text_.size(), StatusCode::kResourceExhausted,
              "transcript longer than its planned %zu bytes", text_.size());
    std::memcpy(text_.data() + text_size_, piece.data(), piece.size());
    text_size_ += piece.size();
    prev = id;
  }
  if (text_size_ == text_start) return Status::ok();
  EA_ENSURE(segment_count_ < segments_.size(), StatusCode::kResourceExhausted, "more segments than planned (%zu)",
            segments_.size());
  segments_[segment_count_++] = TranscriptSegment{start, end, text_start, text_size_ - text_start};
  return Status::ok();
}

}  // namespace edgeattn
