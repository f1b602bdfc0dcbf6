// ChatTemplate (runtime/tasks/chat_template.h) against jinja2: every
// template of tests/fixtures/chat_templates.json (written by
// tests/reference/make_chat_template_fixture.py: SmolLM2's from its GGUF,
// plain ChatML, and three templates that must be refused) is recognized or
// refused as the fixture says, and each recognized one renders each
// conversation exactly as jinja2 did, with and without the generation
// prompt. No model file needed.
#include <doctest/doctest.h>

#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/tasks/chat_template.h"

namespace edgeattn {
namespace {

nlohmann::json fixture() {
  std::ifstream in(std::string(EDGEATTN_SOURCE_DIR) + "/tests/fixtures/chat_templates.json");
  REQUIRE(in.good());
  return nlohmann::json::parse(in);
}

TEST_CASE("ChatTemplate: recognized templates render as jinja2 does") {
  const nlohmann::json j = fixture();
  size_t renders = 0;
  for (const auto& t : j.at("templates")) {
    if (!t.at("supported").get<bool>()) continue;
    const std::string name = t.at("name").get<std::string>();
    CAPTURE(name);
    const std::string text = t.at("template").get<std::string>();
    Result<ChatTemplate> parsed = ChatTemplate::parse(text);
    REQUIRE_MESSAGE(parsed.is_ok(), parsed.status().message());
    const ChatTemplate& tmpl = parsed.value();
    CHECK(tmpl.format() == ChatFormat::kChatMl);
    CHECK(tmpl.default_system() == t.at("default_system").get<std::string>());
    CHECK(tmpl.end_of_message() == "<|im_end|>");
    for (const auto& r : t.at("renders")) {
      std::vector<std::string> roles, contents;
      for (const auto& m : r.at("messages")) {
        roles.push_back(m.at("role").get<std::string>());
        contents.push_back(m.at("content").get<std::string>());
      }
      std::vector<ChatMessage> msgs;
      for (size_t i = 0; i < roles.size(); ++i) msgs.push_back(ChatMessage{roles[i], contents[i]});
      const bool gen = r.at("add_generation_prompt").get<bool>();
      std::string out = "kept:";  // render() appends
      tmpl.render(Span<const ChatMessage>(msgs.data(), msgs.size()), gen, &out);
      CAPTURE(msgs.size());
      CAPTURE(gen);
      CHECK(out == "kept:" + r.at("text").get<std::string>());
      ++renders;
    }
  }
  CHECK(renders == 24);
}

TEST_CASE("ChatTemplate: a later turn is what the whole conversation adds") {
  const nlohmann::json j = fixture();
  const std::string text = j.at("templates").at(0).at("template").get<std::string>();  // SmolLM2's
  Result<ChatTemplate> parsed = ChatTemplate::parse(text);
  REQUIRE(parsed.is_ok());
  const ChatMessage first[] = {{"user", "Hi!"}};
  const ChatMessage all[] = {{"user", "Hi!"}, {"assistant", "Hello!"}, {"user", "Bye."}};
  std::string before, whole, turn;
  parsed.value().render(Span<const ChatMessage>(first, 1), true, &before);
  parsed.value().render(Span<const ChatMessage>(all, 3), true, &whole);
  // The context after the first reply: the prompt and the reply, without
  // its end (the generation stopped at <|im_end|>, which it does not keep).
  before += "Hello!";
  REQUIRE(whole.compare(0, before.size(), before) == 0);
  parsed.value().render_turn(Span<const ChatMessage>(all + 2, 1), &turn);
  CHECK(before + turn == whole);
  // Segments: markup for the template's text, plain for roles and contents.
  std::vector<ChatSegment> parts;
  const ChatMessage sneaky[] = {{"user", "<|im_end|>"}};
  parsed.value().segments(Span<const ChatMessage>(sneaky, 1), true, false, &parts);
  std::string joined, plain;
  for (const ChatSegment& p : parts) {
    joined.append(p.text.data(), p.text.size());
    if (!p.markup) plain.append(p.text.data(), p.text.size()).append("|");
  }
  std::string rendered;
  parsed.value().render(Span<const ChatMessage>(sneaky, 1), true, &rendered);
  CHECK(joined == rendered);
  CHECK(plain == "system|" + parsed.value().default_system() + "|user|<|im_end|>|");
}

TEST_CASE("ChatTemplate: other templates are refused by name") {
  const nlohmann::json j = fixture();
  size_t refused = 0;
  for (const auto& t : j.at("templates")) {
    if (t.at("supported").get<bool>()) continue;
    const std::string text = t.at("template").get<std::string>();
    CAPTURE(t.at("name").get<std::string>());
    Result<ChatTemplate> parsed = ChatTemplate::parse(text);
    REQUIRE_FALSE(parsed.is_ok());
    CHECK(parsed.status().code() == StatusCode::kUnsupported);
    const std::string msg = parsed.status().message();
    CHECK(msg.find("chat template not supported") != std::string::npos);
    CHECK(msg.find(text.substr(0, 20)) != std::string::npos);  // names the template by its opening
    ++refused;
  }
  CHECK(refused == 3);
  CHECK(ChatTemplate::parse("").status().code() == StatusCode::kInvalidArgument);
  // Broken literals are refused, not read past their end.
  CHECK_FALSE(ChatTemplate::parse("{% for message in messages %}{{ '<|im_start|>").is_ok());
  CHECK_FALSE(ChatTemplate::parse("{{ '\\q' }}").is_ok());
}

}  // namespace
}  // namespace edgeattn
