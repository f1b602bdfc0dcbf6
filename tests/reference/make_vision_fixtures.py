"""Writes tests/fixtures/vision/: two tiny ONNX image models, their labels,
small PNG images, and reference.json (the oracle of the ImageRunner tests,
issue #17):

  /work/venv/bin/python tests/reference/make_vision_fixtures.py

Needs numpy, onnx and onnxruntime (no Pillow: the PNGs are written here with
zlib). Deterministic: the same package versions give the same bytes.

Models (opset 13, IR 7, weights from numpy's default_rng(17)):
  tiny_classifier.onnx  image [N, 3, H, W] (H, W symbolic) -> Conv 3x3 s2 p1
                        (3 -> 8) -> Relu -> GlobalAveragePool -> Flatten ->
                        Gemm (8 -> 5): logits [N, 5]; labels.txt names them.
  tiny_clip.onnx        frames [N, 3, 12, 14] (3 gray frames) -> Conv 3x3 p1
                        (3 -> 4) -> Relu -> Conv 1x1 (4 -> 1): a map
                        [N, 1, 12, 14] whose values leave [0, 1].

Each case of reference.json names a model, the converter options the test
converts it with, the image files, the input tensor numpy computes from the
definition in runtime/tasks/image/preprocess.h (float64, written in its own
way here: whole-array numpy, not a port of the C++), NHWC flattened, and
onnxruntime's outputs on that tensor (float32, NCHW as ONNX gives them:
a [1, 1, h, w] map flattens the same in NHWC).
"""
from __future__ import annotations

import json
import os
import struct
import zlib

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "fixtures", "vision")

LABELS = ["tabby cat", "golden retriever", "crème brûlée", "fire truck", "starfish"]
IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]


# ---------------------------------------------------------------- files

def write_png(path: str, rgb: np.ndarray) -> None:
    """8-bit RGB PNG, filter 0 on every row (exact pixels, any decoder)."""
    h, w, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[y].astype(np.uint8).tobytes() for y in range(h))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)


