// WAV parsing and decoding (see wav_reader.h for what is accepted and why).
#include "runtime/audio/wav_reader.h"

#include <cmath>
#include <cstring>

namespace edgeattn {
namespace {

constexpr uint16_t kFormatPcm = 1;
constexpr uint16_t kFormatFloat = 3;
constexpr uint16_t kFormatExtensible = 0xFFFE;
constexpr uint32_t kSizeUnknownZero = 0;
constexpr uint32_t kSizeUnknownMax = 0xFFFFFFFFu;
// Bytes 2..15 of KSDATAFORMAT_SUBTYPE_PCM / _IEEE_FLOAT (the first two are the format tag).
constexpr uint8_t kSubFormatTail[14] = {0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80,
                                        0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71};

uint16_t read_u16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
uint32_t read_u32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) | (static_cast<uint32_t>(p[2]) << 16) |
         (static_cast<uint32_t>(p[3]) << 24);
}

// The fmt chunk's fields, before they are checked against each other.
struct FmtFields {
  uint16_t tag = 0;       // as written (may be extensible)
  uint16_t sub_tag = 0;   // PCM or float: the tag, or the extensible sub-format's
  uint16_t channels = 0;
  uint32_t rate = 0;
  uint16_t block_align = 0;
  uint16_t bits = 0;
};

// Reads the extensible extension at `p` (the fmt payload of `size` bytes at file offset `off`).
Status read_extensible(const uint8_t* p, uint32_t size, size_t off, FmtFields* f) {
  EA_ENSURE(size >= 40, StatusCode::kInvalidArgument,
            "wav: fmt chunk at offset %zu: WAVE_FORMAT_EXTENSIBLE needs 40 bytes, chunk has %u", off, size);
  const uint16_t cb_size = read_u16(p + 16);
  EA_ENSURE(cb_size >= 22, StatusCode::kInvalidArgument,
            "wav: fmt cbSize at offset %zu is %u, WAVE_FORMAT_EXTENSIBLE needs >= 22", off + 16, cb_size);
  const uint16_t valid_bits = read_u16(p + 18);
  EA_ENSURE(valid_bits >= 1 && valid_bits <= f->bits, StatusCode::kInvalidArgument,
            "wav: fmt wValidBitsPerSample at offset %zu is %u, expects 1..%u", off + 18, valid_bits, f->bits);
  const uint8_t* guid = p + 24;
  EA_ENSURE(std::memcmp(guid + 2, kSubFormatTail, sizeof(kSubFormatTail)) == 0, StatusCode::kUnsupported,
            "wav: fmt SubFormat at offset %zu is not a KSDATAFORMAT_SUBTYPE GUID (only PCM and IEEE float)",
            off + 24);
  f->sub_tag = read_u16(guid);
  return Status::ok();
}

// Parses the fmt payload (`size` bytes at file offset `off`) and checks every field.
Status parse_fmt(const uint8_t* p, uint32_t size, size_t off, const WavLimits& limits, WavInfo* info) {
  EA_ENSURE(size >= 16, StatusCode::kInvalidArgument, "wav: fmt chunk at offset %zu has %u bytes, needs >= 16",
            off, size);
  FmtFields f;
  f.tag = read_u16(p);
  f.sub_tag = f.tag;
  f.channels = read_u16(p + 2);
  f.rate = read_u32(p + 4);
  f.block_align = read_u16(p + 12);
  f.bits = read_u16(p + 14);
  EA_ENSURE(f.channels >= 1 && f.channels <= limits.max_channels, StatusCode::kInvalidArgument,
            "wav: fmt channels at offset %zu is %u, expects 1..%u", off + 2, f.channels, limits.max_channels);
  EA_ENSURE(f.rate >= limits.min_sample_rate && f.rate <= limits.max_sample_rate, StatusCode::kInvalidArgument,
            "wav: fmt sample rate at offset %zu is %u Hz, expects %u..%u", off + 4, f.rate, limits.min_sample_rate,
            limits.max_sample_rate);
  if (f.tag == kFormatExtensible) EA_RETURN_IF_ERROR(read_extensible(p, size, off, &f));
  bool ok = false;
  if (f.sub_tag == kFormatPcm) {
    ok = f.bits == 8 || f.bits == 16 || f.bits == 24 || f.bits == 32;
    info->format = f.bits == 8 ? WavSampleFormat::kPcmU8
                   : f.bits == 16 ? WavSampleFormat::kPcmS16
                   : f.bits == 24 ? WavSampleFormat::kPcmS24
                                  : WavSampleFormat::kPcmS32;
  } else if (f.sub_tag == kFormatFloat) {
    ok = f.bits == 32 || f.bits == 64;
    info->format = f.bits == 32 ? WavSampleFormat::kFloat32 : WavSampleFormat::kFloat64;
  } else {
    return Status::error(StatusCode::kUnsupported,
                         "wav: fmt format tag at offset %zu is 0x%04x; only PCM (1), IEEE float (3) and "
                         "extensible with those are decoded",
                         f.tag == kFormatExtensible ? off + 24 : off, f.sub_tag);
  }
  EA_ENSURE(ok, StatusCode::kUnsupported, "wav: fmt bits per sample at offset %zu is %u, unsupported for %s",
            off + 14, f.bits, f.sub_tag == kFormatPcm ? "PCM (8, 16, 24, 32)" : "float (32, 64)");
  const uint32_t expect_align = static_cast<uint32_t>(f.channels) * (f.bits / 8);
  EA_ENSURE(f.block_align == expect_align, StatusCode::kInvalidArgument,
            "wav: fmt block_align at offset %zu is %u, expects channels %u * %u bytes = %u", off + 12,
            f.block_align, f.channels, f.bits / 8, expect_align);
  info->format_tag = f.tag;
  info->channels = f.channels;
  info->sample_rate = f.rate;
  info->bits_per_sample = f.bits;
  info->block_align = f.block_align;
  return Status::ok();
}

