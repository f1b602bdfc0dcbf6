// WavFile (runtime/audio/wav_reader.h): every accepted format decoded to the
// values the format defines (computed here from the integers written), the
// downmix, skipped chunks, streaming sizes, and every rejection with the
// field it names; truncation at every byte; the committed format variants
// against tests/reference/whisper_mel.py's own WAV parser.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "runtime/audio/wav_reader.h"
#include "tests/runtime/audio/audio_test_util.h"

namespace {

using edgeattn::Result;
using edgeattn::Span;
using edgeattn::StatusCode;
using edgeattn::WavFile;
using edgeattn::WavLimits;
using edgeattn::WavSampleFormat;
using namespace edgeattn::testing::audio;

Result<WavFile> parse(const std::vector<uint8_t>& b, double max_seconds = 30.0) {
  WavLimits limits;
  limits.max_seconds = max_seconds;
  return WavFile::parse(Span<const uint8_t>(b.data(), b.size()), limits);
}

std::vector<float> decode_all(const WavFile& w) {
  std::vector<float> out(w.info().frames);
  const edgeattn::Status s = w.decode_mono(0, Span<float>(out.data(), out.size()));
  REQUIRE_MESSAGE(s.is_ok(), s.message());
  return out;
}

// Little-endian bytes of `n` samples from integers.
std::vector<uint8_t> int_payload(const std::vector<int64_t>& v, int bytes) {
  std::vector<uint8_t> b;
  for (int64_t x : v) {
    for (int i = 0; i < bytes; ++i) b.push_back(static_cast<uint8_t>(static_cast<uint64_t>(x) >> (8 * i)));
  }
  return b;
}

template <typename T>
std::vector<uint8_t> float_payload(const std::vector<T>& v) {
  std::vector<uint8_t> b(v.size() * sizeof(T));
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}

void expect_error(const std::vector<uint8_t>& b, StatusCode code, const char* needle, double max_seconds = 30.0) {
  Result<WavFile> w = parse(b, max_seconds);
  REQUIRE_FALSE(w.is_ok());
  CHECK(w.status().code() == code);
  INFO(w.status().message());
  CHECK(std::strstr(w.status().message(), needle) != nullptr);
}

}  // namespace

TEST_CASE("PCM integer formats decode to value / 2^(bits-1)") {
  struct Case {
    uint16_t bits;
    std::vector<int64_t> values;  // as stored (u8: unsigned)
    double scale;
    double offset;
    WavSampleFormat format;
  };
  const Case cases[] = {
      {8, {0, 1, 127, 128, 129, 255}, 128.0, 128.0, WavSampleFormat::kPcmU8},
      {16, {-32768, -1, 0, 1, 12345, 32767}, 32768.0, 0.0, WavSampleFormat::kPcmS16},
      {24, {-8388608, -1, 0, 1, 4660803, 8388607}, 8388608.0, 0.0, WavSampleFormat::kPcmS24},
      {32, {-2147483648LL, -1, 0, 1, 1234567890, 2147483647}, 2147483648.0, 0.0, WavSampleFormat::kPcmS32},
  };
  for (const Case& c : cases) {
    for (bool extensible : {false, true}) {
      if (extensible && c.bits == 8) continue;
      CAPTURE(c.bits);
      CAPTURE(extensible);
      WavSpec s;
      s.bits = c.bits;
      s.tag = extensible ? 0xFFFE : 1;
      s.sub_tag = 1;
      const std::vector<uint8_t> file = make_wav(s, int_payload(c.values, c.bits / 8));
      Result<WavFile> w = parse(file);
      REQUIRE_MESSAGE(w.is_ok(), w.status().message());
      CHECK(w->info().format == c.format);
      CHECK(w->info().frames == c.values.size());
      CHECK(w->info().data_offset == file.size() - c.values.size() * (c.bits / 8));
      const std::vector<float> got = decode_all(*w);
      for (size_t i = 0; i < got.size(); ++i) {
        // Exact: each value is representable (float has 24 bits; for 32-bit
        // PCM the division in double, then one float rounding).
        CHECK(got[i] == static_cast<float>((static_cast<double>(c.values[i]) - c.offset) / c.scale));
      }
    }
  }
}

