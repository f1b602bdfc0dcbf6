"""Generator: greedy text, streaming, sampling overrides, chat context, errors."""

import pytest

import edgeattn

pytestmark = pytest.mark.models("stories260K")


def test_greedy_reproduces_the_published_text(stories260k, published_story):
    # Oracle: llama2.c's published greedy continuation from BOS, 256 steps.
    g = edgeattn.Generator(stories260k)
    assert g.generate("", max_tokens=256) == published_story
    stats = g.last_stats
    assert stats["generated"] > 0 and stats["stop_reason"] in ("stop-token", "max-tokens")


def test_stream_yields_the_same_text(stories260k, published_story):
    g = edgeattn.Generator(stories260k)
    pieces = list(g.stream("", max_tokens=256))
    assert len(pieces) > 10
    assert "".join(pieces) == published_story


def test_leaving_the_stream_early(stories260k, published_story):
    g = edgeattn.Generator(stories260k)
    stream = g.stream("", max_tokens=256)
    first = [next(stream) for _ in range(5)]
    stream.close()
    assert published_story.startswith("".join(first))
    assert g.generate("", max_tokens=256) == published_story  # usable after


def test_piece_callback_stops_and_raises(stories260k):
    # The binding's callback path under stream(): False stops at that token;
    # an exception stops and is raised from the call.
    g = edgeattn.Generator(stories260k)
    seen = []
    g._impl.generate("", 256, lambda piece: seen.append(piece) or len(seen) < 5, False)
    assert len(seen) == 5
    assert g.last_stats["generated"] == 5 and g.last_stats["stop_reason"] == "callback"

    def fail(piece):
        raise ValueError("from the callback")

    with pytest.raises(ValueError, match="from the callback"):
        g._impl.generate("", 256, fail, False)
    assert g.last_stats["generated"] == 1


def test_echo_prompt_and_max_tokens(stories260k):
    g = edgeattn.Generator(stories260k)
    text = g.generate("Once upon a time", max_tokens=20, echo_prompt=True)
    assert text.startswith("Once upon a time")
    assert g.last_stats["generated"] == 20 and g.last_stats["stop_reason"] == "max-tokens"


def test_sampling_is_seeded_and_overridable_per_call(stories260k):
    g = edgeattn.Generator(stories260k, temperature=1.0, seed=7)
    a = g.generate("Lily", max_tokens=40)
    b = g.generate("Lily", max_tokens=40)
    assert a == b  # same seed, same text
    c = g.generate("Lily", max_tokens=40, seed=8)
    assert c != a
    greedy = edgeattn.Generator(stories260k).generate("Lily", max_tokens=40)
    assert g.generate("Lily", max_tokens=40, temperature=0.0) == greedy
    assert g.generate("Lily", max_tokens=40) == a  # the override held for one call only
    with pytest.raises(TypeError):
        g.generate("Lily", temprature=0.5)


def test_repetition_window_beyond_the_reserved_scratch_is_refused(stories260k):
    g = edgeattn.Generator(stories260k, max_context=64)
    with pytest.raises(edgeattn.Error) as e:
        g.generate("Lily", max_tokens=8, repetition_penalty=1.3, penalty_window=64)
    assert e.value.code == "invalid_argument" and "scratch" in str(e.value)
    ok = edgeattn.Generator(stories260k, max_context=64, repetition_penalty=1.3, penalty_window=64)
    assert ok.generate("Lily", max_tokens=8)


def test_chat_keeps_the_context_until_reset(stories260k):
    g = edgeattn.Generator(stories260k, max_context=256)
    g.chat("Lily had a cat.", max_tokens=10)
    first = len(g.context)
    g.chat("The cat was happy.", max_tokens=10)
    assert len(g.context) > first
    g.reset()
    assert g.context == []


def test_callback_errors_and_bad_options_raise(stories260k):
    g = edgeattn.Generator(stories260k)
    with pytest.raises(edgeattn.Error) as e:
        edgeattn.Generator(stories260k, max_context=100000)
    assert e.value.code == "invalid_argument" and "max_positions" in str(e.value)
    with pytest.raises(edgeattn.Error):
        edgeattn.Generator(stories260k, kv_dtype="f64")

    def boom():
        for _ in g.stream("Lily", max_tokens=8):
            raise RuntimeError("consumer failed")

    with pytest.raises(RuntimeError):
        boom()
    assert g.generate("", max_tokens=5)  # still usable afterwards
