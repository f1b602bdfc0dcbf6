// ChatTemplate: how a chat model wants a conversation written, from the
// Jinja chat template its file carries (ModelInfo::chat_template, copied
// from the source: GGUF tokenizer.chat_template).
//
// edgeattn has no Jinja engine (a device should not interpret code that came
// with a model file). A template is recognized instead: its literals and
// its code with whitespace dropped must equal one of the forms below, with
// one hole where a form has free text. Anything else is kUnsupported,
// naming the template's opening so the user can see which one it is.
// Recognized today: ChatML,
//   {% for message in messages %}
//     [{% if loop.first and messages[0]['role'] != 'system' %}
//        {{ '<|im_start|>system\n' DEFAULT '<|im_end|>\n' }}{% endif %}]
//     {{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}
//   {% endfor %}
//   {% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}
// (SmolLM2's, with its default system message; Qwen-style files without
// one). Rendering writes exactly what Jinja would; the text still has to be
// tokenized with EncodeOptions::parse_special so "<|im_start|>" becomes
// its control id.
//
// Example:
//   EA_ASSIGN_OR_RETURN(ChatTemplate t, ChatTemplate::parse(model->info().chat_template));
//   const ChatMessage msgs[] = {{"user", "What is 2+2?"}};
//   std::string prompt;
//   t.render(Span<const ChatMessage>(msgs, 1), /*add_generation_prompt=*/true, &prompt);
//   // "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, ...<|im_end|>\n"
//   // "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n"
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "runtime/core/span.h"
#include "runtime/core/status.h"

namespace edgeattn {

struct ChatMessage {
  std::string_view role;     // "system", "user", "assistant"
  std::string_view content;
};

// A piece of a rendered conversation: the template's own text (markup:
// tokenize with EncodeOptions::parse_special, so "<|im_start|>" is its
// control id) or a message's content / role (tokenize as plain text, so a
// user typing "<|im_end|>" cannot end their message). Views into the
// messages, the ChatTemplate or static strings.
struct ChatSegment {
  std::string_view text;
  bool markup;
};

enum class ChatFormat : uint8_t {
  kChatMl = 0,
};

class ChatTemplate {
 public:
  // Recognizes `jinja` (see the top). Empty text is kInvalidArgument ("the
  // model has no chat template"); an unrecognized one kUnsupported.
  static Result<ChatTemplate> parse(std::string_view jinja);

  // Appends the conversation as the template writes it to *out; with
  // add_generation_prompt, the opening of the assistant's reply too.
  void render(Span<const ChatMessage> messages, bool add_generation_prompt, std::string* out) const;
  // A later turn of a conversation whose earlier turns are already in the
  // context, the last of them an assistant reply without its end (a
  // generation stops at the end token and does not keep it): the reply's
  // end, `messages` (no default system message), then the next reply's
  // opening. What render() of the whole conversation adds after the reply.
  void render_turn(Span<const ChatMessage> messages, std::string* out) const;
  // The same two as segments appended to *out (render() and render_turn()
  // concatenate them). `continuation`: render_turn()'s form.
  void segments(Span<const ChatMessage> messages, bool add_generation_prompt, bool continuation,
                std::vector<ChatSegment>* out) const;

  ChatFormat format() const { return format_; }
  // The system message written when a conversation has none ("" if none).
  const std::string& default_system() const { return default_system_; }
  // The text that ends a message ("<|im_end|>"): a reply stops there.
  std::string_view end_of_message() const;

 private:
  void message(const ChatMessage& m, std::vector<ChatSegment>* out) const;
  // segments() concatenated onto *out.
  void render_segments(Span<const ChatMessage> messages, bool add_generation_prompt, bool continuation,
                       std::string* out) const;

  ChatFormat format_ = ChatFormat::kChatMl;
  std::string default_system_;
};

}  // namespace edgeattn