// Sizes the data chunk whose header is at `off` (payload from off + 8 to at
// most `end`), checks it against the limits and fills the info's data fields.
Status size_data(uint32_t declared, size_t off, size_t end, const WavLimits& limits, WavInfo* info) {
  const size_t start = off + 8;
  const size_t present = end - start;
  const size_t align = info->block_align;
  const bool streaming = declared == kSizeUnknownZero || declared == kSizeUnknownMax;
  if (!streaming) {
    EA_ENSURE(declared % align == 0, StatusCode::kInvalidArgument,
              "wav: data size at offset %zu is %u bytes, not a multiple of block_align %zu", off + 4, declared,
              align);
  }
  const size_t bytes = streaming ? present - present % align : declared;
  const size_t frames = bytes / align;
  // Checked before truncation, so a 10-hour header on a short file says so.
  const double seconds = static_cast<double>(frames) / info->sample_rate;
  EA_ENSURE(seconds <= limits.max_seconds, StatusCode::kOutOfRange,
            "wav: data chunk at offset %zu holds %.1f s (%zu frames at %u Hz), over the limit of %.1f s", off,
            seconds, frames, info->sample_rate, limits.max_seconds);
  EA_ENSURE(bytes <= present, StatusCode::kInvalidArgument,
            "wav: data chunk at offset %zu declares %zu bytes, only %zu present (truncated file)", off, bytes,
            present);
  EA_ENSURE(frames > 0, StatusCode::kInvalidArgument, "wav: data chunk at offset %zu holds zero samples", off);
  info->frames = frames;
  info->data_offset = start;
  info->data_bytes = bytes;
  info->streaming_size = streaming;
  return Status::ok();
}

// The end of the RIFF area: the declared RIFF size, checked against the file.
Result<size_t> riff_end(Span<const uint8_t> file) {
  EA_ENSURE(file.size() >= 12, StatusCode::kInvalidArgument,
            "wav: %zu bytes, a RIFF/WAVE header needs 12", file.size());
  const uint8_t* p = file.data();
  if (std::memcmp(p, "RF64", 4) == 0 || std::memcmp(p, "RIFX", 4) == 0) {
    return Status::error(StatusCode::kUnsupported, "wav: offset 0: '%.4s' files are not supported (RIFF only)",
                         reinterpret_cast<const char*>(p));
  }
  EA_ENSURE(std::memcmp(p, "RIFF", 4) == 0, StatusCode::kInvalidArgument, "wav: offset 0: not a RIFF file");
  EA_ENSURE(std::memcmp(p + 8, "WAVE", 4) == 0, StatusCode::kInvalidArgument,
            "wav: offset 8: RIFF form type is not WAVE");
  const uint32_t riff_size = read_u32(p + 4);
  if (riff_size == kSizeUnknownZero || riff_size == kSizeUnknownMax) return file.size();
  const uint64_t end = static_cast<uint64_t>(riff_size) + 8;
  EA_ENSURE(end >= 12, StatusCode::kInvalidArgument, "wav: RIFF size at offset 4 is %u, less than 4", riff_size);
  EA_ENSURE(end <= file.size(), StatusCode::kInvalidArgument,
            "wav: RIFF size at offset 4 says %llu bytes, the file has %zu (truncated file)",
            static_cast<unsigned long long>(end), file.size());
  return static_cast<size_t>(end);
}

}  // namespace

const char* wav_sample_format_name(WavSampleFormat format) {
  switch (format) {
    case WavSampleFormat::kPcmU8: return "pcm_u8";
    case WavSampleFormat::kPcmS16: return "pcm_s16";
    case WavSampleFormat::kPcmS24: return "pcm_s24";
    case WavSampleFormat::kPcmS32: return "pcm_s32";
    case WavSampleFormat::kFloat32: return "float32";
    case WavSampleFormat::kFloat64: return "float64";
  }
  return "unknown";
}

