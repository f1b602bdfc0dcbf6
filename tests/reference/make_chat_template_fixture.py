#!/usr/bin/env python3
"""Jinja renderings of chat templates: the oracle for
runtime/tasks/chat_template (issue #19).

  tests/fixtures/chat_templates.json
      "templates": each with its Jinja text, whether edgeattn should
      recognize it (ChatML forms) and, if so, its default system message,
      and "renders": conversations rendered by jinja2 exactly as Hugging
      Face's apply_chat_template does (trim_blocks and lstrip_blocks,
      messages, add_generation_prompt) with and without the generation
      prompt.

SmolLM2's template is read from its GGUF (tokenizer.chat_template), the
others are written here: plain ChatML (no default system message), and
templates edgeattn must refuse (Llama 3's, Zephyr's, a ChatML variant
with different code).

Dev-time only. Usage (the bench venv has jinja2 and llama-cpp-python):
  ~/.cache/edgeattn/bench-venv/bin/python tests/reference/make_chat_template_fixture.py \
      ~/.cache/edgeattn/models/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf
"""
import json
import os
import sys

import jinja2
import llama_cpp

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "fixtures", "chat_templates.json"))

PLAIN_CHATML = ("{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + "
                "'<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}"
                "{% endif %}")
LLAMA3 = ("{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = "
          "'<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + "
          "'<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}"
          "{{ content }}{% endfor %}{% if add_generation_prompt %}"
          "{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}")
ZEPHYR = ("{% for message in messages %}\n{% if message['role'] == 'user' %}\n{{ '<|user|>\\n' + "
          "message['content'] + eos_token }}\n{% elif message['role'] == 'system' %}\n{{ '<|system|>\\n' + "
          "message['content'] + eos_token }}\n{% elif message['role'] == 'assistant' %}\n{{ '<|assistant|>\\n'  "
          "+ message['content'] + eos_token }}\n{% endif %}\n{% if loop.last and add_generation_prompt %}\n"
          "{{ '<|assistant|>' }}\n{% endif %}\n{% endfor %}")
CHATML_TRIMMED = PLAIN_CHATML.replace("message['content']", "message['content'] | trim")

CONVERSATIONS = [
    [{"role": "user", "content": "What is the capital of France?"}],
    [{"role": "system", "content": "You answer in one word."},
     {"role": "user", "content": "Capital of Portugal?"}],
    [{"role": "user", "content": "Hi!"}, {"role": "assistant", "content": "Hello! How can I help?"},
     {"role": "user", "content": "Tell me a joke\nabout cats."}],
    [{"role": "user", "content": "  spaces kept  \n"}],
    [{"role": "user", "content": "Unicode: 日本語, emoji 🙂, quotes ' \" \\ and <|im_end|> typed"}],
    [],
]


def render(template, messages, gen):
    env = jinja2.Environment(trim_blocks=True, lstrip_blocks=True)
    return env.from_string(template).render(messages=messages, add_generation_prompt=gen,
                                            bos_token="<s>", eos_token="</s>")


def main():
    smollm2 = llama_cpp.Llama(sys.argv[1], vocab_only=True, verbose=False).metadata["tokenizer.chat_template"]
    templates = [
        ("smollm2", smollm2, True, "You are a helpful AI assistant named SmolLM, trained by Hugging Face"),
        ("chatml", PLAIN_CHATML, True, ""),
        ("llama3", LLAMA3, False, None),
        ("zephyr", ZEPHYR, False, None),
        ("chatml-trimmed", CHATML_TRIMMED, False, None),
    ]
    out = {"jinja2": jinja2.__version__, "templates": []}
    for name, text, supported, system in templates:
        t = {"name": name, "template": text, "supported": supported}
        if supported:
            t["default_system"] = system
            t["renders"] = [{"messages": c, "add_generation_prompt": g, "text": render(text, c, g)}
                            for c in CONVERSATIONS for g in (True, False)]
        out["templates"].append(t)
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
