#!/usr/bin/env python3
"""llama.cpp's tokenizer on SmolLM2's GGUF vocabulary: the oracle for
edgeattn's GGUF "gpt2" byte-level BPE import (issue #19, item 2).

  tests/fixtures/tokenizer_smollm2_llamacpp.json
      For each test string (>= 200: prose, contractions in every case,
      digit runs, code, whitespace runs, CJK, Cyrillic, Arabic, Devanagari,
      emoji, combining marks, control and user-defined special-token text):
      "ids": llama_tokenize(text, add_special=True, parse_special=False),
      "ids_special": the same with parse_special=True, and "decoded" /
      "decoded_special": llama.cpp's detokenize of those ids (special=False:
      control tokens render as nothing), UTF-8 (every case is valid UTF-8
      and decodes whole).

Dev-time only; the C++ build never runs Python. Usage (the bench venv
bench/run_all.sh makes has llama-cpp-python):
  bash scripts/fetch-models.sh
  ~/.cache/edgeattn/bench-venv/bin/python tests/reference/make_smollm2_tokenizer_fixture.py \
      ~/.cache/edgeattn/models/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf
The output is the same on every run for the same llama-cpp-python version
(recorded in the file).
"""
import hashlib
import json
import os
import sys

import llama_cpp

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "fixtures", "tokenizer_smollm2_llamacpp.json"))


def strings():
    s = [
        "", " ", "  ", "\n", "\n\n", "\t", " \t\n ", "a", "A", "Hello", "Hello world", " Hello world",
        "Hello  world", "Hello   world  ", "Hello world\n", "The quick brown fox jumps over the lazy dog.",
        "Once upon a time, there was a little girl named Lily.",
        "What is the capital of France? The capital of France is Paris.",
        "It's, I'm, you're, we've, they'll, she'd, don't", "IT'S I'M YOU'RE WE'VE THEY'LL SHE'D DON'T",
        "It'S i'M You'Re", "'s 't 're 've 'm 'll 'd", "rock'n'roll", "O'Neil's dog", "''quoted''", "'",
        "1", "12", "123", "1234", "12345", "1234567", "3.14159", "-42", "+1 (555) 010-9999", "2026-12-07",
        "v1.2.3", "0x1F600", "1e-5", "10,000,000", "x1y22z333", "abc123def", " 123 ", "a 1 b 22 c 333",
        "١٢٣ ٤٥٦", "१२३", "Ⅻ", "½ ¾", "²³", "٣ apples",
        "def f(x):\n    return x * 2\n", "for (int i = 0; i < n; ++i) { sum += a[i]; }",
        "#include <stdio.h>\nint main(void) { printf(\"hi\\n\"); }", "if x == 3:\n\tprint('three')",
        "SELECT * FROM users WHERE id = 7;", "<div class=\"x\">Hi</div>", "{\"key\": [1, 2, 3]}",
        "a->b && c || !d", "path/to/file.txt", "https://example.com/a?b=c&d=e", "user@example.com",
        "C:\\Windows\\System32", "$HOME ~/.bashrc", "x = y ** 2 // 3 % 4", "λx. x + 1",
        "   leading spaces", "trailing spaces   ", "many     spaces     inside", "tab\tseparated\tvalues",
        "line1\nline2\r\nline3\rline4", "\n\n\nthree newlines", "spaces before newline   \n", "\r\n",
        " \n \n ", "end with space ", "\u00a0non-breaking\u00a0space", "ideographic\u3000space",
        "en\u2002space", "zero\u200bwidth", "...", "!!!", "?!?!", "--", "—em dash—", "«guillemets»",
        "“curly quotes”", "‘single’", "(parens) [brackets] {braces}", "a.b,c;d:e", "#hashtag @mention",
        "100%", "$5.99", "€10", "£3", "¥500", "™®©", "♥♦♣♠", "→ ← ↑ ↓", "±×÷", "∑∫√∞",
        "日本語のテキスト", "こんにちは世界", "中文文本测试", "你好，世界！", "한국어 텍스트",
        "Привет, мир!", "Съешь же ещё этих мягких французских булок", "Ελληνικά κείμενα",
        "مرحبا بالعالم", "שלום עולם", "नमस्ते दुनिया", "สวัสดีชาวโลก", "Tiếng Việt có dấu",
        "Zürich Straße Ærø", "naïve café résumé", "e\u0301 combining acute", "a\u0308o\u0308u\u0308",
        "🙂", "🙂🙃", "I ❤️ NY", "👍🏽", "👨‍👩‍👧", "🇵🇹 flag", "emoji 🎉 party 🎉", "😀😃😄😁",
        "mixed 日本 and English", "Москва2026", "abc日本def", "x²+y²", "Ω≈ç√∫", "\u2028line sep",
        "<|im_start|>", "<|im_end|>", "<|endoftext|>", "<|im_start|>user\nHi<|im_end|>\n",
        "<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n",
        "<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
        "text<|im_end|>more", "<|im_start|><|im_end|>", "< |im_start| >", "<|im_start", "im_start|>",
        "<|endoftext|>Hello<|endoftext|>", " <|im_start|> ", "a<|im_start|>b",
        "<repo_name>", "<file_sep>", "<filename>x.py", "<gh_stars>100", "<issue_start>title",
        "<jupyter_code>print(1)", "<reponame>edgeattn<filename>main.cc",
    ]
    words = ["the", "model", "runs", "on", "edge", "devices", "with", "int4", "weights", "and", "KV", "cache"]
    for i in range(40):
        w = [words[(i * 7 + j * 3) % len(words)] for j in range(3 + i % 5)]
        sep = [" ", "  ", "\n", ", ", " - "][i % 5]
        s.append(sep.join(w) + ("." if i % 2 else "") + (" " * (i % 3)))
    for i in range(20):
        s.append("item %d costs %d.%02d and weighs %dkg" % (i, i * 37 % 1000, i * 13 % 100, i * 1234567 % 100000))
    return s


def main():
    path = sys.argv[1]
    m = llama_cpp.Llama(path, vocab_only=True, verbose=False)
    cases = []
    for text in strings():
        b = text.encode("utf-8")
        ids = m.tokenize(b, add_bos=True, special=False)
        ids_special = m.tokenize(b, add_bos=True, special=True)
        cases.append({
            "text": text,
            "ids": ids,
            "ids_special": ids_special,
            "decoded": m.detokenize(ids).decode("utf-8"),
            "decoded_special": m.detokenize(ids_special).decode("utf-8"),
        })
    with open(path, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    out = {"model": os.path.basename(path), "model_sha256": sha, "llama_cpp_python": llama_cpp.__version__,
           "cases": cases}
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=0)
        f.write("\n")
    print("wrote %s: %d cases" % (OUT, len(cases)))


if __name__ == "__main__":
    main()
