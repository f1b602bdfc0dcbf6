// edgeattn-demo: the on-device binary. See usage() or `edgeattn-demo --help`.
//
// stdout carries only the product (generated text, embeddings, rankings);
// statistics and diagnostics go to stderr. Exit codes: 0 ok, 1 a failure
// while running, 2 a usage error (bad flag, wrong path, wrong kind of model).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "demo/demo_common.h"
#include "runtime/platform.h"

namespace edgeattn::demo {
namespace {

const char* const kUsage =
    "usage: edgeattn-demo MODEL.eatn VERB [options]\n"
    "       edgeattn-demo VERB --help\n"
    "\n"
    "verbs:\n"
    "  generate   continue a prompt (decoder models), streaming text to stdout\n"
    "  chat       interactive: each stdin line is a turn; the KV cache is kept between turns\n"
    "  embed      sentence embeddings (encoder models); --query ranks texts by similarity\n"
    "  transcribe speech to text (Whisper models) from a WAV file or stdin\n"
    "  translate  text to text (Marian / Bergamot translation models)\n"
    "  ocr        the lines of text in an image (RapidOCR's PP-OCR models)\n"
    "  image      an image model's outputs for one image; a classifier's top classes\n"
    "  clip       an image model's outputs for a clip of frames (one image per frame)\n";

const char* const kGenerateHelp =
    "usage: edgeattn-demo MODEL generate [--prompt TEXT] [options]\n"
    "  Continues TEXT (or stdin when --prompt is absent and stdin is not a terminal) and\n"
    "  streams the text to stdout, then one newline. One statistics line goes to stderr.\n"
    "  --prompt TEXT         text to continue (default: empty, i.e. start from BOS)\n"
    "  --max-tokens N        tokens to generate (default 256)\n"
    "  --temperature T       0 = greedy (default 0)\n"
    "  --top-k K             sample among the K most likely tokens (default 0 = off)\n"
    "  --top-p P             nucleus sampling (default 1 = off)\n"
    "  --repeat-penalty R    > 1 discourages recently used tokens (default 1 = off)\n"
    "  --repeat-window N     tokens the penalty looks back over (default 64)\n"
    "  --seed S              RNG seed; the same seed repeats a run (default 42)\n"
    "  --context N           context length (default prompt + max tokens, capped by the model)\n"
    "  --slide               when the context is full, drop the oldest half and continue\n"
    "  --kv-dtype D          KV cache storage: fp32 (default), fp16 or int8 (one scale per row)\n"
    "  --threads N           worker threads (default 1; 0 = every online CPU)\n"
    "  --kernels NAME        kernel table instead of the best for this CPU; 'reference' gives\n"
    "                        the same output bits on every architecture (slow; targets/README.md)\n";

const char* const kChatHelp =
    "usage: edgeattn-demo MODEL chat [options]\n"
    "  Reads one turn per stdin line, appends it to the conversation (the KV cache is kept),\n"
    "  generates a reply on stdout and a '[turn N: ...]' line on stderr. The context slides\n"
    "  when full. A model whose file has a chat template (ChatML, e.g. SmolLM2) gets each\n"
    "  line as a user message in that form, and --system TEXT replaces the template's\n"
    "  default system message. Options as for generate: --max-tokens (per reply, default 256),\n"
    "  --temperature, --top-k, --top-p, --repeat-penalty, --seed, --context, --threads, --kernels.\n";

const char* const kEmbedHelp =
    "usage: edgeattn-demo MODEL embed TEXT [TEXT ...] [--query Q] [--threads N] [--kernels NAME]\n"
    "  Without --query: one embedding per line on stdout (space-separated floats) and,\n"
    "  for two or more texts, their cosine similarity matrix on stderr.\n"
    "  With --query Q: the texts ranked by cosine similarity to Q, best first,\n"
    "  one 'score  text' line each. One statistics line goes to stderr.\n";

const char* const kTranscribeHelp =
    "usage: edgeattn-demo MODEL transcribe FILE.wav|- [--timestamps] [--threads N] [--kernels NAME]\n"
    "                                      [--kv-dtype D]\n"
    "  Transcribes a WAV file (PCM 8/16/24/32-bit or float, any rate and channel count, up to\n"
    "  3 hours; '-' reads it from stdin) with a speech model such as Whisper: the transcript\n"
    "  on stdout as one line, and one statistics line on stderr. A malformed or unreadable\n"
    "  file gives one line on stderr and exit 2.\n"
    "  --timestamps          one segment per line, '[MM:SS.mmm --> MM:SS.mmm]  text'\n"
    "  --threads, --kernels, --kv-dtype  as for generate\n";

const char* const kTranslateHelp =
    "usage: edgeattn-demo MODEL translate [TEXT ...] [--no-shortlist] [--no-split] [--threads N]\n"
    "                                     [--kernels NAME] [--kv-dtype D]\n"
    "  Translates each TEXT (or, without any, each stdin line) with a translation model such as\n"
    "  Firefox's Bergamot en-pt: one translation per line on stdout, one statistics line on\n"
    "  stderr. A text that is empty, not valid UTF-8, or has a sentence too long gives one line\n"
    "  on stderr and exit 2.\n"
    "  --no-shortlist        compute the output layer over the whole vocabulary\n"
    "  --no-split            translate each text as one sentence\n"
    "  --threads, --kernels, --kv-dtype  as for generate (kv-dtype: the cross-attention K/V)\n";

const char* const kOcrHelp =
    "usage: edgeattn-demo MODEL ocr IMAGE [--boxes] [--threads N] [--max-side N] [--kernels NAME]\n"
    "  Reads the text in IMAGE (PNG, JPEG or BMP; 8 or 16 bits; gray, RGB or RGBA) with a text-reading\n"
    "  model (RapidOCR's detector, classifier and recognizer converted by edgeattn-convert): the lines\n"
    "  on stdout top to bottom, one per line, and one statistics line on stderr. An unreadable,\n"
    "  truncated or corrupt image, or one larger than 20000 pixels a side or 100 million pixels,\n"
    "  gives one line on stderr and exit 2.\n"
    "  --boxes               precede each line with its corners and confidence:\n"
    "                        'x0,y0 x1,y1 x2,y2 x3,y3 confidence text' (image pixels, clockwise from top-left)\n"
    "  --max-side N          the detector's largest side, a multiple of 32 (default 960); larger\n"
    "                        images are scaled down to it\n"
    "  --threads, --kernels  as for generate\n";

const char* const kImageHelp =
    "usage: edgeattn-demo MODEL image IMAGE [--top K] [--npy OUT.npy] [--png OUT.png] [--threads N] [--kernels NAME]\n"
    "  Runs an image model (converted from ONNX with edgeattn-convert --image-size ... --image-mean ...\n"
    "  --image-std ... [--labels FILE]) on IMAGE (PNG, JPEG or BMP), preprocessed as the model file says\n"
    "  (resize, gray, mean / std). stdout: one 'output N 'NAME' [shape]' line per output and, for a\n"
    "  classifier (first output [1, n]), the K most probable classes, 'probability  label', best first\n"
    "  (probabilities by softmax of the scores). One statistics line goes to stderr. An unreadable\n"
    "  image or a model without image preprocessing gives one line on stderr and exit 2.\n"
    "  --top K               classes printed (default 5)\n"
    "  --npy OUT.npy         write the first output as float32 .npy (C order, its shape; 4-D outputs NHWC)\n"
    "  --png OUT.png         when the first output is a map [1, h, w, 1] or [1, 1, h, w]: the image with\n"
    "                        the map drawn over it in red (values outside [0, 1] go through a sigmoid)\n"
    "  --threads, --kernels  as for generate\n";

const char* const kClipHelp =
    "usage: edgeattn-demo MODEL clip IMAGE1 IMAGE2 ... [--top K] [--npy OUT.npy] [--png OUT.png] [--threads N]\n"
    "  As 'image', for a model that takes a clip of T frames (edgeattn-convert --image-frames T): exactly\n"
    "  T images, the first frame first, each preprocessed as the model says and stacked along the\n"
    "  channel axis. --png draws the map over the last frame. Another number of images gives one line\n"
    "  on stderr and exit 2.\n";

const char* help_for(const std::string& verb) {
  if (verb == "generate") return kGenerateHelp;
  if (verb == "chat") return kChatHelp;
  if (verb == "embed") return kEmbedHelp;
  if (verb == "transcribe") return kTranscribeHelp;
  if (verb == "translate") return kTranslateHelp;
  if (verb == "ocr") return kOcrHelp;
  if (verb == "image") return kImageHelp;
  if (verb == "clip") return kClipHelp;
  return nullptr;
}

bool parse_number(const char* flag, const char* text, double lo, double hi, double* out) {
  return cli::parse_double("edgeattn-demo", flag, text, lo, hi, out);
}


// --kernels' value, checked now so a wrong name is a usage error before the
// model loads. False (and a message) for a name no table has.
bool parse_kernels(const char* name, const char** out) {
  *out = name;
  const Status known = check_kernels_name(name);
  if (!known.is_ok()) {
    std::fprintf(stderr, "edgeattn-demo: --kernels: %s\n", known.message());
    return false;
  }
  return true;
}

// Parses options after the verb. False (and a message) on a usage error.
bool parse_options(int argc, char** argv, int first, DemoArgs* a) {
  for (int i = first; i < argc; ++i) {
    const std::string s = argv[i];
    const bool has_value = i + 1 < argc;
    double v = 0;
    auto number = [&](const char* flag, double lo, double hi) {
      if (!has_value) {
        std::fprintf(stderr, "edgeattn-demo: %s needs a value\n", flag);
        return false;
      }
      return parse_number(flag, argv[++i], lo, hi, &v);
    };
    if (s == "--prompt" || s == "--query" || s == "--system") {
      if (!has_value) {
        std::fprintf(stderr, "edgeattn-demo: %s needs a value\n", s.c_str());
        return false;
      }
      (s == "--prompt" ? a->prompt : s == "--query" ? a->query : a->system) = argv[++i];
      a->has_prompt |= s == "--prompt";
    } else if (s == "--max-tokens") {
      if (!number("--max-tokens", 1, 1 << 20)) return false;
      a->max_tokens = static_cast<int>(v);
    } else if (s == "--temperature") {
      if (!number("--temperature", 0, 100)) return false;
      a->sampling.temperature = static_cast<float>(v);
    } else if (s == "--top-k") {
      if (!number("--top-k", 0, 1 << 24)) return false;
      a->sampling.top_k = static_cast<int>(v);
    } else if (s == "--top-p") {
      if (!number("--top-p", 0, 1)) return false;
      a->sampling.top_p = static_cast<float>(v);
    } else if (s == "--repeat-penalty") {
      if (!number("--repeat-penalty", 0.01, 100)) return false;
      a->sampling.repetition_penalty = static_cast<float>(v);
    } else if (s == "--repeat-window") {
      if (!number("--repeat-window", 1, 1 << 16)) return false;
      a->sampling.penalty_window = static_cast<int>(v);
    } else if (s == "--seed") {
      if (!has_value) return false;
      char* end = nullptr;
      a->sampling.seed = std::strtoull(argv[++i], &end, 10);
      if (*end != '\0') {
        std::fprintf(stderr, "edgeattn-demo: --seed expects an integer, got '%s'\n", argv[i]);
        return false;
      }
    } else if (s == "--threads") {
      if (!number("--threads", 0, 256)) return false;
      a->threads = static_cast<int>(v);
    } else if (s == "--context") {
      if (!number("--context", 2, 1 << 20)) return false;
      a->context = static_cast<int>(v);
    } else if (s == "--kv-dtype") {
      if (!has_value || !cli::parse_kv_dtype("edgeattn-demo", argv[++i], &a->kv_dtype)) return false;
    } else if (s == "--kernels") {
      if (!has_value || !parse_kernels(argv[++i], &a->kernels)) return false;
    } else if (s == "--slide") {
      a->slide = true;
    } else if (s == "--timestamps") {
      a->timestamps = true;
    } else if (s == "--no-shortlist") {
      a->no_shortlist = true;
    } else if (s == "--no-split") {
      a->no_split = true;
    } else if (s == "--boxes") {
      a->boxes = true;
    } else if (s == "--top") {
      if (!number("--top", 1, 1 << 20)) return false;
      a->top = static_cast<int>(v);
    } else if (s == "--npy" || s == "--png") {
      if (!has_value) {
        std::fprintf(stderr, "edgeattn-demo: %s needs a file name\n", s.c_str());
        return false;
      }
      (s == "--npy" ? a->npy : a->png) = argv[++i];
    } else if (s == "--max-side") {
      if (!number("--max-side", 32, 4096)) return false;
      a->max_side = static_cast<int>(v);
      if (a->max_side != v || a->max_side % 32 != 0) {
        std::fprintf(stderr, "edgeattn-demo: --max-side expects a multiple of 32, got '%s'\n", argv[i]);
        return false;
      }
    } else if (s.size() > 1 && s[0] == '-') {
      std::fprintf(stderr, "edgeattn-demo: unknown option '%s'\n", s.c_str());
      return false;
    } else {
      a->texts.push_back(s);
    }
  }
  return true;
}

}  // namespace

double mib(size_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }

int fail(const char* what, const Status& s) { return cli::fail("edgeattn-demo", what, s, kExitFailure); }

void print_stats(const DemoArgs& args, const Session& session, size_t prefill_tokens, double prefill_ms,
                 size_t decode_steps, double decode_ms) {
  const MemoryStats& m = session.memory();
  std::fprintf(stderr,
               "stats: load %.1f ms | prefill %zu tok %.1f tok/s | decode %zu tok %.1f tok/s | weights %.2f MiB | "
               "arena %.2f MiB (KV %.2f MiB) | XNNPACK packed %.2f MiB | peak RSS %.2f MiB | kernels %s x%d\n",
               args.load_ms, prefill_tokens, prefill_ms > 0 ? 1000.0 * prefill_tokens / prefill_ms : 0.0,
               decode_steps, decode_ms > 0 ? 1000.0 * decode_steps / decode_ms : 0.0, mib(m.weight_bytes),
               mib(m.arena_bytes), mib(m.kv_cache_bytes), mib(m.xnnpack_bytes), mib(peak_rss_bytes()),
               session.kernel_name(), args.threads);
}

void print_embed_stats(const DemoArgs& args, const Session& session, const EmbedStats& stats) {
  const MemoryStats& m = session.memory();
  // tok/s counts the texts' own tokens: padding is work the batch shape
  // imposes, not throughput a caller gets.
  std::fprintf(stderr,
               "stats: load %.1f ms | embed %zu texts, %zu tok (%zu padded) in %.2f ms, %.1f tok/s | weights %.2f MiB | "
               "arena %.2f MiB | XNNPACK packed %.2f MiB | peak RSS %.2f MiB | kernels %s x%d\n",
               args.load_ms, stats.texts, stats.tokens, stats.padded_tokens, stats.invoke_ms,
               stats.invoke_ms > 0 ? 1000.0 * static_cast<double>(stats.tokens) / stats.invoke_ms : 0.0,
               mib(m.weight_bytes), mib(m.arena_bytes), mib(m.xnnpack_bytes), mib(peak_rss_bytes()),
               session.kernel_name(), args.threads);
}

}  // namespace edgeattn::demo

