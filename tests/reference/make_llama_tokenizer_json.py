#!/usr/bin/env python3
"""Writes a small Llama-style tokenizer.json and the ids Hugging Face gives.

  tests/fixtures/llama_tokenizer_json/tokenizer.json
      Shaped exactly like the tokenizer.json of Llama 2 / TinyLlama on the Hub
      (what transformers' LlamaConverter writes from tokenizer.model):
        model       BPE, byte_fallback true, fuse_unk true, unk "<unk>";
                    vocab <unk> <s> </s>, the 256 pieces <0x00>..<0xFF>, then
                    the merged pieces (most frequent first), then the single
                    characters (most frequent first); merges as "left right"
                    strings, listed like SentencePieceExtractor does: every
                    split of every piece into two vocabulary pieces, in the
                    order of the piece's score (its id here).
        normalizer  Sequence[Prepend("▁"), Replace(" ", "▁")]
        pre_tokenizer null
        post_processor TemplateProcessing "<s> $A" (pair "<s> $A <s> $B")
        decoder     Sequence[Replace("▁", " "), ByteFallback, Fuse, Strip(" ", 1, 0)]
        added_tokens <unk> <s> </s> (special, not normalized)
      The pieces come from the `tokenizers` BpeTrainer run SentencePiece-like
      ("▁" only starts a piece, punctuation does not join letters, digits
      stay single, as with Llama's split_digits) on data/eval/stories.txt plus
      EXTRA_TEXT below, one line per training sentence, so "\\n" and "\\t"
      are not in the vocabulary and fall back to bytes as in Llama.
  tests/fixtures/llama_tokenizer_json/expected_ids.json
      For each case: the ids `Tokenizer.from_file(tokenizer.json).encode(text)`
      gives with and without special tokens, its tokens, and its decode() of
      both id lists. Text spelling a special token ("<s>") is encoded by
      Hugging Face as that special id; edgeattn encodes text as text, so the
      cases are encoded with `encode_special_tokens = True` (text is text) and
      "hf_default_ids" records what the default gives where it differs.
      "decode_cases": id lists encode() does not produce (two sequences,
      <unk>, a cut UTF-8 sequence) and HF's decode() of them.
      "unmerged_special": tokenizer.json with VARIANT_PIECES and
      VARIANT_MERGES appended, as a file trained by `tokenizers` (not
      converted from SentencePiece) can be: "<s" and ">" are pieces but no
      merge makes "<s>", so BPE never forms that special from text.

Dev-time only; the C++ build never runs Python. Made with tokenizers 0.23.3:
  python3 -m venv /tmp/llama-tok-venv
  /tmp/llama-tok-venv/bin/pip install tokenizers==0.23.3
  /tmp/llama-tok-venv/bin/python tests/reference/make_llama_tokenizer_json.py
The output is the same on every run for the same `tokenizers` version.
"""
import collections
import json
import os

import tokenizers
from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
OUT_DIR = os.path.join(ROOT, "tests", "fixtures", "llama_tokenizer_json")
STORIES = os.path.join(ROOT, "data", "eval", "stories.txt")
MARK = "\u2581"  # SentencePiece's word-boundary marker "▁"
SPECIALS = ["<unk>", "<s>", "</s>"]
TRAINED_PIECES = 640  # single characters + merged pieces from the trainer
# Llama's vocabulary has whitespace-only pieces ("▁▁" is its first merged
# piece); the trainer's Metaspace split cannot learn them, so they are added.
WHITESPACE_PIECES = [MARK * 2, MARK * 4, MARK * 3, MARK * 8]