TEST_CASE("float formats decode as stored, plain and extensible") {
  const std::vector<float> f32 = {0.0f, -1.0f, 0.5f, 1e-30f, -0.999f, 3.5f};
  const std::vector<double> f64 = {0.0, -1.0, 0.25, 1e-3, 0.1234567890123, -2.0};
  for (bool extensible : {false, true}) {
    WavSpec s;
    s.tag = extensible ? 0xFFFE : 3;
    s.sub_tag = 3;
    s.bits = 32;
    const std::vector<uint8_t> file1 = make_wav(s, float_payload(f32));  // the WavFile views it
    Result<WavFile> w = parse(file1);
    REQUIRE_MESSAGE(w.is_ok(), w.status().message());
    CHECK(w->info().format == WavSampleFormat::kFloat32);
    CHECK(decode_all(*w) == f32);
    s.bits = 64;
    const std::vector<uint8_t> file2 = make_wav(s, float_payload(f64));  // the WavFile views it
    Result<WavFile> w64 = parse(file2);
    REQUIRE_MESSAGE(w64.is_ok(), w64.status().message());
    CHECK(w64->info().format == WavSampleFormat::kFloat64);
    const std::vector<float> got = decode_all(*w64);
    for (size_t i = 0; i < f64.size(); ++i) CHECK(got[i] == static_cast<float>(f64[i]));
  }
}

TEST_CASE("multi-channel files are averaged per frame") {
  // 3 frames of 2, 3 and 16 channels; channel c of frame i holds 100 * i + c.
  for (uint16_t ch : {2, 3, 16}) {
    CAPTURE(ch);
    std::vector<int64_t> v;
    for (int i = 0; i < 3; ++i) {
      for (int c = 0; c < ch; ++c) v.push_back(100 * i + c * (i % 2 ? -1 : 1));
    }
    WavSpec s;
    s.channels = ch;
    const std::vector<uint8_t> file3 = make_wav(s, int_payload(v, 2));  // the WavFile views it
    Result<WavFile> w = parse(file3);
    REQUIRE_MESSAGE(w.is_ok(), w.status().message());
    REQUIRE(w->info().frames == 3);
    const std::vector<float> got = decode_all(*w);
    for (int i = 0; i < 3; ++i) {
      double mean = 0.0;
      for (int c = 0; c < ch; ++c) mean += v[i * ch + c] / 32768.0;
      mean /= ch;
      CHECK(got[i] == doctest::Approx(mean).epsilon(1e-6));
    }
  }
}

TEST_CASE("float samples beyond +-kMaxFloatSample are refused; the mean of large channels is exact") {
  for (float bad : {3.0e38f, -2.0e6f, 1.0001e6f}) {
    CAPTURE(bad);
    WavSpec s;
    s.tag = 3;
    s.bits = 32;
    const std::vector<uint8_t> file = make_wav(s, float_payload(std::vector<float>{0.5f, bad}));  // viewed
    Result<WavFile> w = parse(file);
    REQUIRE_MESSAGE(w.is_ok(), w.status().message());
    std::vector<float> out(2);
    const edgeattn::Status st = w->decode_mono(0, Span<float>(out.data(), out.size()));
    CHECK(st.code() == edgeattn::StatusCode::kInvalidArgument);
    CHECK(std::string(st.message()).find("frame 1, channel 0") != std::string::npos);
    CHECK(std::string(st.message()).find("not audio") != std::string::npos);
  }
  const float big = edgeattn::kMaxFloatSample;
  const std::vector<float> f32 = {big, big, -big, -big, big, -big};
  WavSpec s;
  s.tag = 3;
  s.bits = 32;
  s.channels = 2;
  const std::vector<uint8_t> file = make_wav(s, float_payload(f32));  // the WavFile views it
  Result<WavFile> w = parse(file);
  REQUIRE_MESSAGE(w.is_ok(), w.status().message());
  const std::vector<float> got = decode_all(*w);
  REQUIRE(got.size() == 3);
  CHECK(got[0] == big);
  CHECK(got[1] == -big);
  CHECK(got[2] == 0.0f);
}

