#include "bench/bench_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

namespace edgeattn {
namespace bench {

namespace {

double mib(size_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }

// JSON string literal (quotes included); control characters are \u-escaped.
void json_string(std::FILE* out, const std::string& s) {
  std::fputc('"', out);
  for (char c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      std::fputc('\\', out);
      std::fputc(c, out);
    } else if (u < 0x20) {
      std::fprintf(out, "\\u%04x", u);
    } else {
      std::fputc(c, out);
    }
  }
  std::fputc('"', out);
}

// JSON has no NaN/Inf: those become null.
void json_number(std::FILE* out, double v) {
  if (std::isfinite(v)) {
    std::fprintf(out, "%.4f", v);
  } else {
    std::fputs("null", out);
  }
}

void json_latency(std::FILE* out, const LatencyStats& l) {
  std::fputs("{\"median_ms\": ", out);
  json_number(out, l.median_ms);
  std::fputs(", \"p90_ms\": ", out);
  json_number(out, l.p90_ms);
  std::fputs(", \"min_ms\": ", out);
  json_number(out, l.min_ms);
  std::fprintf(out, ", \"runs\": %d}", l.runs);
}

void text_transcribe(std::FILE* out, const TranscribeResult& t, int warmups) {
  std::fprintf(out, "audio          %s x %d = %.2f s, %d window(s)\n", t.wav.c_str(), t.repeat, t.audio_seconds,
               t.windows);
  std::fprintf(out, "transcribe(), %d warm-up(s) + %zu rounds:  %12s %12s %12s\n", warmups, t.rounds.size(),
               "median ms", "p90 ms", "min ms");
  const std::pair<const char*, const LatencyStats*> rows[] = {
      {"frontend", &t.frontend}, {"encoder", &t.encoder}, {"decoder", &t.decoder}, {"total", &t.total}};
  for (const auto& [name, l] : rows) {
    std::fprintf(out, "  %-36s %12.3f %12.3f %12.3f\n", name, l->median_ms, l->p90_ms, l->min_ms);
  }
  std::fprintf(out, "  decoder tokens %d, %.1f tokens/s; real-time factor %.4f\n", t.decoder_tokens,
               t.decoder_tokens_per_s, t.real_time_factor);
  std::fprintf(out, "  decoder arena %.2f MiB (KV cache %.2f MiB)\n", mib(t.decoder_memory.arena_bytes),
               mib(t.decoder_memory.kv_cache_bytes));
  std::fprintf(out, "text           %s\n", t.text.c_str());
}

void json_transcribe(std::FILE* out, const TranscribeResult& t) {
  std::fputs(", \"transcribe\": {\"wav\": ", out);
  json_string(out, t.wav);
  std::fprintf(out, ", \"repeat\": %d, \"audio_seconds\": ", t.repeat);
  json_number(out, t.audio_seconds);
  std::fprintf(out, ", \"windows\": %d, \"decoder_tokens\": %d", t.windows, t.decoder_tokens);
  const std::pair<const char*, const LatencyStats*> stats[] = {
      {"frontend", &t.frontend}, {"encoder", &t.encoder}, {"decoder", &t.decoder}, {"total", &t.total}};
  for (const auto& [name, l] : stats) {
    std::fprintf(out, ", \"%s\": ", name);
    json_latency(out, *l);
  }
  std::fputs(", \"decoder_tokens_per_s\": ", out);
  json_number(out, t.decoder_tokens_per_s);
  std::fputs(", \"real_time_factor\": ", out);
  json_number(out, t.real_time_factor);
  std::fprintf(out, ", \"decoder_arena_bytes\": %zu, \"decoder_xnnpack_bytes\": %zu", t.decoder_memory.arena_bytes,
               t.decoder_memory.xnnpack_bytes);
  // Every round's raw times, so a driver can pool rounds of several processes.
  std::fputs(", \"rounds\": [", out);
  for (size_t i = 0; i < t.rounds.size(); ++i) {
    const TranscribeStats& r = t.rounds[i];
    std::fprintf(out, "%s{\"frontend_ms\": %.4f, \"encoder_ms\": %.4f, \"decoder_ms\": %.4f, \"total_ms\": %.4f}",
                 i ? ", " : "", r.frontend_ms, r.encoder_ms, r.decoder_ms, r.total_ms);
  }
  std::fputs("], \"text\": ", out);
  json_string(out, t.text);
  std::fputc('}', out);
}

}  // namespace

std::vector<std::pair<std::string, uint64_t>> profile_by_kind(const Session& session) {
  const auto times = session.op_times_ns();
  std::vector<std::pair<std::string, uint64_t>> by_kind;
  for (size_t i = 0; i < times.size(); ++i) {
    const char* kind = session.op_kind(i);
    auto it = std::find_if(by_kind.begin(), by_kind.end(),
                           [kind](const std::pair<std::string, uint64_t>& e) { return e.first == kind; });
    if (it == by_kind.end()) {
      by_kind.emplace_back(kind, times[i]);
    } else {
      it->second += times[i];
    }
  }
  return by_kind;
}

void print_op_profile(const Session& s, const char* label, int runs, size_t slowest) {
  const Span<const uint64_t> times = s.op_times_ns();
  uint64_t total = 0;
  for (uint64_t t : times) total += t;
  std::fprintf(stderr, "profile %s (ms per run over %d runs; %.2f ms in ops):\n", label, runs, total / 1e6 / runs);
  for (const auto& [kind, ns] : profile_by_kind(s)) {
    std::fprintf(stderr, "  %-20s %9.2f ms %5.1f%%\n", kind.c_str(), ns / 1e6 / runs, total ? 100.0 * ns / total : 0.0);
  }
  std::vector<size_t> order(times.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return times[a] > times[b]; });
  for (size_t k = 0; k < std::min(slowest, order.size()); ++k) {
    const size_t i = order[k];
    std::fprintf(stderr, "    #%-4zu %-16s %-40s %8.2f ms\n", i, s.op_kind(i), s.op_name(i), times[i] / 1e6 / runs);
  }
}