Result<WavFile> WavFile::parse(Span<const uint8_t> file, const WavLimits& limits) {
  EA_ASSIGN_OR_RETURN(const size_t end, riff_end(file));
  const uint8_t* p = file.data();
  WavInfo info;
  bool have_fmt = false;
  size_t off = 12;
  while (true) {
    EA_ENSURE(end - off >= 8, StatusCode::kInvalidArgument,
              "wav: %s chunk missing (RIFF area ends at offset %zu)", have_fmt ? "data" : "fmt", end);
    const char* id = reinterpret_cast<const char*>(p + off);
    const uint32_t size = read_u32(p + off + 4);
    if (std::memcmp(id, "data", 4) == 0) {
      EA_ENSURE(have_fmt, StatusCode::kInvalidArgument, "wav: data chunk at offset %zu comes before any fmt chunk",
                off);
      EA_RETURN_IF_ERROR(size_data(size, off, end, limits, &info));
      return WavFile(file, info);
    }
    const size_t padded = static_cast<size_t>(size) + (size & 1u);
    // An odd last chunk may lack its pad byte; anything else past the end is truncation.
    EA_ENSURE(size <= end - off - 8, StatusCode::kInvalidArgument,
              "wav: chunk '%.4s' at offset %zu declares %u bytes, only %zu present", id, off, size,
              end - off - 8);
    if (std::memcmp(id, "fmt ", 4) == 0) {
      EA_ENSURE(!have_fmt, StatusCode::kInvalidArgument, "wav: second fmt chunk at offset %zu", off);
      EA_RETURN_IF_ERROR(parse_fmt(p + off + 8, size, off + 8, limits, &info));
      have_fmt = true;
    }
    if (padded > end - off - 8) off = end;
    else off += 8 + padded;
  }
}

namespace {

// The value of one stored sample as float.
inline float sample_value(const uint8_t* s, WavSampleFormat format) {
  switch (format) {
    case WavSampleFormat::kPcmU8: return (static_cast<float>(s[0]) - 128.0f) * (1.0f / 128.0f);
    case WavSampleFormat::kPcmS16: return static_cast<float>(static_cast<int16_t>(read_u16(s))) * (1.0f / 32768.0f);
    case WavSampleFormat::kPcmS24: {
      int32_t v = static_cast<int32_t>(s[0] | (s[1] << 8) | (s[2] << 16));
      if (v & 0x800000) v -= 0x1000000;  // sign of the 24-bit value
      return static_cast<float>(v) * (1.0f / 8388608.0f);
    }
    case WavSampleFormat::kPcmS32:
      return static_cast<float>(static_cast<double>(static_cast<int32_t>(read_u32(s))) * (1.0 / 2147483648.0));
    case WavSampleFormat::kFloat32: {
      const uint32_t bits = read_u32(s);
      float v;
      std::memcpy(&v, &bits, 4);
      return v;
    }
    case WavSampleFormat::kFloat64: {
      const uint64_t bits = read_u32(s) | (static_cast<uint64_t>(read_u32(s + 4)) << 32);
      double v;
      std::memcpy(&v, &bits, 8);
      // Out-of-float-range values become inf here and are refused like inf.
      return static_cast<float>(v);
    }
  }
  return 0.0f;
}

}  // namespace

Status WavFile::decode_mono(size_t first_frame, Span<float> out) const {
  EA_ENSURE(first_frame <= info_.frames && out.size() <= info_.frames - first_frame, StatusCode::kInvalidArgument,
            "wav: decode of frames [%zu, %zu + %zu) past the %zu frames of the file", first_frame, first_frame,
            out.size(), info_.frames);
  const size_t channels = info_.channels;
  const size_t bytes = info_.bits_per_sample / 8;
  const bool is_float = info_.format == WavSampleFormat::kFloat32 || info_.format == WavSampleFormat::kFloat64;
  const uint8_t* frame = file_.data() + info_.data_offset + first_frame * info_.block_align;
  for (size_t i = 0; i < out.size(); ++i, frame += info_.block_align) {
    // In double: two finite float samples near FLT_MAX would sum to
    // infinity in float (found by wav_fuzzer); their mean is finite.
    double sum = 0.0;
    for (size_t c = 0; c < channels; ++c) {
      const float v = sample_value(frame + c * bytes, info_.format);
      if (is_float && !std::isfinite(v)) {
        return Status::error(StatusCode::kInvalidArgument,
                             "wav: sample %s at frame %zu, channel %zu (offset %zu) is not finite",
                             std::isnan(v) ? "NaN" : "Inf", first_frame + i, c,
                             static_cast<size_t>(frame + c * bytes - file_.data()));
      }
      if (is_float && std::fabs(v) > kMaxFloatSample) {
        return Status::error(StatusCode::kInvalidArgument,
                             "wav: sample %g at frame %zu, channel %zu (offset %zu) is beyond +-%g: not audio",
                             static_cast<double>(v), first_frame + i, c,
                             static_cast<size_t>(frame + c * bytes - file_.data()), static_cast<double>(kMaxFloatSample));
      }
      sum += v;
    }
    out[i] = static_cast<float>(sum / static_cast<double>(channels));
  }
  return Status::ok();
}

}  // namespace edgeattn
