"""edgeattn's TextReader vs RapidOCR 1.4.4's pipeline (onnxruntime) on one
rendered page, same detector input size, 1 and 2 threads, in one run
(bench/ocr_compare.sh builds and converts, then runs this).

The page: ten lines of text (DejaVu fonts, 30 px) on 1280 x 960, rendered by
tests/reference/ocr_render.py. RapidOCR's detector size rule keeps it at
1280 x 960 (its short side is already >= 736, its long side < 2000);
edgeattn reads it with --max-side 1280, so both detectors see the same
tensor. RapidOCR runs its recognizer in batches of 6 lines padded to the
widest; edgeattn one line at a time (padded to >= 320).

Timing: per read, after one warm-up, median of --runs reads; RapidOCR with
intra_op_num_threads = N (inter_op 1), edgeattn with --threads N. Prints a
markdown table (ratio = edgeattn / RapidOCR latency) and writes it to
WORK/ocr_compare.md.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "reference"))
import ocr_render  # noqa: E402
import rapidocr_peer  # noqa: E402
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cpu_info import cpu_line  # noqa: E402

FONTS = ["DejaVuSans.ttf", "DejaVuSerif.ttf", "DejaVuSansMono.ttf", "DejaVuSans-Bold.ttf"]
TEXTS = ["Edge inference runtimes read text on small boards.", "Invoice 2026-0117: 3 x Widget @ 19.99 = 59.97 EUR",
         "The quick brown fox jumps over the lazy dog.", "Contact: info@example.org, +49 (30) 1234-567",
         "Attention over feature columns recognizes each line.", "Numbers 0123456789 and punctuation: ;:,.!?()[]",
         "A detector finds boxes; a classifier turns them.", "Recognition decodes characters with CTC, greedily.",
         "Memory is planned once; reading allocates nothing.", "Page 1 of 1 - printed 06 Dec 2026, 20:45 UTC"]


def peer_ms(peer_dir: str, rgb: np.ndarray, threads: int, runs: int) -> tuple[float, list[float], int]:
    mod = rapidocr_peer.load(peer_dir)
    engine = mod.RapidOCR(intra_op_num_threads=threads, inter_op_num_threads=1)
    bgr = np.ascontiguousarray(rgb[:, :, ::-1])
    engine(bgr)  # warm-up
    times, stages = [], []
    for _ in range(runs):
        t = time.perf_counter()
        result, elapse = engine(bgr)
        times.append((time.perf_counter() - t) * 1000)
        stages.append([e * 1000 for e in elapse])
    return float(np.median(times)), [float(v) for v in np.median(np.array(stages), axis=0)], len(result or [])


def edgeattn_ms(bench: str, model: str, image: str, threads: int, runs: int) -> dict:
    out = subprocess.run([bench, model, "--image", image, "--max-side", "1280", "--threads", str(threads), "--runs",
                          str(runs), "--json"], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--peer", default=rapidocr_peer.DEFAULT_DIR)
    ap.add_argument("--work", default="/tmp")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    lines = [(t, FONTS[i % 4], 30) for i, t in enumerate(TEXTS)]
    rgb = ocr_render.page_image(lines, 1280, 960, set(), left=40, top=40, gap=40)
    image = os.path.join(a.work, "ocr_page_1280x960.png")
    Image.fromarray(rgb).save(image)
    rows = [f"CPU: {cpu_line()}; page 1280 x 960, 10 lines; median of {a.runs} reads after a warm-up",
            "", "| threads | edgeattn fp32 ms (det / cls / rec) | RapidOCR 1.4.4 + onnxruntime ms (det / cls / rec) "
            "| ratio |", "|---|---|---|---|"]
    for threads in [int(t) for t in a.threads.split(",")]:
        e = edgeattn_ms(a.bench, a.model, image, threads, a.runs)
        p_total, p_stages, p_lines = peer_ms(a.peer, rgb, threads, a.runs)
        e_total = e["total"]["median_ms"]
        rows.append(f"| {threads} | {e_total:.0f} ({e['det']['median_ms']:.0f} / {e['cls']['median_ms']:.0f} / "
                    f"{e['rec']['median_ms']:.0f}), {e['lines']} lines | {p_total:.0f} ({p_stages[0]:.0f} / "
                    f"{p_stages[1]:.0f} / {p_stages[2]:.0f}), {p_lines} lines | {e_total / p_total:.2f} |")
    text = "\n".join(rows)
    print(text)
    with open(os.path.join(a.work, "ocr_compare.md"), "w") as f:
        f.write(text + "\n")


if __name__ == "__main__":
    main()
