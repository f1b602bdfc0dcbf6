"""Writes tests/fixtures/ocr/: text images and onnxruntime's outputs of
RapidOCR's three PP-OCR networks on them (the oracle of the OCR network
tests, issue #16 item 1).

  /work/venv/bin/python tests/reference/make_ocr_fixtures.py [MODELS_DIR]

MODELS_DIR defaults to ~/.cache/edgeattn/models/rapidocr/models (fetched by
scripts/fetch-models.sh). Needs numpy, onnxruntime, Pillow.

Each case: an RGB PNG (rendered by ocr_render.py) of exactly the network's
input size, the input tensor x = (pixel / 255 - 0.5) / 0.5 (float32 ops, NCHW
for onnxruntime; edgeattn takes the same values NHWC), and onnxruntime's
output sampled: every recognizer frame's argmax and probability plus seeded
random (frame, class) positions; seeded random detector positions; both
classifier outputs. Whole-output sums too, to catch a wrong layout.
"""
from __future__ import annotations

import json
import os
import sys

import numpy as np
import onnxruntime as ort
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ocr_render  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "fixtures", "ocr")

# (name, text, font, width): recognizer inputs are 48 high, widths multiples of 8.
REC_CASES = [
    ("rec_w96", "42.5%", "DejaVuSans-Bold.ttf", 96),
    ("rec_w240", "Hello, World!", "DejaVuSerif.ttf", 240),
    ("rec_w480", "Invoice #4711: 99.50 EUR", "DejaVuSansMono.ttf", 480),
]
CLS_CASES = [
    ("cls_upright", "upright text line", "DejaVuSans.ttf", False),
    ("cls_flipped", "upside-down line", "DejaVuSerif.ttf", True),
]
# (name, height, width, lines, upside-down line indices): multiples of 32.
DET_CASES = [
    ("det_96x128", 96, 128, [("OCR 16", "DejaVuSans-Bold.ttf", 26)], set()),
    ("det_224x320", 224, 320, [("The quick brown fox", "DejaVuSans.ttf", 26),
                                ("jumps over 13 dogs.", "DejaVuSerif.ttf", 22),
                                ("Total: 99.50", "DejaVuSansMono.ttf", 20)], {1}),
]


def to_input(rgb: np.ndarray) -> np.ndarray:
    x = rgb.astype(np.float32) / np.float32(255)
    x = (x - np.float32(0.5)) / np.float32(0.5)
    return np.ascontiguousarray(x.transpose(2, 0, 1)[np.newaxis])  # [1, 3, H, W]


def session(models: str, name: str) -> ort.InferenceSession:
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    return ort.InferenceSession(os.path.join(models, name), opts, providers=["CPUExecutionProvider"])


def save_png(name: str, rgb: np.ndarray) -> str:
    file = f"{name}.png"
    Image.fromarray(rgb).save(os.path.join(OUT, file), optimize=True)
    return file


def rec_cases(models: str, rng: np.random.Generator) -> list[dict]:
    sess = session(models, "ch_PP-OCRv4_rec_infer.onnx")
    out = []
    for name, text, font, width in REC_CASES:
        rgb = ocr_render.line_image(text, font, 32, 48, width)
        y = sess.run(None, {"x": to_input(rgb)})[0][0]  # [W/8, 6625]
        frames, classes = y.shape
        pos = [[int(f), int(c)] for f, c in zip(rng.integers(0, frames, 400), rng.integers(0, classes, 400))]
        out.append({"name": name, "text": text, "image": save_png(name, rgb), "shape": [int(v) for v in y.shape],
                    "argmax": [int(v) for v in y.argmax(1)], "max": [float(v) for v in y.max(1)],
                    "positions": pos, "values": [float(y[f, c]) for f, c in pos], "sum": float(y.sum(dtype=np.float64))})
    return out


def cls_cases(models: str) -> list[dict]:
    sess = session(models, "ch_ppocr_mobile_v2.0_cls_infer.onnx")
    out = []
    for name, text, font, flipped in CLS_CASES:
        rgb = ocr_render.line_image(text, font, 32, 48, 192)
        if flipped:
            rgb = np.ascontiguousarray(rgb[::-1, ::-1])
        y = sess.run(None, {"x": to_input(rgb)})[0][0]  # [2]: P(0 degrees), P(180 degrees)
        out.append({"name": name, "image": save_png(name, rgb), "flipped": flipped, "values": [float(v) for v in y]})
    return out


def det_cases(models: str, rng: np.random.Generator) -> list[dict]:
    sess = session(models, "ch_PP-OCRv4_det_infer.onnx")
    out = []
    for name, height, width, lines, flipped in DET_CASES:
        rgb = ocr_render.page_image(lines, width, height, flipped, left=12, top=12, gap=10)
        y = sess.run(None, {"x": to_input(rgb)})[0][0, 0]  # [H, W] text probability
        pos = [[int(r), int(c)] for r, c in zip(rng.integers(0, height, 600), rng.integers(0, width, 600))]
        out.append({"name": name, "image": save_png(name, rgb), "shape": [height, width], "positions": pos,
                    "values": [float(y[r, c]) for r, c in pos], "sum": float(y.sum(dtype=np.float64)),
                    "above_0_3": int((y > 0.3).sum())})
    return out


def main() -> None:
    models = sys.argv[1] if len(sys.argv) > 1 else os.path.expanduser("~/.cache/edgeattn/models/rapidocr/models")
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(16)
    fixture = {"generator": "tests/reference/make_ocr_fixtures.py", "onnxruntime": ort.__version__,
               "input": "x = (pixel / 255 - 0.5) / 0.5, float32", "rec": rec_cases(models, rng),
               "cls": cls_cases(models), "det": det_cases(models, rng)}
    with open(os.path.join(OUT, "onnx_reference.json"), "w") as f:
        json.dump(fixture, f, indent=0)
        f.write("\n")


if __name__ == "__main__":
    main()
