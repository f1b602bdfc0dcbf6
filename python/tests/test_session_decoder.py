"""The low-level Session as a decoder: prefill, then one token per invoke
with the KV cache; its argmax chain is the Generator's greedy text."""

import numpy as np
import pytest

import edgeattn

pytestmark = pytest.mark.models("stories260K")


def test_step_by_step_greedy_equals_the_generator(stories260k, published_story):
    s = edgeattn.Session(stories260k, max_seq=8, max_context=64)
    token = 1  # BOS
    ids = []
    invokes = 0
    for _ in range(40):
        invokes += 1
        (logits,) = s.invoke(np.array([[token]], dtype=np.int32))
        token = int(np.argmax(logits.reshape(-1)))
        if token in (1, 2):
            break
        ids.append(token)
    assert s.past == invokes  # one position per invoke, BOS first
    assert published_story.startswith(stories260k.detokenize([1] + ids))
    s.reset()
    assert s.past == 0


def test_prefill_all_positions(stories260k):
    prompt = np.array([stories260k.tokenize("Once upon a time")], dtype=np.int32)
    s = edgeattn.Session(stories260k, max_seq=16, max_context=64)
    all_logits = np.array(s.invoke(prompt, all_positions=True)[0])  # a copy: the next invoke reuses the arena
    assert all_logits.shape[-1] == stories260k.info.vocab_size
    assert all_logits.reshape(-1, stories260k.info.vocab_size).shape[0] == prompt.shape[1]
    s.reset()
    (last,) = s.invoke(prompt)
    np.testing.assert_array_equal(last.reshape(-1), all_logits.reshape(-1, stories260k.info.vocab_size)[-1])
