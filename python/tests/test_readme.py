"""The README's Python example runs as written, in a folder holding the
files it names."""

import os
import re

import models
import pytest

README = models.SOURCE / "README.md"


def readme_example() -> str:
    text = README.read_text()
    section = text[text.index("## Use it from Python"):]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


@pytest.mark.models("stories260K", "all-MiniLM-L6-v2")
def test_readme_example_runs(minilm_path, tmp_path, monkeypatch, capsys):
    for name in ("stories260K.bin", "tok512.bin"):
        os.symlink(models.require(f"stories260K/{name}"), tmp_path / name)
    os.symlink(minilm_path, tmp_path / "minilm.eatn")
    monkeypatch.chdir(tmp_path)
    exec(compile(readme_example(), "README.md", "exec"), {})
    out = capsys.readouterr().out.splitlines()
    assert sum(len(line) for line in out[:-1]) > 100  # the greedy reply and the stream
    shape, cosine = out[-1].rsplit(" ", 1)
    assert shape == "(2, 384)" and 0.3 < float(cosine) < 1.0
