"""Fashion-MNIST for the vision fixtures (issue #17): the idx.gz reader, the
input convention and the temporal-clip rule, shared by train_fashion.py
(system python3 with torch) and verify_onnx.py (/work/venv, numpy and
onnxruntime). numpy only; works with numpy 1.24 and 2.x alike.

Data: Debian's dataset-fashion-mnist package,
/usr/share/datasets/fashion-mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz
(override the folder with FASHION_MNIST_DIR).
"""
from __future__ import annotations

import gzip
import os

import numpy as np

DATA_DIR = os.environ.get("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")

CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

# Input convention of every model: x = (pixel / 255 - MEAN) / STD, in float32.
# Stored in the converted model and applied by the runtime, not in the graph.
MEAN = 0.2860
STD = 0.3530

# Target of the segmentation model: foreground = pixel >= MASK_THRESHOLD.
MASK_THRESHOLD = 32

# Temporal clips: T frames, one of them of another class.
CLIP_FRAMES = 4


def read_idx(path: str) -> np.ndarray:
    """Reads one gzip-compressed idx file (big-endian header: two zero bytes,
    type byte 0x08 = uint8, number of dims, then each dim as u32)."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise ValueError(f"{path}: not an idx file")
    if data[2] != 0x08:
        raise ValueError(f"{path}: idx type 0x{data[2]:02x}, only uint8 (0x08) is read")
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    offset = 4 + 4 * ndim
    count = int(np.prod(dims)) if dims else 1
    if len(data) != offset + count:
        raise ValueError(f"{path}: {len(data) - offset} data bytes, dims {dims} need {count}")
    return np.frombuffer(data, dtype=np.uint8, offset=offset).reshape(dims).copy()


def load(split: str, data_dir: str = DATA_DIR) -> tuple[np.ndarray, np.ndarray]:
    """split 'train' (60,000) or 'test' (10,000): (uint8 [N, 28, 28], uint8 [N])."""
    prefix = {"train": "train", "test": "t10k"}[split]
    images = read_idx(os.path.join(data_dir, f"{prefix}-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(data_dir, f"{prefix}-labels-idx1-ubyte.gz"))
    if images.shape[1:] != (28, 28) or images.shape[0] != labels.shape[0]:
        raise ValueError(f"unexpected shapes {images.shape} {labels.shape}")
    return images, labels


def normalize(pixels: np.ndarray) -> np.ndarray:
    """uint8 pixels -> float32 (pixel / 255 - MEAN) / STD, every step in float32."""
    x = pixels.astype(np.float32) / np.float32(255.0)
    return (x - np.float32(MEAN)) / np.float32(STD)


def foreground_mask(pixels: np.ndarray) -> np.ndarray:
    """Segmentation target: bool, pixel >= MASK_THRESHOLD."""
    return pixels >= MASK_THRESHOLD


def make_clips(labels: np.ndarray, n_clips: int, seed: int) -> np.ndarray:
    """int32 [n_clips, CLIP_FRAMES + 1]: CLIP_FRAMES image indices in frame
    order, then the label (the class of the odd frame).

    Rule, with rng = numpy.random.default_rng(seed) and for each clip in turn:
      common = rng.integers(10); odd = (common + rng.integers(1, 10)) % 10;
      pos = rng.integers(CLIP_FRAMES);
      three = rng.choice(indices of class common, 3, replace=False);
      one = rng.choice(indices of class odd);
      frames = three with one inserted at position pos.
    Indices of a class are in ascending order. The committed test file
    (temporal_clips_test.i32) is the reference; this function only makes it.
    """
    rng = np.random.default_rng(seed)
    by_class = [np.flatnonzero(labels == c) for c in range(10)]
    clips = np.empty((n_clips, CLIP_FRAMES + 1), dtype=np.int32)
    for i in range(n_clips):
        common = int(rng.integers(10))
        odd = (common + int(rng.integers(1, 10))) % 10
        pos = int(rng.integers(CLIP_FRAMES))
        three = rng.choice(by_class[common], CLIP_FRAMES - 1, replace=False)
        one = int(rng.choice(by_class[odd]))
        frames = list(int(v) for v in three)
        frames.insert(pos, one)
        clips[i, :CLIP_FRAMES] = frames
        clips[i, CLIP_FRAMES] = odd
    return clips


def clip_inputs(images: np.ndarray, clips: np.ndarray) -> np.ndarray:
    """float32 [n, CLIP_FRAMES, 28, 28]: the normalized frames of each clip."""
    return normalize(images[clips[:, :CLIP_FRAMES]])
