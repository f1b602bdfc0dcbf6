#!/usr/bin/env python3
"""Writes the tokenizer fixtures the C++ tests compare against.

  tests/fixtures/tokenizer_wordpiece_minilm.json
      ids (and decoded text) from the Hugging Face `tokenizers` package on the
      real all-MiniLM-L6-v2 tokenizer.json (its padding disabled, truncation at
      256 tokens).
  tests/fixtures/tokenizer_spm_tok512.json
      ids from an independent Python implementation of SentencePiece-style BPE
      (written from the algorithm description, not from the C++ code) on
      stories260K's tok512.bin.

Dev-time only (pip install tokenizers). Usage:
  python3 tests/reference/make_tokenizer_fixtures.py \
      --minilm /path/to/all-MiniLM-L6-v2 --tok512 /path/to/tok512.bin
"""
import argparse
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.normpath(os.path.join(HERE, "..", "fixtures"))

LONG_WORD = "pneumonoultramicroscopicsilicovolcanoconiosis" * 3  # 135 chars
LONG_TEXT = " ".join(
    "The quick brown fox jumps over the lazy dog near the riverbank, "
    "while {} curious otters watch from the water.".format(i) for i in range(30))

WORDPIECE_SENTENCES = [
    ("short", "Hello world"),
    ("single_char", "a"),
    ("empty", ""),
    ("only_spaces", "   \t\n  "),
    ("sentence", "The cat sat on the mat."),
    ("mixed_case", "ThIs Is MiXeD CaSe TeXt"),
    ("punctuation", "Hello, world! How are you? I'm fine... (really) [yes] {no}"),
    ("ascii_symbols", "a+b=c; x<y>z; 50% off @home #tag $5 ^caret `tick` |pipe| ~tilde"),
    ("quotes", "She said \"don't\" and 'won't' \u2014 really \u201cquoted\u201d \u2018text\u2019"),
    ("contractions", "It's they're we've I'll can't shouldn't"),
    ("accents_fr", "Caf\u00e9 cr\u00e8me br\u00fbl\u00e9e \u00e0 la fran\u00e7aise"),
    ("accents_es", "El ni\u00f1o ma\u00f1ana en Espa\u00f1a, \u00bfqu\u00e9 tal? \u00a1Ol\u00e9!"),
    ("accents_de", "\u00dcber M\u00fcnchen und K\u00f6ln, Stra\u00dfe \u00c4rger"),
    ("accents_nordic", "\u00c5ngstr\u00f6m \u00c5land \u00d8resund \u00e6blegr\u00f8d"),
    ("decomposed_accents", "Cafe\u0301 nin\u0303o U\u0308ber"),
    ("dotted_capital_i", "\u0130stanbul \u0130I\u0131i"),
    ("greek", "\u0391\u03b8\u03ae\u03bd\u03b1 \u039f\u0394\u03a5\u03a3\u03a3\u0395\u03a5\u03a3 \u03c3\u03bf\u03c6\u03af\u03b1"),
    ("cyrillic", "\u041f\u0440\u0438\u0432\u0435\u0442, \u043c\u0438\u0440! \u0401\u043b\u043a\u0430"),
    ("chinese", "\u6211\u7231\u5317\u4eac\u5929\u5b89\u95e8\u3002\u4eca\u5929\u5929\u6c14\u5f88\u597d"),
    ("chinese_mixed", "\u91ce\u53e3\u91cc\u4f73 Noguchi Rika \u4e2d\u6587abc\u82f1\u6587"),
    ("japanese_kana", "\u3053\u3093\u306b\u3061\u306f\u4e16\u754c \u30ab\u30bf\u30ab\u30ca \u30c6\u30b9\u30c8"),
    ("korean_hangul", "\uc548\ub155\ud558\uc138\uc694 \uc138\uacc4 \ud55c\uad6d\uc5b4"),
    ("arabic", "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645"),
    ("hindi", "\u0928\u092e\u0938\u094d\u0924\u0947 \u0926\u0941\u0928\u093f\u092f\u093e"),
    ("thai", "\u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35\u0e04\u0e23\u0e31\u0e1a"),
    ("emoji", "I love pizza \U0001F355 and cats \U0001F431!"),
    ("emoji_zwj", "family \U0001F468\u200d\U0001F469\u200d\U0001F467 flag \U0001F1FA\U0001F1F8"),
    ("control_chars", "bell\x07 null\x00 esc\x1b[0m del\x7f end\x0b\x0c\x85"),
    ("format_chars", "zero\u200bwidth soft\u00adhyphen bom\ufeffhere rtl\u200fmark"),
    ("replacement_char", "bad \ufffd char"),
    ("private_use", "private \ue000\uf8ff use"),
    ("whitespace_mix", "tab\there\nnewline\r\ncrlf\u00a0nbsp\u3000ideographic\u2009thin\u2028line"),
    ("numbers", "3.14159 1,000,000 2024-01-15 42nd 0x1F 1e-5 -273.15"),
    ("url", "Visit https://www.example.com/path?query=1&x=y#frag or http://test.org"),
    ("email", "Contact john.doe+filter@example.co.uk for info."),
    ("code", "def f(x): return x**2 if x > 0 else -x  # comment"),
    ("long_word", "word " + LONG_WORD + " after"),
    ("exactly_100_chars", "a" * 100),
    ("exactly_101_chars", "b" * 101),
    ("unknown_subwords", "xqzvkj qwrtpsdfg zzzzzyx"),
    ("repeated_punct", "wow!!!??? ... --- ***"),
    ("currency_math", "\u20ac100 \u00a350 \u00a5300 \u00b1 \u00d7 \u00f7 \u221e \u2260 \u2264"),
    ("fullwidth", "\uff28\uff45\uff4c\uff4c\uff4f \uff11\uff12\uff13\uff01"),
    ("ligatures", "\ufb01ne \ufb02ow \u2163 \u00bd \u2460"),
    ("long_text_truncated", LONG_TEXT),
    ("medical", "The patient presented with acute myocardial infarction and hypertension."),
    ("question", "What is the capital of France?"),
]

