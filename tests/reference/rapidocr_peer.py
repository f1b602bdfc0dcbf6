"""RapidOCR 1.4.4 (the OCR peer) imported from its unpacked folder, as
scripts/fetch-models.sh leaves it (~/.cache/edgeattn/models/rapidocr), never
installed: the module is registered as `rapidocr_onnxruntime` so its own
relative imports work. Needs its dependencies (onnxruntime, opencv-python-
headless, pyclipper, shapely, pyyaml, six, numpy, Pillow) in the venv.

  import rapidocr_peer
  mod = rapidocr_peer.load()          # the package module
  engine = mod.RapidOCR()             # result, elapse = engine(bgr_image)
"""
from __future__ import annotations

import importlib.util
import os
import sys

DEFAULT_DIR = os.path.expanduser("~/.cache/edgeattn/models/rapidocr")


def load(path: str = DEFAULT_DIR):
    spec = importlib.util.spec_from_file_location("rapidocr_onnxruntime", os.path.join(path, "__init__.py"),
                                                  submodule_search_locations=[path])
    mod = importlib.util.module_from_spec(spec)
    sys.modules["rapidocr_onnxruntime"] = mod
    spec.loader.exec_module(mod)
    return mod
