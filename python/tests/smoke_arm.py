"""The Python package's smoke test on ARM (targets/python-smoke.sh).

    python3 smoke_arm.py prepare DIR   # x86-64: convert the models, save reference rows
    python3 smoke_arm.py check DIR     # under qemu-aarch64: load, run, compare

Oracles: stories260K's published greedy text; MiniLM rows of the x86-64
package with the reference kernels, which give the same bits on every
architecture (targets/README.md, "Bit-identity"), and within 1e-4 with the
ARM tables.
"""

import sys
from pathlib import Path

import numpy as np

import edgeattn
import models

TEXTS = ["How do I bake bread?", "Knead the dough and let it rise.", "The stock market fell sharply today."]


def prepare(work: Path) -> None:
    edgeattn.convert(models.require("stories260K/stories260K.bin"), work / "stories260K.eatn",
                     tokenizer=models.require("stories260K/tok512.bin"))
    edgeattn.convert(models.require("all-MiniLM-L6-v2"), work / "minilm.eatn")
    minilm = edgeattn.Model(work / "minilm.eatn")
    np.save(work / "rows_reference.npy", edgeattn.Embedder(minilm, kernels="reference").embed(TEXTS))
    (work / "published.txt").write_text(models.require("stories260K/greedy_t0_256steps.txt").read_text())


def check(work: Path) -> None:
    import platform
    tables = edgeattn.kernel_tables()
    print(f"python-smoke: {platform.machine()}, numpy {np.__version__}, edgeattn {edgeattn.__version__}, "
          f"kernel tables {tables}")
    story = edgeattn.Model(work / "stories260K.eatn")
    assert story.info.architecture == "LlamaDecoder" and story.info.n_layers == 5
    text = edgeattn.Generator(story).generate("", max_tokens=256)
    assert text == (work / "published.txt").read_text()[:-1], "stories260K greedy text differs"
    minilm = edgeattn.Model(work / "minilm.eatn")
    want = np.load(work / "rows_reference.npy")
    rows = edgeattn.Embedder(minilm, kernels="reference").embed(TEXTS)
    assert np.array_equal(rows, want), f"reference kernels: max |diff| {np.max(np.abs(rows - want))}"
    fast = edgeattn.Embedder(minilm).embed(TEXTS)
    diff = float(np.max(np.abs(fast - want)))
    assert diff < 1e-4, f"{tables[-1]}: max |diff| {diff}"
    try:
        edgeattn.Model(work / "absent.eatn")
        raise AssertionError("no error for a missing file")
    except edgeattn.Error as e:
        assert e.code == "io_error"
    print(f"python-smoke: PASS published stories260K text; MiniLM rows == x86-64's bit for bit (reference), "
          f"max |diff| {diff:.2e} ({tables[-1]}); edgeattn.Error raised")


if __name__ == "__main__":
    {"prepare": prepare, "check": check}[sys.argv[1]](Path(sys.argv[2]))