# Adds digits, accents, a little CJK and symbols to the stories, which are
# plain ASCII letters and a little punctuation.
EXTRA_TEXT = """\
In 1969, 384400 km away, 3.5 days of travel; in 2024 it cost $12.99 or 9.99 EUR.
Call 555-0123 at 10:30, room 42, floor 7, 100% sure, 2 + 2 = 4.
Caf\u00e9, soir\u00e9e, cr\u00e8me br\u00fbl\u00e9e, na\u00efve fa\u00e7ade, r\u00e9sum\u00e9, \u00fcber M\u00fcnchen.
Le caf\u00e9 de la soir\u00e9e \u00e9tait tr\u00e8s bon, d\u00e9j\u00e0 vu.
\u4f60\u597d\u4e16\u754c\u3002\u4f60\u597d\u3002\u4e16\u754c\u4f60\u597d\u3002
    Indented  with  two  spaces  between  words.
        Eight  spaces  here,   and   three   here.
def main():    return 0  # code (with parens) [brackets] {braces} a+b=c
"""

CASES = [
    ("simple", "Hello world"),
    ("single_char", "a"),
    ("empty", ""),
    ("one_space", " "),
    ("two_spaces", "  "),
    ("story", "Once upon a time, there was a little girl named Lily."),
    ("dialogue", "Lily's mom said, \"Lily, let's go to the park.\""),
    ("question_exclaim", "Can you help me? Yes! Wow!!"),
    ("leading_space", " leading space"),
    ("leading_spaces", "   three leading"),
    ("trailing_spaces", "trailing   "),
    ("multiple_spaces", "a  b   c    d"),
    ("only_spaces", "     "),
    ("newlines", "line one\nline two\n\nline four\n"),
    ("crlf", "windows\r\nline\r\n"),
    ("tabs", "a\tb\t\tc \t d"),
    ("leading_newline", "\nstarts with a newline"),
    ("digits", "In 1969 there were 384400 km and 3.14159 or 1,000,000."),
    ("digits_letters", "abc123def 4th 2nd x86_64 0x1F"),
    ("punctuation", "Really?!... (yes) [no] {maybe} <tag/> --- ***"),
    ("symbols", "a+b=c; 50% @home #tag $5 ^caret `tick` |pipe| ~tilde \\back"),
    ("accents", "caf\u00e9 soir\u00e9e"),
    ("accents_capital", "Caf\u00e9 Soir\u00e9e \u00c9t\u00e9 \u00e0 Paris"),
    ("accents_unseen", "se\u00f1or ma\u00f1ana \u00c5ngstr\u00f6m \u00d8resund"),
    ("decomposed_accents", "cafe\u0301 nin\u0303o"),
    ("cjk_in_vocab", "\u4f60\u597d\u4e16\u754c"),
    ("cjk_unseen", "\u6211\u7231\u5317\u4eac\u5929\u5b89\u95e8"),
    ("cjk_mixed", "\u4f60\u597d Lily \u6211\u7231\u4f60"),
    ("japanese", "\u3053\u3093\u306b\u3061\u306f \u4e16\u754c"),
    ("korean", "\uc548\ub155\ud558\uc138\uc694"),
    ("greek_cyrillic", "\u0393\u03b5\u03b9\u03b1 \u041f\u0440\u0438\u0432\u0435\u0442"),
    ("emoji", "pizza \U0001F355 cats \U0001F431!"),
    ("emoji_zwj", "family \U0001F468\u200d\U0001F469\u200d\U0001F467 flag \U0001F1FA\U0001F1F8"),
    ("emoji_only", "\U0001F389\U0001F389\U0001F389"),
    ("unseen_ascii", "Xavier and Kate visit Vienna"),
    ("control_chars", "bell\x07 null\x00 esc\x1b[0m del\x7f"),
    ("nbsp_and_unicode_spaces", "a\u00a0b\u2003c\u3000d"),
    ("format_chars", "zero\u200bwidth bom\ufeffhere"),
    ("replacement_char", "bad \ufffd char"),
    ("marker_in_text", "a\u2581b \u2581\u2581c"),
    ("marker_alone", "\u2581"),
    ("special_text", "<s> and </s> and <unk>"),
    ("byte_piece_text", "<0x41> is not A"),
    ("code", "def main():\n    return 0  # done\n"),
    ("long_word", "antidisestablishmentarianism" * 3),
    ("repeated_letters", "aaaaaaaa bbbbbbbb eeeeeeeeeee"),
    ("long_sentence",
     "The little girl named Lily wanted to play with her big red ball in the park, but her mom "
     "said it was too late, so she went home, ate some soup, and dreamed of the sunny day when "
     "she would find her friend Tom and they would run and laugh together under the tall tree."),
]


