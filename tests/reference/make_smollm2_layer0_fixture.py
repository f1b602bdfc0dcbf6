#!/usr/bin/env python3
"""llama.cpp's own layer-0 activations on SmolLM2's Q4_1 GGUF: the oracle
for edgeattn's native block weights (issue #19; format 1.9 I4Blocks /
I8Blocks, kernels.h's q8b_* kernels).

  tests/fixtures/smollm2_llamacpp_layer0.json
      For one two-token prompt per case: "ids", and llama.cpp's tensors
      (read through the ggml graph callback, llama_context_params.cb_eval)
      "attn_norm-0" [2, 576], "Qcur-0" [2, 576], "Kcur-0" [2, 192],
      "Vcur-0" [2, 192] as float32 printed with 9 significant digits (exact
      round trip). Qcur/Kcur/Vcur are the Q4_1 matmul outputs before RoPE:
      ggml's x86 quantize_row_q8_1 + ggml_vec_dot_q4_1_q8_1 on the RMS-normed
      embeddings (the embeddings are the Q8_0 token table's rows).

Dev-time only; the C++ build never runs Python. Usage (the bench venv that
bench/run_all.sh makes has llama-cpp-python):
  bash scripts/fetch-models.sh
  ~/.cache/edgeattn/bench-venv/bin/python tests/reference/make_smollm2_layer0_fixture.py \\
      ~/.cache/edgeattn/models/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf
"""
import ctypes
import json
import os
import pathlib
import sys

import numpy as np
import llama_cpp
from llama_cpp import llama_cpp as L

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures", "smollm2_llamacpp_layer0.json")
NAMES = ["attn_norm-0", "Qcur-0", "Kcur-0", "Vcur-0"]
PROMPTS = [[29, 28], [1, 9690], [504, 2015], [48000, 17]]


def ggml_base():
    lib = ctypes.CDLL(str(pathlib.Path(llama_cpp.__file__).parent / "lib" / "libggml-base.so"))
    lib.ggml_get_name.restype = ctypes.c_char_p
    lib.ggml_get_name.argtypes = [ctypes.c_void_p]
    lib.ggml_nelements.restype = ctypes.c_int64
    lib.ggml_nelements.argtypes = [ctypes.c_void_p]
    lib.ggml_get_data.restype = ctypes.c_void_p
    lib.ggml_get_data.argtypes = [ctypes.c_void_p]
    lib.ggml_is_contiguous.restype = ctypes.c_bool
    lib.ggml_is_contiguous.argtypes = [ctypes.c_void_p]
    return lib


def run(model, base, ids):
    got = {}

    @L.ggml_backend_sched_eval_callback
    def callback(t, ask, _user):
        name = base.ggml_get_name(t).decode()
        if ask:
            return name in NAMES
        # The first tensor of each name is the op's output (later views reuse the name).
        if name in NAMES and name not in got:
            assert ctypes.cast(t, ctypes.POINTER(ctypes.c_int))[0] == 0 and base.ggml_is_contiguous(t), name
            n = base.ggml_nelements(t)
            data = ctypes.cast(base.ggml_get_data(t), ctypes.POINTER(ctypes.c_float))
            got[name] = np.ctypeslib.as_array(data, shape=(n,)).copy()
        return True

    params = L.llama_context_default_params()
    params.n_ctx = params.n_batch = params.n_ubatch = 16
    params.n_threads = params.n_threads_batch = 1
    params.cb_eval = callback
    ctx = L.llama_init_from_model(model, params)
    tokens = (L.llama_token * len(ids))(*ids)
    assert L.llama_decode(ctx, L.llama_batch_get_one(tokens, len(ids))) == 0
    L.llama_free(ctx)
    return {k: [float("%.9g" % v) for v in got[k]] for k in NAMES}


def main(path):
    L.llama_backend_init()
    model = L.llama_model_load_from_file(path.encode(), L.llama_model_default_params())
    base = ggml_base()
    cases = [{"ids": ids, **run(model, base, ids)} for ids in PROMPTS]
    doc = {"generator": "tests/reference/make_smollm2_layer0_fixture.py",
           "peer": "llama.cpp (llama-cpp-python %s)" % llama_cpp.__version__,
           "model": os.path.basename(path), "cases": cases}
    with open(OUT, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print("%d cases -> %s" % (len(cases), OUT))


if __name__ == "__main__":
    main(sys.argv[1])
