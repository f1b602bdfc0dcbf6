// edgeattn-demo transcribe, driven as a user would: Whisper tiny.en
// converted by edgeattn-convert, beckett.wav from a file and from stdin, with
// and without --timestamps, and every kind of bad input (issue #14's list:
// one line on stderr, exit 2, never a crash).
//
// Under qemu (quick mode, targets/cross-test.sh) only the first case runs:
// one fp32 transcription of beckett.wav, the cross-architecture check;
// every other case is host-side argument and output handling.
#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/runtime/audio/audio_test_util.h"
#include "tests/support/model_gate.h"
#include "tests/support/model_paths.h"
#include "tests/support/process.h"

EDGEATTN_TEST_MODELS(kWhisperTinyEnCt2, kWhisperAudio, kStories260K);

namespace edgeattn {
namespace {

using testing::q;
using testing::require_model;
using testing::run;
using testing::Run;
using testing::temp_dir;
using testing::tool_path;

// Whisper tiny.en converted (fp32) once for this binary.
std::string whisper_model() {
  static const std::string path =
      testing::convert_with_tool(q(require_model("whisper-tiny.en-ct2")), "demo_transcribe_whisper");
  return path;
}

std::string transcribe(const std::string& args) {
  return tool_path("edgeattn-demo") + " " + q(whisper_model()) + " transcribe " + args;
}

bool skipped_in_quick_mode() {
  if (!testing::quick_mode()) return false;
  MESSAGE("quick mode (qemu): only the fp32 beckett.wav transcript runs");
  return true;
}

// The number of lines of `text` (each ending in '\n').
size_t line_count(const std::string& text) {
  size_t n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

TEST_CASE("transcribe prints beckett.wav's transcript exactly, on one line; the stats go to stderr") {
  Run r = run(transcribe(q(require_model("whisper/beckett.wav"))));
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.out == std::string(testing::kBeckettTranscript) + "\n");
  CAPTURE(r.err);
  REQUIRE(r.err.rfind("stats: ", 0) == 0);
  CHECK(line_count(r.err) == 1);
  for (const char* field : {"audio 9.96 s", "RTF ", "encoder ", "(1 window)", " tok/s", "arena ", "KV ", "sequence ",
                            "buffers ", "peak RSS "}) {
    CHECK_MESSAGE(r.err.find(field) != std::string::npos, field);
  }
}

TEST_CASE("transcribe - reads the WAV file from stdin") {
  if (skipped_in_quick_mode()) return;
  Run r = run(transcribe("- < " + q(require_model("whisper/beckett.wav"))));
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.out == std::string(testing::kBeckettTranscript) + "\n");
}

TEST_CASE("transcribe --timestamps prints openai-whisper's segment lines with increasing times") {
  if (skipped_in_quick_mode()) return;
  Run r = run(transcribe("--timestamps " + q(require_model("whisper/beckett.wav"))));
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CAPTURE(r.out);
  std::istringstream lines(r.out);
  std::string line, text;
  double last_start = -1, last_end = 0;
  int segments = 0;
  while (std::getline(lines, line)) {
    // "[00:00.000 --> 00:03.000]" (25 characters), a space, the text with its own leading space.
    unsigned m0, s0, ms0, m1, s1, ms1;
    REQUIRE(std::sscanf(line.c_str(), "[%2u:%2u.%3u --> %2u:%2u.%3u]", &m0, &s0, &ms0, &m1, &s1, &ms1) == 6);
    REQUIRE(line.size() > 27);
    CHECK(line.compare(24, 3, "]  ") == 0);
    CHECK(line[27] != ' ');
    const double start = m0 * 60 + s0 + ms0 / 1000.0, end = m1 * 60 + s1 + ms1 / 1000.0;
    CHECK(start > last_start);
    CHECK(start >= last_end);
    CHECK(end > start);
    CHECK(end <= 10.0);
    last_start = start;
    last_end = end;
    text += line.substr(26);  // the segment's own text, from its leading space
    ++segments;
  }
  CHECK(segments >= 1);
  CHECK(text == testing::kBeckettTranscript);
}

TEST_CASE("transcribe refuses each bad input with one line on stderr and exit 2") {
  if (skipped_in_quick_mode()) return;
  const std::string dir = temp_dir("demo_transcribe_bad");
  int i = 0;
  for (const testing::audio::BadWav& bad : testing::audio::bad_wavs()) {
    CAPTURE(bad.name);
    const std::string path = dir + "/bad" + std::to_string(i++) + ".wav";
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bad.bytes.data()),
                                                static_cast<std::streamsize>(bad.bytes.size()));
    for (const std::string& arg : {q(path), "- < " + q(path)}) {
      Run r = run(transcribe(arg));
      CAPTURE(r.err);
      CHECK(r.exit_code == 2);
      CHECK(r.out.empty());
      CHECK(line_count(r.err) == 1);
      CHECK(r.err.rfind("edgeattn-demo: transcribe: wav: ", 0) == 0);
      CHECK(r.err.find(bad.message) != std::string::npos);
    }
  }
  Run missing = run(transcribe(q(dir + "/missing.wav")));
  CHECK(missing.exit_code == 2);
  CHECK(missing.err == "edgeattn-demo: transcribe: cannot open '" + dir + "/missing.wav': No such file or directory\n");
  Run none = run(transcribe(""));
  CHECK(none.exit_code == 2);
  CHECK(line_count(none.err) == 1);
}

TEST_CASE("transcribe with a text model is a usage error naming the model's task") {
  if (skipped_in_quick_mode()) return;
  const std::string stories = testing::convert_with_tool(
      q(require_model("stories260K/stories260K.bin")) + " --tokenizer " + q(require_model("stories260K/tok512.bin")),
      "demo_transcribe_stories");
  Run r = run(tool_path("edgeattn-demo") + " " + q(stories) + " transcribe " + q(require_model("whisper/beckett.wav")));
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CHECK(r.err == "edgeattn-demo: transcribe needs a speech model such as Whisper (this one is LlamaDecoder, task "
                 "text-generation)\n");
}

}  // namespace
}  // namespace edgeattn
