// LogMel: Whisper's log-mel spectrogram, computed as openai-whisper's
// audio.py does it, into a caller buffer, without allocating.
//
// What openai-whisper computes (audio.py log_mel_spectrogram, called by
// transcribe.py as log_mel_spectrogram(audio, padding=N_SAMPLES)):
//   1. x = audio followed by N_SAMPLES = n_frames * hop zeros (30 s);
//   2. torch.stft(x, n_fft, hop, window=hann_window(n_fft) [periodic],
//      center=True, pad_mode="reflect"): frame f covers x[f*hop - n_fft/2,
//      f*hop + n_fft/2), indices below 0 reflected (x[-i] = x[i]);
//   3. the LAST frame dropped (stft[..., :-1]): T = len(x) / hop frames;
//   4. power |X|^2 of the n_fft/2 + 1 bins; mel = filters @ power;
//   5. log10(max(mel, 1e-10)); clamped below at (max over ALL T frames) - 8;
//      then (v + 4) / 4;
//   6. transcribe.py slices windows mel[:, seek : seek + n_frames] (seek in
//      frames) and pad_or_trim pads a short slice with 0 (after step 5).
// This class computes exactly that, frame-major (out[f][m] = whisper's
// mel[m][first_frame + f]), with the same zero tail: a frame of the whole
// signal sees audio sample i when 0 <= i < samples.size() and zero beyond
// (the reflection at the right end of x lands in the 30 s of zeros, so it
// is zero too). Frames at or past T are 0 (pad_or_trim).
//
// Why the separate signal_max(): whisper clamps every frame at the max of
// the WHOLE padded signal's mel, not of the window. For audio of up to 30 s
// compute() does it in one pass (the window plus the few frames past it that
// still touch audio). For longer audio a transcriber calls signal_max() once
// (one pass over the signal) and compute_window() per 30 s window; the
// result equals whisper's slice frame for frame. (faster-whisper's feature
// extractor also takes the max over the whole padded signal.)
//
// FFT: kissfft (kiss_fftr, float), its state in memory this object owns.
// n_fft / 2 must have no prime factor above 5: kissfft's generic butterfly
// allocates per call. Power, mel and log10 are computed in double from the
// float spectrum. Measured against a float64 numpy implementation
// (tests/reference/whisper_mel.py): max |diff| 1.9e-5 over the six committed
// clips, 1.1e-5 on beckett.wav, 1.0e-5 on beckett x4 at seek 2000
// (log_mel_test.cc, log_mel_beckett_test.cc; the bar is 1e-4).
//
// create() allocates the workspace; compute*() and signal_max() allocate
// nothing. They use that workspace, so one LogMel serves one thread at a
// time. The filterbank is a view (in a model, it lives in the mapped file):
// it must outlive the LogMel.
//
// Example:
//   LogMelParams p;                                      // Whisper: 16 kHz, 400, 160, 80, 3000
//   auto mel = LogMel::create(p, filters);               // filters: [80, 201], must outlive mel
//   std::vector<float> out(p.n_frames * p.n_mels);       // [3000, 80]
//   EA_RETURN_IF_ERROR(mel->compute(samples_16k, {out.data(), out.size()}));
//   // Long audio: one max, then a window per seek (in frames).
//   EA_ASSIGN_OR_RETURN(float top, mel->signal_max(samples_16k));
//   EA_RETURN_IF_ERROR(mel->compute_window(samples_16k, seek, top, {out.data(), out.size()}));
#pragma once

#include <cstddef>
#include <cstdint>

#include "runtime/core/fallible_vector.h"
#include "runtime/core/span.h"
#include "runtime/core/status.h"

struct kiss_fftr_state;

namespace edgeattn {

struct LogMelParams {
  uint32_t sample_rate = 16000;  // Hz of the samples given (informative; the filters fix it)
  uint32_t n_fft = 400;          // window and FFT length (even; n_fft/2 = 2^a 3^b 5^c)
  uint32_t hop = 160;            // samples between frames
  uint32_t n_mels = 80;
  uint32_t n_frames = 3000;      // frames per window; the zero padding is n_frames * hop samples
};

class LogMel {
 public:
  LogMel() = default;
  LogMel(LogMel&&) = default;
  LogMel& operator=(LogMel&&) = default;

  // `filters`: [n_mels, n_fft / 2 + 1], row-major, non-negative (the
  // converter stores librosa's Slaney filterbank). Must outlive the LogMel.
  static Result<LogMel> create(const LogMelParams& params, Span<const float> filters);

  const LogMelParams& params() const { return params_; }
  size_t bins() const { return bins_; }  // n_fft / 2 + 1
  size_t window_floats() const { return static_cast<size_t>(params_.n_frames) * params_.n_mels; }

  // Frames of whisper's padded mel: samples / hop + n_frames (T above).
  size_t total_frames(size_t n_samples) const { return n_samples / params_.hop + params_.n_frames; }
  // Frames that carry audio (transcribe.py's content_frames): samples / hop.
  size_t content_frames(size_t n_samples) const { return n_samples / params_.hop; }

  // The first window (whisper's mel[:, 0:n_frames]) with the clamp at the
  // whole signal's max: what transcribe.py feeds the encoder for audio of up
  // to 30 s. `out`: [n_frames, n_mels].
  Status compute(Span<const float> samples, Span<float> out);

  // max over all frames of log10(max(mel, 1e-10)) (whisper's log_spec.max()).
  Result<float> signal_max(Span<const float> samples);

  // Frames [first_frame, first_frame + n_frames) of the whole signal's mel,
  // clamped at `signal_max` - 8 and scaled; frames past total_frames() are 0.
  // `out`: [n_frames, n_mels].
  Status compute_window(Span<const float> samples, size_t first_frame, float signal_max, Span<float> out);

 private:
  // log10(max(mel, 1e-10)) of frame f into row[n_mels]; returns the row's max.
  float frame_log_mel(Span<const float> samples, size_t frame, float* row);
  // Writes frames [first, first + n_frames) raw (log10) into out; returns their max.
  float raw_window(Span<const float> samples, size_t first_frame, Span<float> out);
  void normalize(Span<float> out, size_t valid_frames, float signal_max) const;
  // Max of frames [first, end) (log10), computed into mel_row_.
  float frames_max(Span<const float> samples, size_t first, size_t end);
  // Frames that read at least one audio sample (the others are all floor).
  size_t audio_frames(size_t n_samples) const;
  // Frames of a window at first_frame that exist (< total_frames).
  size_t valid_frames(size_t n_samples, size_t first_frame) const;
  Status check_out(Span<float> out) const;

  LogMelParams params_;
  size_t bins_ = 0;
  Span<const float> filters_;      // [n_mels, bins]; the caller's, must outlive this
  Vector<uint32_t> mel_first_;     // [n_mels]: first bin with a non-zero weight
  Vector<uint32_t> mel_end_;       // [n_mels]: one past the last such bin
  Vector<float> window_;           // [n_fft]: periodic Hann
  Vector<float> frame_;            // [n_fft]: windowed samples of one frame
  Vector<float> spectrum_;         // [bins, 2]: re, im (kiss_fft_cpx layout)
  Vector<double> power_;           // [bins]
  Vector<float> mel_row_;          // [n_mels]: a frame computed only for the max
  Vector<uint8_t> fft_memory_;     // kiss_fftr state, placed by kiss_fftr_alloc
  kiss_fftr_state* fft_ = nullptr; // points into fft_memory_ (moves with it)
};

}  // namespace edgeattn