LatencyStats summarize(std::vector<double> samples_ms) {
  LatencyStats s;
  s.runs = static_cast<int>(samples_ms.size());
  if (samples_ms.empty()) return s;
  std::sort(samples_ms.begin(), samples_ms.end());
  const size_t n = samples_ms.size();
  s.min_ms = samples_ms.front();
  const size_t rank90 = (9 * n + 9) / 10;  // ceil(0.9 n), >= 1
  s.p90_ms = samples_ms[std::min(n, rank90) - 1];
  s.median_ms = n % 2 == 1 ? samples_ms[n / 2] : 0.5 * (samples_ms[n / 2 - 1] + samples_ms[n / 2]);
  return s;
}

void print_text(std::FILE* out, const BenchReport& r) {
  const MemoryStats& m = r.memory;
  std::fprintf(out, "model          %s (%s, %.2f MiB file)\n", r.model_path.c_str(), r.architecture.c_str(),
               mib(r.file_bytes));
  std::fprintf(out, "kernels        %s, threads %d, KV %s\n", r.kernels.c_str(), r.threads, r.kv_dtype.c_str());
  if (r.loadavg_1m >= 0.0) {
    std::fprintf(out, "host           %d online CPUs, load average %.2f before the runs%s\n", r.online_cpus,
                 r.loadavg_1m,
                 r.online_cpus > 0 && r.loadavg_1m > r.online_cpus ? " (busy host: latencies are inflated)" : "");
  }
  if (r.has_transcribe) {
    std::fprintf(out, "session        Transcriber: \"encode\" + \"decode\" (memory below: the encoder's)\n");
  } else if (r.has_decoder) {
    std::fprintf(out, "session        max_batch %d, max_seq %d, max_context %d\n", r.max_batch, r.max_seq,
                 r.max_context);
  } else {
    std::fprintf(out, "session        max_batch %d, max_seq %d\n", r.max_batch, r.max_seq);
  }
  std::fprintf(out, "input ids      %s\n", r.input_ids.c_str());
  std::fprintf(out, "load           %9.2f ms  (Model::load_file: map + verify)\n", r.load_ms);
  std::fprintf(out, "prepare        %9.2f ms  (Session::create: plan, arena, XNNPACK, threads)\n", r.prepare_ms);
  std::fprintf(out, "weights        %9.2f MiB (%zu bytes, mapped)\n", mib(m.weight_bytes), m.weight_bytes);
  std::fprintf(out, "arena          %9.2f MiB (%zu bytes)\n", mib(m.arena_bytes), m.arena_bytes);
  std::fprintf(out, "  activations  %9.2f MiB (%zu bytes; %.2f MiB without reuse)\n", mib(m.activation_bytes),
               m.activation_bytes, mib(m.naive_activation_bytes));
  std::fprintf(out, "  KV cache     %9.2f MiB (%zu bytes)\n", mib(m.kv_cache_bytes), m.kv_cache_bytes);
  std::fprintf(out, "  packed W     %9.2f MiB (%zu bytes; f32 weights of the table's own GEMM)\n",
               mib(m.packed_weight_bytes), m.packed_weight_bytes);
  std::fprintf(out, "XNNPACK packed %9.2f MiB (%zu bytes)\n", mib(m.xnnpack_bytes), m.xnnpack_bytes);
  std::fprintf(out, "peak RSS       %9.2f MiB (%zu bytes, after the runs)\n", mib(r.peak_rss_bytes),
               r.peak_rss_bytes);
  if (!r.encoder.empty()) {
    std::fprintf(out, "encoder latency, one invoke(), %d warm-ups + %d runs:\n", r.warmups, r.runs);
    std::fprintf(out, "  %-6s %-6s %12s %12s %12s %14s %12s\n", "batch", "seq", "median ms", "p90 ms", "min ms",
                 "tokens/s", "seqs/s");
    for (const EncoderCase& c : r.encoder) {
      std::fprintf(out, "  %-6d %-6d %12.3f %12.3f %12.3f %14.1f %12.1f\n", c.batch, c.seq, c.latency.median_ms,
                   c.latency.p90_ms, c.latency.min_ms, c.tokens_per_s, c.sequences_per_s);
    }
  }
  if (r.has_decoder) {
    const DecoderResult& d = r.decoder;
    std::fprintf(out, "decoder, median over %d repetitions (after %d warm-up):\n", d.repetitions, r.warmups);
    std::fprintf(out, "  prefill      %5d tokens  %10.3f ms (min %.3f)  %10.1f tokens/s\n", d.prompt_tokens,
                 d.prefill.median_ms, d.prefill.min_ms, d.prefill_tokens_per_s);
    std::fprintf(out, "  decode       %5d steps   %10.3f ms (min %.3f)  %10.1f tokens/s  (%.3f ms/token)\n",
                 d.decode_steps, d.decode_total.median_ms, d.decode_total.min_ms, d.decode_tokens_per_s,
                 d.decode_ms_per_token);
  }
  if (r.has_transcribe) text_transcribe(out, r.transcribe, r.warmups);
}