int main(int argc, char** argv) {
  using namespace edgeattn::demo;
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0 ||
      std::strcmp(argv[1], "help") == 0) {
    const char* verb_help = argc >= 3 ? help_for(argv[2]) : nullptr;
    std::fputs(verb_help ? verb_help : kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? kExitUsage : 0;
  }
  if (const char* verb_help = help_for(argv[1])) {  // `edgeattn-demo VERB --help`
    std::fputs(verb_help, stdout);
    return 0;
  }
  if (argc < 3) {
    std::fprintf(stderr,
                 "edgeattn-demo: missing verb after '%s' (generate, chat, embed, transcribe, translate, ocr, image, "
                 "clip)\n",
                 argv[1]);
    return kExitUsage;
  }
  const std::string verb = argv[2];
  const char* verb_help = help_for(verb);
  if (verb_help == nullptr) {
    std::fprintf(stderr,
                 "edgeattn-demo: unknown verb '%s' (generate, chat, embed, transcribe, translate, ocr, image, clip)\n",
                 verb.c_str());
    return kExitUsage;
  }
  for (int i = 3; i < argc; ++i) {
    if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      std::fputs(verb_help, stdout);
      return 0;
    }
  }
  DemoArgs args;
  if (!parse_options(argc, argv, 3, &args)) {
    std::fprintf(stderr, "see 'edgeattn-demo %s --help'\n", verb.c_str());
    return kExitUsage;
  }
  const auto t_load = Clock::now();
  edgeattn::Result<std::unique_ptr<edgeattn::Model>> model = edgeattn::Model::load_file(argv[1]);
  if (!model.is_ok()) {
    std::fprintf(stderr, "edgeattn-demo: %s\n", model.status().message());
    return kExitUsage;
  }
  args.load_ms = ms_since(t_load);
  if (verb == "generate") return run_generate(**model, args);
  if (verb == "chat") return run_chat(**model, args);
  if (verb == "transcribe") return run_transcribe(**model, args);
  if (verb == "translate") return run_translate(**model, args);
  if (verb == "ocr") return run_ocr(**model, args);
  if (verb == "image") return run_image(**model, args);
  if (verb == "clip") return run_clip(**model, args);
  return run_embed(**model, args);
}
