// The frontend allocates nothing after create(): WAV parse + decode,
// resampling and the log-mel window (and signal_max / compute_window for
// long audio), counted by the malloc interposer (tests/support/
// alloc_interposer.h), for every committed clip and format variant and a
// 45-s synthetic signal.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "runtime/audio/resampler.h"
#include "tests/runtime/audio/log_mel_check.h"
#include "tests/support/alloc_interposer.h"

namespace ai = edgeattn::testing::alloc_interposer;
using namespace edgeattn::testing::audio;

TEST_CASE("decode + resample + log-mel allocate nothing after create") {
  ai::require_active();
  const nlohmann::json clips = read_json(source_path("tests/fixtures/whisper/clips/clips.json"));
  edgeattn::LogMel mel = make_log_mel();
  std::vector<float> decoded(48000 * 60), resampled(16000 * 60), out(mel.window_floats());
  for (const auto& c : clips["clips"]) {
    const std::string file = c["file"];
    CAPTURE(file);
    const std::vector<uint8_t> bytes = read_bytes(source_path("tests/fixtures/whisper/clips/" + file));
    edgeattn::WavLimits limits;
    limits.max_seconds = 60.0;
    // The rate is known only after parsing, so the Resampler is created
    // outside the counted region, as a transcriber does at prepare for the
    // rates it accepts.
    auto probe = edgeattn::WavFile::parse({bytes.data(), bytes.size()}, limits);
    REQUIRE(probe.is_ok());
    auto rs = edgeattn::Resampler::create(probe->info().sample_rate, 16000);
    REQUIRE(rs.is_ok());
    ai::start();
    auto wav = edgeattn::WavFile::parse({bytes.data(), bytes.size()}, limits);
    const size_t n = wav->info().frames;
    const bool decoded_ok = wav->decode_mono(0, {decoded.data(), n}).is_ok();
    const size_t n16 = rs->output_frames(n);
    const bool resampled_ok = rs->process({decoded.data(), n}, 0, {resampled.data(), n16}).is_ok();
    const bool mel_ok = mel.compute({resampled.data(), n16}, {out.data(), out.size()}).is_ok();
    const ai::Record r = ai::stop();
    CHECK(decoded_ok);
    CHECK(resampled_ok);
    CHECK(mel_ok);
    CHECK(r.calls == 0);
  }
  // Long audio: the max over 45 s, then windows at three seeks.
  for (size_t i = 0; i < resampled.size() * 3 / 4; ++i) resampled[i] = (i % 97) * 1e-3f;
  const edgeattn::Span<const float> longer(resampled.data(), 16000 * 45);
  ai::start();
  auto top = mel.signal_max(longer);
  bool ok = top.is_ok();
  for (size_t seek : {size_t{0}, size_t{1500}, size_t{4000}}) {
    ok = ok && mel.compute_window(longer, seek, *top, {out.data(), out.size()}).is_ok();
  }
  const ai::Record r = ai::stop();
  CHECK(ok);
  CHECK(r.calls == 0);
}