SPM_CASES = [
    ("once_upon", "Once upon a time"),
    ("empty", ""),
    ("one_char", "a"),
    ("one_space", " "),
    ("leading_spaces", "  two leading spaces"),
    ("sentence", "Lily was sad and didn't know what to do."),
    ("quotes", "She said, \"I want to play with your ball, but I can't find it.\""),
    ("newlines", "Line one.\nLine two.\n\nDone"),
    ("capitals", "THE BIG RED BALL"),
    ("numbers", "He counted 1, 2, 3, 42 and 1000 apples."),
    ("emoji", "The dog \U0001F436 was happy \U0001F600!"),
    ("accents", "Caf\u00e9 na\u00efve r\u00e9sum\u00e9"),
    ("chinese", "\u4f60\u597d\u4e16\u754c"),
    ("mixed_scripts", "Hello \u041c\u0438\u0440 \u3053\u3093\u306b\u3061\u306f"),
    ("trademark", "Brand\u2122 and \u2014 dash"),
    ("symbols", "[x] ~y~ {z} <w> | \\ ^ _"),
    ("tabs", "a\tb\tc"),
    ("repeated", "the the the the the the"),
    ("long_word", "supercalifragilisticexpialidocious"),
    ("story", "One day, she saw a big, red ball. She wanted to play with it, but it was too high."),
    ("nul_byte", "a\x00b"),
    ("hex_invalid_utf8", b"bad \xff\xfe bytes \xc3"),
    ("hex_overlong", b"\xc0\xaf \xe0\x80\xaf"),
    ("hex_surrogate", b"\xed\xa0\x80 \xed\xbf\xbf"),
    ("hex_stray_continuation", b"\x80\x80\x80\x80\x80 x"),
]


