// The comparison of a LogMel window with a whisper_mel.py fixture, shared by
// log_mel_test.cc and log_mel_beckett_test.cc.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "converter/mel_filters.h"
#include "runtime/audio/log_mel.h"
#include "runtime/audio/wav_reader.h"
#include "tests/runtime/audio/audio_test_util.h"

namespace edgeattn::testing::audio {

// Whisper's filterbank, computed once by the converter's function; the
// LogMels below keep a view of it.
inline const std::vector<float>& whisper_filters() {
  static const std::vector<float> f = edgeattn::convert::slaney_mel_filters(16000, 400, 80);  // [80, 201]
  return f;
}

inline LogMel make_log_mel() {
  Result<LogMel> mel = LogMel::create(LogMelParams(), {whisper_filters().data(), whisper_filters().size()});
  REQUIRE_MESSAGE(mel.is_ok(), mel.status().message());
  return std::move(mel).value();
}

// Decodes a 16 kHz WAV file to mono float.
inline std::vector<float> decode_16k(const std::string& path) {
  const std::vector<uint8_t> bytes = read_bytes(path);
  WavLimits limits;
  limits.max_seconds = 60.0;
  Result<WavFile> wav = WavFile::parse({bytes.data(), bytes.size()}, limits);
  REQUIRE_MESSAGE(wav.is_ok(), wav.status().message());
  REQUIRE(wav->info().sample_rate == 16000);
  std::vector<float> x(wav->info().frames);
  REQUIRE(wav->decode_mono(0, {x.data(), x.size()}).is_ok());
  return x;
}

// Checks the window of `samples` at the entry's seek against the fixture
// (stored frames, pad_value elsewhere) and the signal max; returns max |diff|.
inline double check_window(const nlohmann::json& entry, const std::vector<float>& samples) {
  REQUIRE(samples.size() == entry["samples"].get<size_t>());
  LogMel mel = make_log_mel();
  std::vector<float> out(mel.window_floats());  // [3000, 80]
  const size_t seek = entry["seek"];
  Result<float> top = mel.signal_max({samples.data(), samples.size()});
  REQUIRE(top.is_ok());
  // log10 of the max mel: float32 vs float64, see the tolerance note.
  CHECK(std::fabs(*top - entry["signal_max"].get<double>()) <= 1e-4);
  if (seek == 0) {
    REQUIRE(mel.compute({samples.data(), samples.size()}, {out.data(), out.size()}).is_ok());
  } else {
    REQUIRE(mel.compute_window({samples.data(), samples.size()}, seek, *top, {out.data(), out.size()}).is_ok());
  }
  const std::vector<float> ref = read_f32(source_path("tests/fixtures/whisper/" + entry["name"].get<std::string>() + ".mel.f32"));
  const std::vector<size_t> frames = entry["frames"].get<std::vector<size_t>>();
  REQUIRE(ref.size() == frames.size() * 80);
  std::vector<bool> stored(3000, false);
  double diff = 0.0;
  for (size_t r = 0; r < frames.size(); ++r) {
    stored[frames[r]] = true;
    for (size_t m = 0; m < 80; ++m) diff = std::max(diff, std::fabs(static_cast<double>(out[frames[r] * 80 + m]) - ref[r * 80 + m]));
  }
  // Frames not stored: those carrying audio were skipped by the fixture's
  // stride (not checked here); those after the audio equal pad_value.
  const double pad = entry["pad_value"];
  const size_t last_stored = frames.back();
  const size_t valid = entry["valid_frames"];
  for (size_t f = last_stored + 1; f < 3000; ++f) {
    const double want = f < valid ? pad : 0.0;
    for (size_t m = 0; m < 80; ++m) diff = std::max(diff, std::fabs(static_cast<double>(out[f * 80 + m]) - want));
  }
  CHECK(diff <= 1e-4);
  return diff;
}

}  // namespace edgeattn::testing::audio
