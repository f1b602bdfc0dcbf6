#include "tests/support/vision_fixtures.h"

#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "tests/support/model_paths.h"
#include "tests/support/process.h"

namespace edgeattn::testing {
namespace {

const nlohmann::json& reference() {
  static const nlohmann::json j = [] {
    std::ifstream in(vision_fixture("reference.json"));
    REQUIRE_MESSAGE(in.good(), "cannot read tests/fixtures/vision/reference.json");
    return nlohmann::json::parse(in);
  }();
  return j;
}

std::string joined(const std::vector<float>& v) {
  std::string s;
  for (float x : v) s += (s.empty() ? "" : ",") + std::to_string(x);
  return s;
}

}  // namespace

std::string vision_fixture(const std::string& file) {
  return std::string(EDGEATTN_SOURCE_DIR) + "/tests/fixtures/vision/" + file;
}

const std::vector<VisionCase>& vision_cases() {
  static const std::vector<VisionCase> cases = [] {
    std::vector<VisionCase> out;
    for (const nlohmann::json& j : reference().at("cases")) {
      VisionCase c;
      c.name = j.at("name");
      c.model = j.at("model");
      c.resize = j.at("resize");
      c.height = j.at("height");
      c.width = j.at("width");
      c.channels = j.at("channels");
      c.frames = j.at("frames");
      c.mean = j.at("mean").get<std::vector<float>>();
      c.std = j.at("std").get<std::vector<float>>();
      c.bgr = j.at("bgr");
      c.images = j.at("images").get<std::vector<std::string>>();
      c.input = j.at("input").get<std::vector<double>>();
      c.output_shape = j.at("output_shape").get<std::vector<int64_t>>();
      c.output = j.at("output").get<std::vector<double>>();
      if (j.contains("probabilities")) {
        c.probabilities = j.at("probabilities").get<std::vector<double>>();
        c.top = j.at("top").get<std::vector<int>>();
      }
      out.push_back(std::move(c));
    }
    return out;
  }();
  return cases;
}

const VisionCase& vision_case(const std::string& name) {
  for (const VisionCase& c : vision_cases()) {
    if (c.name == name) return c;
  }
  FAIL("no vision case '" << name << "'");
  return vision_cases().front();
}

std::vector<std::string> vision_labels() { return reference().at("labels").get<std::vector<std::string>>(); }

convert::ConvertOptions vision_convert_options(const VisionCase& c, const std::string& output) {
  convert::ConvertOptions o;
  o.input = vision_fixture(c.model);
  o.output = output;
  o.image.requested = true;
  o.image.height = c.height;
  o.image.width = c.width;
  o.image.mean = c.mean;
  o.image.std = c.std;
  o.image.resize = c.resize;
  o.image.frames = c.frames;
  o.image.bgr = c.bgr;
  if (c.classifier()) o.image.labels_file = vision_fixture("labels.txt");
  return o;
}

std::string vision_convert_args(const VisionCase& c) {
  std::string a = q(vision_fixture(c.model)) + " --image-size " + std::to_string(c.height) + "x" +
                  std::to_string(c.width) + " --image-mean " + joined(c.mean) + " --image-std " + joined(c.std) +
                  " --image-resize " + c.resize + " --image-frames " + std::to_string(c.frames);
  if (c.bgr) a += " --image-bgr";
  if (c.classifier()) a += " --labels " + q(vision_fixture("labels.txt"));
  return a;
}

namespace {

struct Converted {
  std::string path;
  std::unique_ptr<Model> model;
};

const Converted& converted(const VisionCase& c) {
  static std::map<std::string, Converted> models;
  auto it = models.find(c.name);
  if (it != models.end()) return it->second;
  const std::string path = temp_dir("vision_" + c.name) + "/model.eatn";
  const convert::ConvertStatus st = convert::convert(vision_convert_options(c, path), nullptr);
  REQUIRE_MESSAGE(st.ok(), st.message);
  Result<std::unique_ptr<Model>> m = Model::load_file(path.c_str());
  REQUIRE_MESSAGE(m.is_ok(), m.status().message());
  Converted& out = models[c.name];
  out.path = path;
  out.model = std::move(m).value();
  return out;
}

}  // namespace

const Model& vision_model(const VisionCase& c) { return *converted(c).model; }
std::string vision_model_path(const VisionCase& c) { return converted(c).path; }

std::vector<Rgb8Image> vision_images(const VisionCase& c) {
  std::vector<Rgb8Image> out;
  for (const std::string& f : c.images) {
    out.push_back(load_rgb8(vision_fixture(f)));
    REQUIRE_MESSAGE(out.back().ok(), f << ": " << out.back().error);
  }
  return out;
}

}  // namespace edgeattn::testing