void print_json(std::FILE* out, const BenchReport& r) {
  const MemoryStats& m = r.memory;
  std::fputs("{\"model\": ", out);
  json_string(out, r.model_path);
  std::fputs(", \"architecture\": ", out);
  json_string(out, r.architecture);
  std::fputs(", \"kernels\": ", out);
  json_string(out, r.kernels);
  std::fputs(", \"kv_dtype\": ", out);
  json_string(out, r.kv_dtype);
  std::fprintf(out, ", \"threads\": %d, \"runs\": %d, \"warmups\": %d", r.threads, r.runs, r.warmups);
  std::fprintf(out, ", \"max_batch\": %d, \"max_seq\": %d, \"max_context\": %d", r.max_batch, r.max_seq,
               r.max_context);
  std::fputs(", \"input_ids\": ", out);
  json_string(out, r.input_ids);
  std::fprintf(out, ", \"online_cpus\": %d, \"loadavg_1m\": ", r.online_cpus);
  json_number(out, r.loadavg_1m >= 0.0 ? r.loadavg_1m : std::nan(""));
  std::fprintf(out, ", \"file_bytes\": %zu", r.file_bytes);
  std::fputs(", \"load_ms\": ", out);
  json_number(out, r.load_ms);
  std::fputs(", \"prepare_ms\": ", out);
  json_number(out, r.prepare_ms);
  std::fprintf(out,
               ", \"weight_bytes\": %zu, \"arena_bytes\": %zu, \"activation_bytes\": %zu"
               ", \"naive_activation_bytes\": %zu, \"persistent_bytes\": %zu, \"kv_cache_bytes\": %zu"
               ", \"xnnpack_bytes\": %zu, \"peak_rss_bytes\": %zu",
               m.weight_bytes, m.arena_bytes, m.activation_bytes, m.naive_activation_bytes, m.persistent_bytes,
               m.kv_cache_bytes, m.xnnpack_bytes, r.peak_rss_bytes);
  if (!r.encoder.empty()) {
    std::fputs(", \"encoder\": [", out);
    for (size_t i = 0; i < r.encoder.size(); ++i) {
      const EncoderCase& c = r.encoder[i];
      std::fputs(i ? ", {\"name\": " : "{\"name\": ", out);
      json_string(out, c.name);
      std::fprintf(out, ", \"batch\": %d, \"seq\": %d, \"latency\": ", c.batch, c.seq);
      json_latency(out, c.latency);
      std::fputs(", \"tokens_per_s\": ", out);
      json_number(out, c.tokens_per_s);
      std::fputs(", \"sequences_per_s\": ", out);
      json_number(out, c.sequences_per_s);
      std::fputc('}', out);
    }
    std::fputc(']', out);
  }
  if (r.has_decoder) {
    const DecoderResult& d = r.decoder;
    std::fprintf(out, ", \"decoder\": {\"prompt_tokens\": %d, \"decode_steps\": %d, \"repetitions\": %d",
                 d.prompt_tokens, d.decode_steps, d.repetitions);
    std::fputs(", \"prefill\": ", out);
    json_latency(out, d.prefill);
    std::fputs(", \"prefill_tokens_per_s\": ", out);
    json_number(out, d.prefill_tokens_per_s);
    std::fputs(", \"decode_total\": ", out);
    json_latency(out, d.decode_total);
    std::fputs(", \"decode_tokens_per_s\": ", out);
    json_number(out, d.decode_tokens_per_s);
    std::fputs(", \"decode_ms_per_token\": ", out);
    json_number(out, d.decode_ms_per_token);
    std::fputc('}', out);
  }
  if (r.has_transcribe) json_transcribe(out, r.transcribe);
  if (!r.profile_ms.empty()) {
    std::fputs(", \"profile_ms\": {", out);
    for (size_t i = 0; i < r.profile_ms.size(); ++i) {
      if (i) std::fputs(", ", out);
      json_string(out, r.profile_ms[i].first);
      std::fputs(": ", out);
      json_number(out, r.profile_ms[i].second);
    }
    std::fputc('}', out);
  }
  std::fputs("}\n", out);
}

std::string json_quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char esc[8];
      std::snprintf(esc, sizeof(esc), "\\u%04x", c);
      out += esc;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

void print_latency(const char* name, const LatencyStats& s, bool json, bool last) {
  if (json) {
    std::printf("  \"%s\": {\"median_ms\": %.3f, \"p90_ms\": %.3f, \"min_ms\": %.3f}%s\n", name, s.median_ms, s.p90_ms,
                s.min_ms, last ? "" : ",");
  } else {
    std::printf("  %-9s median %8.2f ms  p90 %8.2f ms  min %8.2f ms\n", name, s.median_ms, s.p90_ms, s.min_ms);
  }
}

}  // namespace bench
}  // namespace edgeattn
