// Resampler: any sample rate to any other (for Whisper: to 16 kHz), by a
// windowed-sinc polyphase filter.
//
// Design (all rates relative to r = min(in_rate, out_rate), the lower
// Nyquist being r/2):
//   - low-pass prototype h(t) = 2c sinc(2c t) * kaiser(t / half_width), t in
//     input samples, cutoff c = 0.95 * (r/2) / in_rate cycles per input
//     sample: passband to 0.90 * r/2, stopband from r/2 (for 44.1 kHz ->
//     16 kHz: flat to 7.2 kHz, >= 80 dB down from 8 kHz on, so nothing
//     aliases below 8 kHz);
//   - Kaiser window for A = 100 dB (Kaiser's formulas: beta = 0.1102 (A -
//     8.7) = 10.06, length (A - 7.95) / (14.36 * transition) with the
//     transition 0.05 r): half_width = 64.1 * in_rate / r input samples,
//     i.e. 130 taps per output when upsampling, 354 for 44.1 -> 16 kHz;
//   - the rate ratio reduced to out/in = L/M; output n sits at input time
//     n * M / L. With L <= kMaxPhases every phase has its own row of taps
//     (exact); beyond that (odd rates like 44101 Hz) rows are tabulated at
//     kMaxPhases phases and linearly interpolated (error ~1e-6, far below
//     the stopband). Each row is normalized to a DC gain of exactly 1.
// Measured (tests/runtime/audio/resampler_test.cc, unit sines against the
// analytic sine at the output rate, interior samples, 8 / 11.025 / 22.05 /
// 44.1 / 48 kHz -> 16 kHz): passband (50 Hz to 0.9 of the lower Nyquist)
// max |error| 1.0e-5, least-squares gain within +-6.5e-5 dB; stopband
// (downsampling: tones from 8 kHz to the input Nyquist) 107-110 dB down;
// images when upsampling 100.9 dB (8 kHz) / 105.5 dB (11.025 kHz) down.
// 44101 Hz (interpolated phases): 1 kHz tone max |error| 3e-7.
//
// The signal is processed whole (offline): samples outside [0, in.size())
// are zero, and output n depends on input samples n*M/L +- half_width.
// process() can produce any range of outputs, so a caller can resample in
// chunks into a small buffer with the same result. create() builds the
// table (allocates; up to (kMaxPhases + 1) * 2 * half_width floats);
// process() allocates nothing and is const (one Resampler may serve
// several threads). in_rate == out_rate copies.
//
// Example:
//   auto rs = Resampler::create(44100, 16000);            // allocates the table
//   if (!rs.is_ok()) return rs.status();
//   size_t n_out = rs->output_frames(n_in);               // ceil(n_in * 16000 / 44100)
//   EA_RETURN_IF_ERROR(rs->process({in, n_in}, 0, {out, n_out}));   // [n_out]
#pragma once

#include <cstddef>
#include <cstdint>

#include "runtime/core/fallible_vector.h"
#include "runtime/core/span.h"
#include "runtime/core/status.h"

namespace edgeattn {

class Resampler {
 public:
  // Phases tabulated exactly up to this many (covers 8k, 11.025k, 22.05k,
  // 44.1k, 48k, 96k, ... -> 16 kHz); beyond, interpolated between rows.
  static constexpr uint32_t kMaxPhases = 1024;
  // Rates accepted (Hz), the WAV reader's range.
  static constexpr uint32_t kMinRate = 1000;
  static constexpr uint32_t kMaxRate = 384000;

  Resampler() = default;
  Resampler(Resampler&&) = default;
  Resampler& operator=(Resampler&&) = default;

  // Builds the filter table. kInvalidArgument for a rate outside
  // [kMinRate, kMaxRate]; kOutOfMemory if the table cannot be allocated.
  static Result<Resampler> create(uint32_t in_rate, uint32_t out_rate);

  uint32_t in_rate() const { return in_rate_; }
  uint32_t out_rate() const { return out_rate_; }
  // Taps per output (0 when the rates are equal).
  size_t taps() const { return taps_; }

  // Outputs for a whole signal of `input_frames`: ceil(input_frames * L / M).
  size_t output_frames(size_t input_frames) const;

  // out[j] = output first_output + j of the whole signal `in`, for j <
  // out.size(); kInvalidArgument if that runs past output_frames(in.size()).
  // Allocates nothing.
  Status process(Span<const float> in, size_t first_output, Span<float> out) const;

 private:
  uint32_t in_rate_ = 0;
  uint32_t out_rate_ = 0;
  uint64_t up_ = 1;      // L: out_rate / gcd
  uint64_t down_ = 1;    // M: in_rate / gcd
  uint32_t phases_ = 0;  // rows - 1: L when exact, else kMaxPhases
  bool exact_ = true;    // phases_ == L: no interpolation
  size_t half_ = 0;      // H: taps k = -H+1 .. H around the input index
  size_t taps_ = 0;      // 2H
  Vector<float> table_;  // [phases_ + 1, taps_]; row p is phase p / phases_
};

}  // namespace edgeattn
