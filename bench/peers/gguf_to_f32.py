#!/usr/bin/env python3
"""A copy of a GGUF file with every quantized tensor dequantized to F32
(gguf-py, llama.cpp's own package): llama.cpp on the copy computes with
exact activations, as edgeattn's fp32 conversion of the quantized file does,
so `edgeattn-eval --peer` against it separates the two runtimes' graphs from
llama.cpp's activation quantization (issue #19).

    gguf_to_f32.py IN.gguf OUT.gguf
"""
import sys

import numpy as np
import gguf
from gguf import quants


def main(src, dst):
    r = gguf.GGUFReader(src)
    arch = r.fields["general.architecture"]
    w = gguf.GGUFWriter(dst, bytes(arch.parts[arch.data[0]]).decode())
    for name, f in r.fields.items():
        if name.startswith("GGUF.") or name == "general.architecture":
            continue
        vtype = f.types[0]
        if vtype == gguf.GGUFValueType.ARRAY:
            sub = f.types[1]
            if sub == gguf.GGUFValueType.STRING:
                val = [bytes(f.parts[i]).decode("utf-8", errors="surrogateescape") for i in f.data]
            else:
                val = [f.parts[i][0].item() for i in f.data]
            w.add_key_value(name, val, vtype, sub_type=sub)
        elif vtype == gguf.GGUFValueType.STRING:
            w.add_key_value(name, bytes(f.parts[f.data[0]]).decode("utf-8"), vtype)
        else:
            w.add_key_value(name, f.parts[f.data[0]][0].item(), vtype)
    for t in r.tensors:
        shape = [int(d) for d in reversed(t.shape)]
        if t.tensor_type in (gguf.GGMLQuantizationType.F32,):
            data = np.asarray(t.data, dtype=np.float32).reshape(shape)
        else:
            data = quants.dequantize(t.data, t.tensor_type).astype(np.float32).reshape(shape)
        w.add_tensor(t.name, data)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
