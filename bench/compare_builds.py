#!/usr/bin/env python3
"""Two builds of edgeattn-bench side by side: before/after a change.

Runs BEFORE and AFTER alternately (ROUNDS times each, so drift in the
machine's load hits both alike) on every MODEL, and prints per case the
median of the medians and the ratio after/before of latency (< 1: faster).

usage: bench/compare_builds.py BEFORE_BENCH AFTER_BENCH MODEL.eatn [MODEL.eatn ...]
                              [--rounds 3] [--runs N] [--threads N]
Example (docs/architecture.md, issue #13's before/after):
  bench/compare_builds.py /work/before/build/bin/edgeattn-bench build/bin/edgeattn-bench \
      stories260K.eatn minilm.eatn minilm_int8.eatn --rounds 3
"""
import argparse
import json
import statistics
import subprocess
import sys


def cases(report):
    """(case name, median ms) of one edgeattn-bench --json report."""
    out = []
    for c in report.get("encoder") or []:
        out.append((c["name"], c["latency"]["median_ms"]))
    d = report.get("decoder")
    if d:
        out.append((f"prefill{d['prompt_tokens']}", d["prefill"]["median_ms"]))
        out.append((f"decode{d['decode_steps']}", d["decode_total"]["median_ms"]))
    return out


def run(bench, model, args):
    cmd = [bench, model, "--json", "--threads", str(args.threads)]
    if args.runs:
        cmd += ["--runs", str(args.runs)]
    p = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(p.stdout)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("before")
    ap.add_argument("after")
    ap.add_argument("models", nargs="+")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--runs", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    print(f"{'model':<22} {'case':<16} {'before ms':>10} {'after ms':>10} {'after/before':>13}")
    for model in args.models:
        times = {"before": {}, "after": {}}
        arena = {}
        for _ in range(args.rounds):
            for which in ("before", "after"):
                report = run(getattr(args, which), model, args)
                arena[which] = report["arena_bytes"]
                for name, ms in cases(report):
                    times[which].setdefault(name, []).append(ms)
        for name in times["before"]:
            b = statistics.median(times["before"][name])
            a = statistics.median(times["after"][name])
            print(f"{model.split('/')[-1]:<22} {name:<16} {b:>10.3f} {a:>10.3f} {a / b:>13.3f}")
        print(f"{model.split('/')[-1]:<22} {'arena bytes':<16} {arena['before']:>10} {arena['after']:>10}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