TEST_CASE("unknown chunks are skipped, with odd-size padding; decode of a frame range") {
  std::vector<uint8_t> list;
  put_id(list, "LIST");
  put_u32(list, 5);
  list.insert(list.end(), {'I', 'N', 'F', 'O', 'x', 0});  // 5 bytes + pad
  std::vector<uint8_t> fact;
  put_id(fact, "fact");
  put_u32(fact, 4);
  put_u32(fact, 4);
  WavSpec s;
  s.extra_chunk_before_fmt = list;
  s.extra_chunk_before_data = fact;
  const std::vector<uint8_t> file4 = make_wav(s, int_payload({1, 2, 3, 4}, 2));  // the WavFile views it
  Result<WavFile> w = parse(file4);
  REQUIRE_MESSAGE(w.is_ok(), w.status().message());
  float two[2];
  REQUIRE(w->decode_mono(1, Span<float>(two, 2)).is_ok());
  CHECK(two[0] == 2.0f / 32768);
  CHECK(two[1] == 3.0f / 32768);
  edgeattn::Status past = w->decode_mono(3, Span<float>(two, 2));
  CHECK(past.code() == StatusCode::kInvalidArgument);
  CHECK(std::strstr(past.message(), "past the 4 frames") != nullptr);
}

TEST_CASE("streaming sizes (0 / 0xFFFFFFFF) run to the end, whole frames only") {
  for (int64_t size : {int64_t{0}, int64_t{0xFFFFFFFF}}) {
    WavSpec s;
    s.channels = 2;
    s.data_size = size;
    s.riff_size_unknown = true;
    std::vector<uint8_t> file = make_wav(s, int_payload({1, 2, 3, 4, 5, 6}, 2));
    file.push_back(0x7F);  // a partial frame at the end, as a killed recorder leaves it
    Result<WavFile> w = parse(file);
    REQUIRE_MESSAGE(w.is_ok(), w.status().message());
    CHECK(w->info().streaming_size);
    CHECK(w->info().frames == 3);
  }
}

