"""Checks the exported ONNX models of tests/fixtures/vision against torch's
stored outputs: onnxruntime on the same 10,000 test inputs, max |diff| of the
logits, accuracy (mean IoU for the U-Net), argmax agreement with torch.

  /work/venv/bin/python tests/reference/vision/verify_onnx.py \
      [--dir tests/fixtures/vision] [--model NAME|all]

Needs numpy and onnxruntime (no torch). Exits 1 if any max |diff| is above
1e-4, a file's sha256 differs from its .json, or a U-Net mask pixel differs
from torch's where onnxruntime's logit is not within 1e-4 of 0.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys

import numpy as np
import onnxruntime as ort

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import fashion_mnist as fm  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))  # the repository
DEFAULT_DIR = os.path.join(ROOT, "tests", "fixtures", "vision")
MODELS = ["vit_tiny", "cbam_cnn", "sk_cnn", "temporal_clip", "attention_unet"]
TOL = 1e-4


def session(path: str) -> ort.InferenceSession:
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 2
    opts.inter_op_num_threads = 1
    return ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])


def run_batched(sess: ort.InferenceSession, x: np.ndarray, batch: int) -> np.ndarray:
    name = sess.get_inputs()[0].name
    return np.concatenate([sess.run(None, {name: x[i:i + batch]})[0]
                           for i in range(0, len(x), batch)])


def verify(name: str, d: str) -> bool:
    meta = json.load(open(os.path.join(d, f"{name}.json")))
    onnx_path = os.path.join(d, f"{name}.onnx")
    with open(onnx_path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    ok = digest == meta["onnx_sha256"]
    if not ok:
        print(f"{name}: onnx sha256 {digest} != {meta['onnx_sha256']} in {name}.json")
    sess = session(onnx_path)
    inp, out = sess.get_inputs()[0], sess.get_outputs()[0]
    io = f"{inp.name}{list(inp.shape)} -> {out.name}{list(out.shape)}"
    images, labels = fm.load("test")

    if name == "attention_unet":
        logits = run_batched(sess, fm.normalize(images)[:, None], 500)      # [N, 1, 28, 28]
        first64 = np.fromfile(os.path.join(d, f"{name}.logits_first64.f32"), dtype="<f4")
        diff = float(np.abs(logits[:64].reshape(-1) - first64).max())
        n = len(images)
        pred = logits.reshape(n, -1) > 0
        ref = np.unpackbits(np.fromfile(os.path.join(d, f"{name}.mask.bits"), dtype=np.uint8),
                            count=n * 784).reshape(n, -1).astype(bool)
        flips = pred != ref
        worst_flip = float(np.abs(logits.reshape(n, -1)[flips]).max()) if flips.any() else 0.0
        target = fm.foreground_mask(images).reshape(n, -1)
        inter = (pred & target).sum(1)
        union = (pred | target).sum(1)
        iou = float(np.where(union == 0, 1.0, inter / np.maximum(union, 1)).mean())
        pix = float((pred == target).mean())
        print(f"{name:15s} {io}  first-64 logits max|diff| {diff:.3g}  mask pixels != torch "
              f"{int(flips.sum())} of {flips.size} (max |logit| there {worst_flip:.3g})  "
              f"mean IoU {iou:.4f} (torch {meta['mean_iou']:.4f})  pixel acc {pix:.4f} "
              f"(torch {meta['pixel_accuracy']:.4f})")
        return ok and diff <= TOL and worst_flip <= TOL

    if name == "temporal_clip":
        clips = np.fromfile(os.path.join(d, "temporal_clips_test.i32"), dtype="<i4").reshape(-1, 5)
        x = fm.clip_inputs(images, clips)                               # [N, 4, 28, 28]
        logits = run_batched(sess, x, 1)                                # batch fixed to 1
        y = clips[:, -1]
    else:
        logits = run_batched(sess, fm.normalize(images)[:, None], 500)
        y = labels
    ref = np.fromfile(os.path.join(d, f"{name}.logits.f32"), dtype="<f4").reshape(len(y), 10)
    diff = float(np.abs(logits - ref).max())
    acc = float((logits.argmax(1) == y).mean())
    agree = int((logits.argmax(1) == ref.argmax(1)).sum())
    print(f"{name:15s} {io}  logits max|diff| {diff:.3g}  accuracy {acc:.4f} "
          f"(torch {meta['test_accuracy']:.4f})  argmax == torch {agree}/{len(y)}")
    return ok and diff <= TOL


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dir", default=DEFAULT_DIR)
    ap.add_argument("--model", default="all", choices=["all", *MODELS])
    args = ap.parse_args()
    print(f"onnxruntime {ort.__version__}, numpy {np.__version__}, tolerance {TOL}")
    names = MODELS if args.model == "all" else [args.model]
    failed = [n for n in names if not verify(n, args.dir)]
    print("FAILED: " + " ".join(failed) if failed else "all within tolerance")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
