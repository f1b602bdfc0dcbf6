#include "runtime/tasks/chat_template.h"

#include <cstdio>

namespace edgeattn {
namespace {

// A literal's delimiter in the canonical form (cannot occur in a template:
// canonicalize() rejects control characters outside literals).
constexpr char kQuote = '\x01';

// The template as a comparable string: string literals decoded (Jinja's
// escapes \n \t \\ \' \") and wrapped in kQuote, whitespace outside them
// dropped, everything else kept. Returns false for an unterminated literal
// or an unknown escape.
bool canonicalize(std::string_view t, std::string* out) {
  out->clear();
  for (size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    if (c == kQuote) return false;
    if (c != '\'' && c != '"') {
      out->push_back(c);
      continue;
    }
    out->push_back(kQuote);
    for (++i;; ++i) {
      if (i >= t.size()) return false;
      if (t[i] == c) break;
      if (t[i] != '\\') {
        out->push_back(t[i]);
        continue;
      }
      if (++i >= t.size()) return false;
      switch (t[i]) {
        case 'n': out->push_back('\n'); break;
        case 't': out->push_back('\t'); break;
        case '\\': case '\'': case '"': out->push_back(t[i]); break;
        default: return false;
      }
    }
    out->push_back(kQuote);
  }
  return true;
}

// The canonical form of a Jinja fragment written in this file.
std::string canonical(std::string_view fragment) {
  std::string s;
  canonicalize(fragment, &s);
  return s;
}

// ChatML, split around its optional default-system block.
struct ChatMlForm {
  std::string head, system_open, system_close, body;
};

const ChatMlForm& chatml_form() {
  static const ChatMlForm form{
      canonical("{% for message in messages %}"),
      canonical("{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\\n'"),
      canonical("'<|im_end|>\\n' }}{% endif %}"),
      canonical("{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}"
                "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"),
  };
  return form;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// Matches the canonical text against ChatML; *system gets the default
// system message (empty without the block).
bool match_chatml(std::string_view c, std::string* system) {
  const ChatMlForm& f = chatml_form();
  if (!starts_with(c, f.head)) return false;
  c.remove_prefix(f.head.size());
  system->clear();
  // system_open ends inside a literal ("...system\n"): drop its closing
  // quote to match text that continues the same literal.
  const std::string_view open(f.system_open.data(), f.system_open.size() - 1);
  if (starts_with(c, open)) {
    c.remove_prefix(open.size());
    const std::string_view close(f.system_close.data() + 1, f.system_close.size() - 1);
    const size_t end = c.find(close);
    if (end == std::string_view::npos) return false;
    *system = std::string(c.substr(0, end));
    if (system->find(kQuote) != std::string::npos) return false;
    c.remove_prefix(end + close.size());
  }
  return c == f.body;
}

}  // namespace

Result<ChatTemplate> ChatTemplate::parse(std::string_view jinja) {
  EA_ENSURE(!jinja.empty(), StatusCode::kInvalidArgument, "the model has no chat template");
  std::string c;
  ChatTemplate t;
  if (canonicalize(jinja, &c) && match_chatml(c, &t.default_system_)) {
    t.format_ = ChatFormat::kChatMl;
    return t;
  }
  // Name the template by its opening, one line.
  std::string opening(jinja.substr(0, 60));
  for (char& ch : opening) {
    if (ch == '\n' || ch == '\r' || ch == '\t') ch = ' ';
  }
  return Status::error(StatusCode::kUnsupported, "chat template not supported (only ChatML is recognized): \"%s%s\"",
                       opening.c_str(), jinja.size() > 60 ? "..." : "");
}

void ChatTemplate::message(const ChatMessage& m, std::vector<ChatSegment>* out) const {
  out->push_back({"<|im_start|>", true});
  out->push_back({m.role, false});
  out->push_back({"\n", true});
  out->push_back({m.content, false});
  out->push_back({"<|im_end|>\n", true});
}

void ChatTemplate::segments(Span<const ChatMessage> messages, bool add_generation_prompt, bool continuation,
                            std::vector<ChatSegment>* out) const {
  if (continuation) out->push_back({"<|im_end|>\n", true});
  if (!continuation && !messages.empty() && !default_system_.empty() && messages[0].role != "system") {
    message(ChatMessage{"system", default_system_}, out);
  }
  for (const ChatMessage& m : messages) message(m, out);
  if (add_generation_prompt) out->push_back({"<|im_start|>assistant\n", true});
}

void ChatTemplate::render_segments(Span<const ChatMessage> messages, bool add_generation_prompt, bool continuation,
                                   std::string* out) const {
  std::vector<ChatSegment> parts;
  segments(messages, add_generation_prompt, continuation, &parts);
  for (const ChatSegment& p : parts) out->append(p.text.data(), p.text.size());
}

void ChatTemplate::render(Span<const ChatMessage> messages, bool add_generation_prompt, std::string* out) const {
  render_segments(messages, add_generation_prompt, /*continuation=*/false, out);
}

void ChatTemplate::render_turn(Span<const ChatMessage> messages, std::string* out) const {
  render_segments(messages, /*add_generation_prompt=*/true, /*continuation=*/true, out);
}

std::string_view ChatTemplate::end_of_message() const { return "<|im_end|>"; }

}  // namespace edgeattn
