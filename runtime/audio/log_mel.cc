// Whisper's log-mel spectrogram (semantics and design in log_mel.h).
#include "runtime/audio/log_mel.h"

#include <kiss_fftr.h>

#include <cmath>

namespace edgeattn {
namespace {

constexpr double kPi = 3.14159265358979323846;
// whisper: torch.clamp(mel_spec, min=1e-10).log10(); log10 of the float 1e-10 is -10.0f.
constexpr double kMelFloor = 1e-10;
constexpr float kLogFloor = -10.0f;
// whisper: log_spec.max() - 8.0, then (log_spec + 4.0) / 4.0.
constexpr float kDynamicRange = 8.0f;

// True when n has no prime factor above 5 (kissfft's radix 2, 3, 4, 5
// butterflies; the generic one allocates scratch on every call).
bool smooth_235(uint32_t n) {
  if (n == 0) return false;
  for (uint32_t p : {2u, 3u, 5u}) {
    while (n % p == 0) n /= p;
  }
  return n == 1;
}

Status check_params(const LogMelParams& p, size_t filter_floats) {
  EA_ENSURE(p.n_fft >= 4 && p.n_fft % 2 == 0 && p.n_fft <= 65536, StatusCode::kInvalidArgument,
            "log_mel: n_fft %u must be even, 4..65536", p.n_fft);
  EA_ENSURE(smooth_235(p.n_fft / 2), StatusCode::kUnsupported,
            "log_mel: n_fft / 2 = %u has a prime factor above 5 (kissfft would allocate per frame)", p.n_fft / 2);
  EA_ENSURE(p.hop >= 1 && p.n_mels >= 1 && p.n_frames >= 1 && p.sample_rate >= 1, StatusCode::kInvalidArgument,
            "log_mel: hop %u, n_mels %u, n_frames %u, sample_rate %u must be positive", p.hop, p.n_mels,
            p.n_frames, p.sample_rate);
  // The zero tail must cover the right reflection (see log_mel.h).
  EA_ENSURE(static_cast<uint64_t>(p.n_frames) * p.hop >= p.n_fft, StatusCode::kInvalidArgument,
            "log_mel: n_frames %u * hop %u (the zero padding) must be >= n_fft %u", p.n_frames, p.hop, p.n_fft);
  const size_t bins = p.n_fft / 2 + 1;
  EA_ENSURE(filter_floats == static_cast<size_t>(p.n_mels) * bins, StatusCode::kInvalidArgument,
            "log_mel: filterbank has %zu floats, expects n_mels %u x %zu bins", filter_floats, p.n_mels, bins);
  return Status::ok();
}

// Sample i of whisper's padded signal with the reflection at its start.
inline float padded_sample(const float* x, size_t n, int64_t i) {
  if (i < 0) i = -i;
  return static_cast<uint64_t>(i) < n ? x[i] : 0.0f;
}

}  // namespace

Result<LogMel> LogMel::create(const LogMelParams& params, Span<const float> filters) {
  EA_RETURN_IF_ERROR(check_params(params, filters.size()));
  LogMel m;
  m.params_ = params;
  m.bins_ = params.n_fft / 2 + 1;
  m.filters_ = filters;
  EA_RETURN_IF_ERROR(m.mel_first_.resize(params.n_mels, "log_mel filter ranges"));
  EA_RETURN_IF_ERROR(m.mel_end_.resize(params.n_mels, "log_mel filter ranges"));
  for (size_t r = 0; r < params.n_mels; ++r) {
    const float* row = filters.data() + r * m.bins_;
    size_t first = m.bins_, end = 0;
    for (size_t k = 0; k < m.bins_; ++k) {
      EA_ENSURE(std::isfinite(row[k]) && row[k] >= 0.0f, StatusCode::kInvalidArgument,
                "log_mel: filter [%zu, %zu] is %g, expects a finite value >= 0", r, k, row[k]);
      if (row[k] != 0.0f) {
        if (first == m.bins_) first = k;
        end = k + 1;
      }
    }
    m.mel_first_[r] = static_cast<uint32_t>(first == m.bins_ ? 0 : first);
    m.mel_end_[r] = static_cast<uint32_t>(end);
  }
  EA_RETURN_IF_ERROR(m.window_.resize(params.n_fft, "log_mel window"));
  for (size_t i = 0; i < params.n_fft; ++i) {
    // torch.hann_window(n_fft), periodic: 0.5 - 0.5 cos(2 pi i / n_fft).
    m.window_[i] = static_cast<float>(0.5 - 0.5 * std::cos(2.0 * kPi * static_cast<double>(i) / params.n_fft));
  }
  EA_RETURN_IF_ERROR(m.frame_.resize(params.n_fft, "log_mel frame"));
  EA_RETURN_IF_ERROR(m.spectrum_.resize(2 * m.bins_, "log_mel spectrum"));
  EA_RETURN_IF_ERROR(m.power_.resize(m.bins_, "log_mel power"));
  EA_RETURN_IF_ERROR(m.mel_row_.resize(params.n_mels, "log_mel row"));
  size_t bytes = 0;
  kiss_fftr_alloc(static_cast<int>(params.n_fft), 0, nullptr, &bytes);
  EA_RETURN_IF_ERROR(m.fft_memory_.resize(bytes, "kissfft state"));
  m.fft_ = kiss_fftr_alloc(static_cast<int>(params.n_fft), 0, m.fft_memory_.data(), &bytes);
  EA_ENSURE(m.fft_ != nullptr, StatusCode::kInternal, "log_mel: kiss_fftr_alloc(%u) failed", params.n_fft);
  return m;
}

float LogMel::frame_log_mel(Span<const float> samples, size_t frame, float* row) {
  const size_t n_fft = params_.n_fft;
  const int64_t start = static_cast<int64_t>(frame) * params_.hop - static_cast<int64_t>(n_fft / 2);
  const float* x = samples.data();
  const size_t n = samples.size();
  float* buf = frame_.data();  // [n_fft]
  if (start >= 0 && static_cast<uint64_t>(start) + n_fft <= n) {
    for (size_t j = 0; j < n_fft; ++j) buf[j] = x[start + static_cast<int64_t>(j)] * window_[j];
  } else {
    for (size_t j = 0; j < n_fft; ++j) buf[j] = padded_sample(x, n, start + static_cast<int64_t>(j)) * window_[j];
  }
  kiss_fftr(fft_, buf, reinterpret_cast<kiss_fft_cpx*>(spectrum_.data()));
  const float* s = spectrum_.data();  // [bins, 2]
  for (size_t k = 0; k < bins_; ++k) {
    const double re = s[2 * k], im = s[2 * k + 1];
    power_[k] = re * re + im * im;
  }
  float top = kLogFloor;
  for (size_t m = 0; m < params_.n_mels; ++m) {
    const float* w = filters_.data() + m * bins_;  // [bins]
    double sum = 0.0;
    for (size_t k = mel_first_[m]; k < mel_end_[m]; ++k) sum += static_cast<double>(w[k]) * power_[k];
    const float v = static_cast<float>(std::log10(sum > kMelFloor ? sum : kMelFloor));
    row[m] = v;
    if (v > top) top = v;
  }
  return top;
}

float LogMel::raw_window(Span<const float> samples, size_t first_frame, Span<float> out) {
  const size_t total = total_frames(samples.size());
  float top = kLogFloor;
  for (size_t f = 0; f < params_.n_frames && first_frame + f < total; ++f) {
    const float v = frame_log_mel(samples, first_frame + f, out.data() + f * params_.n_mels);
    if (v > top) top = v;
  }
  return top;
}

void LogMel::normalize(Span<float> out, size_t valid_frames, float signal_max) const {
  const float floor = signal_max - kDynamicRange;
  const size_t valid = valid_frames * params_.n_mels;
  for (size_t i = 0; i < valid; ++i) {
    const float v = out[i] > floor ? out[i] : floor;
    out[i] = (v + 4.0f) / 4.0f;
  }
  // pad_or_trim's zeros for frames past the signal's end.
  for (size_t i = valid; i < out.size(); ++i) out[i] = 0.0f;
}

Result<float> LogMel::signal_max(Span<const float> samples) {
  return frames_max(samples, 0, audio_frames(samples.size()));
}

size_t LogMel::audio_frames(size_t n_samples) const {
  // Frame f reads samples from f * hop - n_fft/2: frames starting at or past
  // the end see only zeros (mel 0, i.e. the floor -10), so they cannot hold
  // the max and are not computed.
  const size_t reach = n_samples + params_.n_fft / 2;
  const size_t frames = (reach + params_.hop - 1) / params_.hop;
  const size_t total = total_frames(n_samples);
  return frames < total ? frames : total;
}

float LogMel::frames_max(Span<const float> samples, size_t first, size_t end) {
  float top = kLogFloor;
  for (size_t f = first; f < end; ++f) {
    const float v = frame_log_mel(samples, f, mel_row_.data());
    if (v > top) top = v;
  }
  return top;
}

Status LogMel::check_out(Span<float> out) const {
  EA_ENSURE(out.size() == window_floats(), StatusCode::kInvalidArgument,
            "log_mel: output has %zu floats, expects [n_frames %u, n_mels %u] = %zu", out.size(), params_.n_frames,
            params_.n_mels, window_floats());
  return Status::ok();
}

Status LogMel::compute(Span<const float> samples, Span<float> out) {
  EA_RETURN_IF_ERROR(check_out(out));
  float top = raw_window(samples, 0, out);
  // Frames past the window that still touch audio (audio longer than
  // n_frames * hop - n_fft/2 samples) take part in whisper's max too.
  const float rest = frames_max(samples, params_.n_frames, audio_frames(samples.size()));
  if (rest > top) top = rest;
  normalize(out, valid_frames(samples.size(), 0), top);
  return Status::ok();
}

Status LogMel::compute_window(Span<const float> samples, size_t first_frame, float signal_max, Span<float> out) {
  EA_RETURN_IF_ERROR(check_out(out));
  EA_ENSURE(std::isfinite(signal_max), StatusCode::kInvalidArgument, "log_mel: signal_max %g is not finite",
            signal_max);
  (void)raw_window(samples, first_frame, out);
  normalize(out, valid_frames(samples.size(), first_frame), signal_max);
  return Status::ok();
}

size_t LogMel::valid_frames(size_t n_samples, size_t first_frame) const {
  const size_t total = total_frames(n_samples);
  if (first_frame >= total) return 0;
  const size_t left = total - first_frame;
  return left < params_.n_frames ? left : params_.n_frames;
}

}  // namespace edgeattn
