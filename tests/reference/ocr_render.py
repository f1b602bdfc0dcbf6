"""Renders text images for the OCR tests with PIL and Debian's DejaVu fonts.

Deterministic: the same text, font, size and seed give the same pixels on
any machine with fonts-dejavu-core/-extra 2.37 and the same Pillow major.
Used by make_ocr_fixtures.py (network inputs) and by the end-to-end OCR
set (pages of lines, one upside down).

  line_image(text, font="DejaVuSans.ttf", size=32, height=48, width=None)
      -> uint8 RGB array [height, width, 3]: black text on white, the text's
         box scaled to fit `height` (and centred in `width` if given).
"""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT_DIR = "/usr/share/fonts/truetype/dejavu"


def font(name: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(f"{FONT_DIR}/{name}", size)


def render_text(text: str, font_name: str = "DejaVuSans.ttf", size: int = 32, margin: int = 4) -> Image.Image:
    """The text on a white canvas just large enough for it plus `margin`."""
    f = font(font_name, size)
    left, top, right, bottom = f.getbbox(text)
    w, h = right - left + 2 * margin, bottom - top + 2 * margin
    img = Image.new("RGB", (w, h), (255, 255, 255))
    ImageDraw.Draw(img).text((margin - left, margin - top), text, font=f, fill=(0, 0, 0))
    return img


def line_image(text: str, font_name: str = "DejaVuSans.ttf", size: int = 32, height: int = 48,
               width: int | None = None) -> np.ndarray:
    img = render_text(text, font_name, size)
    w = max(1, round(img.width * height / img.height))
    if width is not None:
        w = min(w, width)
    img = img.resize((w, height), Image.BILINEAR)
    if width is not None and w < width:
        canvas = Image.new("RGB", (width, height), (255, 255, 255))
        canvas.paste(img, ((width - w) // 2, 0))
        img = canvas
    return np.asarray(img, dtype=np.uint8)


def page_image(lines: list[tuple[str, str, int]], width: int, height: int, upside_down: set[int] = frozenset(),
               left: int = 24, top: int = 24, gap: int = 18) -> np.ndarray:
    """Lines (text, font, size) top to bottom on a white page; line i in
    `upside_down` is rotated by 180 degrees in place."""
    page = Image.new("RGB", (width, height), (255, 255, 255))
    y = top
    for i, (text, font_name, size) in enumerate(lines):
        img = render_text(text, font_name, size)
        if i in upside_down:
            img = img.rotate(180)
        page.paste(img, (left, y))
        y += img.height + gap
    return np.asarray(page, dtype=np.uint8)
