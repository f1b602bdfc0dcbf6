"""Minimal safetensors reader for the numpy reference passes.

Independent of the C++ code: u64 little-endian header length, JSON header,
raw little-endian data. Used by bert_reference.py and gpt2_reference.py.
"""
import json
import struct

import numpy as np

_ST_DTYPES = {"F32": "<f4", "F64": "<f8", "F16": "<f2", "I64": "<i8", "I32": "<i4"}


def load_safetensors(path):
    """Returns {name: numpy array} for every tensor in the file."""
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n).decode("utf-8"))
        data = f.read()
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dt = np.dtype(_ST_DTYPES[info["dtype"]])
        begin, end = info["data_offsets"]
        shape = tuple(info["shape"])
        count = int(np.prod(shape)) if shape else 1
        if end - begin != count * dt.itemsize:
            raise ValueError(f"{name}: size mismatch ({end - begin} bytes for shape {shape})")
        tensors[name] = np.frombuffer(data, dtype=dt, count=count, offset=begin).reshape(shape)
    return tensors
