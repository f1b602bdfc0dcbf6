"""Writes tests/fixtures/ocr/postprocess_reference.json: what RapidOCR 1.4.4's
own pre/post-processing functions (and cv2, which they call) give on small
synthetic and rendered inputs -- the oracle of runtime/tasks/ocr/.

  /work/venv/bin/python tests/reference/make_ocr_postprocess_fixtures.py [RAPIDOCR_DIR]

RAPIDOCR_DIR defaults to ~/.cache/edgeattn/models/rapidocr (the unpacked
rapidocr-onnxruntime 1.4.4 wheel, fetched by scripts/fetch-models.sh).
Needs numpy, opencv-python-headless, pyclipper, shapely, onnxruntime, Pillow.

Encodings (kept small; the file must stay well under 200 KB):
  - "rle": a uint8 array as run pairs [value, count, value, count, ...] in
    row-major order; a probability map p is q / 255 in float32 (q uint8),
    computed the same way on both sides.
  - "b64": raw bytes, base64 (images: RGB interleaved, row-major).

Sections:
  resize: cv2.resize INTER_LINEAR of a seeded RGB image to several sizes.
  det_shapes: (h, w) -> DetPreProcess.resize's output size (limit 736, "min"),
              after main.preprocess's reduce_max_side (2000) when it applies.
  db: probability maps -> DBPostProcess (config.yaml's parameters) boxes and
      scores in contour order, then filter_tag_det_res + sorted_boxes.
  crop: get_rotate_crop_image (main.py) of quads in a rendered page.
  rec_widths / cls_widths: resize_norm_img's resized and padded widths.
  ctc: CTCLabelDecode on seeded frame probabilities.
"""
from __future__ import annotations

import base64
import json
import math
import os
import sys

import cv2
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ocr_render  # noqa: E402
import rapidocr_peer  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "fixtures", "ocr", "postprocess_reference.json")


def encode_map(q: np.ndarray) -> dict:
    """The shorter of the two encodings of a uint8 map."""
    runs = rle(q)
    raw = b64(q)
    return {"rle": runs} if len(json.dumps(runs)) < len(raw) else {"b64": raw}


def rle(a: np.ndarray) -> list[int]:
    flat = a.astype(np.uint8).ravel()
    out: list[int] = []
    i = 0
    while i < len(flat):
        j = i
        while j < len(flat) and flat[j] == flat[i]:
            j += 1
        out += [int(flat[i]), j - i]
        i = j
    return out


def b64(a: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(a, dtype=np.uint8).tobytes()).decode()


