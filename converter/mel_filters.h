// The mel filterbank Whisper's frontend multiplies the power spectrum by.
//
// Equal to librosa.filters.mel(sr, n_fft, n_mels, fmin=0, fmax=sr/2,
// htk=False, norm="slaney"): what openai-whisper's mel_filters.npz holds
// for (16000, 400, 80). Slaney's mel scale (linear below 1 kHz, logarithmic
// above), n_mels + 2 points evenly spaced on it from 0 Hz to sr/2, one
// triangle per mel over the FFT bin frequencies k * sr / n_fft, each scaled
// to unit area (2 / (upper edge - lower edge), the "slaney" norm). Computed
// in double and rounded once to float; the converter stores it in the model
// file, and the runtime's LogMel (runtime/audio/log_mel.h) reads it from there.
//
// Example:
//   std::vector<float> f = slaney_mel_filters(16000, 400, 80);   // [80, 201]
#pragma once

#include <vector>

namespace edgeattn::convert {

// [n_mels, n_fft / 2 + 1], row-major. Throws ConvertError
// (converter/source/convert_error.h) for a non-positive sample rate, an
// n_fft below 2, or n_mels outside 1..1024.
std::vector<float> slaney_mel_filters(int sample_rate, int n_fft, int n_mels);

}  // namespace edgeattn::convert
