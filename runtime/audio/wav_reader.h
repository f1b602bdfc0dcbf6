// WAV files held in memory: parse the header, decode to mono float.
//
// A WAV file is untrusted input (a user's recording, a network upload), so
// WavFile::parse validates every field before anything reads a sample and
// reports a failure as a Status whose message names the byte offset and
// the field at fault. Nothing is copied: a WavFile is a view of the caller's
// bytes plus the parsed format, and decode_mono() writes into a caller
// buffer, so after parse nothing allocates (the transcriber decodes into its
// planned arena).
//
// Accepted: RIFF/WAVE with a `fmt ` chunk before the `data` chunk; unknown
// chunks (LIST, fact, cue, ...) are skipped, with the pad byte of an odd
// size. Formats: PCM 8-bit unsigned, 16/24/32-bit signed; IEEE float 32 and
// 64; WAVE_FORMAT_EXTENSIBLE with a PCM or IEEE-float sub-format of those
// container sizes. 1..16 channels, 1000..384000 Hz.
//
// Sizes: a `data` size of 0 or 0xFFFFFFFF is what streaming writers leave
// when they cannot seek back: the samples run to the end of the RIFF area
// (whole frames only). Any other data size larger than the bytes present is
// a truncated file (an error naming both sizes). The RIFF size is checked
// the same way (0 and 0xFFFFFFFF mean "unknown"); bytes after the RIFF area
// are ignored. The byte_rate field is not checked (writers often get it
// wrong and nothing here uses it); block_align must equal
// channels * bytes per sample.
//
// Error codes: kInvalidArgument for a malformed file, kUnsupported for a
// valid WAV in a format this reader does not decode (ADPCM, A-law, 12-bit,
// RF64, ...), kOutOfRange for a duration over the caller's limit.
//
// Example:
//   WavLimits limits;
//   limits.max_seconds = 600.0;                          // the planned maximum
//   Result<WavFile> wav = WavFile::parse({bytes, size}, limits);
//   if (!wav.is_ok()) { puts(wav.status().message()); return 2; }
//   const WavInfo& info = wav->info();                   // rate, channels, frames
//   EA_RETURN_IF_ERROR(wav->decode_mono(0, {samples, info.frames}));   // [frames]
#pragma once

#include <cstddef>
#include <cstdint>

#include "runtime/core/span.h"
#include "runtime/core/status.h"

namespace edgeattn {

// How each sample is stored in the data chunk.
enum class WavSampleFormat : uint8_t {
  kPcmU8,    // unsigned 8-bit, 128 = silence
  kPcmS16,   // signed little-endian
  kPcmS24,   // signed little-endian, 3 bytes
  kPcmS32,   // signed little-endian
  kFloat32,  // IEEE 754 binary32
  kFloat64,  // IEEE 754 binary64
};

// Stable lowercase name, e.g. "pcm_s24".
const char* wav_sample_format_name(WavSampleFormat format);

// Largest |sample| a float WAV may hold: audio is in [-1, 1], with some
// headroom over full scale in mixes; far beyond it the file is not audio, and
// the resampler and log-mel would overflow float (found by wav_fuzzer).
constexpr float kMaxFloatSample = 1.0e6f;

struct WavLimits {
  // Longest recording accepted, in seconds: the caller's planned maximum
  // (its buffers are sized for it). A header claiming more is kOutOfRange.
  double max_seconds = 30.0;
  // Accepted sample rates, inclusive (Hz).
  uint32_t min_sample_rate = 1000;
  uint32_t max_sample_rate = 384000;
  // Accepted channel counts: 1..max_channels.
  uint16_t max_channels = 16;
};

struct WavInfo {
  WavSampleFormat format = WavSampleFormat::kPcmS16;
  uint16_t format_tag = 0;       // 1 PCM, 3 float, 0xFFFE extensible (the fmt field)
  uint16_t channels = 0;
  uint32_t sample_rate = 0;      // Hz
  uint16_t bits_per_sample = 0;  // container bits: 8, 16, 24, 32 or 64
  uint16_t block_align = 0;      // bytes per frame = channels * bits / 8
  size_t frames = 0;             // samples per channel (> 0)
  size_t data_offset = 0;        // byte offset of the first sample in the file
  size_t data_bytes = 0;         // frames * block_align (whole frames only)
  bool streaming_size = false;   // the data size was 0 / 0xFFFFFFFF: "to the end"

  double seconds() const { return sample_rate ? static_cast<double>(frames) / sample_rate : 0.0; }
};

// A parsed WAV file: a view of the caller's bytes. The bytes passed to
// parse() must outlive the WavFile (it keeps a pointer into them).
class WavFile {
 public:
  WavFile() = default;

  // Validates the whole header against `limits`. Does not allocate.
  static Result<WavFile> parse(Span<const uint8_t> file, const WavLimits& limits);

  const WavInfo& info() const { return info_; }

  // Writes out.size() mono samples, frames [first_frame, first_frame +
  // out.size()), each the mean of its channels, as float in [-1, 1] for PCM
  // (value / 2^(bits-1); 8-bit: (value - 128) / 128), as stored for float.
  // Fails (kInvalidArgument) on a frame range past info().frames and on a
  // NaN, infinite or out-of-range (|x| > kMaxFloatSample) float sample,
  // naming its frame and channel; `out` may then be partly written.
  // Allocates nothing.
  Status decode_mono(size_t first_frame, Span<float> out) const;

 private:
  WavFile(Span<const uint8_t> file, const WavInfo& info) : file_(file), info_(info) {}

  Span<const uint8_t> file_;  // the caller's bytes; must outlive this WavFile
  WavInfo info_;
};

}  // namespace edgeattn
