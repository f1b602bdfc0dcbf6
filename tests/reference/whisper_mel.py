#!/usr/bin/env python3
"""Independent float64 reference of Whisper's audio frontend, and the fixtures
the C++ frontend tests read (tests/runtime/audio/).

Written from openai-whisper's audio.py semantics (not from our C++):
  log_mel_spectrogram(audio, padding=N_SAMPLES) as transcribe.py calls it:
  audio + 480000 zeros; torch.stft(n_fft=400, hop=160, hann_window(400)
  [periodic], center=True, pad_mode="reflect"); drop the last frame; power;
  mel = filters @ power with librosa.filters.mel(sr=16000, n_fft=400,
  n_mels=80) (Slaney scale and norm); log10(max(mel, 1e-10)); clamp at the
  max over the whole padded signal - 8; (x + 4) / 4. Here everything is
  numpy float64: np.fft.rfft, our own Hann window, our own filterbank from
  librosa's formulas, our own WAV parser (struct).

    /work/venv/bin/python tests/reference/whisper_mel.py     # writes tests/fixtures/whisper/

Fixtures (little-endian float32, frame-major [frames, 80], described by
tests/fixtures/whisper/mel_reference.json):
  mel_filters.f32        [80, 201] this file's filterbank
  <name>.mel.f32         the reference mel rows at the frame indices listed in
                         the manifest (every `stride`-th frame carrying audio
                         plus the frames around the end of the audio); every
                         other frame of the window equals `pad_value`
  the manifest also holds signal_max (whisper's log_spec.max()) and, for the
  format variants, decoded-sample checks (mean, rms, 32 samples).
"""
import json
import os
import struct
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "fixtures", "whisper")
SAMPLE_RATE = 16000
N_FFT = 400
HOP = 160
N_MELS = 80
N_FRAMES = 3000
N_SAMPLES = N_FRAMES * HOP

_SUBFORMAT_TAIL = bytes([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71])


def load_wav(path):
    """(float64 mono samples, sample rate): channels averaged, PCM scaled by
    1 / 2^(bits-1) (8-bit: (v - 128) / 128), float as stored."""
    data = open(path, "rb").read()
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE", path
    off, fmt = 12, None
    while off + 8 <= len(data):
        cid, size = data[off:off + 4], struct.unpack_from("<I", data, off + 4)[0]
        body = data[off + 8:off + 8 + size]
        if cid == b"fmt ":
            tag, ch, rate, _, align, bits = struct.unpack_from("<HHIIHH", body)
            if tag == 0xFFFE:
                assert body[26:40] == _SUBFORMAT_TAIL
                tag = struct.unpack_from("<H", body, 24)[0]
            fmt = (tag, ch, rate, align, bits)
        elif cid == b"data":
            if size in (0, 0xFFFFFFFF):
                body = data[off + 8:]
            break
        off += 8 + size + (size & 1)
    tag, ch, rate, align, bits = fmt
    frames = len(body) // align
    body = body[:frames * align]
    if tag == 3:
        x = np.frombuffer(body, "<f4" if bits == 32 else "<f8").astype(np.float64)
    elif bits == 8:
        x = (np.frombuffer(body, np.uint8).astype(np.float64) - 128.0) / 128.0
    elif bits == 24:
        b = np.frombuffer(body, np.uint8).reshape(-1, 3).astype(np.int32)
        v = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        v = np.where(v >= 1 << 23, v - (1 << 24), v)
        x = v.astype(np.float64) / 2.0 ** 23
    else:
        x = np.frombuffer(body, "<i2" if bits == 16 else "<i4").astype(np.float64) / 2.0 ** (bits - 1)
    return x.reshape(frames, ch).mean(axis=1), rate


def hz_to_mel(f):
    """librosa.hz_to_mel(htk=False): linear below 1 kHz, log above (Slaney)."""
    f = np.asarray(f, dtype=np.float64)
    f_sp, min_log_hz = 200.0 / 3, 1000.0
    min_log_mel, logstep = min_log_hz / f_sp, np.log(6.4) / 27.0
    return np.where(f >= min_log_hz, min_log_mel + np.log(np.maximum(f, 1e-300) / min_log_hz) / logstep, f / f_sp)


def mel_to_hz(m):
    m = np.asarray(m, dtype=np.float64)
    f_sp, min_log_hz = 200.0 / 3, 1000.0
    min_log_mel, logstep = min_log_hz / f_sp, np.log(6.4) / 27.0
    return np.where(m >= min_log_mel, min_log_hz * np.exp(logstep * (m - min_log_mel)), f_sp * m)


