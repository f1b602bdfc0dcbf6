"""Writes tests/fixtures/ocr/pages/: rendered text pages (PIL + DejaVu
fonts), their ground truth, and what RapidOCR 1.4.4 (the peer: its own
Python pipeline with onnxruntime) reads on each, for the end-to-end OCR test
(issue #16 items 2, 3 and 6).

  /work/venv/bin/python tests/reference/make_ocr_pages.py [RAPIDOCR_DIR]

RAPIDOCR_DIR defaults to ~/.cache/edgeattn/models/rapidocr (the unpacked
package, scripts/fetch-models.sh). Needs numpy, Pillow, onnxruntime,
opencv-python-headless, pyclipper, shapely, pyyaml, six.

pages.json: per page the PNG, the lines (text top to bottom; which are
upside down), and the peer's lines (text, box, score) in its reading order;
plus the CER helper's definition, which the C++ test reimplements:
CER = Levenshtein distance over Unicode code points between the page's text
and the truth, whitespace removed from both, divided by the truth's length.
"""
from __future__ import annotations

import json
import os
import sys

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ocr_render  # noqa: E402
import rapidocr_peer  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "fixtures", "ocr", "pages")

SANS, SERIF, MONO = "DejaVuSans.ttf", "DejaVuSerif.ttf", "DejaVuSansMono.ttf"
BOLD, ITALIC, COND = "DejaVuSans-Bold.ttf", "DejaVuSerif-Italic.ttf", "DejaVuSansCondensed.ttf"

# (name, width, height, [(text, font, size)], upside-down line indices)
PAGES = [
    ("line_clean", 360, 72, [("Hello, World 2026!", SANS, 32)], set()),
    ("memo", 560, 260, [("Meeting notes", BOLD, 34), ("The quick brown fox jumps", SANS, 26),
                        ("over the lazy dog at 10:45.", SANS, 26), ("Room 3B, second floor", SERIF, 24)], set()),
    ("invoice", 600, 300, [("INVOICE No. 2026-0117", BOLD, 30), ("Date: 06/12/2026", MONO, 24),
                           ("3 x Widget @ 19.99 = 59.97", MONO, 24), ("VAT (19%): 11.39", MONO, 24),
                           ("Total: EUR 71.36", BOLD, 28)], set()),
    ("flipped_one", 560, 240, [("Edge devices read text", SERIF, 28), ("upside down works too", SANS, 28),
                               ("with an angle classifier", SERIF, 28)], {1}),
    ("contacts", 520, 280, [("Tel. +49 (30) 1234-567", SANS, 24), ("Fax: 030/765-4321", SANS, 24),
                            ("info@example.org", MONO, 24), ("www.example.com/ocr?id=42", MONO, 22)], set()),
    ("small_print", 640, 200, [("Small print matters: terms apply.", SANS, 18),
                               ("Offer valid until 31 Dec 2026; see p. 7.", SERIF, 18),
                               ("Ref: A-17/B-23 (rev. 4)", MONO, 18)], set()),
    ("large_title", 600, 180, [("Attention", BOLD, 56), ("is all you need", ITALIC, 40)], set()),
    ("math", 520, 220, [("3.14159 x 2 = 6.28318", MONO, 26), ("e = 2.71828...", SERIF, 26),
                        ("sqrt(2) ~ 1.41421", SANS, 26)], set()),
    ("condensed", 560, 220, [("Condensed fonts save space,", COND, 28), ("but keep letters apart!", COND, 28),
                             ("Numbers: 0123456789", COND, 28)], set()),
    ("flipped_two", 600, 280, [("First line stays upright", SANS, 26), ("Second line is flipped", SERIF, 26),
                               ("Third line: 12 apples", SANS, 26), ("Fourth one flipped too", MONO, 24)], {1, 3}),
]


def cer(text: str, truth: str) -> float:
    a, b = "".join(text.split()), "".join(truth.split())
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
        prev = cur
    return prev[len(b)] / max(1, len(b))


def main() -> None:
    peer = rapidocr_peer.load(sys.argv[1] if len(sys.argv) > 1 else rapidocr_peer.DEFAULT_DIR).RapidOCR()
    os.makedirs(OUT, exist_ok=True)
    pages = []
    total_err = total_len = 0.0
    for name, width, height, lines, flipped in PAGES:
        rgb = ocr_render.page_image(lines, width, height, flipped)
        file = f"{name}.png"
        Image.fromarray(rgb).save(os.path.join(OUT, file), optimize=True)
        result, _ = peer(np.ascontiguousarray(rgb[:, :, ::-1]))  # the peer takes BGR, as cv2.imread gives
        peer_lines = [{"text": t, "box": [[float(v) for v in p] for p in box], "score": float(s)}
                      for box, t, s in (result or [])]
        truth = "\n".join(t for t, _, _ in lines)
        got = "\n".join(l["text"] for l in peer_lines)
        c = cer(got, truth)
        n = len("".join(truth.split()))
        total_err += c * n
        total_len += n
        print(f"{name}: CER {c:.4f}  {got!r}")
        pages.append({"name": name, "image": file, "lines": [t for t, _, _ in lines],
                      "upside_down": sorted(flipped), "peer": peer_lines, "peer_cer": c})
    print(f"all pages: CER {total_err / total_len:.4f}")
    with open(os.path.join(OUT, "pages.json"), "w") as f:
        json.dump({"generator": "tests/reference/make_ocr_pages.py", "peer": "rapidocr-onnxruntime 1.4.4",
                   "cer": "Levenshtein over code points, whitespace removed, / truth length",
                   "pages": pages, "peer_cer": total_err / total_len}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
