"""A PNG reader for the tests (no imaging package needed): 8-bit gray, gray +
alpha, RGB or RGBA, not interlaced, as the committed fixtures are. Written
from the PNG specification (ISO/IEC 15948: zlib stream of filtered rows,
filter types 0-4 with the Paeth predictor). Returns uint8 RGB [h, w, 3]."""

import struct
import zlib

import numpy as np

_CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}  # colour type -> samples per pixel


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def _unfilter(kind: int, row: bytearray, prev: bytearray, bpp: int) -> None:
    n = len(row)
    if kind == 1:  # Sub
        for i in range(bpp, n):
            row[i] = (row[i] + row[i - bpp]) & 0xFF
    elif kind == 2:  # Up
        for i in range(n):
            row[i] = (row[i] + prev[i]) & 0xFF
    elif kind == 3:  # Average
        for i in range(n):
            left = row[i - bpp] if i >= bpp else 0
            row[i] = (row[i] + ((left + prev[i]) >> 1)) & 0xFF
    elif kind == 4:  # Paeth
        for i in range(n):
            left = row[i - bpp] if i >= bpp else 0
            upper_left = prev[i - bpp] if i >= bpp else 0
            row[i] = (row[i] + _paeth(left, prev[i], upper_left)) & 0xFF
    elif kind != 0:
        raise ValueError(f"PNG filter type {kind}")


def read_rgb(path) -> np.ndarray:
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path}: not a PNG")
    pos, idat = 8, b""
    width = height = color = 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or interlace != 0 or color not in _CHANNELS:
                raise ValueError(f"{path}: depth {depth}, colour type {color}, interlace {interlace} not supported")
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    bpp = _CHANNELS[color]
    raw = zlib.decompress(idat)
    stride = width * bpp
    out = np.empty((height, stride), dtype=np.uint8)
    prev = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        row = bytearray(raw[start + 1:start + 1 + stride])
        _unfilter(raw[start], row, prev, bpp)
        out[y] = np.frombuffer(bytes(row), dtype=np.uint8)
        prev = row
    pixels = out.reshape(height, width, bpp)
    if bpp in (1, 2):
        return np.repeat(pixels[:, :, :1], 3, axis=2)
    return np.ascontiguousarray(pixels[:, :, :3])