def picture(w: int, h: int, seed: int) -> np.ndarray:
    """Gradients, a disc and noise: every channel different, no symmetry."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    r = 255 * x / max(w - 1, 1)
    g = 255 * (1 - y / max(h - 1, 1))
    disc = ((x - 0.6 * w) ** 2 + (y - 0.4 * h) ** 2) < (0.3 * min(w, h)) ** 2
    b = np.where(disc, 230.0, 40.0)
    noise = np.random.default_rng(seed).integers(0, 40, size=(h, w, 3))
    img = np.stack([r, g, b], axis=-1) + noise
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


# ---------------------------------------------------------------- models

def model_proto(nodes, inputs, outputs, inits) -> onnx.ModelProto:
    graph = helper.make_graph(nodes, "tiny", inputs, outputs, [numpy_helper.from_array(a, n) for n, a in inits])
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="make_vision_fixtures")
    m.ir_version = 7
    onnx.checker.check_model(m)
    return m


def classifier(rng) -> onnx.ModelProto:
    w1 = rng.normal(0, 0.5, (8, 3, 3, 3)).astype(np.float32)
    b1 = rng.normal(0, 0.1, 8).astype(np.float32)
    w2 = rng.normal(0, 1.0, (5, 8)).astype(np.float32)
    b2 = rng.normal(0, 0.1, 5).astype(np.float32)
    nodes = [
        helper.make_node("Conv", ["image", "w1", "b1"], ["c1"], "conv", kernel_shape=[3, 3], strides=[2, 2],
                         pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c1"], ["r1"], "relu"),
        helper.make_node("GlobalAveragePool", ["r1"], ["gap"], "gap"),
        helper.make_node("Flatten", ["gap"], ["flat"], "flatten", axis=1),
        helper.make_node("Gemm", ["flat", "w2", "b2"], ["logits"], "fc", transB=1),
    ]
    x = helper.make_tensor_value_info("image", TensorProto.FLOAT, ["N", 3, "H", "W"])
    y = helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 5])
    return model_proto(nodes, [x], [y], [("w1", w1), ("b1", b1), ("w2", w2), ("b2", b2)])


def clip(rng) -> onnx.ModelProto:
    w1 = rng.normal(0, 0.6, (4, 3, 3, 3)).astype(np.float32)
    b1 = rng.normal(0, 0.1, 4).astype(np.float32)
    w2 = rng.normal(0, 1.5, (1, 4, 1, 1)).astype(np.float32)
    b2 = np.array([-0.5], np.float32)
    nodes = [
        helper.make_node("Conv", ["frames", "w1", "b1"], ["c1"], "conv1", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c1"], ["r1"], "relu"),
        helper.make_node("Conv", ["r1", "w2", "b2"], ["saliency"], "conv2", kernel_shape=[1, 1]),
    ]
    x = helper.make_tensor_value_info("frames", TensorProto.FLOAT, [1, 3, 12, 14])
    y = helper.make_tensor_value_info("saliency", TensorProto.FLOAT, [1, 1, 12, 14])
    return model_proto(nodes, [x], [y], [("w1", w1), ("b1", b1), ("w2", w2), ("b2", b2)])


# ---------------------------------------------------------------- preprocessing, from the definition

def placement(sh: int, sw: int, H: int, W: int, resize: str):
    """(resized height, resized width, offset y, offset x): frame (y, x) is resized (y + oy, x + ox)."""
    if resize == "stretch":
        return H, W, 0, 0
    if resize == "letterbox":
        s = min(H / sh, W / sw)
        rh = min(H, max(1, int(np.floor(sh * s + 0.5))))  # lround: half away from zero (positive here)
        rw = min(W, max(1, int(np.floor(sw * s + 0.5))))
        return rh, rw, -((H - rh) // 2), -((W - rw) // 2)
    s = max(H / sh, W / sw)
    rh = max(H, int(np.floor(sh * s + 0.5)))
    rw = max(W, int(np.floor(sw * s + 0.5)))
    return rh, rw, (rh - H) // 2, (rw - W) // 2


def sample_axis(idx: np.ndarray, n: int, m: int):
    """Half-pixel source positions of resized indices idx (size m from n): i0, i1, weight of i1."""
    s = np.maximum((idx + 0.5) * n / m - 0.5, 0.0)
    i0 = np.floor(s).astype(np.int64)
    f = s - i0
    edge = i0 >= n - 1
    i0 = np.where(edge, n - 1, i0)
    i1 = np.where(edge, n - 1, i0 + 1)
    return i0, i1, np.where(edge, 0.0, f)


def frame(rgb: np.ndarray, H: int, W: int, channels: int, resize: str, mean, std, bgr: bool) -> np.ndarray:
    """One frame [H, W, channels], float64."""
    sh, sw, _ = rgb.shape
    src = rgb.astype(np.int64)
    if channels == 1:
        src = ((299 * src[..., 0] + 587 * src[..., 1] + 114 * src[..., 2] + 500) // 1000)[..., None]
    elif bgr:
        src = src[..., ::-1]
    src = src.astype(np.float64)
    rh, rw, oy, ox = placement(sh, sw, H, W, resize)
    ry, rx = np.arange(H) + oy, np.arange(W) + ox
    inside = ((ry >= 0) & (ry < rh))[:, None] & ((rx >= 0) & (rx < rw))[None, :]
    y0, y1, fy = sample_axis(np.clip(ry, 0, rh - 1), sh, rh)
    x0, x1, fx = sample_axis(np.clip(rx, 0, rw - 1), sw, rw)
    fy, fx = fy[:, None, None], fx[None, :, None]
    top = (1 - fx) * src[y0][:, x0] + fx * src[y0][:, x1]
    bottom = (1 - fx) * src[y1][:, x0] + fx * src[y1][:, x1]
    v = (1 - fy) * top + fy * bottom
    v = np.where(inside[..., None], v, 0.0)  # letterbox bands: black pixels
    return (v / 255.0 - np.asarray(mean, np.float64)) / np.asarray(std, np.float64)


def run_onnx(path: str, nhwc: np.ndarray) -> list[np.ndarray]:
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    sess = ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])
    name = sess.get_inputs()[0].name
    return sess.run(None, {name: np.ascontiguousarray(nhwc.transpose(0, 3, 1, 2)).astype(np.float32)})


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z.astype(np.float64) - z.max())
    return e / e.sum()


# ---------------------------------------------------------------- cases

def g9(v) -> float:
    """9 significant digits: every float32 exactly, a float64 to ~1e-9."""
    return float(f"{float(v):.9g}")


def main() -> None:
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(17)
    onnx.save(classifier(rng), os.path.join(OUT, "tiny_classifier.onnx"))
    onnx.save(clip(rng), os.path.join(OUT, "tiny_clip.onnx"))
    with open(os.path.join(OUT, "labels.txt"), "w", encoding="utf-8") as f:
        f.write("".join(label + "\n" for label in LABELS))
    images = {"photo.png": picture(37, 23, 1), "wide.png": picture(50, 20, 2), "exact.png": picture(20, 16, 3),
              "frame0.png": picture(15, 11, 4), "frame1.png": picture(15, 11, 5), "frame2.png": picture(9, 20, 6)}
    for name, rgb in images.items():
        write_png(os.path.join(OUT, name), rgb)

    cls = dict(model="tiny_classifier.onnx", height=16, width=20, channels=3, frames=1)
    clp = dict(model="tiny_clip.onnx", height=12, width=14, channels=1, frames=3)
    cases = [
        dict(cls, name="stretch_imagenet", resize="stretch", mean=IMAGENET_MEAN, std=IMAGENET_STD, bgr=False,
             images=["photo.png"]),
        dict(cls, name="letterbox_bgr", resize="letterbox", mean=[0.5, 0.4, 0.3], std=[0.25, 0.5, 0.2], bgr=True,
             images=["wide.png"]),
        dict(cls, name="center_crop", resize="center-crop", mean=IMAGENET_MEAN, std=IMAGENET_STD, bgr=False,
             images=["wide.png"]),
        dict(cls, name="center_crop_tall", resize="center-crop", mean=[0.2, 0.3, 0.4], std=[0.3, 0.3, 0.3],
             bgr=False, images=["frame2.png"]),
        dict(cls, name="exact_size", resize="letterbox", mean=[0.0, 0.0, 0.0], std=[1.0, 1.0, 1.0], bgr=False,
             images=["exact.png"]),
        dict(clp, name="clip_gray_letterbox", resize="letterbox", mean=[0.5], std=[0.25], bgr=False,
             images=["frame0.png", "frame1.png", "frame2.png"]),
    ]
    for c in cases:
        frames = [frame(images[i], c["height"], c["width"], c["channels"], c["resize"], c["mean"], c["std"], c["bgr"])
                  for i in c["images"]]
        nhwc = np.concatenate(frames, axis=-1)[None]  # frame t -> channels t*C ..
        outs = run_onnx(os.path.join(OUT, c["model"]), nhwc)
        c["input"] = [g9(v) for v in nhwc.ravel()]
        c["output_shape"] = list(outs[0].shape)
        c["output"] = [g9(v) for v in outs[0].ravel()]
        if c["model"] == "tiny_classifier.onnx":
            p = softmax(outs[0][0])
            c["probabilities"] = [g9(v) for v in p]
            c["top"] = [int(i) for i in sorted(range(len(p)), key=lambda i: (-p[i], i))]
    ref = dict(labels=LABELS, cases=cases,
               versions=dict(numpy=np.__version__, onnx=onnx.__version__, onnxruntime=ort.__version__))
    with open(os.path.join(OUT, "reference.json"), "w", encoding="utf-8") as f:
        json.dump(ref, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
