// Transcriber::transcribe*() allocate nothing after create(), frontend
// included (WAV decode, resampling, log-mel, both sessions, the rules, the
// text and segments), for every dtype, 1 and 2 threads, clips from 1 s to the
// planned maximum (40 s, two windows with timestamps) and every planned
// input rate. Counted with the malloc interposer (all threads).
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "runtime/audio/wav_reader.h"
#include "runtime/tasks/transcriber.h"
#include "tests/support/alloc_interposer.h"
#include "tests/support/model_gate.h"
#include "tests/support/model_paths.h"
#include "tests/support/models.h"

EDGEATTN_TEST_MODELS(kWhisperTinyEnCt2, kWhisperAudio);

namespace edgeattn {
namespace {

namespace ai = testing::alloc_interposer;

const std::string kClips = std::string(EDGEATTN_SOURCE_DIR) + "/tests/fixtures/whisper/clips/";

// beckett.wav's samples repeated `times`, through the runtime's WAV reader
// (the file has a LIST chunk after its data).
std::vector<float> beckett(int times) {
  const std::vector<uint8_t> bytes = testing::read_bytes(testing::find_model("whisper/beckett.wav"));
  Result<WavFile> wav = WavFile::parse(Span<const uint8_t>(bytes.data(), bytes.size()), WavLimits());
  REQUIRE_MESSAGE(wav.is_ok(), wav.status().message());
  std::vector<float> one(wav->info().frames);
  REQUIRE(wav->decode_mono(0, Span<float>(one.data(), one.size())).is_ok());
  std::vector<float> out;
  for (int k = 0; k < times; ++k) out.insert(out.end(), one.begin(), one.end());
  return out;
}

void check_no_allocation(Transcriber& t, const std::vector<uint8_t>& wav, const std::string& what) {
  CAPTURE(what);
  ai::start();
  const Status s = t.transcribe_wav(Span<const uint8_t>(wav.data(), wav.size()));
  const ai::Record r = ai::stop();
  REQUIRE_MESSAGE(s.is_ok(), s.message());
  CHECK(!t.text().empty());
  CHECK(r.calls == 0);
}

TEST_CASE("transcribe allocates nothing after create") {
  ai::require_active();
  const std::vector<float> long_audio = beckett(4);  // 39.9 s
  const std::vector<std::string> wavs = testing::quick_mode()
      ? std::vector<std::string>{kClips + "clip03_en_us_f3.wav"}
      : std::vector<std::string>{kClips + "clip03_en_us_f3.wav", kClips + "clip01_8k_u8.wav",
                                 kClips + "clip01_22k_s24_stereo.wav", kClips + "clip02_44k_f32_stereo.wav",
                                 kClips + "clip02_48k_s32.wav"};
  // fp32 at 1 and 2 threads with every clip; fp16 and int8 differ only in
  // the linear layers' kernels: 2 threads, one clip and the long audio; int8
  // with its KV cache and cross-attention K/V copies in int8 (the
  // benchmarked configuration), fp16 with them in fp16.
  const std::vector<std::string> dtypes = testing::quick_mode() ? std::vector<std::string>{"fp32"}
                                                                : std::vector<std::string>{"fp32", "fp16", "int8"};
  for (const std::string& dtype : dtypes) {
    for (int threads : {2, 1}) {
      if (threads == 1 && dtype != "fp32") break;
      CAPTURE(dtype);
      CAPTURE(threads);
      TranscriberOptions o;
      o.max_audio_seconds = 40;
      o.threads = threads;
      o.timestamps = true;
      o.kv_dtype = dtype == "int8" ? KvCacheDType::kI8 : dtype == "fp16" ? KvCacheDType::kF16 : KvCacheDType::kF32;
      auto t = Transcriber::create(testing::whisper_tiny_en(dtype), o);
      REQUIRE_MESSAGE(t.is_ok(), t.status().message());
      for (const std::string& path : wavs) {
        check_no_allocation(**t, testing::read_bytes(path), path);
        if (dtype != "fp32") break;
      }
      if (testing::quick_mode()) break;  // under qemu: one clip, fp32, 2 threads
      ai::start();
      const Status s = (*t)->transcribe(Span<const float>(long_audio.data(), long_audio.size()), 16000);
      const ai::Record r = ai::stop();
      REQUIRE_MESSAGE(s.is_ok(), s.message());
      CHECK((*t)->last_stats().windows >= 2);
      CHECK(r.calls == 0);
    }
  }
}

}  // namespace
}  // namespace edgeattn
