#!/usr/bin/env python3
"""Writes tests/fixtures/pretokenizer_splits.json: the pre-tokens of each test
string under the four byte-level BPE pre-tokenizers of
runtime/tokenizer/tokenizer.h (PreTokenizer), computed by the Python `regex`
module from the exact regexes, as the oracle for
tests/tokenizer/pre_tokenizer_test.cc.

  gpt2         GPT-2's regex (Hugging Face ByteLevel, llama.cpp "gpt2").
  gpt2_digits  llama.cpp applies its regex list one after the other, each
               inside the fragments of the previous: first \\p{N} (every
               number character a fragment, the gaps kept), then GPT-2's
               regex within each gap ("smollm", "starcoder").
  llama3       Llama 3's regex ("llama-bpe").
  qwen2        Llama 3's with \\p{N} for \\p{N}{1,3} ("qwen2").

The strings avoid characters whose class (\\p{L}, \\p{N}, \\s) differs between
the `regex` module's Unicode version and runtime/tokenizer/unicode_tables.inc
(Unicode 14), and U+017F (which (?i) folds to 's' in `regex` but not in
llama.cpp's contraction check).

Dev-time only. Usage (any Python 3 with `pip install regex`):
  python3 tests/reference/make_pretokenizer_fixture.py
The output is the same on every run for the same `regex` version.
"""
import json
import os
import random

import regex

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "fixtures", "pretokenizer_splits.json"))

