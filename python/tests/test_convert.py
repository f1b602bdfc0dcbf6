"""convert(): dtypes, summaries and errors of the converter library."""

import pytest

import edgeattn
import models


@pytest.mark.models("stories260K")
def test_int8_conversion(tmp_path):
    out = tmp_path / "s8.eatn"
    summary = edgeattn.convert(models.require("stories260K/stories260K.bin"), out, dtype="int8",
                               tokenizer=models.require("stories260K/tok512.bin"))
    assert summary["file_bytes"] == out.stat().st_size
    m = edgeattn.Model(out)
    assert m.info.dtype == "int8" and m.info.source_format == "llama2c"
    assert edgeattn.Generator(m).generate("Once", max_tokens=16)


def test_errors_carry_the_converters_message(tmp_path):
    with pytest.raises(edgeattn.Error) as e:
        edgeattn.convert(tmp_path / "absent.bin", tmp_path / "x.eatn")
    assert "absent.bin" in str(e.value) and e.value.code in ("failed", "invalid_options")
    with pytest.raises(edgeattn.Error) as e:
        edgeattn.convert(tmp_path, tmp_path / "x.eatn", dtype="int3")
    assert e.value.code == "invalid_options" and "int3" in str(e.value)
