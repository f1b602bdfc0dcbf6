#!/usr/bin/env python3
"""Trains a tiny GPT-2-style byte-level BPE and writes the fixtures for it.

  tests/fixtures/gpt2_tiny/vocab.json, merges.txt, tokenizer.json
      A byte-level BPE (GPT-2 pre-tokenization regex, bytes_to_unicode
      alphabet, merges by rank) trained by the Hugging Face `tokenizers`
      package on the text below: vocab_size 512 exactly (1 special token
      "<|endoftext|>" + 256 byte characters + 255 merges), add_prefix_space
      false, like GPT-2. (config.json and model.safetensors of a random-weight
      GPT-2 model live in the same folder; this script does not touch them.)
  tests/fixtures/tokenizer_gpt2_tiny.json
      For each test string: the ids and tokens `tokenizers` produces, and its
      decode of those ids; "prefix_space_cases": the same with the
      pre-tokenizer's add_prefix_space set to true.

Dev-time only. Usage:
  python3 -m venv /tmp/bbpe-venv && /tmp/bbpe-venv/bin/pip install tokenizers==0.23.3
  /tmp/bbpe-venv/bin/python tests/reference/make_gpt2_tokenizer_fixtures.py
The output is the same on every run for the same `tokenizers` version.
"""
import json
import os

import tokenizers
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.normpath(os.path.join(HERE, "..", "fixtures"))
OUT_DIR = os.path.join(FIXTURES, "gpt2_tiny")
SPECIAL = "<|endoftext|>"

TRAINING_TEXT = """\
Once upon a time, in a small village by the sea, there lived an old fisherman
and his wife. Every morning he'd walk down to the harbour, and every evening
he'd come back with whatever the water had given him. "It's not much," he'd
say, "but it's ours." His wife would smile. She'd heard it a thousand times.

The quick brown fox jumps over the lazy dog. The lazy dog doesn't care; it's
sleeping in the sun. We're all a little like that dog, aren't we? You've seen
it yourself: I'm sure you'll agree that they're happier than we are.

In 1969, humans first walked on the Moon. The Apollo 11 mission launched on
July 16, 1969, and landed on July 20. Neil Armstrong said: "That's one small
step for man, one giant leap for mankind." About 600 million people watched.
The numbers were astonishing: 384,400 km away, 3.5 days of travel, 21.5 hours
on the surface, 47.5 lbs of samples. In 2024 the price was $12.99 (or 9.99 EUR).

def tokenize(text):
    # Split the text into words and return them.
    words = text.split()
    return [w.lower() for w in words if w]

for i in range(10):
    print(i, i * i, i ** 3)

Caf\u00e9 cr\u00e8me br\u00fbl\u00e9e, na\u00efve fa\u00e7ade, r\u00e9sum\u00e9, \u00fcber, M\u00fcnchen, K\u00f6ln, Stra\u00dfe,
se\u00f1or, ma\u00f1ana, \u00bfqu\u00e9 tal? \u00a1Ol\u00e9! \u00c5ngstr\u00f6m, \u00d8resund, \u00e6blegr\u00f8d, \u0130stanbul.
\u041f\u0440\u0438\u0432\u0435\u0442, \u043c\u0438\u0440! \u0393\u03b5\u03b9\u03b1 \u03c3\u03bf\u03c5 \u03ba\u03cc\u03c3\u03bc\u03b5. \u6211\u7231\u5317\u4eac\u5929\u5b89\u95e8\u3002\u4eca\u5929\u5929\u6c14\u5f88\u597d\u3002\u3053\u3093\u306b\u3061\u306f\u4e16\u754c\u3002
\uc548\ub155\ud558\uc138\uc694 \uc138\uacc4. I love pizza \U0001F355 and cats \U0001F431! Party \U0001F389\U0001F389 time \U0001F600.

Punctuation!!! Really??? Wait... what?! (yes) [no] {maybe} <tag> a+b=c; x<y>z;
50% off @home #hashtag $5 ^caret `tick` |pipe| ~tilde -- dash --- em\u2014dash.
"Quoted," she said. 'Single,' he replied. \u201cCurly\u201d and \u2018curly\u2019 quotes.

Lists:
\t- first item
\t- second item
\t- third item

    Indented code with four spaces.
        And eight spaces here.
Trailing spaces here.   
Tabs\tbetween\twords and\tthings.

The children played in the garden while their parents talked about the weather,
the harvest, the price of bread, and the news from the city. Nobody noticed the
little cat that climbed the apple tree, or the bird that sang on the fence.
They'll remember this summer. We'd better go now; it's getting late, and you're
tired. I've got to finish my work. She's been waiting; he's been working. It'd
be nice if they'd come. I'll call you tomorrow. You'd like it there.
"""


def train():
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(
        vocab_size=512,
        min_frequency=2,
        special_tokens=[SPECIAL],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False)
    # Repeat the text so that plenty of pairs are frequent enough.
    tok.train_from_iterator([TRAINING_TEXT] * 3, trainer=trainer)
    assert tok.get_vocab_size() == 512, tok.get_vocab_size()
    return tok