TEST_CASE("every rejection names its field") {
  const std::vector<uint8_t> pcm = int_payload({1, 2, 3, 4}, 2);
  std::vector<uint8_t> good = make_wav(WavSpec(), pcm);
  std::vector<uint8_t> b = good;
  std::memcpy(b.data(), "RIFX", 4);
  expect_error(b, StatusCode::kUnsupported, "'RIFX'");
  std::memcpy(b.data(), "JUNK", 4);
  expect_error(b, StatusCode::kInvalidArgument, "not a RIFF file");
  b = good;
  std::memcpy(b.data() + 8, "AVI ", 4);
  expect_error(b, StatusCode::kInvalidArgument, "not WAVE");
  b = good;
  std::memcpy(b.data() + 12, "junk", 4);  // the fmt chunk becomes unknown
  expect_error(b, StatusCode::kInvalidArgument, "before any fmt chunk");
  b = good;
  b.resize(36);  // fmt only
  for (int i = 0; i < 4; ++i) b[4 + i] = static_cast<uint8_t>((28u >> (8 * i)) & 0xFF);
  expect_error(b, StatusCode::kInvalidArgument, "data chunk missing");
  b = std::vector<uint8_t>(good.begin(), good.begin() + 12);
  b[4] = 4;
  b[5] = b[6] = b[7] = 0;
  expect_error(b, StatusCode::kInvalidArgument, "fmt chunk missing");

  WavSpec s;
  s.rate = 0;
  expect_error(make_wav(s, pcm), StatusCode::kInvalidArgument, "sample rate at offset 24 is 0 Hz");
  s.rate = 999;
  expect_error(make_wav(s, pcm), StatusCode::kInvalidArgument, "999 Hz, expects 1000..384000");
  s.rate = 384001;
  expect_error(make_wav(s, pcm), StatusCode::kInvalidArgument, "384001 Hz");
  s = WavSpec();
  s.channels = 0;
  expect_error(make_wav(s, pcm), StatusCode::kInvalidArgument, "channels at offset 22 is 0, expects 1..16");
  s.channels = 64;
  expect_error(make_wav(s, std::vector<uint8_t>(256)), StatusCode::kInvalidArgument, "channels at offset 22 is 64");
  s = WavSpec();
  s.block_align = 4;
  expect_error(make_wav(s, pcm), StatusCode::kInvalidArgument, "block_align at offset 32 is 4, expects channels 1 * 2");
  s = WavSpec();
  s.tag = 2;  // MS ADPCM
  expect_error(make_wav(s, pcm), StatusCode::kUnsupported, "format tag at offset 20 is 0x0002");
  s = WavSpec();
  s.bits = 12;
  expect_error(make_wav(s, pcm), StatusCode::kUnsupported, "bits per sample at offset 34 is 12");
  s = WavSpec();
  s.tag = 3;
  s.bits = 16;
  expect_error(make_wav(s, pcm), StatusCode::kUnsupported, "is 16, unsupported for float");
  s = WavSpec();
  s.tag = 0xFFFE;
  s.sub_tag = 6;  // A-law
  expect_error(make_wav(s, pcm), StatusCode::kUnsupported, "format tag at offset 44 is 0x0006");
  s = WavSpec();
  s.data_size = 3;
  expect_error(make_wav(s, pcm), StatusCode::kInvalidArgument, "not a multiple of block_align 2");
  s.data_size = 0;
  s.riff_size_unknown = true;
  expect_error(make_wav(s, {}), StatusCode::kInvalidArgument, "zero samples");
}

TEST_CASE("second fmt, short fmt, bad extensible GUID") {
  std::vector<uint8_t> fmt2;
  put_id(fmt2, "fmt ");
  put_u32(fmt2, 16);
  fmt2.resize(fmt2.size() + 16);
  WavSpec s;
  s.extra_chunk_before_data = fmt2;
  expect_error(make_wav(s, {0, 0}), StatusCode::kInvalidArgument, "second fmt chunk at offset 36");
  std::vector<uint8_t> b = make_wav(WavSpec(), {0, 0});
  b[16] = 14;  // fmt size 14: then the 'data' id is read 2 bytes early
  expect_error(b, StatusCode::kInvalidArgument, "fmt chunk at offset 20 has 14 bytes, needs >= 16");
  s = WavSpec();
  s.tag = 0xFFFE;
  b = make_wav(s, {0, 0});
  b[20 + 24 + 9] ^= 0xFF;  // inside the GUID tail
  expect_error(b, StatusCode::kUnsupported, "SubFormat at offset 44");
}

TEST_CASE("a header claiming 10 hours is refused with both durations; truncation names both sizes") {
  WavSpec s;
  s.data_size = 10LL * 3600 * 16000 * 2;  // 10 h of 16-bit mono at 16 kHz
  expect_error(make_wav(s, int_payload({1, 2}, 2)), StatusCode::kOutOfRange,
               "holds 36000.0 s (576000000 frames at 16000 Hz), over the limit of 600.0 s", 600.0);
  s.data_size = 100;
  s.riff_size_unknown = true;
  expect_error(make_wav(s, int_payload({1, 2}, 2)), StatusCode::kInvalidArgument,
               "declares 100 bytes, only 4 present (truncated file)");
}