def decode_cases(tok):
    def ids(text, special=True):
        return tok.encode(text, add_special_tokens=special).ids
    byte = lambda b: 3 + b  # id of <0xNN>
    lists = [
        ("two_sequences", ids("Hello world") + ids("Once upon a time")),
        ("eos_between", ids("Hello") + [2] + ids("world")),
        ("unk_inside", ids("a") + [0] + ids("b", False)),
        ("byte_space_first", [byte(0x20), tok.token_to_id("a")]),
        ("byte_space_after_bos", [1, byte(0x20), tok.token_to_id("a")]),
        ("cut_utf8", [1, byte(0xE6), byte(0x88)] + ids("a", False)),
    ]
    return [{"name": name, "ids": i, "decoded": tok.decode(i)} for name, i in lists]


# The unmerged_special variant: pieces "<", ">" and "<s" (merge "< s").
VARIANT_PIECES = ["<", ">", "<s"]
VARIANT_MERGES = ["< s"]
VARIANT_TEXTS = ["<s>", "x<s>y", "<s> and </s>"]


def unmerged_special_variant(path):
    with open(path, encoding="utf-8") as f:
        j = json.load(f)
    vocab = j["model"]["vocab"]
    for p in VARIANT_PIECES:
        vocab[p] = len(vocab)
    j["model"]["merges"] += VARIANT_MERGES
    tok = Tokenizer.from_str(json.dumps(j))
    tok.encode_special_tokens = True
    cases = []
    for text in VARIANT_TEXTS:
        enc = tok.encode(text)
        cases.append({"text": text, "ids": enc.ids, "tokens": enc.tokens, "decoded": tok.decode(enc.ids)})
    return {"extra_pieces": VARIANT_PIECES, "extra_merges": VARIANT_MERGES, "cases": cases}


def training_lines():
    with open(STORIES, encoding="utf-8") as f:
        text = f.read()
    return [line for line in (text + "\n" + EXTRA_TEXT).split("\n") if line.strip()]


def train_pieces(lines):
    """Single characters and merged pieces, SentencePiece-like: "▁" only
    starts a piece. Returns (merged pieces in merge order, characters)."""
    tok = Tokenizer(models.BPE())
    # Like SentencePiece with split_digits (Llama): words start at "▁",
    # punctuation runs do not merge into letters, digits stay single.
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Metaspace(replacement=MARK, prepend_scheme="always", split=True),
        pre_tokenizers.Split(Regex(MARK + "?[^\\p{L}\\p{M}\\p{N}" + MARK + "]+"), "isolated"),
        pre_tokenizers.Digits(individual_digits=True)])
    trainer = trainers.BpeTrainer(vocab_size=TRAINED_PIECES, min_frequency=2, show_progress=False)
    tok.train_from_iterator(lines, trainer=trainer)
    model = json.loads(tok.to_str())["model"]
    merged = list(WHITESPACE_PIECES)
    for m in model["merges"]:
        piece = "".join(m) if isinstance(m, list) else m.replace(" ", "")
        if piece not in merged:
            merged.append(piece)
    # Characters most frequent first, as SentencePiece orders them (ties by
    # code point so the order is stable).
    counts = collections.Counter("".join(MARK + line.replace(" ", MARK) for line in lines))
    chars = [c for c in model["vocab"] if len(c) == 1]
    chars.sort(key=lambda c: (-counts[c], c))
    return merged, chars


def llama_vocab_and_merges(merged, chars):
    pieces = SPECIALS + ["<0x%02X>" % b for b in range(256)] + merged + chars
    vocab = {p: i for i, p in enumerate(pieces)}
    assert len(vocab) == len(pieces), "duplicate piece"
    # transformers' SentencePieceExtractor: each split of each piece into two
    # vocabulary pieces (sorted by their ids), pieces in score order.
    merges = []
    for piece in pieces:
        local = [(piece[:i], piece[i:]) for i in range(1, len(piece))
                 if piece[:i] in vocab and piece[i:] in vocab]
        merges.extend(sorted(local, key=lambda lr: (vocab[lr[0]], vocab[lr[1]])))
    return vocab, merges