CASES = [
    ("simple", "Hello world"),
    ("single_char", "a"),
    ("empty", ""),
    ("one_space", " "),
    ("sentence", "The quick brown fox jumps over the lazy dog."),
    ("leading_space", " leading space"),
    ("contraction_s", "It's the fisherman's boat"),
    ("contraction_t", "don't can't won't"),
    ("contraction_re", "they're we're you're"),
    ("contraction_ve", "I've we've they've"),
    ("contraction_m", "I'm"),
    ("contraction_ll", "I'll you'll she'll"),
    ("contraction_d", "I'd he'd they'd"),
    ("contraction_upper", "IT'S I'M WE'LL THEY'RE"),
    ("contraction_alone", "'s 't 're 've 'm 'll 'd '"),
    ("contraction_after_punct", "!'s ?'ll \"'re 'x 'S"),
    ("multiple_spaces", "a  b   c    d"),
    ("trailing_spaces", "trailing   "),
    ("only_spaces", "     "),
    ("newlines", "line one\nline two\n\nline four\n"),
    ("crlf", "windows\r\nline\r\n"),
    ("tabs", "a\tb\t\tc \t d"),
    ("mixed_whitespace", "  \t\n  mixed \n\t whitespace  \n"),
    ("spaces_before_punct", "wait   !!! and   ???"),
    ("numbers", "In 1969 there were 384400 km and 3.14159 or 1,000,000."),
    ("digits_letters", "abc123def 4th 2nd x86_64 0x1F"),
    ("space_digits", " 42 7 100000"),
    ("punctuation_run", "Really?!... (yes) [no] {maybe} <tag/> --- ***"),
    ("symbols", "a+b=c; 50% @home #tag $5 ^caret `tick` |pipe| ~tilde \\back"),
    ("quotes", "\"Quoted,\" she said. \u201cCurly\u201d \u2018single\u2019 \u2014 dash"),
    ("accents", "Caf\u00e9 cr\u00e8me br\u00fbl\u00e9e na\u00efve r\u00e9sum\u00e9"),
    ("decomposed_accents", "Cafe\u0301 nin\u0303o"),
    ("german", "\u00dcber M\u00fcnchen nach K\u00f6ln, Stra\u00dfe"),
    ("greek_cyrillic", "\u0393\u03b5\u03b9\u03b1 \u03c3\u03bf\u03c5 \u041f\u0440\u0438\u0432\u0435\u0442"),
    ("cjk", "\u6211\u7231\u5317\u4eac\u5929\u5b89\u95e8\u3002"),
    ("japanese", "\u3053\u3093\u306b\u3061\u306f \u4e16\u754c"),
    ("korean", "\uc548\ub155\ud558\uc138\uc694"),
    ("arabic_hindi", "\u0645\u0631\u062d\u0628\u0627 \u0928\u092e\u0938\u094d\u0924\u0947"),
    ("emoji", "pizza \U0001F355 cats \U0001F431!"),
    ("emoji_zwj", "family \U0001F468\u200d\U0001F469\u200d\U0001F467 flag \U0001F1FA\U0001F1F8"),
    ("emoji_run", "\U0001F389\U0001F389\U0001F389"),
    ("nbsp_and_unicode_spaces", "a\u00a0b\u2003c\u3000d \u2028e"),
    ("control_chars", "bell\x07 null\x00 esc\x1b[0m del\x7f"),
    ("format_chars", "zero\u200bwidth soft\u00adhyphen bom\ufeffhere"),
    ("superscripts_fractions", "x\u00b2 \u00bd \u2155 \u2160 \u0663\u0664"),
    ("code", "def f(x):\n    return x ** 2  # square\n"),
    ("indentation", "\n        deeply indented\n"),
    ("space_then_newline", "end \nnext"),
    ("combining_after_space", "a \u0301b"),
    ("unseen_words", "Zyxwvut qqqq jjjj"),
    ("long_word", "antidisestablishmentarianism" * 3),
    ("training_line", "They'll remember this summer. We'd better go now; it's getting late, and you're tired."),
    ("replacement_char", "bad \ufffd char"),
]


PREFIX_SPACE_CASES = [
    ("empty", ""),
    ("one_space", " "),
    ("word", "Hello world"),
    ("leading_space", " already spaced"),
    ("leading_tab", "\tx"),
    ("leading_newline", "\nnext line"),
    ("contraction", "'s it"),
    ("digits", "42 is the answer"),
]


def encode_cases(tok, cases):
    out = []
    for name, text in cases:
        enc = tok.encode(text)
        out.append({
            "name": name,
            "text": text,
            "ids": enc.ids,
            "tokens": enc.tokens,
            "decoded": tok.decode(enc.ids),
        })
    return out


def main():
    tok = train()
    os.makedirs(OUT_DIR, exist_ok=True)
    tok.save(os.path.join(OUT_DIR, "tokenizer.json"))
    # vocab.json + merges.txt, the original GPT-2 file pair.
    tok.model.save(OUT_DIR)

    cases = encode_cases(tok, CASES)
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=True)
    prefix_space_cases = encode_cases(tok, PREFIX_SPACE_CASES)
    out = {
        "source": "Hugging Face tokenizers %s: BPE + ByteLevel(add_prefix_space=False) trained by "
                  "tests/reference/make_gpt2_tokenizer_fixtures.py (tests/fixtures/gpt2_tiny)"
                  % tokenizers.__version__,
        "vocab_size": tok.get_vocab_size(),
        "endoftext_id": tok.token_to_id(SPECIAL),
        "cases": cases,
        "prefix_space_cases": prefix_space_cases,
    }
    path = os.path.join(FIXTURES, "tokenizer_gpt2_tiny.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, ensure_ascii=True)
        f.write("\n")
    print("wrote %s (%d cases) and %s" % (path, len(cases), OUT_DIR))


if __name__ == "__main__":
    main()
