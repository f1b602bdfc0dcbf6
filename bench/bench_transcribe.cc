#include "bench/bench_transcribe.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "runtime/audio/wav_reader.h"
#include "runtime/model_info.h"
#include "runtime/session.h"
#include "runtime/tasks/transcriber.h"
#include "tools/cli/cli.h"

namespace edgeattn {
namespace bench {
namespace {

constexpr int kWarmups = 1;
constexpr uint32_t kSpeechRate = 16000;
constexpr double kMaxClipSeconds = 600.0;

int fail(const char* what, const Status& s) { return cli::fail("edgeattn-bench", what, s, 1); }

Status read_file(const char* path, std::vector<uint8_t>* bytes) {
  std::FILE* f = std::fopen(path, "rb");
  EA_ENSURE(f != nullptr, StatusCode::kIoError, "cannot open '%s'", path);
  uint8_t buf[1 << 16];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) bytes->insert(bytes->end(), buf, buf + n);
  const bool bad = std::ferror(f) != 0;
  std::fclose(f);
  EA_ENSURE(!bad, StatusCode::kIoError, "cannot read '%s'", path);
  return Status::ok();
}

// The WAV's mono samples tiled `repeat` times, and its sample rate.
Status load_clip(const char* path, int repeat, std::vector<float>* samples, uint32_t* rate) {
  std::vector<uint8_t> bytes;
  EA_RETURN_IF_ERROR(read_file(path, &bytes));
  WavLimits limits;
  limits.max_seconds = kMaxClipSeconds;
  EA_ASSIGN_OR_RETURN(const WavFile wav, WavFile::parse(Span<const uint8_t>(bytes.data(), bytes.size()), limits));
  const size_t frames = wav.info().frames;
  EA_ENSURE(frames > 0, StatusCode::kInvalidArgument, "'%s' has no samples", path);
  std::vector<float> one(frames);
  EA_RETURN_IF_ERROR(wav.decode_mono(0, Span<float>(one.data(), one.size())));
  samples->clear();
  for (int i = 0; i < repeat; ++i) samples->insert(samples->end(), one.begin(), one.end());
  *rate = wav.info().sample_rate;
  return Status::ok();
}

// The warm-up and timed rounds of transcribe() on `samples`.
Status time_rounds(Transcriber& t, const std::vector<float>& samples, uint32_t rate, int runs,
                   TranscribeResult* out) {
  for (int i = 0; i < kWarmups + runs; ++i) {
    EA_RETURN_IF_ERROR(t.transcribe(Span<const float>(samples.data(), samples.size()), rate));
    if (i >= kWarmups) out->rounds.push_back(t.last_stats());
  }
  const TranscribeStats& s = t.last_stats();
  out->audio_seconds = s.audio_seconds;
  out->windows = s.windows;
  out->decoder_tokens = s.decoder_tokens;
  out->text = std::string(t.text());
  return Status::ok();
}

void summarize_rounds(TranscribeResult* t) {
  std::vector<double> frontend, encoder, decoder, total;
  for (const TranscribeStats& r : t->rounds) {
    frontend.push_back(r.frontend_ms);
    encoder.push_back(r.encoder_ms);
    decoder.push_back(r.decoder_ms);
    total.push_back(r.total_ms);
  }
  t->frontend = summarize(frontend);
  t->encoder = summarize(encoder);
  t->decoder = summarize(decoder);
  t->total = summarize(total);
  t->decoder_tokens_per_s = t->decoder.median_ms > 0 ? 1000.0 * t->decoder_tokens / t->decoder.median_ms : 0.0;
  t->real_time_factor = t->audio_seconds > 0 ? t->total.median_ms / 1000.0 / t->audio_seconds : 0.0;
}

// Per-kind op times of `session` over `runs` rounds: to stderr (ms per
// round, share of the method) and into report->profile_ms as "METHOD/KIND";
// then the kTopOps slowest single ops as "METHOD@OP_NAME".
void add_profile(const Session& session, const char* method, int runs, BenchReport* report) {
  constexpr size_t kTopOps = 6;
  std::vector<std::pair<std::string, uint64_t>> kinds = profile_by_kind(session);
  uint64_t total = 0;
  for (const auto& e : kinds) total += e.second;
  const auto by_time = [](const auto& a, const auto& b) { return a.second > b.second; };
  std::sort(kinds.begin(), kinds.end(), by_time);
  std::vector<std::pair<std::string, uint64_t>> ops;
  for (size_t i = 0; i < session.op_count(); ++i) {
    ops.emplace_back(std::string(session.op_name(i)) + " (" + session.op_kind(i) + ")", session.op_times_ns()[i]);
  }
  std::sort(ops.begin(), ops.end(), by_time);
  ops.resize(std::min(ops.size(), kTopOps));
  std::fprintf(stderr, "profile %s (ms per round over %d rounds; %.2f ms in ops):\n", method, runs,
               total / 1e6 / runs);
  for (const auto* list : {&kinds, &ops}) {
    if (list == &ops) std::fprintf(stderr, "  slowest ops:\n");
    for (const auto& [name, ns] : *list) {
      std::fprintf(stderr, "  %-56s %9.2f ms  %5.1f %%\n", name.c_str(), ns / 1e6 / runs,
                   total ? 100.0 * static_cast<double>(ns) / static_cast<double>(total) : 0.0);
      report->profile_ms.emplace_back(std::string(method) + (list == &ops ? "@" : "/") + name, ns / 1e6 / runs);
    }
  }
}

// One greedy decode replayed from the transcriber's tokens: the prompt, then
// each generated token, as Transcriber::decode_window feeds them.
Status replay_decode(Session& decoder, const ModelInfo& info, const float* states, const std::vector<int32_t>& tokens) {
  std::vector<int32_t> prompt(info.decoding.start_ids.begin(), info.decoding.start_ids.end());
  if (info.decoding.no_timestamps_id >= 0) prompt.push_back(info.decoding.no_timestamps_id);
  const float* inputs[] = {states};
  decoder.reset();
  InvokeInput in;
  in.ids = prompt.data();
  in.seq = static_cast<int>(prompt.size());
  in.float_inputs = Span<const float* const>(inputs, 1);
  EA_RETURN_IF_ERROR(decoder.invoke(in));
  for (const int32_t& id : tokens) {
    in.ids = &id;
    in.seq = 1;
    EA_RETURN_IF_ERROR(decoder.invoke(in));
  }
  return Status::ok();
}

// --profile: the encoder and decoder of one window in profiled sessions.
Status profile_window(const Model& model, Session& encoder, Transcriber& t, const std::vector<float>& samples_16k,
                      const TranscribeBenchOptions& o, BenchReport* report) {
  const ModelInfo& info = model.info();
  std::vector<float> mel(static_cast<size_t>(info.audio.n_frames) * info.audio.n_mels);
  EA_RETURN_IF_ERROR(t.compute_mel(Span<const float>(samples_16k.data(), samples_16k.size()), 0,
                                   Span<float>(mel.data(), mel.size())));
  std::vector<int32_t> tokens(static_cast<size_t>(info.decoding.max_length));
  size_t n = 0;
  EA_RETURN_IF_ERROR(t.encode(Span<const float>(mel.data(), mel.size())));
  EA_RETURN_IF_ERROR(t.decode_window(false, Span<int32_t>(tokens.data(), tokens.size()), &n));
  tokens.resize(n);

  SessionOptions so;
  so.threads = o.threads;
  so.kernels = o.kernels;
  so.kv_dtype = o.kv_dtype;
  so.profile = true;
  so.method = "decode";
  so.max_seq = static_cast<int>(info.decoding.start_ids.size()) + 1;
  so.max_context = info.decoding.max_length;
  EA_ASSIGN_OR_RETURN(std::unique_ptr<Session> decoder, Session::create(model, so));
  const float* inputs[] = {mel.data()};
  InvokeInput in;
  in.float_inputs = Span<const float* const>(inputs, 1);
  for (int i = 0; i < kWarmups + o.runs; ++i) {
    if (i == kWarmups) {  // the warm-up is not in the profile
      encoder.reset_profile();
      decoder->reset_profile();
    }
    EA_RETURN_IF_ERROR(encoder.invoke(in));
    EA_RETURN_IF_ERROR(replay_decode(*decoder, info, encoder.output(0).f32(), tokens));
  }
  add_profile(encoder, "encode", o.runs, report);
  add_profile(*decoder, "decode", o.runs, report);
  return Status::ok();
}

}  // namespace

int run_transcribe(const Model& model, const TranscribeBenchOptions& o, BenchReport* r) {
  TranscribeResult& tr = r->transcribe;
  std::vector<float> samples;
  uint32_t rate = 0;
  if (Status s = load_clip(o.wav, o.repeat, &samples, &rate); !s.is_ok()) return fail("read WAV", s);
  TranscriberOptions to;
  to.threads = o.threads;
  to.kernels = o.kernels;
  to.kv_dtype = o.kv_dtype;
  to.max_audio_seconds = static_cast<double>(samples.size()) / rate + 1.0;
  to.max_sample_rate = std::max(rate, kSpeechRate);
  std::fill(std::begin(to.sample_rates), std::end(to.sample_rates), 0u);
  to.sample_rates[0] = rate;  // the only rate fed: no resampler built inside the timed rounds
  const auto t_prepare = cli::Clock::now();
  Result<std::unique_ptr<Transcriber>> created = Transcriber::create(model, to);
  if (!created.is_ok()) return fail("prepare (Transcriber::create)", created.status());
  r->prepare_ms = cli::ms_since(t_prepare);
  Transcriber& t = **created;
  r->memory = t.encoder_memory();
  tr.decoder_memory = t.decoder_memory();
  tr.wav = o.wav;
  tr.repeat = o.repeat;
  r->runs = o.runs;
  r->warmups = kWarmups;
  r->input_ids = "speech: the WAV tiled --repeat times; greedy, no timestamps";
  r->has_transcribe = true;
  if (Status s = time_rounds(t, samples, rate, o.runs, &tr); !s.is_ok()) return fail("transcribe", s);
  summarize_rounds(&tr);

  // After the timed rounds: an "encode" session names the kernel table (the
  // Transcriber does not expose its sessions) and, with --profile, is timed.
  SessionOptions so;
  so.threads = o.threads;
  so.kernels = o.kernels;
  so.profile = o.profile;
  so.method = "encode";
  Result<std::unique_ptr<Session>> encoder = Session::create(model, so);
  if (!encoder.is_ok()) return fail("prepare (encode session)", encoder.status());
  r->kernels = (*encoder)->kernel_name();
  if (!o.profile) return 0;
  if (rate != kSpeechRate) {
    std::fprintf(stderr, "edgeattn-bench: --profile needs a 16-kHz WAV (got %u Hz)\n", rate);
    return 1;
  }
  if (Status s = profile_window(model, **encoder, t, samples, o, r); !s.is_ok()) return fail("profile", s);
  return 0;
}

}  // namespace bench
}  // namespace edgeattn
