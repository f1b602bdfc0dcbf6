"""The CPU a side-by-side comparison ran on, for the first line of its table:
model name, online CPUs and the ISA extensions that choose kernels (the
project's rule: every performance claim names the CPU and its features).

    from cpu_info import cpu_line
    print(cpu_line())  # "AMD EPYC, 2 online CPUs, avx2 fma f16c avx512f ..."
"""
from __future__ import annotations

import os
import platform

# The flags kernel dispatch tests (kernels/dispatch.cc), in /proc/cpuinfo's names.
KERNEL_FLAGS = ["avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx_vnni",
                "avx512_bf16", "amx_int8", "asimd", "asimddp", "fphp"]


def cpu_line() -> str:
    name, flags = "", set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key = line.split(":", 1)[0].strip()
                if key in ("model name", "Model name") and not name:
                    name = line.split(":", 1)[1].strip()
                if key in ("flags", "Features") and not flags:
                    flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    name = name or platform.processor() or "unknown CPU"
    have = " ".join(f for f in KERNEL_FLAGS if f in flags) or "no listed ISA extensions"
    return f"{name}, {os.cpu_count() or 0} online CPUs, {have}"
