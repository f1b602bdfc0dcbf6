// Shared helpers of the audio frontend tests: file reading, a WAV writer for
// synthetic files (every field settable, so tests can break one at a time),
// the malformed recordings every front-end must refuse (bad_wavs(): the
// transcriber's demo verb and C API tests), and the reference fixtures of
// tests/reference/whisper_mel.py.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/core/status.h"

namespace edgeattn::testing::audio {

inline std::string source_path(const std::string& relative) { return std::string(EDGEATTN_SOURCE_DIR) + "/" + relative; }

inline std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

inline std::vector<float> read_f32(const std::string& path) {
  std::vector<uint8_t> b = read_bytes(path);
  std::vector<float> v(b.size() / 4);
  if (!v.empty()) std::memcpy(v.data(), b.data(), v.size() * 4);  // little-endian hosts only (x86, ARM LE)
  return v;
}

inline nlohmann::json read_json(const std::string& path) {
  std::ifstream f(path);
  return nlohmann::json::parse(f);
}

inline void put_u16(std::vector<uint8_t>& b, uint32_t v) {
  b.push_back(static_cast<uint8_t>(v));
  b.push_back(static_cast<uint8_t>(v >> 8));
}
inline void put_u32(std::vector<uint8_t>& b, uint32_t v) {
  put_u16(b, v & 0xFFFF);
  put_u16(b, v >> 16);
}
inline void put_id(std::vector<uint8_t>& b, const char* id) {
  for (int i = 0; i < 4; ++i) b.push_back(static_cast<uint8_t>(id[i]));  // (insert() trips a GCC 12 false warning)
}

// The fields of a synthetic WAV; defaults make a valid 16-bit mono file.
struct WavSpec {
  uint16_t tag = 1;          // 1 PCM, 3 float, 0xFFFE extensible
  uint16_t sub_tag = 1;      // extensible only
  uint16_t channels = 1;
  uint32_t rate = 16000;
  uint16_t bits = 16;
  int block_align = -1;      // -1: channels * bits / 8
  int64_t data_size = -1;    // -1: the payload size; else written as is (e.g. 0xFFFFFFFF)
  bool riff_size_unknown = false;
  std::vector<uint8_t> extra_chunk_before_fmt;  // whole chunk(s), e.g. LIST
  std::vector<uint8_t> extra_chunk_before_data;
};

// A WAV file holding `payload` (the raw data chunk bytes).
inline std::vector<uint8_t> make_wav(const WavSpec& s, const std::vector<uint8_t>& payload) {
  std::vector<uint8_t> b;
  b.reserve(128 + payload.size());
  put_id(b, "RIFF");
  put_u32(b, 0);  // patched below
  put_id(b, "WAVE");
  b.insert(b.end(), s.extra_chunk_before_fmt.begin(), s.extra_chunk_before_fmt.end());
  const bool ext = s.tag == 0xFFFE;
  put_id(b, "fmt ");
  put_u32(b, ext ? 40 : 16);
  put_u16(b, s.tag);
  put_u16(b, s.channels);
  put_u32(b, s.rate);
  const uint32_t align = s.block_align >= 0 ? static_cast<uint32_t>(s.block_align) : s.channels * (s.bits / 8u);
  put_u32(b, s.rate * align);
  put_u16(b, align);
  put_u16(b, s.bits);
  if (ext) {
    put_u16(b, 22);
    put_u16(b, s.bits);
    put_u32(b, s.channels == 2 ? 3 : 4);
    put_u16(b, s.sub_tag);
    const uint8_t tail[14] = {0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71};
    b.insert(b.end(), tail, tail + 14);
  }
  b.insert(b.end(), s.extra_chunk_before_data.begin(), s.extra_chunk_before_data.end());
  put_id(b, "data");
  put_u32(b, s.data_size >= 0 ? static_cast<uint32_t>(s.data_size) : static_cast<uint32_t>(payload.size()));
  b.insert(b.end(), payload.begin(), payload.end());
  const uint32_t riff = s.riff_size_unknown ? 0xFFFFFFFFu : static_cast<uint32_t>(b.size() - 8);
  for (int i = 0; i < 4; ++i) b[4 + i] = static_cast<uint8_t>(riff >> (8 * i));
  return b;
}

// A malformed recording: its bytes, a fragment of the message
// WavFile::parse / decode_mono give for it, and their status code.
struct BadWav {
  const char* name;
  std::vector<uint8_t> bytes;
  const char* message;
  StatusCode code;
};

// Issue #14's list of bad input: not RIFF/WAVE, truncated data, zero
// samples, 0 Hz, 64 channels, NaN and Inf samples, a 10-hour header on a
// short file (checked before truncation, so it names its duration).
inline std::vector<BadWav> bad_wavs() {
  const std::vector<uint8_t> silence(3200, 0);  // 0.1 s of 16-bit mono at 16 kHz
  const std::string text = "hello, this is not a wave file\n";
  WavSpec truncated;
  truncated.data_size = 32000;
  WavSpec zero;
  zero.data_size = 0;  // "to the end": nothing follows
  WavSpec zero_hz;
  zero_hz.rate = 0;
  WavSpec wide;
  wide.channels = 64;
  WavSpec f32;
  f32.tag = 3;
  f32.bits = 32;
  auto float_payload = [](float bad) {
    std::vector<float> v(64, 0.25f);
    v[10] = bad;
    std::vector<uint8_t> b(v.size() * 4);
    std::memcpy(b.data(), v.data(), b.size());  // little-endian hosts only (x86, ARM LE)
    return b;
  };
  WavSpec ten_hours;
  ten_hours.data_size = int64_t{10} * 3600 * 16000 * 2;
  return {
      {"not RIFF/WAVE", std::vector<uint8_t>(text.begin(), text.end()), "not a RIFF file", StatusCode::kInvalidArgument},
      {"truncated data", make_wav(truncated, std::vector<uint8_t>(100, 0)), "truncated file",
       StatusCode::kInvalidArgument},
      {"zero samples", make_wav(zero, {}), "zero samples", StatusCode::kInvalidArgument},
      {"0 Hz", make_wav(zero_hz, silence), "sample rate at offset 24 is 0 Hz", StatusCode::kInvalidArgument},
      {"64 channels", make_wav(wide, std::vector<uint8_t>(64 * 2 * 10, 0)), "channels at offset 22 is 64",
       StatusCode::kInvalidArgument},
      {"NaN sample", make_wav(f32, float_payload(std::nanf(""))), "sample NaN at frame 10",
       StatusCode::kInvalidArgument},
      {"Inf sample", make_wav(f32, float_payload(HUGE_VALF)), "sample Inf at frame 10", StatusCode::kInvalidArgument},
      {"10-hour header", make_wav(ten_hours, silence), "holds 36000.0 s", StatusCode::kOutOfRange},
  };
}

}  // namespace edgeattn::testing::audio