def load_llama2c_tokenizer(path):
    with open(path, "rb") as f:
        data = f.read()
    (_max_len,) = struct.unpack_from("<i", data, 0)
    off = 4
    pieces, scores = [], []
    while off < len(data):
        score, length = struct.unpack_from("<fi", data, off)
        off += 8
        pieces.append(data[off:off + length])
        scores.append(score)
        off += length
    return pieces, scores


def spm_bpe_encode(text, pieces, scores, bos_id=1):
    """SentencePiece-style BPE with byte fallback, from the description:

    prepend " " to non-empty text; cut the bytes into chunks (a non-continuation
    byte plus up to 3 following continuation bytes); a chunk that is a piece is
    one token, otherwise each of its bytes becomes the "<0xNN>" piece; then
    while some adjacent pair concatenates to a piece, merge the pair whose piece
    has the highest score (leftmost on ties). BOS is prepended, not merged.
    """
    ids = {}
    for i, p in enumerate(pieces):
        ids.setdefault(p, i)
    tokens = []
    if text:
        text = b" " + text
    i = 0
    while i < len(text):
        j = i + 1
        while j < len(text) and j - i < 4 and (text[j] & 0xC0) == 0x80:
            j += 1
        chunk = text[i:j]
        if chunk in ids:
            tokens.append(ids[chunk])
        else:
            tokens.extend(ids[b"<0x%02X>" % b] for b in chunk)
        i = j
    while True:
        best = None
        for k in range(len(tokens) - 1):
            merged = ids.get(pieces[tokens[k]] + pieces[tokens[k + 1]])
            if merged is None or not scores[merged] > -1e10:
                continue
            if best is None or scores[merged] > best[0]:
                best = (scores[merged], k, merged)
        if best is None:
            break
        _, k, merged = best
        tokens[k:k + 2] = [merged]
    return [bos_id] + tokens


def write_json(path, obj):
    with open(path, "w", encoding="ascii") as f:
        json.dump(obj, f, ensure_ascii=True, indent=1)
        f.write("\n")
    print("wrote", path, len(obj["cases"]), "cases")


def make_wordpiece(model_dir):
    from tokenizers import Tokenizer
    import tokenizers
    tok = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(max_length=256)
    cases = []
    for name, text in WORDPIECE_SENTENCES:
        enc = tok.encode(text)
        cases.append({"name": name, "text": text, "ids": enc.ids,
                      "decoded": tok.decode(enc.ids)})
    assert any(len(c["ids"]) == 256 for c in cases), "need a truncated case"
    write_json(os.path.join(FIXTURES, "tokenizer_wordpiece_minilm.json"), {
        "source": "tokenizers %s on all-MiniLM-L6-v2 tokenizer.json, no padding, "
                  "truncation max_length=256" % tokenizers.__version__,
        "max_tokens": 256,
        "cases": cases,
    })


def make_spm(tok512):
    pieces, scores = load_llama2c_tokenizer(tok512)
    cases = []
    for name, text in SPM_CASES:
        raw = text if isinstance(text, bytes) else text.encode("utf-8")
        case = {"name": name}
        if isinstance(text, bytes):
            case["hex"] = raw.hex()
        else:
            case["text"] = text
        case["ids"] = spm_bpe_encode(raw, pieces, scores)
        cases.append(case)
    write_json(os.path.join(FIXTURES, "tokenizer_spm_tok512.json"), {
        "source": "independent Python BPE (make_tokenizer_fixtures.py) on stories260K tok512.bin, "
                  "with BOS, dummy prefix, byte fallback",
        "cases": cases,
    })


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--minilm", help="folder with all-MiniLM-L6-v2 tokenizer.json")
    ap.add_argument("--tok512", help="stories260K tok512.bin")
    args = ap.parse_args()
    if args.minilm:
        make_wordpiece(args.minilm)
    if args.tok512:
        make_spm(args.tok512)


if __name__ == "__main__":
    main()
