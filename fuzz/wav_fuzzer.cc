// libFuzzer target: arbitrary bytes as a WAV file (runtime/audio/wav_reader.h),
// then the frontend's next step on what it decodes.
//
// Each input is copied into an exactly-sized heap buffer (ASan sees any read
// past its end) and parsed with a 120-s limit. A parse failure must carry a
// message. A parsed file must be self-consistent (data inside the buffer,
// frames * block_align bytes), and decode_mono of all its frames either
// succeeds with every sample finite and, for PCM, in [-1, 1], or fails with
// a message for float data (NaN/Inf). The first 4096 decoded frames of a
// file at a common rate are then resampled to 16 kHz (Resamplers created
// once per rate: building a table per input would dominate the run) and
// must stay finite.
//
// Build and run: fuzz/README.md.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "runtime/audio/resampler.h"
#include "runtime/audio/wav_reader.h"

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "wav_fuzzer: check failed: %s\n", what);
    std::abort();
  }
}

const edgeattn::Resampler* resampler_for(uint32_t rate) {
  static const uint32_t kRates[] = {8000, 11025, 22050, 44100, 48000};
  static edgeattn::Resampler cache[5];
  static bool made[5] = {false, false, false, false, false};
  for (int i = 0; i < 5; ++i) {
    if (kRates[i] != rate) continue;
    if (!made[i]) {
      auto rs = edgeattn::Resampler::create(rate, 16000);
      check(rs.is_ok(), "Resampler::create of a common rate");
      cache[i] = std::move(rs).value();
      made[i] = true;
    }
    return &cache[i];
  }
  return nullptr;
}

void resample_head(const edgeattn::WavInfo& info, const std::vector<float>& mono) {
  const edgeattn::Resampler* rs = resampler_for(info.sample_rate);
  if (rs == nullptr) return;
  const size_t n = mono.size() < 4096 ? mono.size() : 4096;
  std::vector<float> out(rs->output_frames(n));
  check(rs->process({mono.data(), n}, 0, {out.data(), out.size()}).is_ok(), "resample of decoded frames");
  for (float v : out) check(std::isfinite(v), "resampled samples are finite");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> bytes(data, data + size);
  edgeattn::WavLimits limits;
  limits.max_seconds = 120.0;
  edgeattn::Result<edgeattn::WavFile> wav = edgeattn::WavFile::parse({bytes.data(), bytes.size()}, limits);
  if (!wav.is_ok()) {
    check(wav.status().message()[0] != '\0', "parse fails with a message");
    return 0;
  }
  const edgeattn::WavInfo& info = wav->info();
  check(info.frames > 0 && info.channels >= 1 && info.block_align > 0, "parsed info is positive");
  check(info.data_bytes == info.frames * info.block_align, "data_bytes = frames * block_align");
  check(info.data_offset <= size && info.data_bytes <= size - info.data_offset, "data inside the file");
  check(info.seconds() <= limits.max_seconds, "duration within the limit");
  std::vector<float> mono(info.frames);
  edgeattn::Status s = wav->decode_mono(0, {mono.data(), mono.size()});
  const bool is_float =
      info.format == edgeattn::WavSampleFormat::kFloat32 || info.format == edgeattn::WavSampleFormat::kFloat64;
  if (!s.is_ok()) {
    check(is_float && s.message()[0] != '\0', "only float data fails to decode, with a message");
    return 0;
  }
  for (float v : mono) {
    check(std::isfinite(v), "decoded samples are finite");
    if (!is_float) check(v >= -1.0f && v <= 1.0f, "PCM decodes into [-1, 1]");
  }
  resample_head(info, mono);
  return 0;
}
