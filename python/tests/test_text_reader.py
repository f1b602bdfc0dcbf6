"""TextReader (OCR) on RapidOCR's PP-OCRv4 models and the committed pages
(tests/fixtures/ocr/pages: rendered text with its truth, and RapidOCR's
own output as the peer, from tests/reference/make_ocr_pages.py)."""

import json

import numpy as np
import pytest

import edgeattn
import models
import png

pytestmark = pytest.mark.models("rapidocr")

PAGES = models.SOURCE / "tests" / "fixtures" / "ocr" / "pages"


@pytest.fixture(scope="module")
def reader_model(tmp_path_factory):
    out = tmp_path_factory.mktemp("ocr") / "rapidocr.eatn"
    edgeattn.convert(models.require("rapidocr/models"), out, dtype="fp32")
    return edgeattn.Model(out)


def test_line_clean_reads_exactly_with_its_box_around_the_ink(reader_model):
    image = png.read_rgb(PAGES / "line_clean.png")
    lines = edgeattn.TextReader(reader_model).read(image)
    # The page's truth, compared as the fixture's CER is (whitespace removed:
    # PP-OCR's recognizer emits the spaces it sees, RapidOCR's too).
    assert [line.text.replace(" ", "") for line in lines] == ["Hello,World2026!"]
    ink = np.argwhere(image[:, :, 0] < 128)  # (y, x) of dark pixels
    (y0, x0), (y1, x1) = ink.min(axis=0), ink.max(axis=0)
    box = lines[0].box
    assert box.shape == (4, 2) and box.dtype == np.float32
    bx0, by0 = box.min(axis=0)
    bx1, by1 = box.max(axis=0)
    # As the C++ test: the box covers the ink (3 px slack) and hugs it (12 px).
    assert bx0 <= x0 + 3 and by0 <= y0 + 3 and bx1 >= x1 - 3 and by1 >= y1 - 3
    assert bx0 >= x0 - 12 and by0 >= y0 - 12 and bx1 <= x1 + 12 and by1 <= y1 + 12
    assert not lines[0].rotated and 0.9 < lines[0].confidence <= 1.0


def test_memo_lines_match_the_truth(reader_model):
    pages = {p["name"]: p for p in json.loads((PAGES / "pages.json").read_text())["pages"]}
    lines = edgeattn.TextReader(reader_model, threads=2).read(png.read_rgb(PAGES / "memo.png"))
    truth = [t.replace(" ", "") for t in pages["memo"]["lines"]]
    assert [line.text.replace(" ", "") for line in lines] == truth


def test_upside_down_lines_are_turned_by_the_classifier(reader_model):
    # As the C++ test: the classifier turns at least one line of each flipped
    # page, and none when it is off.
    for name in ("flipped_one.png", "flipped_two.png"):
        lines = edgeattn.TextReader(reader_model).read(png.read_rgb(PAGES / name))
        assert any(line.rotated for line in lines), name
    plain = edgeattn.TextReader(reader_model, classify_angle=False)
    assert not any(line.rotated for line in plain.read(png.read_rgb(PAGES / "flipped_two.png")))
    assert plain.last_stats["rotated"] == 0


def test_bad_image_raises(reader_model):
    with pytest.raises(edgeattn.Error) as e:
        edgeattn.TextReader(reader_model).read(np.zeros((10, 10, 4), dtype=np.uint8))
    assert e.value.code == "invalid_argument"


def test_read_releases_the_gil(reader_model):
    from test_threads import witness_count

    image = png.read_rgb(PAGES / "memo.png")  # file reads release the GIL: not in the call
    reader = edgeattn.TextReader(reader_model)
    during, lines = witness_count(lambda: reader.read(image))
    assert during > 0 and len(lines) == 4
