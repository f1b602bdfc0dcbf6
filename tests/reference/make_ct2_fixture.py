#!/usr/bin/env python3
"""Writes tests/fixtures/whisper_tiny_en_ct2_variables.json from a CTranslate2 model.bin.

An independent oracle for converter/source/ctranslate2.cc: this parser is
written from ctranslate2's specs/model_spec.py (_serialize, binary version 6)
with the struct module only, and shares no code with the C++ reader. The
fixture lists the spec name, revision, binary version, every variable in file
order (name, dims, dtype name, sha256 of its bytes) and the aliases.

    python3 tests/reference/make_ct2_fixture.py [MODEL_BIN]
(default: ~/.cache/edgeattn/models/whisper-tiny.en-ct2/model.bin)
"""
import hashlib
import json
import os
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DTYPES = ["float32", "int8", "int16", "int32", "float16", "bfloat16"]  # model_spec._dtype_to_type_id
SIZES = [4, 1, 2, 4, 2, 2]


def parse(b, arrays=None):
    """The file's layout; with `arrays` (a dict), also each variable as a numpy array."""
    pos = 0

    def take(fmt):
        nonlocal pos
        v = struct.unpack_from("<" + fmt, b, pos)
        pos += struct.calcsize("<" + fmt)
        return v

    def string():
        nonlocal pos
        (n,) = take("H")
        s = b[pos:pos + n]
        assert n >= 1 and len(s) == n and s[-1] == 0, f"bad string at {pos - 2}"
        pos += n
        return s[:-1].decode("utf-8")

    (version,) = take("I")
    assert version == 6, f"binary version {version}"
    spec = string()
    (revision,) = take("I")
    (n_vars,) = take("I")
    variables = []
    for _ in range(n_vars):
        name = string()
        (rank,) = take("B")
        dims = list(take(f"{rank}I"))
        dtype, nbytes = take("B")[0], take("I")[0]
        count = 1
        for d in dims:
            count *= d
        assert nbytes == count * SIZES[dtype] and pos + nbytes <= len(b), name
        variables.append({"name": name, "dims": dims, "dtype": DTYPES[dtype],
                          "sha256": hashlib.sha256(b[pos:pos + nbytes]).hexdigest()})
        if arrays is not None and DTYPES[dtype] != "bfloat16":
            import numpy as np  # only for callers that want the values
            arrays[name] = np.frombuffer(b, "<" + {"float32": "f4", "int8": "i1", "int16": "i2", "int32": "i4",
                                                   "float16": "f2"}[DTYPES[dtype]], count, pos).reshape(dims)
        pos += nbytes
    (n_aliases,) = take("I")
    aliases = [{"alias": string(), "variable": string()} for _ in range(n_aliases)]
    assert pos == len(b), f"{len(b) - pos} trailing bytes"
    return {"binary_version": version, "spec_name": spec, "spec_revision": revision,
            "file_sha256": hashlib.sha256(b).hexdigest(), "file_size": len(b),
            "variables": variables, "aliases": aliases}


def main():
    default = os.path.expanduser("~/.cache/edgeattn/models/whisper-tiny.en-ct2/model.bin")
    path = sys.argv[1] if len(sys.argv) > 1 else default
    with open(path, "rb") as f:
        out = parse(f.read())
    dest = os.path.join(ROOT, "tests", "fixtures", "whisper_tiny_en_ct2_variables.json")
    # One variable / alias per line, so a diff names the entry that changed.
    head = {k: v for k, v in out.items() if k not in ("variables", "aliases")}
    lines = json.dumps(head, indent=1)[:-2] + ',\n "variables": [\n'
    lines += ",\n".join("  " + json.dumps(v) for v in out["variables"]) + '\n ],\n "aliases": [\n'
    lines += ",\n".join("  " + json.dumps(a) for a in out["aliases"]) + "\n ]\n}\n"
    json.loads(lines)
    with open(dest, "w") as f:
        f.write(lines)
    print(f"{dest}: {out['spec_name']} rev {out['spec_revision']}, {len(out['variables'])} variables, "
          f"{len(out['aliases'])} aliases")


if __name__ == "__main__":
    main()
