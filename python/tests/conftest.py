"""Shared fixtures: models converted once per run through edgeattn.convert
(so the converter binding runs on every model the tests use), and the
skip-or-fail decision for missing models, made before the first test."""

from __future__ import annotations

import pytest

import edgeattn
import models


def pytest_configure(config):
    config.addinivalue_line("markers", "models(*names): real models the test needs (tests/models.py)")


def pytest_collection_modifyitems(session, config, items):
    missing = {}
    for item in items:
        for mark in item.iter_markers("models"):
            for name in mark.args:
                files = models.missing_files(name)
                if files:
                    missing.setdefault(name, files)
                    item.add_marker(pytest.mark.skip(reason=f"model {name} missing: {files} (looked in "
                                                            f"{[str(c.parent) for c in models.candidates(files[0])]})"))
    if missing and models.models_required():
        pytest.exit(f"CI requires every model; missing: {missing} (scripts/fetch-models.sh)", returncode=1)


@pytest.fixture(scope="session")
def stories260k(tmp_path_factory) -> edgeattn.Model:
    out = tmp_path_factory.mktemp("stories") / "stories260K.eatn"
    edgeattn.convert(models.require("stories260K/stories260K.bin"), out,
                     tokenizer=models.require("stories260K/tok512.bin"))
    return edgeattn.Model(out)


@pytest.fixture(scope="session")
def minilm_path(tmp_path_factory):
    out = tmp_path_factory.mktemp("minilm") / "minilm.eatn"
    edgeattn.convert(models.require("all-MiniLM-L6-v2"), out)
    return out


@pytest.fixture(scope="session")
def minilm(minilm_path) -> edgeattn.Model:
    return edgeattn.Model(minilm_path)


@pytest.fixture(scope="session")
def whisper(tmp_path_factory) -> edgeattn.Model:
    out = tmp_path_factory.mktemp("whisper") / "whisper.eatn"
    edgeattn.convert(models.require("whisper-tiny.en-ct2"), out)
    return edgeattn.Model(out)


@pytest.fixture(scope="session")
def published_story() -> str:
    text = models.require("stories260K/greedy_t0_256steps.txt").read_text()
    assert text.endswith("\n")
    return text[:-1]  # the file is the text plus one newline