def seeded_rgb(h: int, w: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    img = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    # Smooth gradients plus noise: both flat and sharp neighbourhoods.
    yy, xx = np.mgrid[0:h, 0:w]
    img[:, :, 1] = ((xx * 255) // max(1, w - 1)).astype(np.uint8)
    return img


def resize_cases() -> list[dict]:
    out = []
    src = seeded_rgb(15, 21, 1)
    # Up, down, identity, extreme ratios, exactly 2x (cv2 switches to INTER_AREA
    # for 2x downscales only), 1x1.
    for w, h in [(32, 24), (9, 6), (21, 15), (60, 5), (4, 30), (42, 30), (10, 7), (1, 1)]:
        dst = cv2.resize(src, (w, h))
        out.append({"width": w, "height": h, "pixels": b64(dst)})
    return [{"src_width": 21, "src_height": 15, "src": b64(src), "outputs": out}]


def det_shapes(peer) -> list[dict]:
    from types import SimpleNamespace

    from rapidocr_onnxruntime.ch_ppocr_det.utils import DetPreProcess
    from rapidocr_onnxruntime.main import RapidOCR
    pre = DetPreProcess(736, "min", [0.5] * 3, [0.5] * 3)
    glob = SimpleNamespace(max_side_len=2000, min_side_len=30)  # config.yaml's Global
    out = []
    for h, w in [(48, 320), (224, 320), (736, 736), (800, 600), (1000, 1500), (30, 900), (17, 17), (3000, 1000),
                 (2500, 2500), (720, 1280), (1080, 1920), (100, 5000), (752, 1136), (40, 41), (12, 700), (20, 25)]:
        img = np.zeros((h, w, 3), np.uint8)
        img, _, _ = RapidOCR.preprocess(glob, img)  # reduce_max_side / increase_min_side
        r = pre.resize(img)
        out.append({"h": h, "w": w, "out_h": int(r.shape[0]), "out_w": int(r.shape[1])})
    return out


def rect_map(h: int, w: int, shapes: list[tuple], seed: int) -> np.ndarray:
    """uint8 map: rotated rectangles (cx, cy, rw, rh, angle_deg, level) filled
    with `level` plus seeded noise, on a faint noisy background."""
    rng = np.random.default_rng(seed)
    q = rng.integers(0, 40, (h, w)).astype(np.int32)
    for cx, cy, rw, rh, ang, level in shapes:
        pts = cv2.boxPoints(((cx, cy), (rw, rh), ang)).astype(np.int32)
        m = np.zeros((h, w), np.uint8)
        cv2.fillPoly(m, [pts], 1)
        noise = rng.integers(-25, 26, (h, w))
        q = np.where(m > 0, np.clip(level + noise, 0, 255), q)
    return q.astype(np.uint8)


def det_map_of_rendered() -> np.ndarray:
    """The PP-OCRv4 detector's map of a rendered page (onnxruntime), quantized."""
    import onnxruntime as ort
    from PIL import Image
    path = os.path.join(ROOT, "tests", "fixtures", "ocr", "det_224x320.png")
    rgb = np.asarray(Image.open(path).convert("RGB"))
    x = (rgb.astype(np.float32) / np.float32(255) - np.float32(0.5)) / np.float32(0.5)
    models = os.path.expanduser("~/.cache/edgeattn/models/rapidocr/models")
    sess = ort.InferenceSession(os.path.join(models, "ch_PP-OCRv4_det_infer.onnx"), providers=["CPUExecutionProvider"])
    y = sess.run(None, {"x": x.transpose(2, 0, 1)[None]})[0][0, 0]
    return np.clip(np.round(y * 255), 0, 255).astype(np.uint8)


def db_cases(peer) -> list[dict]:
    from rapidocr_onnxruntime.ch_ppocr_det.utils import DBPostProcess
    from rapidocr_onnxruntime.ch_ppocr_det.text_detect import TextDetector
    from rapidocr_onnxruntime.main import RapidOCR
    maps = [
        ("rects", rect_map(64, 96, [(20, 12, 30, 8, 0, 220), (60, 40, 50, 10, 15, 200), (30, 50, 20, 6, -30, 180),
                                    (80, 12, 10, 14, 90, 210)], 2), (128, 192)),
        ("rotated_odd_dest", rect_map(80, 80, [(40, 40, 60, 12, 37, 230), (20, 70, 25, 6, -8, 190),
                                               (64, 14, 18, 9, 62, 240)], 3), (157, 163)),
        ("border_and_low", rect_map(48, 64, [(5, 5, 14, 6, 0, 230), (58, 43, 16, 12, 0, 220),
                                             (32, 24, 20, 8, 0, 100), (32, 40, 3, 3, 0, 250)], 4), (48, 64)),
        ("rendered", det_map_of_rendered(), (448, 640)),
        ("empty", np.zeros((32, 32), np.uint8), (32, 32)),
        ("all_ones", np.full((32, 48), 255, np.uint8), (64, 96)),
        ("one_pixel", np.full((1, 1), 255, np.uint8), (1, 1)),
    ]
    many = rect_map(64, 64, [(8 + 16 * (i % 4), 8 + 16 * (i // 4), 10, 6, 0, 220) for i in range(16)], 5)
    out = []
    cases = [(n, m, d, 1000) for n, m, d in maps] + [("many_candidates", many, (64, 64), 5)]
    det = TextDetector.__new__(TextDetector)  # filter_tag_det_res / order_points_clockwise only
    for name, q, (dh, dw), max_cand in cases:
        pred = (q.astype(np.float32) / np.float32(255))[None, None]
        post = DBPostProcess(thresh=0.3, box_thresh=0.5, max_candidates=max_cand, unclip_ratio=1.6,
                             score_mode="fast", use_dilation=True)
        boxes, scores = post(pred, (dh, dw))
        filtered = det.filter_tag_det_res(boxes, (dh, dw)) if len(boxes) else np.zeros((0, 4, 2), np.float32)
        ordered = RapidOCR.sorted_boxes(filtered) if len(filtered) else []
        out.append({"name": name, "height": int(q.shape[0]), "width": int(q.shape[1]), "dest_height": dh,
                    "dest_width": dw, "max_candidates": max_cand, "map": encode_map(q),
                    "boxes": [b.astype(int).tolist() for b in boxes], "scores": [float(s) for s in scores],
                    "final": [np.asarray(b).astype(int).tolist() for b in ordered]})
    return out


def crop_cases() -> dict:
    import copy
    lines = [("Crop me 42", "DejaVuSans.ttf", 18), ("rotated?", "DejaVuSerif.ttf", 16)]
    page = ocr_render.page_image(lines, 160, 80, upside_down={1}, left=8, top=6, gap=8)
    quads = [
        [[6, 4], [118, 4], [118, 30], [6, 30]],            # axis-aligned
        [[10.5, 8.2], [110.3, 3.9], [112.0, 27.5], [12.2, 31.8]],  # slightly rotated
        [[5, 35], [100, 40], [95, 70], [9, 66]],            # perspective
        [[130, 2], [150, 2], [150, 78], [130, 78]],         # tall: rotated 90
        [[-3, -2], [40, -2], [40, 12], [-3, 12]],           # off the image: replicate border
    ]
    # get_rotate_crop_image is nested in RapidOCR.get_crop_img_list: call that.
    from rapidocr_onnxruntime.main import RapidOCR
    out = []
    for q in quads:
        box = np.array(q, np.float32)
        crop = RapidOCR.get_crop_img_list(None, page, [copy.deepcopy(box)])[0]
        # The page is gray (R = G = B) and so is every crop: one channel is stored.
        assert (crop[:, :, 0] == crop[:, :, 1]).all() and (crop[:, :, 0] == crop[:, :, 2]).all()
        out.append({"quad": q, "height": int(crop.shape[0]), "width": int(crop.shape[1]), "gray": b64(crop[:, :, 0])})
    assert (page[:, :, 0] == page[:, :, 1]).all() and (page[:, :, 0] == page[:, :, 2]).all()
    return {"width": 160, "height": 80, "gray": b64(page[:, :, 0]), "crops": out}


def width_cases() -> dict:
    from rapidocr_onnxruntime.ch_ppocr_rec.text_recognize import TextRecognizer
    from rapidocr_onnxruntime.ch_ppocr_cls.text_cls import TextClassifier
    rec = TextRecognizer.__new__(TextRecognizer)
    rec.rec_image_shape = [3, 48, 320]
    cls = TextClassifier.__new__(TextClassifier)
    cls.cls_image_shape = [3, 48, 192]
    recs, clss = [], []
    for h, w in [(48, 100), (30, 400), (20, 33), (64, 64), (10, 700), (48, 320), (7, 50)]:
        img = np.full((h, w, 3), 128, np.uint8)
        for ratio in [320 / 48, 9.5, 12.25]:
            # The recognizer takes the batch's max ratio (at least 320 / 48).
            t = rec.resize_norm_img(img, max(ratio, w / h))
            # Gray 128 normalizes to 1/255, never 0: the nonzero columns are the image.
            recs.append({"h": h, "w": w, "max_wh_ratio": max(ratio, w / h), "tensor_width": int(t.shape[2]),
                         "resized_width": int((t[0, 0] != 0).sum())})
        t = cls.resize_norm_img(img)
        clss.append({"h": h, "w": w, "tensor_width": int(t.shape[2]), "resized_width": int((t[0, 0] != 0).sum())})
    return {"rec": recs, "cls": clss}


def ctc_cases() -> dict:
    from rapidocr_onnxruntime.ch_ppocr_rec.utils import CTCLabelDecode
    chars = ["a", "b", "c", "\u00e9", "\u4e2d", "1"]
    dec = CTCLabelDecode(character=list(chars))
    rng = np.random.default_rng(7)
    out = []
    for frames in [1, 5, 12, 24]:
        for k in range(3):
            logits = rng.normal(0, 2, (frames, len(chars) + 2)).astype(np.float32)
            if k == 1:
                logits[:, 0] += 2.5  # mostly blank
            if k == 2:
                logits[::3, 2] += 6  # repeats of "b"
            p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
            p = p.astype(np.float32)
            text, score = dec(p[None])[0]
            # float32 little-endian, base64.
            probs = base64.b64encode(p.astype("<f4").tobytes()).decode()
            out.append({"frames": frames, "classes": int(p.shape[1]), "probs": probs, "text": text,
                        "score": float(score)})
    return {"dictionary": chars, "cases": out}


PEER_DIR = os.path.expanduser("~/.cache/edgeattn/models/rapidocr")


def main() -> None:
    global PEER_DIR
    if len(sys.argv) > 1:
        PEER_DIR = sys.argv[1]
    peer = rapidocr_peer.load(PEER_DIR)
    fx = {"opencv": cv2.__version__, "resize": resize_cases(), "det_shapes": det_shapes(peer), "db": db_cases(peer),
          "crop": crop_cases(), "widths": width_cases(), "ctc": ctc_cases()}
    with open(OUT, "w") as f:
        json.dump(fx, f, separators=(",", ":"), ensure_ascii=False)
    print(f"wrote {OUT} ({os.path.getsize(OUT)} bytes)")


if __name__ == "__main__":
    main()
