#!/usr/bin/env python3
"""CTranslate2's own Whisper runtime as the independent reference for
edgeattn's Whisper (issue #14): for beckett.wav and the 16 kHz clips of
tests/fixtures/whisper/clips, the float64 numpy log-mel (whisper_mel.py) is
fed to ctranslate2.models.Whisper (compute_type float32), and the fixture
keeps what the C++ tests compare against:

  whisper_ct2_reference.json   per clip: CTranslate2's greedy token ids
                               (prompt <|startoftranscript|><|notimestamps|>,
                               suppress_blank, suppress_tokens [-1] = the
                               model's suppress_ids, max_length 448) and
                               its transcript, and the transcript of its
                               compute_type int8; for beckett also the encoder
                               output rows kept in the .f32 file below
  beckett.encoder.f32          ctranslate2's Whisper.encode output of
                               beckett.wav, every row [1500, 384]
                               little-endian float32
  beckett.ct2_mel.f32          the mel it was fed: the frames before the
                               constant padding [frames, 80] float32;
                               and in the JSON the rows of the float64
                               encoder (whisper_encoder_f64.py) where
                               CTranslate2's is more than 1e-4 from them

    pip install ctranslate2==4.8.5 numpy==2.4.6
    python tests/reference/make_whisper_ct2_fixture.py [MODEL_DIR]
(MODEL_DIR: ~/.cache/edgeattn/models/whisper-tiny.en-ct2, fetch-models.sh.)
"""
import json
import os
import sys

import numpy as np
import ctranslate2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import whisper_encoder_f64  # noqa: E402
import whisper_mel  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "fixtures", "whisper")
ENCODER_ROW_STRIDE = 1  # every row: the aarch64 CI check decodes from them
SOT, NO_TIMESTAMPS = "<|startoftranscript|>", "<|notimestamps|>"


def clips():
    shared = os.path.join(ROOT, "..", "shared", "models", "whisper", "beckett.wav")
    yield "beckett", os.path.abspath(shared), "whisper/beckett.wav"
    manifest = json.load(open(os.path.join(OUT, "clips", "clips.json")))
    for c in manifest["clips"]:
        if "variant_of" in c:
            continue
        yield os.path.splitext(c["file"])[0], os.path.join(OUT, "clips", c["file"]), "clips/" + c["file"]


def mel_of(path):
    samples, rate = whisper_mel.load_wav(path)
    assert rate == whisper_mel.SAMPLE_RATE, (path, rate)
    return whisper_mel.log_mel_spectrogram(samples).astype(np.float32)  # [80, 3000]


def main():
    model_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.expanduser("~/.cache/edgeattn/models/whisper-tiny.en-ct2")
    model = ctranslate2.models.Whisper(model_dir, device="cpu", compute_type="float32", intra_threads=2)
    # CTranslate2's own int8 (per-row int8 weights, dynamic int8 activations):
    # how far the peer's int8 moves from its float32 bounds ours.
    model_int8 = ctranslate2.models.Whisper(model_dir, device="cpu", compute_type="int8", intra_threads=2)
    tokens = json.load(open(os.path.join(model_dir, "tokenizer.json")))
    special = {t["content"]: t["id"] for t in tokens["added_tokens"]}
    id_to_piece = {v: k for k, v in tokens["model"]["vocab"].items()}
    byte_decoder = {c: b for b, c in bytes_to_unicode().items()}
    prompt = [special[SOT], special[NO_TIMESTAMPS]]
    entries = []
    for name, path, rel in clips():
        mel = mel_of(path)
        features = ctranslate2.StorageView.from_array(np.ascontiguousarray(mel[np.newaxis]))
        result = model.generate(features, [prompt], beam_size=1, suppress_blank=True, suppress_tokens=[-1],
                                max_length=448, return_no_speech_prob=True)[0]
        ids = [i for i in result.sequences_ids[0]]
        text = decode(ids, id_to_piece, byte_decoder, special["<|endoftext|>"])
        entry = {"name": name, "wav": rel, "ids": ids, "text": text, "no_speech_prob": result.no_speech_prob}
        r8 = model_int8.generate(features, [prompt], beam_size=1, suppress_blank=True, suppress_tokens=[-1],
                                 max_length=448)[0]
        entry["int8_text"] = decode(r8.sequences_ids[0], id_to_piece, byte_decoder, special["<|endoftext|>"])
        if name == "beckett":
            enc = np.array(model.encode(features, to_cpu=True))[0]  # [1500, 384]
            rows = enc[::ENCODER_ROW_STRIDE].astype("<f4")
            rows.tofile(os.path.join(OUT, "beckett.encoder.f32"))
            entry["encoder"] = {"file": "beckett.encoder.f32", "row_stride": ENCODER_ROW_STRIDE,
                                "rows": int(rows.shape[0]), "width": int(rows.shape[1]),
                                "max_abs": float(np.abs(enc).max())}
            # The mel CTranslate2 was fed, so the C++ test feeds its encoder
            # the same: frames up to the last one that is not the constant
            # padding (log-mel of silence after the audio), [frames, 80].
            frames = mel.T  # [3000, 80]
            pad = frames[-1, 0]
            assert (frames[-1] == pad).all()
            n = int(np.nonzero((frames != pad).any(axis=1))[0].max()) + 1
            frames[:n].astype("<f4").tofile(os.path.join(OUT, "beckett.ct2_mel.f32"))
            entry["mel"] = {"file": "beckett.ct2_mel.f32", "frames": n, "pad_value": float(pad)}
            # Where CTranslate2's float32 is more than 1e-4 from the float64
            # encoder (its own rounding), the test compares with float64.
            w, n_layers = whisper_encoder_f64.load_weights(model_dir)
            exact = whisper_encoder_f64.encoder(w, mel.astype(np.float64), n_layers, 6)
            off = np.abs(enc.astype(np.float64) - exact).max(axis=1)
            entry["encoder_f64_rows"] = {str(r): [float(v) for v in exact[r]] for r in np.nonzero(off > 1e-4)[0]}
            print(f"CTranslate2 vs float64: max |diff| {off.max():.3e}; rows kept in float64: "
                  f"{sorted(entry['encoder_f64_rows'])}")
        print(f"{name}: {len(ids)} tokens: {text!r}")
        entries.append(entry)
    out = {"generator": "tests/reference/make_whisper_ct2_fixture.py",
           "ctranslate2": ctranslate2.__version__, "compute_type": "float32",
           "prompt": prompt, "mel": "whisper_mel.log_mel_spectrogram (float64, rounded to float32)",
           "clips": entries}
    with open(os.path.join(OUT, "whisper_ct2_reference.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


def decode(ids, id_to_piece, byte_decoder, eot):
    return bytes(byte_decoder[ch] for i in ids if i < eot for ch in id_to_piece[i]).decode()


def bytes_to_unicode():
    """GPT-2's byte -> printable-character table (tokenizer pieces are in it)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, (chr(c) for c in cs)))


if __name__ == "__main__":
    main()
