// edgeattn-demo image / clip and edgeattn-convert's image options, driven as
// a user would, on the tiny models of tests/fixtures/vision:
//   - the classifier converted by edgeattn-convert: the printed top classes
//     and the .npy against the reference's onnxruntime outputs and softmax
//     (tests/reference/make_vision_fixtures.py), the .npy header byte by
//     byte as numpy's format 1.0 has it;
//   - the 3-frame clip model: the map's .npy, and the --png overlay (the
//     last frame's size, every pixel only ever redder, some changed);
//   - bad images, counts, flags and models, and bad converter values: one
//     line on stderr, exit 2.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/model_paths.h"
#include "tests/support/process.h"
#include "tests/support/vision_fixtures.h"

namespace edgeattn {
namespace {

using testing::q;
using testing::run;
using testing::Run;
using testing::tool_path;
using testing::VisionCase;

std::string model_for(const VisionCase& c) {
  return testing::convert_with_tool(testing::vision_convert_args(c), "demo_image_" + c.name);
}

std::string demo(const std::string& model, const std::string& args) {
  return tool_path("edgeattn-demo") + " " + q(model) + " " + args;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

size_t line_count(const std::string& text) {
  size_t n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

struct Npy {
  std::string header;          // the dict, padding and newline included
  size_t data_offset = 0;
  std::vector<float> values;
};

// Reads an .npy as numpy's format 1.0 lays it out; fails the test otherwise.
Npy read_npy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  REQUIRE(bytes.size() >= 10);
  CHECK(bytes.compare(0, 6, "\x93NUMPY") == 0);
  CHECK(bytes[6] == 1);
  CHECK(bytes[7] == 0);
  const size_t header_len = static_cast<uint8_t>(bytes[8]) | (static_cast<size_t>(static_cast<uint8_t>(bytes[9])) << 8);
  Npy n;
  n.data_offset = 10 + header_len;
  REQUIRE(bytes.size() >= n.data_offset);
  n.header = bytes.substr(10, header_len);
  REQUIRE((bytes.size() - n.data_offset) % 4 == 0);
  for (size_t i = n.data_offset; i < bytes.size(); i += 4) {
    uint32_t bits = 0;
    for (int b = 0; b < 4; ++b) bits |= static_cast<uint32_t>(static_cast<uint8_t>(bytes[i + b])) << (8 * b);
    float f;
    std::memcpy(&f, &bits, 4);
    n.values.push_back(f);
  }
  return n;
}

void check_npy(const Npy& n, const std::string& shape, const std::vector<double>& want) {
  CHECK(n.data_offset % 64 == 0);
  CHECK(n.header.rfind("{'descr': '<f4', 'fortran_order': False, 'shape': (" + shape + "), }", 0) == 0);
  CHECK(n.header.back() == '\n');
  REQUIRE(n.values.size() == want.size());
  double worst = 0;
  for (size_t i = 0; i < want.size(); ++i) worst = std::max(worst, std::fabs(n.values[i] - want[i]));
  MESSAGE(".npy vs onnxruntime: max |diff| = " << worst);
  CHECK(worst <= 1e-4);
}

TEST_CASE("image: a classifier's top classes and .npy equal onnxruntime's, converted by edgeattn-convert") {
  const VisionCase& c = testing::vision_case("stretch_imagenet");
  const std::vector<std::string> labels = testing::vision_labels();
  const std::string model = model_for(c);
  const std::string npy = testing::temp_dir("demo_image_npy") + "/logits.npy";
  Run r = run(demo(model, "image " + q(testing::vision_fixture(c.images[0])) + " --npy " + q(npy)));
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  const std::vector<std::string> out = lines(r.out);
  REQUIRE(out.size() == 6);
  CHECK(out[0].rfind("output 0 '", 0) == 0);
  CHECK(out[0].find("[1, 5]") != std::string::npos);
  for (size_t k = 0; k < 5; ++k) {
    CAPTURE(out[k + 1]);
    const size_t split = out[k + 1].find("  ");
    REQUIRE(split != std::string::npos);
    const double p = std::stod(out[k + 1].substr(0, split));
    const size_t want = static_cast<size_t>(c.top[k]);
    CHECK(out[k + 1].substr(split + 2) == labels[want]);
    CHECK(std::fabs(p - c.probabilities[want]) <= 1e-5);
  }
  CHECK(line_count(r.err) == 1);
  CHECK(r.err.find("stats:") == 0);
  check_npy(read_npy(npy), "1, 5", c.output);

  Run two = run(demo(model, "image " + q(testing::vision_fixture(c.images[0])) + " --top 2 --threads 2"));
  REQUIRE_MESSAGE(two.exit_code == 0, two.err);
  REQUIRE(lines(two.out).size() == 3);
  CHECK(lines(two.out)[1].find(labels[static_cast<size_t>(c.top[0])]) != std::string::npos);
  Run help = run(tool_path("edgeattn-demo") + " image --help");
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("--npy OUT.npy") != std::string::npos);
}

TEST_CASE("clip: three gray frames, the map's .npy equals onnxruntime's, the --png overlay reddens the last frame") {
  const VisionCase& c = testing::vision_case("clip_gray_letterbox");
  const std::string model = model_for(c);
  const std::string dir = testing::temp_dir("demo_clip");
  std::string frames;
  for (const std::string& f : c.images) frames += " " + q(testing::vision_fixture(f));
  Run r = run(demo(model, "clip" + frames + " --npy " + q(dir + "/map.npy") + " --png " + q(dir + "/map.png")));
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  REQUIRE(lines(r.out).size() == 1);  // not a classifier: the shape only
  CHECK(r.out.find("output 0 'saliency' [1, 12, 14, 1]") == 0);
  CHECK(r.err.find("sigmoid applied") != std::string::npos);  // the map's values leave [0, 1]
  check_npy(read_npy(dir + "/map.npy"), "1, 12, 14, 1", c.output);
  const testing::Rgb8Image base = testing::load_rgb8(testing::vision_fixture(c.images.back()));
  const testing::Rgb8Image overlay = testing::load_rgb8(dir + "/map.png");
  REQUIRE_MESSAGE(overlay.ok(), overlay.error);
  REQUIRE(overlay.width == base.width);
  REQUIRE(overlay.height == base.height);
  size_t changed = 0;
  for (size_t i = 0; i < base.pixels.size(); i += 3) {
    CHECK(overlay.pixels[i] >= base.pixels[i]);
    CHECK(overlay.pixels[i + 1] <= base.pixels[i + 1]);
    CHECK(overlay.pixels[i + 2] <= base.pixels[i + 2]);
    changed += overlay.pixels[i + 1] < base.pixels[i + 1];
  }
  CHECK(changed > base.pixels.size() / 3 / 2);
}

TEST_CASE("image / clip: bad images, counts, flags and models are one line on stderr and exit 2") {
  const std::string cls = model_for(testing::vision_case("stretch_imagenet"));
  const std::string clip = model_for(testing::vision_case("clip_gray_letterbox"));
  const std::string plain = testing::convert_with_tool(
      q(testing::vision_fixture("tiny_classifier.onnx")) + " --image-height 16 --image-width 20", "demo_image_plain");
  const std::string dir = testing::temp_dir("demo_image_bad");
  const std::string photo = q(testing::vision_fixture("photo.png"));
  std::ifstream png_in(testing::vision_fixture("photo.png"), std::ios::binary);
  const std::string png((std::istreambuf_iterator<char>(png_in)), std::istreambuf_iterator<char>());
  std::ofstream(dir + "/truncated.png", std::ios::binary) << png.substr(0, png.size() / 2);
  struct Case {
    std::string command;
    std::string message;
  } cases[] = {
      {demo(cls, "image " + q(dir + "/missing.png")), "cannot open"},
      {demo(cls, "image " + q(dir + "/truncated.png")), "truncated.png"},
      {demo(cls, "image"), "image takes one IMAGE"},
      {demo(cls, "image " + photo + " " + photo), "got 2 images"},
      {demo(clip, "image " + photo), "clips of 3 frames: use 'clip IMAGE1 .. IMAGE3'"},
      {demo(clip, "clip " + photo + " " + photo), "the model takes clips of 3 frames (PNG, JPEG or BMP), got 2 images"},
      {demo(cls, "image " + photo + " --png " + q(dir + "/x.png")), "--png draws a map output"},
      {demo(cls, "image " + photo + " --npy " + q(dir + "/no/such/dir/x.npy")), "cannot write the .npy file"},
      {demo(plain, "image " + photo), "not an image model"},
      {demo(cls, "image " + photo + " --top 0"), "--top expects"},
      {demo(cls, "image " + photo + " --npy"), "--npy needs a file name"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.command);
    Run r = run(c.command);
    CHECK(r.exit_code == 2);
    CHECK_MESSAGE(r.err.find(c.message) != std::string::npos, r.err);
    CHECK(line_count(r.err) <= 2);  // one line, plus the "see --help" hint after a bad flag
  }
}

TEST_CASE("edgeattn-convert: bad image option values are one line on stderr and exit 2") {
  const std::string onnx = q(testing::vision_fixture("tiny_classifier.onnx"));
  const std::string dir = testing::temp_dir("convert_image_bad");
  std::ofstream(dir + "/four.txt") << "a\nb\nc\nd\n";
  const std::string out = " -o " + q(dir + "/m.eatn") + " --quiet";
  struct Case {
    std::string args;
    std::string message;
  } cases[] = {
      {"--image-size 0x5", "--image-size expects an integer in [1, 8192], got '0'"},
      {"--image-size 16xabc", "got 'abc'"},
      {"--image-size 16 --image-mean 1,2", "--image-mean expects 1 or 3 comma-separated values, got '1,2'"},
      {"--image-size 16 --image-std 0.5,x,1", "--image-std expects a number"},
      {"--image-size 16 --image-std 0", "--image-std values must be nonzero"},
      {"--image-size 16 --image-resize crop", "--image-resize expects stretch, letterbox or center-crop"},
      {"--image-size 16 --image-channels 2", "--image-channels expects 1 or 3"},
      {"--image-size 16 --image-frames 0", "--image-frames expects an integer in [1, 64]"},
      {"--image-size 16 --labels " + q(dir + "/missing.txt"), "cannot open the file"},
      {"--image-size 16 --labels " + q(dir + "/four.txt"), "--labels gives 4 labels"},
      {"--image-size 16 --image-channels 1", "--image-channels 1 x --image-frames 1 is 1"},
      {"--image-mean 0.5", "give --image-size HxW"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.args);
    Run r = run(tool_path("edgeattn-convert") + " " + onnx + " " + c.args + out);
    CHECK(r.exit_code == 2);
    CHECK_MESSAGE(r.err.find(c.message) != std::string::npos, r.err);
    CHECK(line_count(r.err) == 1);
  }
  Run ok = run(tool_path("edgeattn-convert") + " " + onnx + " --image-size 16 --image-mean 0.5" + out);
  CHECK_MESSAGE(ok.exit_code == 0, ok.err);
  Run inspect = run(tool_path("edgeattn-convert") + " inspect " + q(dir + "/m.eatn"));
  REQUIRE(inspect.exit_code == 0);
  CHECK(inspect.out.find("image:         16 x 16 (height x width), 1 frame of 3 channels (RGB), resize stretch, "
                         "mean 0.5,0.5,0.5, std 1,1,1; task image") != std::string::npos);
}

}  // namespace
}  // namespace edgeattn