def mel_filters(sr=SAMPLE_RATE, n_fft=N_FFT, n_mels=N_MELS):
    """librosa.filters.mel(sr, n_fft, n_mels, fmin=0, fmax=sr/2, htk=False, norm="slaney") in float64."""
    fft_freqs = np.arange(n_fft // 2 + 1, dtype=np.float64) * sr / n_fft
    mel_pts = mel_to_hz(np.linspace(hz_to_mel(0.0), hz_to_mel(sr / 2.0), n_mels + 2))
    fdiff = np.diff(mel_pts)
    ramps = mel_pts[:, None] - fft_freqs[None, :]
    w = np.zeros((n_mels, n_fft // 2 + 1))
    for i in range(n_mels):
        lower = -ramps[i] / fdiff[i]
        upper = ramps[i + 2] / fdiff[i + 1]
        w[i] = np.maximum(0.0, np.minimum(lower, upper))
    return w * (2.0 / (mel_pts[2:n_mels + 2] - mel_pts[:n_mels]))[:, None]


def log10_mel_full(samples_16k, filters=None):
    """log10(max(mel, 1e-10)) of every frame of the padded signal: [80, T], T = len / hop + 3000."""
    filters = mel_filters() if filters is None else filters
    x = np.concatenate([np.asarray(samples_16k, np.float64), np.zeros(N_SAMPLES)])
    x = np.pad(x, (N_FFT // 2, N_FFT // 2), mode="reflect")
    window = 0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(N_FFT) / N_FFT)
    n_frames = 1 + (len(x) - N_FFT) // HOP
    idx = np.arange(N_FFT)[None, :] + HOP * np.arange(n_frames)[:, None]
    spec = np.fft.rfft(x[idx] * window, axis=1)
    power = (np.abs(spec) ** 2)[:-1]  # whisper: stft[..., :-1]
    return np.log10(np.maximum(filters @ power.T, 1e-10))


def normalize(log_spec, signal_max):
    return (np.maximum(log_spec, signal_max - 8.0) + 4.0) / 4.0


def log_mel_spectrogram(samples_16k):
    """Whisper's first 30-s window: [80, 3000] (clamped at the whole signal's max)."""
    log_spec = log10_mel_full(samples_16k)
    return normalize(log_spec, log_spec.max())[:, :N_FRAMES]


def mel_entry(name, wav, samples, stride, seek=0):
    """Writes <name>.mel.f32 (selected frames of the window at `seek`) and returns its manifest entry."""
    log_spec = log10_mel_full(samples)
    top = float(log_spec.max())
    mel = normalize(log_spec, top)
    total = mel.shape[1]
    window = np.zeros((N_MELS, N_FRAMES))
    n = min(N_FRAMES, total - seek)
    window[:, :n] = mel[:, seek:seek + n]
    audio_frames = min(N_FRAMES, max(0, (len(samples) + N_FFT // 2 + HOP - 1) // HOP - seek))
    frames = sorted(set(range(0, audio_frames, stride)) |
                    {f for f in range(audio_frames - 2, audio_frames + 3) if 0 <= f < N_FRAMES})
    pad_value = float((max(-10.0, top - 8.0) + 4.0) / 4.0)
    # Frames after the audio (not stored) must all equal pad_value.
    rest = window[:, audio_frames + 3:n]
    assert rest.size == 0 or np.all(rest == pad_value), name
    window[:, frames].T.astype("<f4").tofile(os.path.join(OUT, name + ".mel.f32"))
    return {"name": name, "wav": wav, "samples": int(len(samples)), "seek": seek, "signal_max": top,
            "pad_value": pad_value, "valid_frames": int(n), "frames": [int(f) for f in frames]}


def variant_entry(path, rel):
    x, rate = load_wav(path)
    pick = np.linspace(0, len(x) - 1, 32).astype(int)
    return {"wav": rel, "rate": rate, "frames": int(len(x)), "mean": float(x.mean()),
            "rms": float(np.sqrt((x * x).mean())), "index": [int(i) for i in pick],
            "value": [float(v) for v in x[pick]]}


def main():
    filters = mel_filters()
    filters.astype("<f4").tofile(os.path.join(OUT, "mel_filters.f32"))
    beckett = os.path.join(ROOT, "..", "shared", "models", "whisper", "beckett.wav")
    if not os.path.exists(beckett):
        sys.exit(f"whisper_mel: {beckett} not found")
    clips = json.load(open(os.path.join(OUT, "clips", "clips.json")))["clips"]
    b, rate = load_wav(beckett)
    assert rate == SAMPLE_RATE
    mels = [mel_entry("beckett", "whisper/beckett.wav", b, 2)]
    # Long audio: beckett 4 times (40 s), the window at seek 2000 (20 s).
    mels.append(mel_entry("beckett_x4_seek2000", "whisper/beckett.wav x4", np.tile(b, 4), 5, seek=2000))
    variants = []
    for c in clips:
        rel = "clips/" + c["file"]
        path = os.path.join(OUT, rel)
        if "variant_of" in c:
            variants.append(variant_entry(path, rel))
            continue
        x, rate = load_wav(path)
        assert rate == SAMPLE_RATE, path
        mels.append(mel_entry(os.path.splitext(c["file"])[0], rel, x, 3))
    manifest = {"generator": "tests/reference/whisper_mel.py", "n_fft": N_FFT, "hop": HOP, "n_mels": N_MELS,
                "n_frames": N_FRAMES, "mel_filters": "mel_filters.f32", "mels": mels, "variants": variants}
    with open(os.path.join(OUT, "mel_reference.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