GPT2 = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
LLAMA3 = (r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|"""
          r""" ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+""")
QWEN2 = LLAMA3.replace(r"\p{N}{1,3}", r"\p{N}")
assert QWEN2 != LLAMA3

GPT2_RE = regex.compile(GPT2)
LLAMA3_RE = regex.compile(LLAMA3)
QWEN2_RE = regex.compile(QWEN2)
NUMBER_RE = regex.compile(r"\p{N}")


def split(pattern, text):
    """Matches of `pattern` over `text`; each regex ends in \\s+, so they tile it."""
    parts = pattern.findall(text)
    assert "".join(parts) == text, (pattern.pattern, text, parts)
    return parts


def split_gpt2_digits(text):
    out = []
    pos = 0
    for m in NUMBER_RE.finditer(text):
        if m.start() > pos:
            out += split(GPT2_RE, text[pos:m.start()])
        out.append(m.group())
        pos = m.end()
    if pos < len(text):
        out += split(GPT2_RE, text[pos:])
    assert "".join(out) == text
    return out


HAND_WRITTEN = [
    "",
    "Hello world",
    "Hello, world!",
    "  leading spaces",
    "trailing spaces   ",
    "multiple   spaces   between",
    "a",
    " ",
    "  ",
    "\n",
    "\r\n",
    "x\r\n",
    "x\r\ny",
    "line one\nline two\n\nline four",
    "windows\r\nlines\r\n\r\nend",
    "tabs\there\t\tand\t",
    "\t\tindented",
    "   \n   \n  x",
    " \n",
    "\n \n ",
    "end with newline and spaces\n   ",
    "spaces then newline   \nnext",
    "mixed \t\n\r whitespace \t",
    # Contractions, both cases.
    "I'm here",
    "I'M HERE",
    "they'll go",
    "they'LL go",
    "THEY'Ll GO",
    "we've, you're, he's, it'd, don't",
    "WE'VE, YOU'RE, HE'S, IT'D, DON'T",
    "We'Ve We'rE",
    "'s",
    "'S",
    "'",
    "''",
    "'x",
    "'ll'll",
    "rock'n'roll",
    "the dog's bone",
    "O'Neil's",
    "' s",
    "'\n",
    "don't'",
    "'re're",
    "'sabc",
    "'Sabc",
    "can't'VE",
    # Digits: runs of 1..7, with letters and punctuation around.
    "1",
    "12",
    "123",
    "1234",
    "12345",
    "123456",
    "1234567",
    " 1",
    "  1",
    "a1",
    "a 1",
    "a  1",
    "a  12345",
    "abc123def",
    "3.14159",
    "version 2.0.10-rc1",
    "phone: 555-123-4567",
    "1,234,567.89",
    "$100 and 50%",
    "2024-12-31T23:59:59Z",
    "x=1+2*3",
    "1 2 3 4 5",
    "1  2   3",
    "007",
    "ten 10 hundred 100 thousand 1000",
    "room 101\n",
    "١٢٣٤ Arabic-Indic digits",
    "٣ and ۴",
    "Roman Ⅻ and Ⅷ",
    "fractions ½ ¾ and super ² ³",
    "circled ① ② ⑩",
    "digits१२३४५ Devanagari",
    "full-width １２３４",
    # Punctuation runs, with newlines after.
    "Wait...\n",
    "Really?!?\n\n",
    "end.\r\n",
    "!!!",
    " !!!",
    "  !!!",
    "a!!!b",
    "a !!! b",
    "--\n--",
    "(parenthesis) [brackets] {braces}",
    "#include <stdio.h>\n",
    "if (x) {\n  return y;\n}\n",
    "path/to/file.txt",
    "email@example.com",
    "https://example.com/a?b=c&d=e",
    "...\n\n\nnext",
    "; \n",
    "!\r\n\r\n",
    "?abc",
    "??abc",
    " ?abc",
    "_under_score_",
    "@mention #hashtag",
    "\"quoted\" 'single'",
    "a\u2014b \u201cfancy\u201d",
    # Mixed scripts.
    "\u4f60\u597d\u4e16\u754c",
    "\u4f60\u597d \u4e16\u754c",
    "\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8",
    "\u6f22\u5b57\u3001\u304b\u306a\u3002",
    "\u041f\u0440\u0438\u0432\u0435\u0442, \u043c\u0438\u0440!",
    "\u0417\u0434\u0440\u0430\u0432\u0441\u0442\u0432\u0443\u0439\u0442\u0435 123",
    "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645",
    "\u0646\u0635 \u0639\u0631\u0628\u064a\u060c \u0645\u0639 \u0641\u0627\u0635\u0644\u0629",
    "\u0928\u092e\u0938\u094d\u0924\u0947 \u0926\u0941\u0928\u093f\u092f\u093e",
    "\u0939\u093f\u0928\u094d\u0926\u0940 \u092d\u093e\u0937\u093e",
    "\ud55c\uad6d\uc5b4 \ud14d\uc2a4\ud2b8",
    "\u0395\u03bb\u03bb\u03b7\u03bd\u03b9\u03ba\u03ac",
    "\u05e2\u05d1\u05e8\u05d9\u05ea",
    "\u0e20\u0e32\u0e29\u0e32\u0e44\u0e17\u0e22",
    "caf\u00e9 na\u00efve r\u00e9sum\u00e9",
    "cafe\u0301 with combining",
    "e\u0301\u0301",
    " \u0301x",
    "a\u0308o\u0308u\u0308",
    "Stra\u00dfe",
    "\u00c5ngstr\u00f6m",
    # Emoji and symbols.
    "I \u2764 emoji \U0001f600\U0001f600",
    "\U0001f44d\U0001f3fd thumbs",
    "\U0001f468\u200d\U0001f469\u200d\U0001f467 family",
    "flag \U0001f1fa\U0001f1f8",
    "math \u2211 \u221e \u2248",
    "\u00a9 2024 \u00ae \u2122",
    "\u20ac100 \u00a350 \u00a5",
    "arrows \u2192\u2190\n",
    # Special spaces.
    "non\u00a0breaking\u00a0space",
    "\u00a0leading nbsp",
    "trailing nbsp\u00a0",
    "ideographic\u3000space\u3000\u3000x",
    "\u3000\u3000",
    "en\u2002space em\u2003space thin\u2009space",
    "zero\u200bwidth",
    "next\u0085line",
    "form\x0cfeed",
    "vertical\x0btab",
    "unit\x1fsep",
    "nul\x00byte",
    "bell\x07",
    " \u00a0word",
    "  \u3000word",
    "\u00a0\u00a0",
    "\u00a0\n",
    # Mixed everything.
    "Hello, \u4e16\u754c! 123 \U0001f600\n",
    "The year 2024's best: \u00e9t\u00e9, 42%...\r\n",
    "  CAPS'LL 9999  \t\n",
    "mix3d_c4se W1th D1g1ts",
    "x'S y'T z'M",
    "\u041c\u0418\u0420'S",
    "\u0435\u0449\u0451'll",
    "1'st 2'nd",
    "'123",
    " '",
    "  'x",
    "\n'x",
    "\n\nx",
    "x\n\n",
    "!\n x",
    " \n\t\r\n  y",
]

FRAGMENTS = [
    "a", "Z", "word", "WORD", " the", "  ", " ", "\t", "\n", "\r\n", "\n\n", "'s", "'LL", "'", "1", "22",
    "333", "4444", "55555", "!", "?!", "...", ",", " -", "\u00a0", "\u3000", "\u4e2d\u6587", "\u0416",
    "\u0645", "\u0928\u092e", "\u0301", "\U0001f600", "\u00e9", "\u0663", "\u00bd", "$", "(", ")",
]


def random_cases(count, seed):
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        n = rng.randint(1, 12)
        out.append("".join(rng.choice(FRAGMENTS) for _ in range(n)))
    return out


def main():
    texts = HAND_WRITTEN + random_cases(80, 20261207)
    seen = set()
    cases = []
    for text in texts:
        if text in seen:
            continue
        seen.add(text)
        assert "\u017f" not in text
        cases.append({
            "text": text,
            "gpt2": split(GPT2_RE, text),
            "gpt2_digits": split_gpt2_digits(text),
            "llama3": split(LLAMA3_RE, text),
            "qwen2": split(QWEN2_RE, text),
        })
    assert len(cases) >= 150, len(cases)
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump({"regex_version": regex.__version__, "cases": cases}, f, ensure_ascii=False, indent=0)
        f.write("\n")
    print("%d cases -> %s (%d bytes)" % (len(cases), OUT, os.path.getsize(OUT)))


if __name__ == "__main__":
    main()
