#!/usr/bin/env python3
"""CTranslate2 side of the Whisper comparison (issue #14, item 5).

    whisper_ct2.py MODEL_DIR WAV [--repeat 3] [--compute-type float32|int8]
                   [--threads T] [--runs N] [--warmups W]

The protocol of `edgeattn-bench WHISPER.eatn --wav WAV --repeat R --json`:
the WAV tiled R times (beckett.wav x 3 = 29.9 s, one 30-s window); then W
warm-up rounds and N timed rounds, each:

  frontend  the log-mel of the window with tests/reference/whisper_mel.py
            (float64 numpy; CTranslate2 has no frontend of its own: this is
            NOT a CTranslate2 time and is kept out of the model ratios)
  encoder   ctranslate2.models.Whisper.encode(features)
  decoder   Whisper.generate(encoder_output, [prompt]) on the encoder output
            (generate accepts [1, 1500, d_model] states and then skips the
            encoder), greedy: beam_size 1, prompt <|startoftranscript|>
            <|notimestamps|>, suppress_blank, suppress_tokens [-1] (the
            model's suppress list), max_length 448; it computes the cross
            K/V, runs the prompt and the steps, as edgeattn's decoder does
  total     the three above

Model: ctranslate2.models.Whisper(MODEL_DIR, device cpu, compute_type,
intra_threads T, inter_threads 1). MODEL_DIR is the CTranslate2 model the
.eatn files are converted from (fp16 weights; float32 / int8 convert them
at load, as edgeattn-convert --dtype fp32 / int8 does offline).

Prints one JSON line: {"transcribe": {...}} with the fields of edgeattn-bench's
"transcribe" object (rounds, median/p90/min per stage, decoder_tokens =
prompt + generated tokens, decoder_tokens_per_s, real_time_factor, text),
plus load_ms, peak_rss_bytes, ctranslate2 version.
"""
import argparse
import json
import math
import os
import resource
import sys
import time

import numpy as np
import ctranslate2

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "reference"))
import whisper_mel  # noqa: E402
from make_whisper_ct2_fixture import bytes_to_unicode  # noqa: E402

SOT, NO_TIMESTAMPS, EOT = "<|startoftranscript|>", "<|notimestamps|>", "<|endoftext|>"


def latency(samples):
    """median / p90 (nearest rank) / min, as bench_report.cc summarize()."""
    s = sorted(samples)
    n = len(s)
    median = s[n // 2] if n % 2 else 0.5 * (s[n // 2 - 1] + s[n // 2])
    return {"median_ms": median, "p90_ms": s[min(n, math.ceil(0.9 * n)) - 1], "min_ms": s[0], "runs": n}


class Detokenizer:
    """Token ids -> text with the model's tokenizer.json (GPT-2 byte-level pieces)."""

    def __init__(self, model_dir):
        tok = json.load(open(os.path.join(model_dir, "tokenizer.json")))
        self.special = {t["content"]: t["id"] for t in tok["added_tokens"]}
        self.pieces = {v: k for k, v in tok["model"]["vocab"].items()}
        self.byte_of = {c: b for b, c in bytes_to_unicode().items()}

    def text(self, ids):
        eot = self.special[EOT]
        return bytes(self.byte_of[ch] for i in ids if i < eot for ch in self.pieces[i]).decode("utf-8", "replace")


def one_round(model, samples, prompt):
    t0 = time.perf_counter()
    mel = whisper_mel.log_mel_spectrogram(samples).astype(np.float32)  # [80, 3000]
    features = ctranslate2.StorageView.from_array(np.ascontiguousarray(mel[np.newaxis]))
    t1 = time.perf_counter()
    encoded = model.encode(features, to_cpu=False)
    t2 = time.perf_counter()
    result = model.generate(encoded, [prompt], beam_size=1, suppress_blank=True, suppress_tokens=[-1],
                            max_length=448)[0]
    t3 = time.perf_counter()
    ids = list(result.sequences_ids[0])
    times = {"frontend_ms": (t1 - t0) * 1e3, "encoder_ms": (t2 - t1) * 1e3, "decoder_ms": (t3 - t2) * 1e3,
             "total_ms": (t3 - t0) * 1e3}
    return times, ids


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model_dir")
    ap.add_argument("wav")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--compute-type", default="float32", choices=["float32", "int8"])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--warmups", type=int, default=1)
    a = ap.parse_args()

    one, rate = whisper_mel.load_wav(a.wav)
    assert rate == whisper_mel.SAMPLE_RATE, f"{a.wav}: {rate} Hz (the peer takes 16 kHz)"
    samples = np.tile(one, a.repeat)
    t0 = time.perf_counter()
    model = ctranslate2.models.Whisper(a.model_dir, device="cpu", compute_type=a.compute_type,
                                       intra_threads=a.threads, inter_threads=1)
    load_ms = (time.perf_counter() - t0) * 1e3
    detok = Detokenizer(a.model_dir)
    prompt = [detok.special[SOT], detok.special[NO_TIMESTAMPS]]
    rounds, ids = [], []
    for i in range(a.warmups + a.runs):
        times, ids = one_round(model, samples, prompt)
        if i >= a.warmups:
            rounds.append(times)
    tr = {"wav": a.wav, "repeat": a.repeat, "audio_seconds": len(samples) / rate, "windows": 1,
          "decoder_tokens": len(prompt) + len(ids), "rounds": rounds, "text": detok.text(ids), "ids": ids}
    for stage in ("frontend", "encoder", "decoder", "total"):
        tr[stage] = latency([r[stage + "_ms"] for r in rounds])
    tr["decoder_tokens_per_s"] = 1e3 * tr["decoder_tokens"] / tr["decoder"]["median_ms"]
    tr["real_time_factor"] = tr["total"]["median_ms"] / 1e3 / tr["audio_seconds"]
    out = {"engine": "ctranslate2", "ctranslate2": ctranslate2.__version__, "compute_type": a.compute_type,
           "threads": a.threads, "runs": a.runs, "warmups": a.warmups, "load_ms": load_ms,
           "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
           "loadavg_1m": os.getloadavg()[0], "transcribe": tr}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