TEST_CASE("NaN and Inf float samples are refused with their frame and channel") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  WavSpec s;
  s.tag = 3;
  s.bits = 32;
  s.channels = 2;
  for (float bad : {nan, inf, -inf}) {
    const std::vector<uint8_t> file5 = make_wav(s, float_payload(std::vector<float>{0.1f, 0.2f, 0.3f, 0.4f, 0.5f, bad}));  // the WavFile views it
    Result<WavFile> w = parse(file5);
    REQUIRE(w.is_ok());  // parse reads no sample
    std::vector<float> out(3);
    edgeattn::Status st = w->decode_mono(0, Span<float>(out.data(), 3));
    CHECK(st.code() == edgeattn::StatusCode::kInvalidArgument);
    INFO(st.message());
    CHECK(std::strstr(st.message(), std::isnan(bad) ? "sample NaN at frame 2, channel 1" : "sample Inf at frame 2, channel 1"));
  }
  s.bits = 64;
  const std::vector<uint8_t> file6 = make_wav(s, float_payload(std::vector<double>{0.0, 1e300}));  // the WavFile views it
  Result<WavFile> w = parse(file6);
  REQUIRE(w.is_ok());
  float one[1];
  CHECK(std::strstr(w->decode_mono(0, Span<float>(one, 1)).message(), "Inf at frame 0, channel 1"));
}

TEST_CASE("truncation at every byte of a small file is refused") {
  // 16-bit stereo with a LIST chunk before fmt: every prefix shorter than the
  // file must fail (with a message), never read past the prefix.
  std::vector<uint8_t> list;
  put_id(list, "LIST");
  put_u32(list, 3);
  list.insert(list.end(), {'a', 'b', 'c', 0});
  for (bool ext : {false, true}) {
    WavSpec s;
    s.channels = 2;
    s.tag = ext ? 0xFFFE : 1;
    s.extra_chunk_before_fmt = list;
    const std::vector<uint8_t> file = make_wav(s, int_payload({1, -1, 2, -2, 3, -3}, 2));
    REQUIRE(parse(file).is_ok());
    for (size_t n = 0; n < file.size(); ++n) {
      std::vector<uint8_t> prefix(file.begin(), file.begin() + n);  // exact size: ASan sees any overread
      Result<WavFile> w = parse(prefix);
      CAPTURE(n);
      CHECK_FALSE(w.is_ok());
      if (!w.is_ok()) CHECK(w.status().message()[0] != '\0');
    }
  }
}

TEST_CASE("committed format variants decode like the Python reference's own parser") {
  const nlohmann::json manifest = read_json(source_path("tests/fixtures/whisper/mel_reference.json"));
  REQUIRE(manifest["variants"].size() == 4);
  for (const auto& v : manifest["variants"]) {
    const std::string rel = v["wav"];
    CAPTURE(rel);
    const std::vector<uint8_t> file = read_bytes(source_path("tests/fixtures/whisper/" + rel));
    Result<WavFile> w = parse(file);
    REQUIRE_MESSAGE(w.is_ok(), w.status().message());
    CHECK(w->info().sample_rate == v["rate"].get<uint32_t>());
    REQUIRE(w->info().frames == v["frames"].get<size_t>());
    const std::vector<float> x = decode_all(*w);
    double sum = 0.0, sq = 0.0;
    for (float f : x) {
      sum += f;
      sq += static_cast<double>(f) * f;
    }
    // float32 output of a float64 reference: per sample <= 6e-8 relative
    // (one rounding, plus one in the channel mean); 1e-6 leaves room.
    CHECK(sum / x.size() == doctest::Approx(v["mean"].get<double>()).epsilon(1e-6).scale(1.0));
    CHECK(std::sqrt(sq / x.size()) == doctest::Approx(v["rms"].get<double>()).epsilon(1e-6));
    for (size_t k = 0; k < v["index"].size(); ++k) {
      CHECK(std::fabs(x[v["index"][k].get<size_t>()] - v["value"][k].get<double>()) <= 1e-6);
    }
  }
}
