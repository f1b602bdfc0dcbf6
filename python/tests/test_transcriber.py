"""Transcriber: beckett.wav with Whisper tiny.en, from a path, bytes and samples."""

import wave

import numpy as np
import pytest

import edgeattn
import models

pytestmark = pytest.mark.models("whisper-tiny.en-ct2", "whisper")


def test_transcript_from_path_bytes_and_samples(whisper):
    wav = models.require("whisper/beckett.wav")
    t = edgeattn.Transcriber(whisper)
    # Oracle: CTranslate2's greedy transcript of this file (shared/models/README.md).
    assert t.transcribe(wav) == models.BECKETT_TRANSCRIPT
    assert t.transcribe(wav.read_bytes()) == models.BECKETT_TRANSCRIPT
    with wave.open(str(wav)) as w:
        assert (w.getnchannels(), w.getsampwidth()) == (1, 2)
        rate = w.getframerate()
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    samples = pcm.astype(np.float32) / 32768.0
    assert t.transcribe(samples, sample_rate=rate) == models.BECKETT_TRANSCRIPT
    stats = t.last_stats
    assert stats["windows"] == 1 and abs(stats["audio_seconds"] - len(pcm) / rate) < 1e-6
    segments = t.segments
    assert "".join(s.text for s in segments) == models.BECKETT_TRANSCRIPT


def test_bad_audio_raises(whisper):
    t = edgeattn.Transcriber(whisper, max_audio_seconds=5)
    with pytest.raises(edgeattn.Error):
        t.transcribe(b"RIFF not a wav")
    with pytest.raises(edgeattn.Error):
        t.transcribe(np.zeros((2, 100), dtype=np.float32))
    with pytest.raises(edgeattn.Error) as e:
        t.transcribe(np.zeros(16000 * 10, dtype=np.float32))  # over max_audio_seconds
    assert e.value.code in ("out_of_range", "invalid_argument", "resource_exhausted")
    with pytest.raises(edgeattn.Error) as e:
        edgeattn.Transcriber(edgeattn.Model(whisper.path), threads=0, kernels="bogus")
    assert "bogus" in str(e.value)