def build_tokenizer(vocab, merges):
    tok = Tokenizer(models.BPE(vocab=vocab, merges=merges, unk_token="<unk>", fuse_unk=True,
                               byte_fallback=True))
    tok.add_special_tokens([AddedToken(s, normalized=False, special=True) for s in SPECIALS])
    tok.normalizer = normalizers.Sequence([normalizers.Prepend(MARK), normalizers.Replace(" ", MARK)])
    tok.pre_tokenizer = None
    tok.post_processor = processors.TemplateProcessing(
        single="<s>:0 $A:0", pair="<s>:0 $A:0 <s>:1 $B:1", special_tokens=[("<s>", 1)])
    tok.decoder = decoders.Sequence([decoders.Replace(MARK, " "), decoders.ByteFallback(), decoders.Fuse(),
                                     decoders.Strip(" ", 1, 0)])
    return tok


def write_tokenizer_json(tok, path):
    """Saves like the Hub's Llama 2 file: merges as "left right" strings
    (tokenizers >= 0.20 writes [left, right] pairs; both load)."""
    j = json.loads(tok.to_str())
    j["model"]["merges"] = [" ".join(m) for m in j["model"]["merges"]]
    with open(path, "w", encoding="utf-8") as f:
        json.dump(j, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")


def encode_cases(tok):
    out = []
    for name, text in CASES:
        tok.encode_special_tokens = True
        with_bos = tok.encode(text)
        without = tok.encode(text, add_special_tokens=False)
        tok.encode_special_tokens = False
        default = tok.encode(text).ids
        case = {
            "name": name,
            "text": text,
            "ids": with_bos.ids,
            "ids_no_special": without.ids,
            "tokens": with_bos.tokens,
            "decoded": tok.decode(with_bos.ids),
            "decoded_no_special": tok.decode(without.ids),
        }
        if default != with_bos.ids:
            case["hf_default_ids"] = default
        out.append(case)
    return out


def main():
    merged, chars = train_pieces(training_lines())
    vocab, merges = llama_vocab_and_merges(merged, chars)
    os.makedirs(OUT_DIR, exist_ok=True)
    path = os.path.join(OUT_DIR, "tokenizer.json")
    write_tokenizer_json(build_tokenizer(vocab, merges), path)
    tok = Tokenizer.from_file(path)  # the cases come from the file as written
    assert tok.get_vocab_size() == len(vocab)
    cases = encode_cases(tok)
    out = {
        "source": "Hugging Face tokenizers %s on tests/fixtures/llama_tokenizer_json/tokenizer.json, "
                  "written by tests/reference/make_llama_tokenizer_json.py" % tokenizers.__version__,
        "vocab_size": tok.get_vocab_size(),
        "cases": cases,
        "decode_cases": decode_cases(tok),
        "unmerged_special": unmerged_special_variant(path),
    }
    with open(os.path.join(OUT_DIR, "expected_ids.json"), "w", encoding="utf-8") as f:
        f.write("{\n")
        for key in ("source", "vocab_size"):
            f.write(" %s: %s,\n" % (json.dumps(key), json.dumps(out[key])))
        # One case per line keeps diffs readable.
        f.write(' "cases": [\n')
        f.write(",\n".join("  " + json.dumps(c, ensure_ascii=True) for c in cases))
        f.write("\n ],\n")
        f.write(' "decode_cases": [\n')
        f.write(",\n".join("  " + json.dumps(c, ensure_ascii=True) for c in out["decode_cases"]))
        f.write("\n ],\n")
        f.write(' "unmerged_special": %s\n}\n' % json.dumps(out["unmerged_special"], ensure_ascii=True))
    print("wrote %s (%d pieces, %d merges, %d bytes) and %d cases"
          % (path, len(vocab), len(merges), os.path.getsize(path), len(cases)))


if __name__ == "__main__":
    main()
